// Sentry client reports over HTTP: what SDKs say they discarded unsent, counted in
// beacon_tracker_client_discarded_events_total. First the real @sentry/node SDK (its own process,
// unmodified) against a rate-limited project: it holds back its errors after the tracker's 429,
// still sends its transaction, and reports the error it held back. Then raw envelopes.
import { join } from 'node:path';
import { dsnFor, type Project } from './projects';
import { openSqlite } from './store/sqlite';
import { rawPost } from './testing/raw-post';
import { startTestTracker, type TestTracker } from './testing/test-tracker';
import { runTestApp } from './testing/test-app';
import { metricsText as trackerMetrics, sample } from './testing/tracker-reads';

type Name = 'sdk' | 'raw' | 'tiny' | 'labels';
let setup: TestTracker<Name>;
let projects: Record<Name, Project>;

beforeAll(async () => {
  setup = await startTestTracker('client-reports', {
    sdk: { eventsPerMinute: 2 },
    raw: {},
    tiny: { eventsPerMinute: 1 },
    labels: {},
  });
  ({ projects } = setup);
});

afterAll(() => setup?.close());

const id = (n: number) => n.toString(16).padStart(32, '0');
const event = (n: number) =>
  `{"type":"event"}\n${JSON.stringify({ event_id: id(n), message: `reported ${n}` })}\n`;
const report = (discarded: unknown, extra: Record<string, unknown> = {}) =>
  `{"type":"client_report"}\n${JSON.stringify({ timestamp: 1796227200, discarded_events: discarded, ...extra })}\n`;
const send = (p: Project, body: string) =>
  rawPost(`${setup.tracker.url}/api/${p.id}/envelope/?sentry_key=${p.key}`, body);

/** Whether the event is in the store (read on a connection of the test's own). */
const stored = (n: number) => {
  const repo = openSqlite(join(setup.dir, 'tracker.db'));
  try {
    return repo.storedEventIds([id(n)]).size;
  } finally {
    repo.close();
  }
};

const metricsText = () => trackerMetrics(setup.tracker.url);
const discarded = (text: string, project: string, reason: string, category: string) =>
  sample(
    text,
    `beacon_tracker_client_discarded_events_total{project="${project}",reason="${reason}",category="${category}"}`,
  );
const rateLimited = (text: string) =>
  sample(text, 'beacon_tracker_rejected_requests_total{reason="rate_limited"}');

describe('the real @sentry/node SDK after a 429', () => {
  it('holds back errors, still sends its transaction, and reports the error it held back', async () => {
    const before = rateLimited(await metricsText());
    const stdout = await runTestApp(
      'sentry-rate-limited.cjs',
      dsnFor(projects.sdk, setup.tracker.url),
    );
    expect(JSON.parse(stdout)).toEqual({ flushed: true });
    const text = await metricsText();
    // The third error was sent and refused; the fourth never left the SDK, which says so.
    expect(rateLimited(text) - before).toBe(1);
    expect(discarded(text, 'sdk', 'ratelimit_backoff', 'error')).toBe(1);
    const api = async (path: string) =>
      (await fetch(`${setup.tracker.url}/api/v1${path}`, {
        headers: { authorization: 'Bearer t' },
      }).then((r) => r.json())) as {
        items?: { title: string; count: number }[];
        timeline?: { name: string }[];
      };
    const issues = await api('/issues?service=limited-app');
    expect(issues.items?.map((i) => [i.title, i.count]).sort()).toEqual([
      ['Error: limited failure 1', 1],
      ['Error: limited failure 2', 1],
    ]);
    // The 429 named the error categories only, so the transaction went through.
    const session = await api('/sessions/limited-42');
    expect(session.timeline?.map((o) => o.name)).toEqual(['GET /limited']);
  });
});

describe('client reports in raw envelopes', () => {
  it('counts each report beside the events it came with, summing reasons and categories', async () => {
    const first = await send(
      projects.raw,
      `{}\n${event(1)}${report([
        { reason: 'queue_overflow', category: 'transaction', quantity: 3 },
        { reason: 'sample_rate', category: 'transaction', quantity: 40 },
        { reason: 'queue_overflow', category: 'transaction', quantity: 2 },
      ])}`,
    );
    expect([first.status, JSON.parse(first.text)]).toEqual([200, { id: id(1) }]);
    // A report alone, from an SDK that sends them as envelopes of their own.
    const alone = await send(
      projects.raw,
      `{}\n${report([{ reason: 'queue_overflow', category: 'error', quantity: 7 }])}`,
    );
    expect([alone.status, alone.text]).toEqual([200, '{}']);
    expect(stored(1)).toBe(1);
    const text = await metricsText();
    expect(discarded(text, 'raw', 'queue_overflow', 'transaction')).toBe(5);
    expect(discarded(text, 'raw', 'sample_rate', 'transaction')).toBe(40);
    expect(discarded(text, 'raw', 'queue_overflow', 'error')).toBe(7);
  });

  it('skips a report Relay would not read, and an entry with a reason over 200 bytes, never the events', async () => {
    const refused = [
      'not json',
      '[]',
      '{"timestamp":1796227200}',
      '{"discarded_events":null}',
      '{"discarded_events":[{"reason":"before_send","category":"error","quantity":-1}]}',
      '{"discarded_events":[{"reason":"before_send","category":"error","quantity":1.5}]}',
      '{"discarded_events":[{"reason":"before_send","category":"error"}]}',
      '{"discarded_events":[{"reason":7,"category":"error","quantity":1}]}',
      '{"discarded_events":[{"reason":"before_send","category":"error","quantity":1}],"rate_limited_events":{}}',
    ];
    for (const [i, payload] of refused.entries()) {
      const res = await send(
        projects.raw,
        `{}\n${event(10 + i)}{"type":"client_report"}\n${payload}\n`,
      );
      expect([payload, res.status]).toEqual([payload, 200]);
      expect(stored(10 + i)).toBe(1);
    }
    const long = await send(
      projects.raw,
      `{}\n${report([
        { reason: 'x'.repeat(201), category: 'error', quantity: 5 },
        { reason: 'é'.repeat(100), category: 'error', quantity: 6 }, // 200 bytes
        { reason: 'before_send', category: 'span', quantity: 8 },
      ])}`,
    );
    expect(long.status).toBe(200);
    const text = await metricsText();
    expect(discarded(text, 'raw', 'before_send', 'error')).toBe(0);
    expect(discarded(text, 'raw', 'before_send', 'span')).toBe(8);
    expect(text).not.toContain(`reason="${'x'.repeat(64)}`);
    expect(discarded(text, 'raw', 'é'.repeat(64), 'error')).toBe(6); // labels are cut to 64
  });

  it('refuses client reports over 4 KB together with 413 naming the limit, storing nothing', async () => {
    // Two reports of 2,100 bytes each: each under Relay's max_client_reports_size, not together.
    const padded = (reason: string) => {
      const payload = JSON.stringify({
        discarded_events: [{ reason, category: 'error', quantity: 1 }],
        pad: '',
      });
      return JSON.stringify({
        discarded_events: [{ reason, category: 'error', quantity: 1 }],
        pad: 'p'.repeat(2100 - payload.length),
      });
    };
    const [a, b] = [padded('network_error'), padded('send_error')];
    expect([Buffer.byteLength(a), Buffer.byteLength(b)]).toEqual([2100, 2100]);
    const res = await send(
      projects.raw,
      `{}\n${event(30)}{"type":"client_report"}\n${a}\n{"type":"client_report"}\n${b}\n`,
    );
    expect([res.status, res.headers['x-sentry-error']]).toEqual([
      413,
      'the client reports of one envelope exceed the 4 KB limit together',
    ]);
    expect(stored(30)).toBe(0);
    // 4,096 bytes together is within it.
    const exact = JSON.stringify({
      discarded_events: [{ reason: 'network_error', category: 'error', quantity: 2 }],
      pad: '',
    });
    const full = exact.replace('"pad":""', `"pad":"${'p'.repeat(4096 - exact.length)}"`);
    expect(Buffer.byteLength(full)).toBe(4096);
    const taken = await send(projects.raw, `{}\n${event(31)}{"type":"client_report"}\n${full}\n`);
    expect(taken.status).toBe(200);
    expect(stored(31)).toBe(1);
    const text = await metricsText();
    expect(discarded(text, 'raw', 'network_error', 'error')).toBe(2);
    expect(discarded(text, 'raw', 'send_error', 'error')).toBe(0);
  });

  it('counts the report of an envelope whose events are over the rate limit', async () => {
    expect((await send(projects.tiny, `{}\n${event(40)}`)).status).toBe(200);
    const refused = await send(
      projects.tiny,
      `{}\n${event(41)}${report([{ reason: 'ratelimit_backoff', category: 'error', quantity: 4 }])}`,
    );
    expect(refused.status).toBe(429);
    expect(stored(41)).toBe(0);
    expect(discarded(await metricsText(), 'tiny', 'ratelimit_backoff', 'error')).toBe(4);
  });

  it('counts at most 64 reasons by name, the rest as other, losing no quantity', async () => {
    const reasons = Array.from({ length: 70 }, (_, i) => `r${String(i).padStart(2, '0')}`);
    for (const half of [reasons.slice(0, 35), reasons.slice(35)]) {
      const res = await send(
        projects.labels,
        `{}\n${report(half.map((reason) => ({ reason, category: 'log_item', quantity: 1 })))}`,
      );
      expect(res.status).toBe(200);
    }
    const lines = (await metricsText())
      .split('\n')
      .filter((l) =>
        l.startsWith('beacon_tracker_client_discarded_events_total{project="labels",'),
      );
    const total = lines.reduce((sum, l) => sum + Number(l.split(' ').pop()), 0);
    expect(total).toBe(70);
    // Reasons named in this file's earlier tests took some of the 64 names first; of these, the
    // first ones seen keep theirs and the rest are `other`.
    const named = lines
      .map((l) => /reason="([^"]+)"/.exec(l)?.[1])
      .filter((r) => r !== 'other')
      .sort();
    expect(named.length).toBeGreaterThan(0);
    expect(named).toEqual(reasons.slice(0, named.length));
    expect(named.length).toBeLessThan(70);
    expect(lines.some((l) => l.includes('reason="other"'))).toBe(true);
  });
});
