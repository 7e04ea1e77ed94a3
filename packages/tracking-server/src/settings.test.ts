// Per-project settings from the data directory's config.json, applied over HTTP: scrubbing off
// for one project, extra and safe keys for another, the default for the rest.
import type { Project } from './projects';
import type { RunningTracker } from './main';
import { startTestTracker, type TestTracker } from './testing/test-tracker';

let setup: TestTracker<'plain' | 'raw' | 'custom'>;
let tracker: RunningTracker;
let projects: Record<'plain' | 'raw' | 'custom', Project>;

beforeAll(async () => {
  setup = await startTestTracker('settings', {
    plain: {},
    raw: { scrub: { enabled: false } },
    custom: { scrub: { extraKeys: ['ssn'], safeKeys: ['session_id'] } },
  });
  ({ tracker, projects } = setup);
});

afterAll(() => setup?.close());

async function storedExtra(p: Project, n: number): Promise<unknown> {
  const event = JSON.stringify({
    event_id: n.toString(16).padStart(32, '0'),
    message: `settings ${p.name}`,
    tags: { service: p.name },
    extra: {
      password: 'hunter2',
      // Not an SSN's shape (078-05-1120, filtered by default since 2026-12-07): a key rule's.
      ssn: '078051120',
      session_id: 's-1',
      note: 'Bearer abc.def.ghi',
    },
  });
  const res = await fetch(`${tracker.url}/api/${p.id}/envelope/?sentry_key=${p.key}`, {
    method: 'POST',
    body: `{}\n{"type":"event"}\n${event}\n`,
  });
  expect(res.status).toBe(200);
  const auth = { headers: { authorization: 'Bearer t' } };
  const list = (await (
    await fetch(`${tracker.url}/api/v1/issues?service=${p.name}`, auth)
  ).json()) as {
    items: { id: number }[];
  };
  const events = (await (
    await fetch(`${tracker.url}/api/v1/issues/${list.items[0]?.id}/events`, auth)
  ).json()) as { items: { event: { extra: unknown } }[] };
  return events.items[0]?.event.extra;
}

it('scrubs by default: sensitive keys and shapes, keeping the rest', async () => {
  expect(await storedExtra(projects.plain, 1)).toEqual({
    password: '[Filtered]',
    ssn: '078051120',
    session_id: '[Filtered]',
    note: 'Bearer [Filtered]',
  });
});

it('stores as sent for a project that turned scrubbing off', async () => {
  expect(await storedExtra(projects.raw, 2)).toEqual({
    password: 'hunter2',
    ssn: '078051120',
    session_id: 's-1',
    note: 'Bearer abc.def.ghi',
  });
});

it('adds a project’s extra keys and spares its safe keys', async () => {
  expect(await storedExtra(projects.custom, 3)).toEqual({
    password: '[Filtered]',
    ssn: '[Filtered]',
    session_id: 's-1',
    note: 'Bearer [Filtered]',
  });
});

it('refuses, with a 400 naming why, an event nested too deeply to store when scrubbing is off', async () => {
  // Scrubbing cuts what lies deeper than 64 levels; with it off, nothing did, and writing the
  // event overflowed the stack: a 500.
  const deep = `${'['.repeat(20_000)}${']'.repeat(20_000)}`;
  const p = projects.raw;
  const res = await fetch(`${tracker.url}/api/${p.id}/store/?sentry_key=${p.key}`, {
    method: 'POST',
    body: `{"message":"deep","extra":{"x":${deep}}}`,
  });
  expect(res.status).toBe(400);
  expect(res.headers.get('x-sentry-error')).toBe(
    'event nests too deeply to be stored: keep it under 64 levels',
  );
});

it('keeps a custom fingerprint as sent: two that a card number’s shape would make one stay two issues', async () => {
  // Each order id passes Luhn as a dashed card number would (the same text under extra is
  // filtered); scrubbed in the fingerprint, both became ["batch-job", "[Filtered]"], one issue.
  const p = projects.plain;
  const orders = ['12-1796626894007', '12-1796626894015'];
  for (const [i, order] of orders.entries()) {
    const event = JSON.stringify({
      event_id: (100 + i).toString(16).padStart(32, '0'),
      message: 'batch job failed',
      tags: { service: 'batch' },
      fingerprint: ['batch-job', order],
      extra: { order },
    });
    const res = await fetch(`${tracker.url}/api/${p.id}/envelope/?sentry_key=${p.key}`, {
      method: 'POST',
      body: `{}\n{"type":"event"}\n${event}\n`,
    });
    expect(res.status).toBe(200);
  }
  const auth = { headers: { authorization: 'Bearer t' } };
  const list = (await (await fetch(`${tracker.url}/api/v1/issues?service=batch`, auth)).json()) as {
    items: { id: number; count: number; groupedBy: string }[];
  };
  expect(list.items.map((i) => [i.count, i.groupedBy])).toEqual([
    [1, 'fingerprint'],
    [1, 'fingerprint'],
  ]);
  const stored = [];
  for (const issue of list.items) {
    const events = (await (
      await fetch(`${tracker.url}/api/v1/issues/${issue.id}/events`, auth)
    ).json()) as { items: { event: { fingerprint: string[]; extra: unknown } }[] };
    stored.push(...events.items.map((e) => e.event));
  }
  expect(stored.map((e) => e.fingerprint[1]).sort()).toEqual(orders);
  expect(stored.map((e) => e.extra)).toEqual([{ order: '[Filtered]' }, { order: '[Filtered]' }]);
});
