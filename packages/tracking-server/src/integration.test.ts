// The tracker end to end: the real @sentry/node SDK (in its own process, unmodified) and raw
// envelopes over HTTP, read back through the REST API grouped, scrubbed and classified.
import { join } from 'node:path';
import { deflateSync, gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { openSqlite } from './store/sqlite';
import { dsnFor, type Project } from './projects';
import type { RunningTracker } from './main';
import { startTestTracker, type TestTracker } from './testing/test-tracker';
import { runTestApp } from './testing/test-app';

let setup: TestTracker<'checkout' | 'limited'>;
let dir: string;
let tracker: RunningTracker;
let project: Project;
let limited: Project;

beforeAll(async () => {
  // Per-project settings live in config.json; "limited" gets a tiny rate limit.
  setup = await startTestTracker(
    'tracker',
    { checkout: {}, limited: { eventsPerMinute: 2 } },
    'test-token',
  );
  ({ dir, tracker } = setup);
  ({ checkout: project, limited } = setup.projects);
});

afterAll(() => setup?.close());

const api = async (path: string, init: RequestInit = {}) => {
  const res = await fetch(`${tracker.url}/api/v1${path}`, {
    ...init,
    headers: {
      authorization: 'Bearer test-token',
      'content-type': 'application/json',
      ...(init.headers as Record<string, string>),
    },
  });
  return { status: res.status, body: (await res.json()) as any }; // eslint-disable-line @typescript-eslint/no-explicit-any
};

const envelopeUrl = (p: Project, key = p.key) =>
  `${tracker.url}/api/${p.id}/envelope/?sentry_key=${key}&sentry_version=7`;
const eventId = (n: number) => n.toString(16).padStart(32, '0');

describe('Sentry ingest with the real @sentry/node SDK', () => {
  beforeAll(async () => {
    const dsn = dsnFor(project, tracker.url);
    const stdout = await runTestApp('sentry-app.cjs', dsn);
    expect(JSON.parse(stdout)).toEqual({ flushed: true });
  });

  it('turns the SDK’s transaction into operations of the request’s debug session', async () => {
    const { status, body } = await api('/sessions/req-42');
    expect(status).toBe(200);
    const names = (body.timeline as { name: string; durationMs: number }[]).map((o) => o.name);
    expect(names).toEqual(expect.arrayContaining(['POST /checkout', 'SELECT orders']));
    expect(body.errors).toBeGreaterThanOrEqual(3); // the SDK's error events of that request
    expect(body.services).toContain('checkout');
  });

  it('takes the LLM call the SDK sends as a span v2 item into the request’s session', async () => {
    const { body } = await api('/sessions/req-42');
    const timeline = body.timeline as Record<string, unknown>[];
    const root = timeline.find((o) => o.name === 'POST /checkout');
    const chat = timeline.find((o) => o.name === 'chat gpt-4o');
    // Its service is its transaction's (the span names none), its parent the request's span.
    expect(chat).toMatchObject({
      service: 'checkout',
      parentSpanId: root?.spanId,
      status: 'ok',
      attributes: expect.objectContaining({
        'sentry.op': 'gen_ai.chat',
        'gen_ai.request.model': 'gpt-4o',
        // Scrubbed as values, not as span v2's `{ type, value }` objects: counts stay numbers.
        'gen_ai.usage.input_tokens': 120,
        'gen_ai.usage.output_tokens': 35,
        'llm.api_key': '[Filtered]',
      }),
    });
    expect(chat?.durationMs).toBeGreaterThanOrEqual(15);
  });

  it('groups the SDK’s events into issues, recording why', async () => {
    const { body } = await api('/issues?sort=events');
    const issues = body.items as {
      title: string;
      count: number;
      groupedBy: string;
      service: string;
      severity: string;
      type: string;
      users: number;
      hourly: number[];
    }[];
    const typeError = issues.find((i) => i.title.startsWith('TypeError'));
    expect(typeError).toMatchObject({
      count: 2,
      groupedBy: 'in-app frames',
      service: 'checkout',
      severity: 'error',
      type: 'application',
      users: 1,
    });
    expect(typeError?.hourly).toHaveLength(24);
    // Both in the last hour's bucket, or the one before it if an hour began since they were sent.
    expect((typeError?.hourly[22] ?? 0) + (typeError?.hourly[23] ?? 0)).toBe(2);
    const gateway = issues.find((i) => i.groupedBy === 'fingerprint');
    expect(gateway).toMatchObject({
      count: 2,
      severity: 'warning',
      title: 'gateway timed out after 45s', // the newer of the two, as Sentry's issue shows it
    });
  });

  it('scrubs PII before storing: passwords, card numbers and bearer tokens, not ordinary words', async () => {
    const { body } = await api('/issues?q=payment%20declined');
    expect(body.items).toHaveLength(1);
    expect(body.items[0].title).toBe('Error: payment declined: Bearer [Filtered]');
    const events = await api(`/issues/${body.items[0].id}/events`);
    const event = events.body.items[0].event;
    expect(event.extra).toEqual({
      password: '[Filtered]',
      card: 'paid with [Filtered]',
      note: 'Authentication failed for user',
    });
    // The secrets as sent (not a prefix such as 4111, which an event's random ids can hold).
    const stored = JSON.stringify(event);
    expect(stored).not.toContain('hunter2');
    expect(stored).not.toContain('4111 1111 1111 1111');
    expect(stored).not.toContain('abc.def.ghi');
    expect(events.body.items[0]).toMatchObject({
      release: 'checkout@1.4.0',
      environment: 'staging',
      correlationId: 'req-42',
    });
  });

  it('shows an issue with its grouping, release and latest event, and counts in stats', async () => {
    const list = await api('/issues?q=TypeError');
    const detail = await api(`/issues/${list.body.items[0].id}`);
    expect(detail.body).toMatchObject({
      releases: ['checkout@1.4.0'],
      environment: 'staging',
      grouping: { rule: 'in-app frames' },
    });
    expect(detail.body.grouping.components[0]).toBe('TypeError');
    const stats = await api('/stats');
    expect(stats.body.byService).toEqual({ checkout: 5 });
    expect(stats.body.lastHour).toBe(5);
    expect(stats.body.topIssues.length).toBeGreaterThanOrEqual(3);
  });
});

describe('raw envelopes', () => {
  it('accepts gzip, skips an unknown item, answers the event id after commit', async () => {
    const event = JSON.stringify({
      event_id: eventId(7001),
      message: 'raw envelope event',
      level: 'error',
      tags: { service: 'raw' },
    });
    const body = gzipSync(
      Buffer.from(
        `{"event_id":"${eventId(7001)}"}\n{"type":"future_item","length":3}\nabc\n{"type":"event","length":${Buffer.byteLength(event)}}\n${event}\n`,
      ),
    );
    const res = await fetch(envelopeUrl(project), {
      method: 'POST',
      headers: { 'content-encoding': 'gzip', 'content-type': 'application/x-sentry-envelope' },
      body,
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ id: eventId(7001) });
    const { body: list } = await api('/issues?service=raw');
    expect(list.items.map((i: { title: string }) => i.title)).toEqual(['raw envelope event']);
  });

  it('authenticates with X-Sentry-Auth and takes the legacy store endpoint', async () => {
    const res = await fetch(`${tracker.url}/api/${project.id}/store/`, {
      method: 'POST',
      headers: {
        'x-sentry-auth': `Sentry sentry_version=7, sentry_key=${project.key}, sentry_client=raw/1.0`,
      },
      body: JSON.stringify({
        event_id: eventId(7002),
        message: 'legacy store',
        tags: { service: 'raw' },
      }),
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ id: eventId(7002) });
  });

  it('takes the store endpoint’s older forms: base64 and zlib bodies, Basic auth, an envelope, a transaction', async () => {
    const store = (body: string | Buffer, headers: Record<string, string> = {}) =>
      fetch(`${tracker.url}/api/${project.id}/store/`, {
        method: 'POST',
        headers: { 'x-sentry-auth': `Sentry sentry_key=${project.key}`, ...headers },
        body,
      });
    const event = (n: number, message: string) =>
      JSON.stringify({ event_id: eventId(n), message, tags: { service: 'raven' } });
    // raven-era SDKs: base64 of the JSON, and base64 of its zlib deflate.
    const b64 = await store(Buffer.from(event(0xb64001, 'raven base64')).toString('base64'));
    expect([b64.status, await b64.json()]).toEqual([200, { id: eventId(0xb64001) }]);
    const zlib = await store(deflateSync(event(0xb64002, 'raven zlib')).toString('base64'));
    expect([zlib.status, await zlib.json()]).toEqual([200, { id: eventId(0xb64002) }]);
    // Basic auth: the key as the user.
    const basic = await fetch(`${tracker.url}/api/${project.id}/store/`, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from(`${project.key}:`).toString('base64')}` },
      body: event(0xb64003, 'basic auth'),
    });
    expect(basic.status).toBe(200);
    // Early sentry-native: an envelope posted to /store/, saying so in Content-Type.
    const native = await store(`{}\n{"type":"event"}\n${event(0xb64004, 'native envelope')}\n`, {
      'content-type': 'application/x-sentry-envelope',
    });
    expect(native.status).toBe(200);
    const { body: list } = await api('/issues?service=raven&limit=100');
    expect(list.items.map((i: { title: string }) => i.title).sort()).toEqual([
      'basic auth',
      'native envelope',
      'raven base64',
      'raven zlib',
    ]);
    // A transaction sent to /store/ is a transaction: operations, not an issue.
    const tx = await store(
      JSON.stringify({
        event_id: eventId(0xb64005),
        type: 'transaction',
        transaction: 'GET /legacy',
        start_timestamp: Date.now() / 1000 - 0.1,
        timestamp: Date.now() / 1000,
        tags: { correlation_id: 'req-store-tx', service: 'raven' },
        contexts: { trace: { trace_id: 'b6'.repeat(16), span_id: 'b6'.repeat(8), op: 'http' } },
      }),
    );
    expect([tx.status, await tx.json()]).toEqual([200, { id: eventId(0xb64005) }]);
    const { body: session } = await api('/sessions/req-store-tx');
    expect(session.timeline.map((o: { name: string }) => o.name)).toEqual(['GET /legacy']);
    expect((await api('/issues?service=raven&limit=100')).body.items).toHaveLength(4);
  });

  it.each([
    [
      'a missing key',
      (p: Project) => `${tracker.url}/api/${p.id}/envelope/`,
      403,
      'missing authorization',
    ],
    ['a wrong key', (p: Project) => envelopeUrl(p, 'f'.repeat(32)), 403, 'invalid sentry_key'],
  ])('answers 403 to %s', async (_what, url, status, message) => {
    const res = await fetch(url(project), { method: 'POST', body: '{}\n' });
    expect(res.status).toBe(status);
    expect(res.headers.get('x-sentry-error')).toContain(message);
  });

  it('authorises an envelope that names no key by the dsn in its header, as a tunnel forwards it', async () => {
    const post = (dsn: unknown, n: number) =>
      fetch(`${tracker.url}/api/${project.id}/envelope/`, {
        method: 'POST',
        body: `${JSON.stringify({ dsn })}\n{"type":"event"}\n${JSON.stringify({ event_id: eventId(n), message: 'tunnelled' })}\n`,
      });
    const stored = await post(dsnFor(project, 'https://sentry.shop.example'), 9200);
    expect([stored.status, await stored.json()]).toEqual([200, { id: eventId(9200) }]);
    expect((await api('/issues?q=tunnelled')).body.items).toHaveLength(1);

    for (const [dsn, error] of [
      [
        `https://${'f'.repeat(32)}@sentry.shop.example/${project.id}`,
        'invalid sentry_key for project',
      ],
      [
        `https://${project.key}@sentry.shop.example/${project.id + 1}`,
        `is for project ${project.id + 1}, not ${project.id}`,
      ],
      ['not a dsn', 'invalid dsn in the envelope header: "not a dsn"'],
      [42, 'invalid dsn in the envelope header: 42'],
    ] as const) {
      const refused = await post(dsn, 9201);
      expect([refused.status, refused.headers.get('x-sentry-error')]).toEqual([
        403,
        expect.stringContaining(error),
      ]);
    }
  });

  it('answers 400 with X-Sentry-Error naming what is malformed', async () => {
    const res = await fetch(envelopeUrl(project), {
      method: 'POST',
      body: '{}\n{"type":"event","length":500}\n{}',
    });
    expect(res.status).toBe(400);
    expect(res.headers.get('x-sentry-error')).toBe(
      'invalid envelope: item 1 (event): "length" is 500 bytes but only 2 remain',
    );
    const gz = await fetch(envelopeUrl(project), {
      method: 'POST',
      headers: { 'content-encoding': 'gzip' },
      body: 'not gzip',
    });
    expect(gz.status).toBe(400);
  });

  it('answers 400 naming a span item that is not a JSON object, of either kind, storing nothing', async () => {
    for (const header of [
      '{"type":"span","content_type":"application/vnd.sentry.items.span.v2+json"}',
      '{"type":"span"}',
    ]) {
      const res = await fetch(envelopeUrl(project), {
        method: 'POST',
        body: `{}\n{"type":"event"}\n{"message":"beside a bad span"}\n${header}\n[1, 2]\n`,
      });
      expect([res.status, res.headers.get('x-sentry-error')]).toEqual([
        400,
        expect.stringMatching(/^invalid envelope: item 2 \(span\) payload/),
      ]);
    }
    const { body } = await api('/issues?q=beside%20a%20bad%20span');
    expect(body.items).toEqual([]);
  });

  it("stores an envelope's event under the header's event_id, the id it answered with", async () => {
    // As Relay does: the header's id replaces the payload's, so a retried envelope is known.
    const header = 'C0FFEE00-1234-4ABC-8DEF-0123456789AB';
    const body = `{"event_id":"${header}"}\n{"type":"event"}\n{"message":"header id wins","event_id":"${'ab'.repeat(16)}"}\n`;
    for (let i = 0; i < 2; i++) {
      const res = await fetch(envelopeUrl(project), { method: 'POST', body });
      expect(await res.json()).toEqual({ id: 'c0ffee0012344abc8def0123456789ab' });
    }
    const { body: issues } = await api('/issues?q=header%20id%20wins');
    expect(issues.items.map((i: { count: number }) => i.count)).toEqual([1]);
    const events = await api(`/issues/${issues.items[0].id}/events`);
    expect(events.body.items.map((e: { id: string }) => e.id)).toEqual([
      'c0ffee0012344abc8def0123456789ab',
    ]);
    const bad = await fetch(envelopeUrl(project), {
      method: 'POST',
      body: '{"event_id":"xyz"}\n{"type":"event"}\n{"message":"m"}\n',
    });
    expect([bad.status, bad.headers.get('x-sentry-error')]).toEqual([
      400,
      'invalid envelope: header event_id "xyz" is not 32 hex digits',
    ]);
  });

  it('refuses a whole envelope one of whose events is not an event, storing its other items neither', async () => {
    const transaction = JSON.stringify({
      type: 'transaction',
      transaction: 'GET /refused',
      start_timestamp: 1_700_000_000,
      timestamp: 1_700_000_001,
      tags: { correlation_id: 'refused-envelope' },
      contexts: { trace: { trace_id: 'c'.repeat(32), span_id: 'd'.repeat(16), op: 'http' } },
      spans: [],
    });
    const res = await fetch(envelopeUrl(project), {
      method: 'POST',
      body: `{}\n{"type":"transaction"}\n${transaction}\n{"type":"event"}\n[1,2]\n`,
    });
    expect(res.status).toBe(400);
    expect(res.headers.get('x-sentry-error')).toBe(
      'invalid envelope: item 2 (event) payload must be a JSON object',
    );
    expect((await api('/sessions/refused-envelope')).status).toBe(404);
  });

  it('answers 413 naming the limit for an event over 1 MB', async () => {
    const big = JSON.stringify({ message: 'x'.repeat(1_100_000) });
    const res = await fetch(envelopeUrl(project), {
      method: 'POST',
      body: `{}\n{"type":"event","length":${big.length}}\n${big}\n`,
    });
    expect(res.status).toBe(413);
    expect(res.headers.get('x-sentry-error')).toBe('event exceeds the 1 MB limit on one event');
  });

  it('answers 429 with Retry-After and X-Sentry-Rate-Limits past the project’s limit', async () => {
    const send = (n: number) =>
      fetch(envelopeUrl(limited), {
        method: 'POST',
        body: `{}\n{"type":"event"}\n${JSON.stringify({ event_id: eventId(8000 + n), message: 'm' })}\n`,
      });
    expect((await send(1)).status).toBe(200);
    expect((await send(2)).status).toBe(200);
    const refused = await send(3);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(refused.headers.get('x-sentry-rate-limits')).toMatch(/^\d+:error;default:project$/);
    // Transactions are not counted, so they still get through while events wait.
    const transaction = await fetch(envelopeUrl(limited), {
      method: 'POST',
      body: `{}\n{"type":"transaction"}\n${JSON.stringify({
        type: 'transaction',
        transaction: 'GET /limited',
        start_timestamp: 1_700_000_000,
        timestamp: 1_700_000_001,
        contexts: { trace: { trace_id: 'fe'.repeat(16), span_id: 'fe'.repeat(8), op: 'http' } },
      })}\n`,
    });
    expect(transaction.status).toBe(200);
    // A browser SDK on another origin may read the limit.
    expect(refused.headers.get('access-control-allow-origin')).toBe('*');
    expect(refused.headers.get('access-control-expose-headers')).toBe(
      'x-sentry-error, x-sentry-rate-limits, retry-after',
    );
  });

  it('answers browsers posting from another origin as Sentry’s ingest does (CORS)', async () => {
    const origin = { origin: 'https://shop.example' };
    for (const path of [
      `/api/${project.id}/envelope/`,
      `/api/${project.id}/store/`,
      '/v1/traces',
    ]) {
      const preflight = await fetch(`${tracker.url}${path}`, {
        method: 'OPTIONS',
        headers: {
          ...origin,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'authorization, content-type',
        },
      });
      expect([preflight.status, await preflight.text()]).toEqual([200, '']);
      expect(Object.fromEntries(preflight.headers)).toMatchObject({
        'access-control-allow-origin': '*',
        'access-control-allow-methods': 'POST',
        'access-control-max-age': '3600',
      });
      expect(preflight.headers.get('access-control-allow-headers')?.split(', ')).toEqual(
        expect.arrayContaining(['authorization', 'content-type', 'x-sentry-auth']),
      );
    }
    const stored = await fetch(envelopeUrl(project), {
      method: 'POST',
      headers: origin,
      body: `{}\n{"type":"event"}\n${JSON.stringify({ event_id: eventId(9100), message: 'm' })}\n`,
    });
    const refused = await fetch(envelopeUrl(project, 'f'.repeat(32)), {
      method: 'POST',
      headers: origin,
      body: '{}\n',
    });
    const spans = await fetch(`${tracker.url}/v1/traces`, {
      method: 'POST',
      headers: {
        ...origin,
        authorization: `Bearer ${project.key}`,
        'content-type': 'application/json',
      },
      body: '{"resourceSpans":[]}',
    });
    for (const [res, status] of [
      [stored, 200],
      [refused, 403],
      [spans, 200],
    ] as const) {
      expect(res.status).toBe(status);
      expect(res.headers.get('access-control-allow-origin')).toBe('*');
      expect(res.headers.get('access-control-expose-headers')).toBe(
        'x-sentry-error, x-sentry-rate-limits, retry-after',
      );
    }
    // The REST API is for the plugin, through Grafana's proxy: not offered to other origins.
    const rest = await fetch(`${tracker.url}/api/v1/stats`, { headers: origin });
    expect(rest.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('generated envelopes', () => {
  // Valid envelopes written by a generator of their own (not by our parser), with events and
  // other items in any order, any level, tags as objects or pairs, optional lengths.
  const eventItem = fc.record({
    message: fc.string({ minLength: 1, maxLength: 40 }),
    level: fc.constantFrom('fatal', 'error', 'warning', 'info', 'debug'),
    tags: fc.oneof(
      fc.dictionary(fc.stringMatching(/^[a-z_]{1,8}$/), fc.string({ maxLength: 10 }), {
        maxKeys: 3,
      }),
      fc.constant([['service', 'generated']]),
    ),
    withLength: fc.boolean(),
  });
  const otherItem = fc.record({
    type: fc.constantFrom('session', 'client_report', 'attachment', 'brand_new_type'),
    body: fc.json(),
  });
  const envelope = fc.tuple(
    fc.array(eventItem, { minLength: 1, maxLength: 3 }),
    fc.array(otherItem, { maxLength: 2 }),
  );
  let counter = 100_000;

  it('stores every event of every valid generated envelope, answering 200', async () => {
    const sent: string[] = [];
    await fc.assert(
      fc.asyncProperty(envelope, async ([events, others]) => {
        const lines = ['{}'];
        for (const o of others)
          lines.push(JSON.stringify({ type: o.type }), o.body.replace(/\n/g, ' '));
        for (const e of events) {
          const id = (++counter).toString(16).padStart(32, '0');
          sent.push(id);
          const payload = JSON.stringify({
            event_id: id,
            message: e.message,
            level: e.level,
            tags: e.tags,
          });
          lines.push(
            JSON.stringify(
              e.withLength
                ? { type: 'event', length: Buffer.byteLength(payload) }
                : { type: 'event' },
            ),
            payload,
          );
        }
        const res = await fetch(envelopeUrl(project), {
          method: 'POST',
          body: lines.join('\n') + '\n',
        });
        expect(res.status).toBe(200);
      }),
      { numRuns: 300 },
    );
    const repo = openSqlite(join(dir, 'tracker.db'));
    const stored = repo.storedEventIds(sent);
    const missing = sent.filter((id) => !stored.has(id));
    repo.close();
    expect(missing).toEqual([]);
  });
});

describe('triage', () => {
  const sendEvent = (n: number, release: string) =>
    fetch(envelopeUrl(project), {
      method: 'POST',
      body: `{}\n{"type":"event"}\n${JSON.stringify({ event_id: eventId(9000 + n), release, tags: { service: 'billing' }, exception: { values: [{ type: 'RangeError', value: 'invoice total out of range' }] } })}\n`,
    });

  it('moves an issue through its lifecycle, and reopens it as a regression unless the event is from an older release', async () => {
    expect((await sendEvent(1, 'billing@1.0.0')).status).toBe(200);
    expect((await sendEvent(2, 'billing@1.1.0')).status).toBe(200);
    const { body } = await api('/issues?service=billing');
    const id = body.items[0].id as number;
    expect(
      (
        await api(`/issues/${id}`, {
          method: 'PATCH',
          body: JSON.stringify({ status: 'investigating' }),
        })
      ).body.status,
    ).toBe('investigating');
    const resolved = await api(`/issues/${id}`, {
      method: 'PATCH',
      body: JSON.stringify({ status: 'resolved' }),
    });
    expect(resolved.body).toMatchObject({ status: 'resolved', resolvedInRelease: 'billing@1.1.0' });
    await sendEvent(3, 'billing@1.0.0'); // an old release still running somewhere
    expect((await api(`/issues/${id}`)).body.status).toBe('resolved');
    await sendEvent(4, 'billing@1.2.0');
    expect((await api(`/issues/${id}`)).body).toMatchObject({ status: 'open', regression: true });
    const bulk = await api('/issues/status', {
      method: 'POST',
      body: JSON.stringify({ ids: [id, 999999], status: 'ignored' }),
    });
    expect(bulk.body).toEqual({ updated: [id], notFound: [999999] });
  });

  it('orders releases by version: one never seen before can be older, 1.9 is older than 1.10', async () => {
    const send = (n: number, release: string) =>
      fetch(envelopeUrl(project), {
        method: 'POST',
        body: `{}\n{"type":"event"}\n${JSON.stringify({ event_id: eventId(0x7e1000 + n), release, tags: { service: 'ledger' }, exception: { values: [{ type: 'LedgerError', value: 'unbalanced' }] } })}\n`,
      });
    expect((await send(1, 'ledger@1.10.0')).status).toBe(200);
    const { body } = await api('/issues?service=ledger');
    const id = body.items[0].id as number;
    const resolve = () =>
      api(`/issues/${id}`, { method: 'PATCH', body: JSON.stringify({ status: 'resolved' }) });
    expect((await resolve()).body).toMatchObject({ resolvedInRelease: 'ledger@1.10.0' });
    // Seen for the first time after the resolution, yet older: no regression.
    expect((await send(2, 'ledger@1.9.0')).status).toBe(200);
    expect((await api(`/issues/${id}`)).body).toMatchObject({ status: 'resolved' });
    // Resolving again records the newest release seen, not the last event's.
    expect((await resolve()).body).toMatchObject({ resolvedInRelease: 'ledger@1.10.0' });
    expect((await send(3, 'ledger@1.10.1')).status).toBe(200);
    expect((await api(`/issues/${id}`)).body).toMatchObject({ status: 'open', regression: true });
  });

  it('pages through issues with a cursor', async () => {
    const first = await api('/issues?limit=2&sort=first_seen');
    expect(first.body.items).toHaveLength(2);
    const second = await api(`/issues?limit=2&sort=first_seen&cursor=${first.body.nextCursor}`);
    const ids = [...first.body.items, ...second.body.items].map((i: { id: number }) => i.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('refuses bad parameters and a missing token', async () => {
    expect((await api('/issues?status=closed')).body).toEqual({
      error: 'status must be one of open, investigating, resolved, ignored; got "closed"',
    });
    expect((await api('/issues?cursor=zzz')).status).toBe(400);
    expect((await api('/issues/abc')).status).toBe(400);
    expect((await api('/issues/424242')).status).toBe(404);
    const res = await fetch(`${tracker.url}/api/v1/issues`);
    expect(res.status).toBe(401);
    const openapi = await fetch(`${tracker.url}/api/v1/openapi.json`);
    expect(((await openapi.json()) as { openapi: string }).openapi).toBe('3.0.3');
  });

  it('answers what express and its body parser refuse with their 4xx, not a 500', async () => {
    expect(await api('/issues/%ZZ')).toEqual({
      status: 400,
      body: { error: "Failed to decode param '%ZZ'" },
    });
    const patch = (headers: Record<string, string>, body: string | Buffer = '{"status":"open"}') =>
      api('/issues/1', { method: 'PATCH', headers, body });
    expect(await patch({}, 'null')).toEqual({
      status: 400,
      body: { error: 'body must be a JSON object' },
    });
    expect(await patch({}, '{"status":')).toMatchObject({ status: 400 });
    expect(await patch({ 'content-type': 'application/json; charset=latin1' })).toEqual({
      status: 415,
      body: { error: 'unsupported charset "LATIN1"' },
    });
    expect(await patch({ 'content-encoding': 'foo' })).toEqual({
      status: 415,
      body: { error: 'unsupported content encoding "foo"' },
    });
    expect(await patch({ 'content-encoding': 'gzip' })).toEqual({
      status: 400,
      body: { error: 'body is not valid gzip: Z_DATA_ERROR' },
    });
  });

  it('answers 400 with an X-Sentry-Error HTTP can carry when the problem quotes the body', async () => {
    const res = await fetch(envelopeUrl(project), {
      method: 'POST',
      body: '{}\n{"type":"event"}\n{"message":"Zahlung für € fehlgeschlagen\n',
    });
    expect(res.status).toBe(400);
    expect(res.headers.get('x-sentry-error')).toMatch(
      /^invalid envelope: item 1 \(event\) payload is not JSON: [\x20-\x7e]+$/,
    );
  });

  it('counts at most 200 services by name in its metrics, the rest as other', async () => {
    // Services come from the events (a tag, else the host): each would be series of its own.
    const items = Array.from({ length: 230 }, (_, i) => [
      '{"type":"event"}',
      JSON.stringify({
        message: `from service ${i}`,
        tags: { service: `svc-${i}-${'x'.repeat(80)}` },
      }),
    ]).flat();
    const res = await fetch(envelopeUrl(project), {
      method: 'POST',
      body: `{}\n${items.join('\n')}\n`,
    });
    expect(res.status).toBe(200);
    const text = await (await fetch(`${tracker.url}/metrics`)).text();
    const services = new Set(
      [...text.matchAll(/^beacon_tracker_events_ingested_total\{[^}]*service="([^"]*)"/gm)].map(
        (m) => m[1],
      ),
    );
    expect(services.size).toBeLessThanOrEqual(201);
    expect(services.has('other')).toBe(true);
    expect(Math.max(...[...services].map((v) => (v as string).length))).toBeLessThanOrEqual(64);
  });

  it('answers 405 naming POST (and GET, on the store endpoint) to other methods on the ingest paths', async () => {
    for (const [path, method, allow] of [
      [`/api/${project.id}/envelope/`, 'GET', 'POST'],
      [`/api/${project.id}/store`, 'PUT', 'GET, POST'],
    ]) {
      const res = await fetch(`${tracker.url}${path}`, { method });
      expect([res.status, res.headers.get('allow')]).toEqual([405, allow]);
    }
    for (const path of ['/v1/traces', '/v1/traces/']) {
      const res = await fetch(`${tracker.url}${path}`, { method: 'PUT', body: '{}' });
      expect([res.status, res.headers.get('allow'), await res.json()]).toEqual([
        405,
        'POST',
        { code: 12, message: 'method not allowed: POST' },
      ]);
    }
  });

  it("answers Relay's other ingest endpoints 404 in Sentry's form, naming what they take and what is taken", async () => {
    const taken =
      "it takes Sentry's /api/<project>/envelope/ and /api/<project>/store/, and OTLP traces at /v1/traces";
    const cases: [string, string][] = [
      [
        `/api/${project.id}/minidump/?sentry_key=${project.key}`,
        `/api/${project.id}/minidump/ is Sentry's endpoint for minidumps (sentry-native's crashpad and breakpad backends, Electron), which this tracker does not take`,
      ],
      [
        `/api/${project.id}/security/?sentry_key=${project.key}`,
        `/api/${project.id}/security/ is Sentry's endpoint for security reports (CSP, Expect-CT, HPKP, Expect-Staple), which this tracker does not take`,
      ],
      [
        `/api/${project.id}/cron/nightly/${project.key}/`,
        `/api/${project.id}/cron/nightly/${project.key}/ is Sentry's endpoint for cron check-ins by URL, which this tracker does not take`,
      ],
      [
        '/api/store/',
        "/api/store/ is Sentry's endpoint for events of SDKs that name no project in the path, which this tracker does not take",
      ],
      [`/api/${project.id}/envelopes/`, `/api/${project.id}/envelopes/ is no ingest endpoint`],
    ];
    for (const [path, what] of cases) {
      const res = await fetch(`${tracker.url}${path}`, { method: 'POST', body: 'MDMP' });
      const detail = `not found: ${what}; ${taken}`;
      expect([res.status, res.headers.get('x-sentry-error'), await res.json()]).toEqual([
        404,
        detail,
        { detail },
      ]);
    }
    const text = await (await fetch(`${tracker.url}/metrics`)).text();
    expect(text).toMatch(/^beacon_tracker_rejected_requests_total\{reason="unsupported"\} 5$/m);
  });

  it('exports its own metrics', async () => {
    const text = await (await fetch(`${tracker.url}/metrics`)).text();
    expect(text).toMatch(
      /beacon_tracker_events_ingested_total\{project="checkout",service="checkout",severity="error",type="application"\} 3/,
    );
    expect(text).toMatch(/beacon_tracker_rejected_requests_total\{reason="rate_limited"\} 1/);
    expect(text).toMatch(/beacon_tracker_open_issues\{project="limited",severity="error"\} 1/);
    expect(text).toMatch(
      /beacon_tracker_new_issues_total\{project="limited",service="[^"]+",severity="error"\} 1/,
    );
    expect(text).toMatch(/beacon_tracker_rejected_requests_total\{reason="malformed"\} [1-9]/);
    expect(text).toMatch(
      /beacon_tracker_ingest_duration_seconds_count\{protocol="envelope"\} [1-9]/,
    );
  });
});

describe('events in the shapes older SDKs send, over HTTP', () => {
  const send = (event: object, headers: Record<string, string> = {}) =>
    fetch(envelopeUrl(project), {
      method: 'POST',
      headers,
      body: `{}\n{"type":"event"}\n${JSON.stringify(event)}\n`,
    });

  it('groups bare exception objects by their own type and value, not all together', async () => {
    for (const [n, type] of [
      [0xa1e9001, 'LegacyKeyError'],
      [0xa1e9002, 'LegacyKeyError'],
      [0xa1e9003, 'LegacyZeroDivisionError'],
    ] as const)
      expect(
        (
          await send({
            event_id: eventId(n),
            exception: { type, value: `bad ${n}`, module: 'billing' },
          })
        ).status,
      ).toBe(200);
    const { body } = await api('/issues?limit=100');
    const byTitle = Object.fromEntries(
      (body.items as { title: string; count: number }[])
        .filter((i) => i.title.startsWith('Legacy'))
        .map((i) => [i.title.split(':')[0], i.count]),
    );
    expect(byTitle).toEqual({ LegacyKeyError: 2, LegacyZeroDivisionError: 1 });
  });

  it('counts anonymous users apart by the address the ingress forwarded for {{auto}}', async () => {
    for (const [n, ip] of [
      [0xa1e9101, '203.0.113.1'],
      [0xa1e9102, '203.0.113.2'],
      [0xa1e9103, '203.0.113.2'],
    ] as const)
      expect(
        (
          await send(
            {
              event_id: eventId(n),
              message: 'anonymous checkout failed',
              user: { ip_address: '{{auto}}' },
            },
            { 'x-forwarded-for': `${ip}, 10.0.0.1` },
          )
        ).status,
      ).toBe(200);
    const { body } = await api('/issues?q=anonymous%20checkout');
    expect(body.items).toHaveLength(1);
    expect(body.items[0]).toMatchObject({ count: 3, users: 2 });
  });
});

describe('times a client’s clock got wrong, as Relay normalises them (validate_event)', () => {
  const DAY = 86_400_000;
  const post = (type: 'event' | 'transaction', item: object) =>
    fetch(envelopeUrl(project), {
      method: 'POST',
      body: `{}\n{"type":"${type}"}\n${JSON.stringify(item)}\n`,
    });

  // normalize_timestamps: over max_secs_in_future (60 s) ahead or max_secs_in_past (30 days)
  // behind, every time in the event is shifted so that it is dated at its arrival, and the error
  // is on `timestamp` in _meta and in `errors` (ClockDriftProcessor, EmitEventErrors). sdk_time
  // and server_time as chrono's to_rfc3339 writes them (relay-event-normalization event.rs,
  // test_future_timestamp / test_past_timestamp).
  it.each([
    ['a clock left in 2020', 0x71e1001, '2020-01-01T00:00:00Z', 'past_timestamp'],
    ['a clock years fast', 0x71e1002, '2035-01-01T00:00:00Z', 'future_timestamp'],
  ])(
    'dates an event from %s by its arrival, its breadcrumbs kept as far before it',
    async (what, n, timestamp, type) => {
      const service = `wrong-clock-${n}`;
      const res = await post('event', {
        event_id: eventId(n),
        message: `sent by ${what}`,
        tags: { service },
        timestamp,
        breadcrumbs: {
          values: [{ message: 'clicked', timestamp: Date.parse(timestamp) / 1000 - 10 }],
        },
      });
      expect(res.status).toBe(200);
      const { body: issues } = await api(`/issues?service=${service}`);
      const { body: events } = await api(`/issues/${issues.items[0].id}/events`);
      const [stored] = events.items;
      const received = Date.parse(stored.receivedAt);
      expect(Date.parse(stored.timestamp)).toBe(received);
      const error = {
        sdk_time: timestamp.replace('Z', '+00:00'),
        server_time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{3})?\+00:00$/),
      };
      expect(stored.event).toMatchObject({
        timestamp: received / 1000,
        breadcrumbs: { values: [{ message: 'clicked', timestamp: (received - 10_000) / 1000 }] },
        errors: [{ type, name: 'timestamp', ...error }],
        _meta: { timestamp: { '': { err: [[type, error]] } } },
      });
      expect(Date.parse(stored.event.errors[0].server_time)).toBe(received);
    },
  );

  const tx = (n: number, end: number) => ({
    type: 'transaction',
    event_id: eventId(n),
    transaction: `GET /clock-${n}`,
    start_timestamp: (end - 3_000) / 1000,
    timestamp: end / 1000,
    tags: { correlation_id: `clock-${n}` },
    contexts: { trace: { trace_id: eventId(n), span_id: 'c1'.repeat(8), op: 'http.server' } },
    spans: [
      {
        trace_id: eventId(n),
        span_id: 'c2'.repeat(8),
        description: 'SELECT carts',
        start_timestamp: (end - 2_000) / 1000,
        timestamp: (end - 1_000) / 1000,
      },
    ],
  });

  // The same shift for a transaction: it ends at its arrival, its spans kept as far before.
  it.each([
    ['a clock years fast', 0x71e2001, () => Date.UTC(2035, 0, 1)],
    ['a clock 40 days slow', 0x71e2002, () => Math.floor(Date.now() / 1000) * 1000 - 40 * DAY],
  ])(
    'dates a transaction from %s by its arrival, keeping its length and its spans',
    async (_what, n, end) => {
      const before = Date.now();
      expect((await post('transaction', tx(n, end()))).status).toBe(200);
      const after = Date.now();
      const { status, body } = await api(`/sessions/clock-${n}`);
      expect(status).toBe(200);
      const [own, span] = ['GET /clock-' + n, 'SELECT carts'].map((name) =>
        body.timeline.find((o: { name: string }) => o.name === name),
      );
      const arrival = Date.parse(own.end);
      expect(arrival).toBeGreaterThanOrEqual(before);
      expect(arrival).toBeLessThanOrEqual(after);
      expect([own.durationMs, Date.parse(span.start), Date.parse(span.end)]).toEqual([
        3_000,
        arrival - 2_000,
        arrival - 1_000,
      ]);
    },
  );

  // validate_timestamps: a transaction must end in transaction_timestamp_range, 5 days back to
  // 60 s ahead (relay-metrics AggregatorConfig defaults), else it is dropped ("timestamp is out of
  // the valid range for metrics"); one 6 days old is not old enough to be shifted.
  it('drops a transaction that ended 6 days ago, keeping one that ended 4 days ago as it was', async () => {
    const now = Math.floor(Date.now() / 1000) * 1000;
    expect((await post('transaction', tx(0x71e3001, now - 6 * DAY))).status).toBe(200);
    expect((await post('transaction', tx(0x71e3002, now - 4 * DAY))).status).toBe(200);
    expect((await api(`/sessions/clock-${0x71e3001}`)).status).toBe(404);
    const { status, body } = await api(`/sessions/clock-${0x71e3002}`);
    expect(status).toBe(200);
    expect(body.timeline.map((o: { end: string }) => Date.parse(o.end)).sort()).toEqual([
      now - 4 * DAY - 1_000,
      now - 4 * DAY,
    ]);
  });
});
