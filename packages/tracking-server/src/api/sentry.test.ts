// Sentry ingest over real HTTP, for what particular SDKs send: sentry-java 2.x's
// `Content-Encoding: UTF-8`, a device clock far off (the envelope's `sent_at`), and Python's
// NaN and Infinity in a store body.
import { rawPost } from '../testing/raw-post';
import type { Project } from '../projects';
import type { RunningTracker } from '../main';
import { startTestTracker, type TestTracker } from '../testing/test-tracker';

let setup: TestTracker<'sdks' | 'limited'>;
let tracker: RunningTracker;
let project: Project;
let limited: Project;

beforeAll(async () => {
  setup = await startTestTracker(
    'sentry-sdks',
    { sdks: {}, limited: { eventsPerMinute: 1 } },
    'test-token',
  );
  ({ tracker } = setup);
  ({ sdks: project, limited } = setup.projects);
});

afterAll(() => setup?.close());

const id = (n: number) => n.toString(16).padStart(32, '0');

/** A POST whose every header the test decides; `error` is its X-Sentry-Error. */
const post = async (path: string, body: string, headers: Record<string, string> = {}) => {
  const answer = await rawPost(`${tracker.url}${path}`, body, headers);
  return { ...answer, error: answer.headers['x-sentry-error'] };
};

const auth = (client: string) => ({
  'x-sentry-auth': `Sentry sentry_version=7, sentry_key=${project.key}, sentry_client=${client}`,
});

interface StoredEvent {
  readonly timestamp: string;
  readonly receivedAt: string;
  readonly event: Record<string, unknown>;
}

/** The one event stored for the issue of `service`, through the REST API. */
async function storedEvent(service: string): Promise<StoredEvent> {
  const get = async (path: string) =>
    (await (
      await fetch(`${tracker.url}/api/v1${path}`, {
        headers: { authorization: 'Bearer test-token' },
      })
    ).json()) as { items: { id: number }[] };
  const issues = await get(`/issues?service=${service}`);
  expect(issues.items).toHaveLength(1);
  const events = (await get(`/issues/${issues.items[0]?.id}/events`)) as unknown as {
    items: StoredEvent[];
  };
  expect(events.items).toHaveLength(1);
  return events.items[0] as StoredEvent;
}

describe('Content-Encoding: UTF-8 (sentry-java and sentry-android 2.x)', () => {
  it('reads an envelope so labelled as not encoded', async () => {
    const event = JSON.stringify({ event_id: id(1), message: 'java envelope' });
    const res = await post(
      `/api/${project.id}/envelope/`,
      `{"event_id":"${id(1)}"}\n{"type":"event"}\n${event}\n`,
      { ...auth('sentry.java/2.3.1'), 'content-encoding': 'UTF-8' },
    );
    expect([res.status, res.text]).toEqual([200, `{"id":"${id(1)}"}`]);
  });

  it('reads a store body so labelled as not encoded', async () => {
    const res = await post(
      `/api/${project.id}/store/`,
      JSON.stringify({ event_id: id(2), message: 'java store' }),
      { ...auth('sentry-java/2.3.1'), 'content-encoding': 'utf-8' },
    );
    expect([res.status, res.text]).toEqual([200, `{"id":"${id(2)}"}`]);
  });
});

describe('a device clock far off', () => {
  it('dates the event, its breadcrumbs and its start by the receiver’s clock', async () => {
    // The device thinks it is 2020: it sent the envelope at midnight, the event 10 s before,
    // its breadcrumb 20 s before and its start 30 s before.
    const event = {
      event_id: id(3),
      message: 'clock far off',
      tags: { service: 'drifted' },
      timestamp: '2019-12-31T23:59:50Z',
      start_timestamp: 1577836770,
      breadcrumbs: { values: [{ message: 'clicked', timestamp: 1577836780 }] },
    };
    const res = await post(
      `/api/${project.id}/envelope/`,
      `{"event_id":"${id(3)}","sent_at":"2020-01-01T00:00:00.000Z"}\n{"type":"event"}\n${JSON.stringify(event)}\n`,
      auth('sentry.javascript.browser/8.0.0'),
    );
    expect(res.status).toBe(200);
    const stored = await storedEvent('drifted');
    const received = Date.parse(stored.receivedAt);
    expect(Date.parse(stored.timestamp)).toBe(received - 10_000);
    expect(stored.event.timestamp).toBe((received - 10_000) / 1000);
    expect(stored.event.start_timestamp).toBe((received - 30_000) / 1000);
    expect(stored.event.breadcrumbs).toEqual({
      values: [{ message: 'clicked', timestamp: (received - 20_000) / 1000 }],
    });
  });

  it.each([
    ['54 minutes off', (sent: number) => new Date(sent - 54 * 60_000).toISOString(), 9],
    ['not RFC 3339', () => 'yesterday', 10],
    ['missing', undefined, 11],
  ])('keeps the event’s time when sent_at is %s', async (what, sentAt, n) => {
    // A time of its own an hour ago, whole seconds so that it reads back as written.
    const sent = Math.floor(Date.now() / 1000) * 1000;
    const timestamp = new Date(sent - 3_600_000).toISOString();
    const header = { event_id: id(n), ...(sentAt ? { sent_at: sentAt(sent) } : {}) };
    const event = {
      event_id: id(n),
      message: `sent_at ${what}`,
      tags: { service: `near-${n}` },
      timestamp,
    };
    const res = await post(
      `/api/${project.id}/envelope/`,
      `${JSON.stringify(header)}\n{"type":"event"}\n${JSON.stringify(event)}\n`,
      auth('sentry.javascript.browser/8.0.0'),
    );
    expect(res.status).toBe(200);
    const stored = await storedEvent(`near-${n}`);
    expect(stored.timestamp).toBe(timestamp);
    expect(stored.event.timestamp).toBe(timestamp);
  });

  it('dates a transaction’s operations by the receiver’s clock', async () => {
    // Sent at 2020-01-01T00:00:00Z by the device's clock; ended 1 s and started 3 s before.
    const tx = {
      type: 'transaction',
      event_id: id(7),
      transaction: 'GET /drifted',
      start_timestamp: 1577836797,
      timestamp: 1577836799,
      tags: { service: 'drifted-tx', correlation_id: 'drifted-session' },
      contexts: { trace: { trace_id: id(8), span_id: '1'.repeat(16), op: 'http.server' } },
      spans: [],
    };
    const before = Date.now();
    const res = await post(
      `/api/${project.id}/envelope/`,
      `{"event_id":"${id(7)}","sent_at":"2020-01-01T00:00:00Z"}\n{"type":"transaction"}\n${JSON.stringify(tx)}\n`,
      auth('sentry.javascript.node/8.0.0'),
    );
    const after = Date.now();
    expect(res.status).toBe(200);
    const session = (await (
      await fetch(`${tracker.url}/api/v1/sessions/drifted-session`, {
        headers: { authorization: 'Bearer test-token' },
      })
    ).json()) as { timeline: { name: string; start: string; end: string }[] };
    const [op] = session.timeline;
    expect(op?.name).toBe('GET /drifted');
    const end = Date.parse(op?.end ?? '');
    expect(end).toBeGreaterThanOrEqual(before - 1000);
    expect(end).toBeLessThanOrEqual(after - 1000);
    expect(end - Date.parse(op?.start ?? '')).toBe(2000);
  });
});

describe('NaN and Infinity in a store body from a Python SDK', () => {
  const body = (n: number, service: string) =>
    `{"event_id":"${id(n)}","message":"NaN from ${service}","tags":{"service":"${service}"},` +
    `"extra":{"ratio":NaN,"max":Infinity,"min":-Infinity,"note":"NaN stays in a string"}}`;

  it.each([
    ['raven-python/6.10.0', 4, 'raven'],
    ['sentry-python/0.5.0', 5, 'sentry-python'],
  ])('reads them as null from %s', async (client, n, service) => {
    const res = await post(`/api/${project.id}/store/`, body(n, service), auth(client));
    expect([res.status, res.text]).toEqual([200, `{"id":"${id(n)}"}`]);
    expect((await storedEvent(service)).event.extra).toEqual({
      ratio: null,
      max: null,
      min: null,
      note: 'NaN stays in a string',
    });
  });

  it('still refuses them from any other client, as Relay does', async () => {
    const res = await post(`/api/${project.id}/store/`, body(6, 'other'), auth('sentry.ruby/5.0'));
    expect(res.status).toBe(400);
    expect(res.error).toMatch(/^event is not JSON: /);
  });
});

describe('an envelope over the event rate limit', () => {
  it('keeps its transaction, refusing only the event with 429', async () => {
    const path = `/api/${limited.id}/envelope/?sentry_key=${limited.key}`;
    const event = (n: number) =>
      `{"type":"event"}\n${JSON.stringify({ event_id: id(n), message: `limited ${n}` })}\n`;
    const now = Date.now() / 1000;
    const tx = {
      type: 'transaction',
      event_id: id(21),
      transaction: 'GET /limited',
      start_timestamp: now - 2,
      timestamp: now - 1,
      tags: { service: 'limited-tx', correlation_id: 'limited-session' },
      contexts: { trace: { trace_id: id(22), span_id: '2'.repeat(16), op: 'http.server' } },
      spans: [],
    };
    expect((await post(path, `{}\n${event(20)}`)).status).toBe(200); // the minute's one event
    const refused = await post(
      path,
      `{}\n${event(23)}{"type":"transaction"}\n${JSON.stringify(tx)}\n`,
    );
    expect(refused.status).toBe(429);
    expect(refused.headers['x-sentry-rate-limits']).toMatch(/^\d+:error;default:project$/);
    const session = await fetch(`${tracker.url}/api/v1/sessions/limited-session`, {
      headers: { authorization: 'Bearer test-token' },
    });
    expect(session.status).toBe(200);
    const { timeline } = (await session.json()) as { timeline: { name: string }[] };
    expect(timeline.map((o) => o.name)).toEqual(['GET /limited']);
  });
});

describe("an envelope header's event_id that is not a string", () => {
  it('is refused with 400 naming it, as Relay refuses an invalid envelope header; null is none', async () => {
    const path = `/api/${project.id}/envelope/?sentry_key=${project.key}`;
    const event = (n: number) =>
      `{"type":"event"}\n${JSON.stringify({ event_id: id(n), message: `header id ${n}` })}\n`;
    for (const [header, shown] of [
      ['123', '123'],
      ['true', 'true'],
      ['["x"]', '[...]'],
      ['{"a":1}', '{...}'],
    ]) {
      const res = await post(path, `{"event_id":${header}}\n${event(30)}`);
      expect([res.status, res.error]).toEqual([
        400,
        `invalid envelope: header event_id ${shown} is not a string`,
      ]);
    }
    const absent = await post(path, `{"event_id":null}\n${event(31)}`);
    expect([absent.status, absent.text]).toEqual([200, `{"id":"${id(31)}"}`]);
  });
});
