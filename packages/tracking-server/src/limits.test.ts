// Ingest limits and encodings over real HTTP: 413 naming the limit (20 MB as sent, 100 MB
// decompressed, 1 MB per event), every Content-Encoding and transfer the protocol allows, 429
// with the headers SDKs back off by, and the rejected-requests metric counting each by reason.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { rawPost } from './testing/raw-post';
import { join } from 'node:path';
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import { catalog } from '@beacon/metric-catalog';
import fc from 'fast-check';
import { codedFixture } from './ingest/testdata/coded-bodies';
import { eventOfAnyShape, transactionOfAnyShape } from './ingest/testdata/shapes';
import type { Project } from './projects';
import type { RunningTracker } from './main';
import { openSqlite } from './store/sqlite';
import { startTestTracker, type TestTracker } from './testing/test-tracker';

let setup: TestTracker<'limits' | 'limited'>;
let dir: string;
let tracker: RunningTracker;
let project: Project;
let limited: Project;

beforeAll(async () => {
  setup = await startTestTracker('limits', { limits: {}, limited: { eventsPerMinute: 3 } });
  ({ dir, tracker } = setup);
  ({ limits: project, limited } = setup.projects);
});

afterAll(() => setup?.close());

const MB = 1024 * 1024;

/** Posts 30 MB in 1 MB chunks to each `{ path, headers }` in turn; prints each status or error code. */
const SEND_30_MB_EACH = `
const http = require('node:http');
const [base, sends] = [process.argv[1], JSON.parse(process.argv[2])];
const chunk = Buffer.alloc(1 << 20, 0x61);
const one = ({ path, headers }) => new Promise((resolve) => {
  let answer;
  const req = http.request(base + path, { method: 'POST', headers }, (res) => {
    res.resume();
    res.on('end', () => resolve(answer = String(res.statusCode)));
  });
  req.on('error', (e) => answer || resolve(e.code));
  let sent = 0;
  const write = () => {
    while (sent < 30) { sent++; if (!req.write(chunk)) return req.once('drain', write); }
    req.end();
  };
  write();
});
(async () => {
  const answers = [];
  for (const send of sends) answers.push(await one(send));
  process.stdout.write(JSON.stringify(answers));
})();
`;
const id = (n: number) => n.toString(16).padStart(32, '0');
const envelopeOf = (n: number, extra = '') => {
  const event = JSON.stringify({
    event_id: id(n),
    message: `limits ${n}${extra}`,
    tags: { service: 'limits' },
  });
  return Buffer.from(`{"event_id":"${id(n)}"}\n{"type":"event"}\n${event}\n`);
};

const post = (
  path: string,
  body: Buffer | Buffer[],
  headers: Record<string, string | number> = {},
) => rawPost(`${tracker.url}${path}`, body, headers);
const ingestPath = (p: Project) => `/api/${p.id}/envelope/?sentry_key=${p.key}`;
/** Whether the event is in the store (read on a connection of the test's own). */
const stored = (n: number) => {
  const repo = openSqlite(join(dir, 'tracker.db'));
  try {
    return repo.storedEventIds([id(n)]).size;
  } finally {
    repo.close();
  }
};

describe('bodies SDKs send', () => {
  it.each([
    ['no Content-Type, Content-Length', 1, (b: Buffer) => b, {}],
    ['text/plain', 2, (b: Buffer) => b, { 'content-type': 'text/plain;charset=UTF-8' }],
    [
      'application/x-sentry-envelope',
      3,
      (b: Buffer) => b,
      { 'content-type': 'application/x-sentry-envelope' },
    ],
    ['gzip', 4, gzipSync, { 'content-encoding': 'gzip' }],
    ['deflate', 5, deflateSync, { 'content-encoding': 'deflate' }],
    ['br', 6, brotliCompressSync, { 'content-encoding': 'br' }],
  ] as const)('stores an envelope sent with %s', async (_what, n, encode, headers) => {
    const body = encode(envelopeOf(n));
    const res = await post(ingestPath(project), body, {
      ...headers,
      'content-length': body.length,
    });
    expect([res.status, res.text]).toEqual([200, JSON.stringify({ id: id(n) })]);
    expect(await stored(n)).toBe(1);
  });

  it('stores a chunked (gzip) body, its event split across chunks', async () => {
    const body = gzipSync(envelopeOf(7));
    const chunks = [body.subarray(0, 10), body.subarray(10, 25), body.subarray(25)];
    const res = await post(ingestPath(project), chunks, { 'content-encoding': 'gzip' });
    expect([res.status, res.text]).toEqual([200, JSON.stringify({ id: id(7) })]);
    expect(await stored(7)).toBe(1);
  });

  it('stores an envelope sent with zstd, as a Relay in front of it sends by default', async () => {
    // The zstd CLI's frame of testdata/zstd/envelope (its README): event 40.
    const body = codedFixture('zstd', 'envelope.zst');
    const res = await post(ingestPath(project), body, {
      'content-encoding': 'zstd',
      'content-length': body.length,
    });
    expect([res.status, res.text]).toEqual([200, JSON.stringify({ id: id(40) })]);
    expect(await stored(40)).toBe(1);
  });

  it('refuses an encoding it cannot read with 415, naming it', async () => {
    const res = await post(ingestPath(project), envelopeOf(8), { 'content-encoding': 'lz4' });
    expect(res.status).toBe(415);
    expect(res.headers['x-sentry-error']).toBe(
      'unsupported Content-Encoding "lz4" (gzip, deflate, br, zstd)',
    );
  });
});

describe('413 naming the limit', () => {
  it('refuses an envelope of more than 1,000 items, keyless, before it is authorised', async () => {
    // Four million empty items in 150 KB of gzip: each was an object on the ingest thread
    // (2 GB and seconds of it, a 403 at the end); refused at the 1,001st.
    const items = Buffer.from('{"type":"x"}\n\n'.repeat(4_000_000));
    const body = gzipSync(Buffer.concat([Buffer.from('{}\n'), items]));
    const started = process.hrtime.bigint();
    const res = await post(`/api/${project.id}/envelope/`, body, { 'content-encoding': 'gzip' });
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    expect([res.status, res.headers['x-sentry-error']]).toEqual([
      413,
      'envelope has more than 1000 items',
    ]);
    expect(ms).toBeLessThan(5000);
  });

  it('stores an envelope of 1,000 items, its event among them', async () => {
    const sessions = '{"type":"session"}\n{"sid":"s","status":"ok"}\n'.repeat(999);
    const res = await post(
      ingestPath(project),
      Buffer.concat([envelopeOf(1000), Buffer.from(sessions)]),
    );
    expect([res.status, res.text]).toEqual([200, JSON.stringify({ id: id(1000) })]);
    expect(await stored(1000)).toBe(1);
  });

  it('refuses a body declared over 20 MB before reading it', async () => {
    const res = await post(ingestPath(project), [Buffer.alloc(0)], {
      'content-length': 20 * MB + 1,
    });
    expect([res.status, res.headers['x-sentry-error'], res.headers.connection]).toEqual([
      413,
      'envelope exceeds the 20 MB limit on request bodies',
      'close',
    ]);
  });

  it('names the store endpoint’s body a request body, not an envelope', async () => {
    const res = await post(
      `/api/${project.id}/store/?sentry_key=${project.key}`,
      [Buffer.alloc(0)],
      {
        'content-length': 20 * MB + 1,
      },
    );
    expect([res.status, res.headers['x-sentry-error']]).toEqual([
      413,
      'request body exceeds the 20 MB limit on request bodies',
    ]);
  });

  it('answers every body sent past 20 MB with its 413, never a reset before it (linger.ts)', async () => {
    // Closed at once after the answer, the body still arriving met a reset that could reach
    // the client first: 6 of 20 such sends saw EPIPE and no answer. The client is a process of
    // its own, as an SDK's is (in this one, its writes and the server's close take turns).
    const sends = [
      { path: ingestPath(project), headers: {} },
      {
        path: '/v1/traces',
        headers: {
          'content-type': 'application/x-protobuf',
          authorization: `Bearer ${project.key}`,
        },
      },
    ].flatMap((send) => Array.from({ length: 15 }, () => send));
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['-e', SEND_30_MB_EACH, tracker.url, JSON.stringify(sends)],
      { maxBuffer: 1 << 20 },
    );
    const answers = JSON.parse(stdout) as string[];
    expect(answers).toHaveLength(30);
    expect(answers.filter((a) => a !== '413')).toEqual([]);
  });

  it('refuses a chunked body past 20 MB as sent', async () => {
    // 21 MB of incompressible bytes in 1 MB chunks, no Content-Length.
    const chunk = Buffer.alloc(MB);
    for (let i = 0; i < chunk.length; i++) chunk[i] = (i * 7919) % 251;
    const res = await post(
      ingestPath(project),
      Array.from({ length: 21 }, () => chunk),
    );
    expect([res.status, res.headers['x-sentry-error']]).toEqual([
      413,
      'envelope exceeds the 20 MB limit on request bodies',
    ]);
  });

  it('takes a body of exactly 20 MB, declared or chunked: the limit refuses only what is past it', async () => {
    // An event and an attachment (accepted, not stored) padding the envelope to 20 MiB exactly.
    const exactly = (n: number) => {
      const head = envelopeOf(n);
      const itemHeader = (length: number) => `{"type":"attachment","length":${length}}\n`;
      let length = 20 * MB - head.length - itemHeader(0).length - 1;
      length -= itemHeader(length).length - itemHeader(0).length;
      const body = Buffer.concat([
        head,
        Buffer.from(itemHeader(length)),
        Buffer.alloc(length, 0x61),
        Buffer.from('\n'),
      ]);
      expect(body.length).toBe(20 * MB);
      return body;
    };
    const declared = exactly(20_001);
    const res = await post(ingestPath(project), declared, { 'content-length': declared.length });
    expect([res.status, res.text]).toEqual([200, JSON.stringify({ id: id(20_001) })]);
    const chunked = exactly(20_002);
    const chunks = Array.from({ length: 20 }, (_, i) => chunked.subarray(i * MB, (i + 1) * MB));
    const res2 = await post(ingestPath(project), chunks);
    expect([res2.status, res2.text]).toEqual([200, JSON.stringify({ id: id(20_002) })]);
    expect([await stored(20_001), await stored(20_002)]).toEqual([1, 1]);
  });

  it('refuses a gzip body past 100 MB decompressed (a small bomb)', async () => {
    const bomb = gzipSync(Buffer.alloc(101 * MB, 0x20));
    expect(bomb.length).toBeLessThan(MB);
    const res = await post(ingestPath(project), bomb, {
      'content-encoding': 'gzip',
      'content-length': bomb.length,
    });
    expect(res.status).toBe(413);
    expect(res.headers['x-sentry-error']).toBe(
      'envelope exceeds the 100 MB limit once decompressed',
    );
  });

  it('refuses one event over 1 MB in an envelope and on the store endpoint', async () => {
    const big = envelopeOf(9, 'x'.repeat(MB));
    const env = await post(ingestPath(project), big, { 'content-length': big.length });
    expect(env.status).toBe(413);
    expect(env.headers['x-sentry-error']).toBe('event exceeds the 1 MB limit on one event');
    const event = Buffer.from(JSON.stringify({ message: 'y'.repeat(MB) }));
    const store = await post(`/api/${project.id}/store/?sentry_key=${project.key}`, event, {
      'content-length': event.length,
    });
    expect(store.status).toBe(413);
    expect(store.headers['x-sentry-error']).toBe('event exceeds the 1 MB limit on one event');
    expect(await stored(9)).toBe(0);
  });

  it('refuses an envelope whose events are over 1 MB together, each under it (Relay: max_event_size)', async () => {
    // Two 600 KB events: each within the limit, 1.2 MB together. relay-server's
    // check_envelope_size_limits adds up the event-like items' sizes against max_event_size.
    const event = (n: number) =>
      JSON.stringify({ event_id: id(n), message: `pair ${n} ${'p'.repeat(600 * 1024)}` });
    const pair = Buffer.from(
      `{}\n{"type":"event"}\n${event(31)}\n{"type":"event"}\n${event(32)}\n`,
    );
    const res = await post(ingestPath(project), pair, { 'content-length': pair.length });
    expect(res.status).toBe(413);
    expect(res.headers['x-sentry-error']).toBe(
      'the events and transactions of one envelope exceed the 1 MB limit on one event together',
    );
    expect([await stored(31), await stored(32)]).toEqual([0, 0]);
    // Two small events in one envelope are still both stored.
    const small = Buffer.from(
      `{}\n{"type":"event"}\n${JSON.stringify({ event_id: id(33), message: 'a' })}\n{"type":"event"}\n${JSON.stringify({ event_id: id(34), message: 'b' })}\n`,
    );
    expect(
      (await post(ingestPath(project), small, { 'content-length': small.length })).status,
    ).toBe(200);
    expect([await stored(33), await stored(34)]).toEqual([1, 1]);
  });

  it('holds span items to 1 MB a span and 12 MB together, not to the 1 MB of one event (Relay: max_container_size)', async () => {
    // Sizes are checked before any item is read: the payloads need not be spans.
    const spans = (count: number, bytes: number) =>
      `{"type":"span","content_type":"application/vnd.sentry.items.span.v2+json","item_count":${count},"length":${bytes}}\n${'s'.repeat(bytes)}\n`;
    const send = async (body: string) => {
      const res = await post(ingestPath(project), Buffer.from(body));
      return [res.status, res.headers['x-sentry-error']];
    };
    expect(await send(`{}\n${spans(2, 2 * MB + 2)}`)).toEqual([
      413,
      'a span exceeds the 1 MB limit on one span',
    ]);
    expect(await send(`{}\n${spans(1000, 6 * MB)}${spans(1000, 6 * MB + 1)}`)).toEqual([
      413,
      'the spans of one envelope exceed the 12 MB limit together',
    ]);
  });

  it('answers OTLP past 100 MB decompressed with 413 too', async () => {
    const bomb = gzipSync(Buffer.alloc(101 * MB, 0x20));
    const res = await post('/v1/traces', bomb, {
      'content-type': 'application/json',
      'content-encoding': 'gzip',
      authorization: `Bearer ${project.key}`,
      'content-length': bomb.length,
    });
    expect(res.status).toBe(413);
    expect(JSON.parse(res.text)).toEqual({
      code: 3,
      message: 'request body exceeds the 100 MB limit once decompressed',
    });
  });
});

describe('rate limits', () => {
  it('answers 429 past the project’s events per minute, with Retry-After and X-Sentry-Rate-Limits agreeing', async () => {
    const send = (n: number) => {
      const b = envelopeOf(n);
      return post(ingestPath(limited), b, { 'content-length': b.length });
    };
    for (const n of [101, 102, 103]) expect((await send(n)).status).toBe(200);
    const refused = await send(104);
    expect(refused.status).toBe(429);
    const retryAfter = Number(refused.headers['retry-after']);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(refused.headers['x-sentry-rate-limits']).toBe(`${retryAfter}:error;default:project`);
    expect(refused.headers['x-sentry-error']).toBe(
      `project ${limited.id} is over its limit of 3 events per minute`,
    );
    expect(await stored(104)).toBe(0);
    // Another project is not limited by this one.
    expect((await post(ingestPath(project), envelopeOf(105))).status).toBe(200);
  });

  it('meanwhile takes an envelope of only a session and a client report, and limits the store endpoint by the same count', async () => {
    // Relay limits items by their category: a session or client report uses no event quota, so
    // the envelope is taken whole (200, no rate-limit header); the store endpoint's event is one.
    const session = JSON.stringify({
      sid: 'e0a5b2d1c3f94e6a8b7c6d5e4f3a2b1c',
      status: 'ok',
      started: '2026-12-02T16:00:00.000Z',
      attrs: { release: 'limits@1.0.0' },
    });
    const report = JSON.stringify({ timestamp: 1796227200, discarded_events: [] });
    const body = Buffer.from(
      `{}\n{"type":"session"}\n${session}\n{"type":"client_report"}\n${report}\n`,
    );
    const taken = await post(ingestPath(limited), body, { 'content-length': body.length });
    expect([taken.status, taken.text, taken.headers['x-sentry-rate-limits']]).toEqual([
      200,
      '{}',
      undefined,
    ]);
    const event = Buffer.from(JSON.stringify({ event_id: id(106), message: 'limits store 106' }));
    const refused = await post(`/api/${limited.id}/store/?sentry_key=${limited.key}`, event, {
      'content-length': event.length,
    });
    expect(refused.status).toBe(429);
    const retryAfter = Number(refused.headers['retry-after']);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(refused.headers['x-sentry-rate-limits']).toBe(`${retryAfter}:error;default:project`);
    expect(await stored(106)).toBe(0);
  });
});

/** 400s the any-shape property below got (counted as malformed on /metrics). */
let shapeRefusals = 0;

describe('events and transactions of any JSON shape over HTTP', () => {
  it('answers each with 200 or a 4xx, never a 5xx, and the REST API reads everything stored', async () => {
    let n = 50_000;
    const statuses = new Set<number>();
    await fc.assert(
      fc.asyncProperty(eventOfAnyShape, transactionOfAnyShape, async (event, tx) => {
        const e = JSON.stringify({ ...event, event_id: id(++n) });
        const t = JSON.stringify({ ...tx, type: 'transaction' });
        const body = Buffer.from(`{}\n{"type":"event"}\n${e}\n{"type":"transaction"}\n${t}\n`);
        const res = await post(ingestPath(project), body, { 'content-length': body.length });
        statuses.add(res.status);
        if (res.status === 400) shapeRefusals++;
        expect(res.status === 200 || res.status === 400).toBe(true);
      }),
      { numRuns: 300 },
    );
    expect(statuses.has(200)).toBe(true);
    const get = async (path: string) => {
      const res = await fetch(`${tracker.url}/api/v1${path}`, {
        headers: { authorization: 'Bearer t' },
      });
      return { status: res.status, body: (await res.json()) as { items: { id: unknown }[] } };
    };
    const issues = await get('/issues?limit=1000');
    expect(issues.status).toBe(200);
    for (const issue of issues.body.items.slice(0, 50)) {
      expect((await get(`/issues/${String(issue.id)}`)).status).toBe(200);
      expect((await get(`/issues/${String(issue.id)}/events`)).status).toBe(200);
    }
    const sessions = await get('/sessions?limit=200');
    expect(sessions.status).toBe(200);
    for (const session of sessions.body.items.slice(0, 50))
      expect((await get(`/sessions/${encodeURIComponent(String(session.id))}`)).status).toBe(200);
    expect((await get('/stats')).status).toBe(200);
  });
});

it('counts every refused request on /metrics by reason', async () => {
  const wrongKey = await post(
    `/api/${project.id}/envelope/?sentry_key=${'0'.repeat(32)}`,
    envelopeOf(200),
  );
  expect(wrongKey.status).toBe(403);
  const otlpNoKey = await post('/v1/traces', Buffer.from('{}'), {
    'content-type': 'application/json',
  });
  expect(otlpNoKey.status).toBe(401);
  const malformed = await post(ingestPath(project), Buffer.from('not an envelope'));
  expect(malformed.status).toBe(400);

  const text = await (await fetch(`${tracker.url}/metrics`)).text();
  const count = (reason: string) =>
    Number(
      new RegExp(
        `^beacon_tracker_rejected_requests_total\\{reason="${reason}"\\} (\\d+)$`,
        'm',
      ).exec(text)?.[1] ?? 0,
    );
  // Over this file: 2 refused for auth (above); too_large: declared 20 MB to the envelope and the
  // store endpoints, 30 sent past 20 MB, chunked 20 MB, two bombs, two 1 MB events, two events
  // over 1 MB together, two envelopes of spans over their limits, an envelope of too many items;
  // 2 rate limited (an envelope and a store body); malformed: 1 above, and the 415.
  expect(count('auth')).toBe(2);
  expect(count('too_large')).toBe(41);
  expect(count('rate_limited')).toBe(2);
  expect(count('malformed')).toBe(2 + shapeRefusals);
  // Every tracker metric of the catalog is exported, by its catalog name and type.
  for (const def of Object.values(catalog.trackingServer))
    expect(text).toContain(`# TYPE ${def.name} ${def.type}\n`);
});
