// How far back an event may be dated is its project's retention, as Relay takes
// max_secs_in_past from the project's event_retention (relay-server processing: `retention_days
// * 24 * 3600`): an older one is dated at its arrival with `past_timestamp`, rather than stored
// and deleted by the next sweep. Expected values worked out by hand from that rule.
import type { Project } from './projects';
import { startTestTracker, type TestTracker } from './testing/test-tracker';

const DAY = 86_400_000;
let setup: TestTracker<'weekly' | 'quarterly' | 'forever'>;

beforeAll(async () => {
  setup = await startTestTracker('event-retention', {
    weekly: { retentionDays: 7 },
    quarterly: { retentionDays: 90 },
    forever: { retentionDays: 0 },
  });
});

afterAll(() => setup?.close());

const eventId = (n: number) => n.toString(16).padStart(32, '0');

async function api(path: string) {
  const res = await fetch(`${setup.tracker.url}/api/v1${path}`, {
    headers: { authorization: 'Bearer t' },
  });
  return (await res.json()) as any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

/** Sends an event dated `daysAgo` days back; answers how it was stored. */
async function sendDated(project: Project, n: number, daysAgo: number) {
  const service = `dated-${n}`;
  const timestamp = new Date(Math.floor(Date.now() / 1000) * 1000 - daysAgo * DAY).toISOString();
  const res = await fetch(
    `${setup.tracker.url}/api/${project.id}/envelope/?sentry_key=${project.key}&sentry_version=7`,
    {
      method: 'POST',
      body: `{}\n{"type":"event"}\n${JSON.stringify({
        event_id: eventId(n),
        message: `dated ${daysAgo} days back`,
        tags: { service },
        timestamp,
      })}\n`,
    },
  );
  expect(res.status).toBe(200);
  const issues = await api(`/issues?service=${service}`);
  const events = await api(`/issues/${issues.items[0].id}/events`);
  const [stored] = events.items;
  return { sent: Date.parse(timestamp), stored };
}

it('dates an event older than its project’s retention at its arrival, with past_timestamp', async () => {
  const { sent, stored } = await sendDated(setup.projects.weekly, 1, 10);
  expect(Date.parse(stored.timestamp)).toBe(Date.parse(stored.receivedAt));
  expect(Date.parse(stored.event.errors[0].sdk_time)).toBe(sent);
  expect(stored.event.errors[0]).toMatchObject({ type: 'past_timestamp', name: 'timestamp' });
});

it('keeps the date of an event within its project’s retention', async () => {
  const weekly = await sendDated(setup.projects.weekly, 2, 6);
  expect(Date.parse(weekly.stored.timestamp)).toBe(weekly.sent);
  expect(weekly.stored.event.errors).toBeUndefined();
  // 60 days back is past the default 30 days, and within a 90-day project's retention.
  const quarterly = await sendDated(setup.projects.quarterly, 3, 60);
  expect(Date.parse(quarterly.stored.timestamp)).toBe(quarterly.sent);
  expect(quarterly.stored.event.errors).toBeUndefined();
});

it('dates an event of a project that keeps events for ever by 30 days back, as Relay’s default', async () => {
  // README, Event time: "30 days for a project that keeps events for ever" (Relay's
  // max_secs_in_past default, 30 days).
  const old = await sendDated(setup.projects.forever, 4, 31);
  expect(Date.parse(old.stored.timestamp)).toBe(Date.parse(old.stored.receivedAt));
  expect(Date.parse(old.stored.event.errors[0].sdk_time)).toBe(old.sent);
  expect(old.stored.event.errors[0]).toMatchObject({ type: 'past_timestamp', name: 'timestamp' });
  const within = await sendDated(setup.projects.forever, 5, 29);
  expect(Date.parse(within.stored.timestamp)).toBe(within.sent);
  expect(within.stored.event.errors).toBeUndefined();
});
