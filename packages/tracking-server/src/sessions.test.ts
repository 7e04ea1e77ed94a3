// Debug sessions end to end: spans from the real OpenTelemetry OTLP/HTTP exporter (JSON and
// protobuf), a Sentry transaction and error event from raw envelopes, joined by correlation id
// and trace id and read back through the REST API.
import { gzipSync } from 'node:zlib';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { ExportTraceServiceRequest } from './ingest/otlp-proto';
import { dsnFor, type Project } from './projects';
import type { RunningTracker } from './main';
import { startTestTracker, type TestTracker } from './testing/test-tracker';
import { runTestApp } from './testing/test-app';
import { metricsText, sample as sampleOf } from './testing/tracker-reads';

let setup: TestTracker<'platform'>;
let tracker: RunningTracker;
let project: Project;

beforeAll(async () => {
  setup = await startTestTracker('sessions', { platform: {} });
  ({ tracker } = setup);
  project = setup.projects.platform;
});

afterAll(() => setup?.close());

const api = async (path: string) => {
  const res = await fetch(`${tracker.url}/api/v1${path}`, {
    headers: { authorization: 'Bearer t' },
  });
  return { status: res.status, headers: res.headers, body: (await res.json()) as any }; // eslint-disable-line @typescript-eslint/no-explicit-any
};

/** One service's spans as OTLP/HTTP JSON, posted as an exporter posts them. */
const postSpans = (service: string, spans: unknown[]) =>
  fetch(`${tracker.url}/v1/traces`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${project.key}` },
    body: JSON.stringify({
      resourceSpans: [
        {
          resource: { attributes: [{ key: 'service.name', value: { stringValue: service } }] },
          scopeSpans: [{ spans }],
        },
      ],
    }),
  });

describe('debug sessions', () => {
  let traceId: string;

  beforeAll(async () => {
    // The real SDK and exporter, in their own process (the exporter loads modules dynamically,
    // which jest's sandbox does not allow).
    const stdout = await runTestApp('otel-app.cjs', `${tracker.url}/v1/traces`, project.key);
    const made = JSON.parse(stdout) as { traceId: string; failingSpanId: string };
    traceId = made.traceId;

    // A Sentry error from another service that only knows the trace id.
    const event = JSON.stringify({
      event_id: 'e'.repeat(32),
      level: 'error',
      tags: { service: 'inventory' },
      contexts: { trace: { trace_id: traceId, span_id: made.failingSpanId } },
      exception: { values: [{ type: 'Error', value: 'reservation failed' }] },
    });
    const res = await fetch(
      `${tracker.url}/api/${project.id}/envelope/?sentry_key=${project.key}`,
      {
        method: 'POST',
        body: `{}\n{"type":"event"}\n${event}\n`,
      },
    );
    expect(res.status).toBe(200);
  });

  it('joins spans, memory snapshots and the Sentry error into one session by correlation id and trace id', async () => {
    const { body } = await api('/sessions/req-777');
    expect(body).toMatchObject({
      id: 'req-777',
      correlationId: 'req-777',
      services: ['api-gateway', 'inventory'],
      operations: 3,
      slowOperations: 2,
    });
    expect(body.traceIds).toEqual([traceId]);
    expect(
      body.timeline.map((o: { name: string; slow: boolean; status: string }) => [
        o.name,
        o.slow,
        o.status,
      ]),
    ).toEqual([
      ['POST /checkout', true, 'unset'],
      ['SELECT orders', true, 'unset'],
      ['POST inventory/reserve', false, 'error'],
    ]);
    const root = body.timeline[0];
    expect(body.timeline[1].parentSpanId).toBe(root.spanId);
    // Span attributes are scrubbed before storing, like events.
    expect(root.attributes).toEqual({
      correlation_id: 'req-777',
      'http.method': 'POST',
      'http.request.header.authorization': '[Filtered]',
      'db.password': '[Filtered]',
      'url.full': 'https://shop.example/callback?token=[Filtered]&page=2',
      note: 'Authentication failed for user',
    });
    expect(body.timeline[1].durationMs).toBeCloseTo(800, -1);
    expect(body.errorEvents).toMatchObject([
      { eventId: 'e'.repeat(32), title: 'Error: reservation failed', service: 'inventory' },
    ]);
    expect(body.memory).toMatchObject([
      { service: 'api-gateway', rss: 123_000_000, heapUsed: 45_000_000 },
    ]);
  });

  it('lists sessions with search and filters, and exports one as JSON', async () => {
    const all = await api('/sessions?q=777');
    expect(all.body.items.map((s: { id: string }) => s.id)).toEqual(['req-777']);
    expect(
      (await api('/sessions?hasErrors=false')).body.items.map((s: { id: string }) => s.id),
    ).not.toContain('req-777');
    expect((await api('/sessions?minDurationMs=100000')).body.items).toEqual([]);
    const exported = await api('/sessions/req-777/export');
    expect(exported.headers.get('content-disposition')).toBe(
      'attachment; filename="debug-session-req-777.json"',
    );
    expect(exported.body.session.id).toBe('req-777');
    expect((await api('/sessions/nope')).status).toBe(404);
    expect(all.body.nextCursor).toBeNull();
    expect((await api('/sessions?cursor=zzz')).body).toEqual({ error: 'invalid cursor "zzz"' });
  });

  it('takes OTLP protobuf (gzip) and Sentry transactions into sessions keyed by trace id', async () => {
    const now = BigInt(Date.now()) * 1_000_000n;
    const message = ExportTraceServiceRequest.fromObject({
      resourceSpans: [
        {
          resource: {
            attributes: [{ key: 'service.name', value: { stringValue: 'video-processing' } }],
          },
          scopeSpans: [
            {
              spans: [
                {
                  traceId: Buffer.from('ab'.repeat(16), 'hex'),
                  spanId: Buffer.from('cd'.repeat(8), 'hex'),
                  name: 'render job',
                  startTimeUnixNano: String(now - 50_000_000n),
                  endTimeUnixNano: String(now),
                },
              ],
            },
          ],
        },
      ],
    });
    const res = await fetch(`${tracker.url}/v1/traces`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-protobuf',
        'content-encoding': 'gzip',
        authorization: `Bearer ${project.key}`,
      },
      body: gzipSync(ExportTraceServiceRequest.encode(message).finish()),
    });
    expect(res.status).toBe(200);
    const tx = JSON.stringify({
      type: 'transaction',
      transaction: 'GET /render/status',
      start_timestamp: Date.now() / 1000 - 0.2,
      timestamp: Date.now() / 1000,
      tags: { service: 'video-api' },
      contexts: {
        trace: {
          trace_id: 'ab'.repeat(16),
          span_id: 'ef'.repeat(8),
          op: 'http.server',
          status: 'ok',
        },
      },
      spans: [
        {
          trace_id: 'ab'.repeat(16),
          span_id: '12'.repeat(8),
          parent_span_id: 'ef'.repeat(8),
          op: 'db',
          description: 'SELECT job',
          start_timestamp: Date.now() / 1000 - 0.1,
          timestamp: Date.now() / 1000,
        },
      ],
    });
    const env = await fetch(
      `${tracker.url}/api/${project.id}/envelope/?sentry_key=${project.key}`,
      { method: 'POST', body: `{}\n{"type":"transaction"}\n${tx}\n` },
    );
    expect(env.status).toBe(200);
    const { body } = await api(`/sessions/${'ab'.repeat(16)}`);
    expect(body.services).toEqual(['video-api', 'video-processing']);
    expect(body.timeline.map((o: { name: string }) => o.name).sort()).toEqual([
      'GET /render/status',
      'SELECT job',
      'render job',
    ]);
    // Two sessions now, a page at a time: the cursor of one page starts the next.
    const first = await api('/sessions?limit=1');
    expect(first.body.items.map((x: { id: string }) => x.id)).toEqual(['ab'.repeat(16)]);
    const second = await api(`/sessions?limit=1&cursor=${first.body.nextCursor as string}`);
    expect(second.body).toMatchObject({ items: [{ id: 'req-777' }], nextCursor: null });
  });

  it('answers a trace id merged into a correlation id with that session, export too, not the trace’s fragment', async () => {
    const t = 'a7'.repeat(16);
    const now = BigInt(Date.now()) * 1_000_000n;
    const spanOf = (spanId: string, from: bigint, attributes: unknown[] = []) => ({
      traceId: t,
      spanId,
      name: `step ${spanId}`,
      startTimeUnixNano: String(now - from),
      endTimeUnixNano: String(now - from + 1_000_000n),
      attributes,
    });
    // The trace first as a session of its own (a span, an error knowing only the trace id)…
    expect((await postSpans('worker', [spanOf('b1'.repeat(8), 30_000_000n)])).status).toBe(200);
    const event = JSON.stringify({
      event_id: 'a7'.repeat(16),
      level: 'error',
      tags: { service: 'inventory' },
      contexts: { trace: { trace_id: t } },
      exception: { values: [{ type: 'Error', value: 'merged' }] },
    });
    const sent = await fetch(
      `${tracker.url}/api/${project.id}/envelope/?sentry_key=${project.key}`,
      { method: 'POST', body: `{}\n{"type":"event"}\n${event}\n` },
    );
    expect(sent.status).toBe(200);
    expect((await api(`/sessions/${t}`)).body.id).toBe(t);
    // …then a span names the correlation id, and the trace's session is merged into it.
    const corr = [{ key: 'correlation_id', value: { stringValue: 'req-merged' } }];
    expect((await postSpans('worker', [spanOf('b2'.repeat(8), 20_000_000n, corr)])).status).toBe(
      200,
    );

    const { status, body } = await api(`/sessions/${t}`);
    expect(status).toBe(200);
    expect(body).toMatchObject({
      id: 'req-merged',
      correlationId: 'req-merged',
      services: ['inventory', 'worker'],
      operations: 2,
      traceIds: [t],
    });
    expect(body.timeline.map((o: { spanId: string }) => o.spanId)).toEqual([
      'b1'.repeat(8),
      'b2'.repeat(8),
    ]);
    expect(body.errorEvents.map((e: { eventId: string }) => e.eventId)).toEqual(['a7'.repeat(16)]);
    const exported = await api(`/sessions/${t}/export`);
    expect(exported.status).toBe(200);
    expect(exported.headers.get('content-disposition')).toBe(
      'attachment; filename="debug-session-req-merged.json"',
    );
    expect(exported.body.session).toMatchObject({ id: 'req-merged', operations: 2, errors: 1 });
  });

  it('joins events, a transaction and OTLP spans whose ids are all digits and Luhn-valid', async () => {
    // A card number's shape and checksum, but ids: scrubbing leaves them, on both sides.
    const [a, b] = ['1790000000000000005', '1790000000000000013'];
    const [otlpSpan, txSpan] = ['5500000000000004', '4111111111111111'];
    const now = BigInt(Date.now()) * 1_000_000n;
    const spans = await fetch(`${tracker.url}/v1/traces`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${project.key}` },
      body: JSON.stringify({
        resourceSpans: [
          {
            resource: { attributes: [{ key: 'service.name', value: { stringValue: 'numeric' } }] },
            scopeSpans: [
              {
                spans: [
                  {
                    traceId: 'b8'.repeat(16),
                    spanId: otlpSpan,
                    name: 'numeric job',
                    startTimeUnixNano: String(now - 1_000_000n),
                    endTimeUnixNano: String(now),
                    attributes: [{ key: 'correlation_id', value: { stringValue: a } }],
                  },
                ],
              },
            ],
          },
        ],
      }),
    });
    expect(spans.status).toBe(200);
    const event = (n: number, correlationId: string) =>
      JSON.stringify({
        event_id: String(n).repeat(32),
        level: 'error',
        tags: { service: 'numeric-events', correlation_id: correlationId },
        // Its own trace: only the correlation id joins it.
        contexts: { trace: { trace_id: String(n).repeat(32), span_id: otlpSpan } },
        exception: { values: [{ type: 'Error', value: `numeric ${n}` }] },
      });
    const tx = JSON.stringify({
      type: 'transaction',
      transaction: 'GET /numeric',
      start_timestamp: Date.now() / 1000 - 0.2,
      timestamp: Date.now() / 1000,
      tags: { service: 'numeric-tx', correlation_id: b },
      contexts: { trace: { trace_id: 'b9'.repeat(16), span_id: txSpan, op: 'http.server' } },
      spans: [],
    });
    for (const item of [
      `{"type":"event"}\n${event(7, a)}`,
      `{"type":"event"}\n${event(8, b)}`,
      `{"type":"transaction"}\n${tx}`,
    ]) {
      const sent = await fetch(
        `${tracker.url}/api/${project.id}/envelope/?sentry_key=${project.key}`,
        { method: 'POST', body: `{}\n${item}\n` },
      );
      expect(sent.status).toBe(200);
    }
    const joined = (await api(`/sessions/${a}`)).body;
    expect(joined).toMatchObject({
      id: a,
      correlationId: a,
      services: ['numeric', 'numeric-events'],
    });
    expect(joined.timeline.map((o: { spanId: string }) => o.spanId)).toEqual([otlpSpan]);
    expect(joined.timeline[0].attributes).toEqual({ correlation_id: a });
    expect(
      joined.errorEvents.map((e: { eventId: string; spanId: string }) => [e.eventId, e.spanId]),
    ).toEqual([['7'.repeat(32), otlpSpan]]);
    const other = (await api(`/sessions/${b}`)).body;
    expect(other.timeline.map((o: { name: string; spanId: string }) => [o.name, o.spanId])).toEqual(
      [['GET /numeric', txSpan]],
    );
    expect(other.errorEvents.map((e: { eventId: string }) => e.eventId)).toEqual(['8'.repeat(32)]);
    const ids = (await api('/sessions?limit=100')).body.items.map((x: { id: string }) => x.id);
    expect(ids).toEqual(expect.arrayContaining([a, b]));
    expect(ids).not.toContain('[Filtered]');
  });

  it('drops a Sentry transaction whole for a span with no start, answering the envelope 200', async () => {
    const end = Date.now() / 1000;
    const tx = JSON.stringify({
      type: 'transaction',
      transaction: 'GET /invalid-span',
      start_timestamp: end - 0.2,
      timestamp: end,
      tags: { correlation_id: 'req-invalid-span' },
      contexts: { trace: { trace_id: 'a8'.repeat(16), span_id: 'b8'.repeat(8) } },
      spans: [
        { trace_id: 'a8'.repeat(16), span_id: 'c8'.repeat(8), start_timestamp: end - 0.1 },
        { trace_id: 'a8'.repeat(16), span_id: 'd8'.repeat(8), timestamp: end },
      ],
    });
    const res = await fetch(
      `${tracker.url}/api/${project.id}/envelope/?sentry_key=${project.key}`,
      { method: 'POST', body: `{}\n{"type":"transaction"}\n${tx}\n` },
    );
    expect(res.status).toBe(200);
    expect((await api('/sessions/req-invalid-span')).status).toBe(404);
  });

  it("counts the transactions it drops by Relay's reason, and the operations of those it keeps", async () => {
    /** A sample's value on /metrics, 0 while the series does not exist. */
    const sample = async (series: string) => sampleOf(await metricsText(tracker.url), series);
    const invalid = 'beacon_tracker_dropped_transactions_total{reason="invalid_transaction"}';
    const outOfRange = 'beacon_tracker_dropped_transactions_total{reason="timestamp"}';
    const kept = `beacon_tracker_spans_ingested_total{project="${project.name}",service="drop-count"}`;
    const before = [await sample(invalid), await sample(outOfRange), await sample(kept)];
    const end = Date.now() / 1000;
    const tx = (trace: string, endS: number, spans: object[]) =>
      JSON.stringify({
        type: 'transaction',
        transaction: 'GET /drop-count',
        start_timestamp: endS - 0.2,
        timestamp: endS,
        tags: { service: 'drop-count' },
        contexts: { trace: { trace_id: trace.repeat(16), span_id: 'e1'.repeat(8) } },
        spans,
      });
    const span = (trace: string, endS: number) => ({
      trace_id: trace.repeat(16),
      span_id: 'f1'.repeat(8),
      start_timestamp: endS - 0.1,
      timestamp: endS,
    });
    const items = [
      tx('a1', end, [span('a1', end)]), // kept: the transaction and its span
      tx('a2', end, [{ ...span('a2', end), span_id: undefined }]), // a span with no id
      tx('a3', end - 6 * 86_400, [span('a3', end - 6 * 86_400)]), // ended 6 days ago
    ];
    const res = await fetch(
      `${tracker.url}/api/${project.id}/envelope/?sentry_key=${project.key}`,
      {
        method: 'POST',
        body: `{}\n${items.map((t) => `{"type":"transaction"}\n${t}`).join('\n')}\n`,
      },
    );
    expect(res.status).toBe(200);
    const after = [await sample(invalid), await sample(outOfRange), await sample(kept)];
    expect(after.map((v, i) => v - (before[i] as number))).toEqual([1, 1, 2]);
  });

  it("drops the spans of span items that end out of Relay's range, counting them by reason timestamp", async () => {
    const sample = async (series: string) => sampleOf(await metricsText(tracker.url), series);
    const outOfRange = 'beacon_tracker_dropped_transactions_total{reason="timestamp"}';
    const kept = `beacon_tracker_spans_ingested_total{project="${project.name}",service="span-range"}`;
    const before = [await sample(outOfRange), await sample(kept)];
    const now = Date.now();
    const DAY = 86_400_000;
    // Letters in it: 16 digits that pass Luhn's check are scrubbed as a card number.
    const spanId = (n: number) => n.toString(16).padStart(16, 'a');
    // Of span v2 (an LLM call taken out of its transaction), each span on its own.
    const v2 = (n: number, endMs: number) => ({
      trace_id: `5a${n}`.padEnd(32, '0'),
      span_id: spanId(n),
      name: `span ${n}`,
      start_timestamp: endMs / 1000 - 0.5,
      end_timestamp: endMs / 1000,
      status: 'ok',
      attributes: {
        service: { type: 'string', value: 'span-range' },
        correlation_id: { type: 'string', value: `span-range-${n}` },
      },
    });
    // Standalone (the browser SDK's web vitals).
    const standalone = (n: number, endMs: number) => ({
      trace_id: `5b${n}`.padEnd(32, '0'),
      span_id: spanId(n),
      op: 'ui.webvital.lcp',
      start_timestamp: endMs / 1000 - 0.5,
      timestamp: endMs / 1000,
      tags: { service: 'span-range', correlation_id: `span-range-${n}` },
    });
    const items = [
      `{"type":"span","content_type":"application/vnd.sentry.items.span.v2+json","item_count":5}`,
      JSON.stringify({
        items: [
          v2(1, now - 40 * DAY), // 40 days ago
          v2(2, 2_000), // 1970
          v2(3, now - 6 * DAY), // 6 days ago
          v2(4, now + 10 * 60_000), // ten minutes ahead
          v2(5, now - 60_000), // kept
        ],
      }),
      '{"type":"span"}',
      JSON.stringify(standalone(6, now - 40 * DAY)),
      '{"type":"span"}',
      JSON.stringify(standalone(7, now - 60_000)), // kept
    ];
    const res = await fetch(
      `${tracker.url}/api/${project.id}/envelope/?sentry_key=${project.key}`,
      {
        method: 'POST',
        body: `{"sent_at":"${new Date(now).toISOString()}"}\n${items.join('\n')}\n`,
      },
    );
    expect(res.status).toBe(200);
    const after = [await sample(outOfRange), await sample(kept)];
    expect(after.map((v, i) => v - (before[i] as number))).toEqual([5, 2]);
    const found = async (n: number) => (await api(`/sessions/span-range-${n}`)).status;
    expect(await Promise.all([1, 2, 3, 4, 5, 6, 7].map(found))).toEqual([
      404, 404, 404, 404, 200, 404, 200,
    ]);
  });

  it('reads a sentry-python transaction: statuses as errors or not, a span’s own correlation_id, its data', async () => {
    // As sentry-python sends one: RFC 3339 times with microseconds, statuses by name, span tags.
    const end = Date.now();
    const at = (ms: number) => new Date(ms).toISOString().replace('Z', '250Z');
    const trace = 'c3'.repeat(16);
    const tx = JSON.stringify({
      type: 'transaction',
      transaction: 'POST /py-checkout',
      transaction_info: { source: 'route' },
      start_timestamp: at(end - 300),
      timestamp: at(end),
      tags: { service: 'checkout-py', correlation_id: 'req-py-1' },
      contexts: {
        trace: {
          trace_id: trace,
          span_id: 'd3'.repeat(8),
          op: 'http.server',
          status: 'internal_error',
        },
      },
      spans: [
        {
          trace_id: trace,
          span_id: 'e3'.repeat(8),
          parent_span_id: 'd3'.repeat(8),
          op: 'db',
          description: 'SELECT cart',
          status: 'ok',
          data: { 'db.system': 'postgresql' },
          start_timestamp: at(end - 250),
          timestamp: at(end - 200),
        },
        {
          trace_id: trace,
          span_id: 'f3'.repeat(8),
          parent_span_id: 'd3'.repeat(8),
          op: 'http.client',
          description: 'GET /stock',
          status: 'cancelled',
          tags: { correlation_id: 'req-py-2' },
          start_timestamp: at(end - 150),
          timestamp: at(end - 100),
        },
      ],
    });
    const res = await fetch(
      `${tracker.url}/api/${project.id}/envelope/?sentry_key=${project.key}`,
      { method: 'POST', body: `{}\n{"type":"transaction"}\n${tx}\n` },
    );
    expect(res.status).toBe(200);
    type Op = { name: string; status: string; statusMessage?: string; durationMs: number };
    const ops = (d: { timeline: Op[] }) =>
      d.timeline.map((o) => [o.name, o.status, o.statusMessage ?? null, Math.round(o.durationMs)]);
    const first = (await api('/sessions/req-py-1')).body;
    expect(ops(first)).toEqual([
      ['POST /py-checkout', 'error', 'internal_error', 300],
      ['SELECT cart', 'ok', null, 50],
    ]);
    expect(first.timeline[1].attributes).toMatchObject({
      'db.system': 'postgresql',
      'sentry.op': 'db',
    });
    expect(first.errors).toBe(1);
    // The cancelled call is its own correlation id's session, and no error there.
    const second = (await api('/sessions/req-py-2')).body;
    expect(ops(second)).toEqual([['GET /stock', 'unset', 'cancelled', 50]]);
    expect(second.errors).toBe(0);
    const withErrors = (await api('/sessions?hasErrors=true&q=req-py&limit=10')).body;
    expect(withErrors.items.map((x: { id: string }) => x.id)).toEqual(['req-py-1']);
  });

  it('answers OTLP errors in the protocol: 401 without the key, 400 for a body that is no request', async () => {
    const post = (body: string, headers: Record<string, string>) =>
      fetch(`${tracker.url}/v1/traces`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body,
      });
    const noKey = await post('{}', {});
    expect(noKey.status).toBe(401);
    expect(await noKey.json()).toEqual({
      code: 16,
      message: 'missing Authorization: Bearer <project key>',
    });
    const bad = await post('{"resourceSpans":{}}', { authorization: `Bearer ${project.key}` });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({ code: 3, message: 'resourceSpans must be a list' });
  });

  it('stores the good spans of a request and reports the bad ones as a partial success (JSON)', async () => {
    const now = BigInt(Date.now()) * 1_000_000n;
    const spanOf = (spanId: string, traceId = 'c4'.repeat(16)) => ({
      traceId,
      spanId,
      name: `step ${spanId}`,
      startTimeUnixNano: String(now - 1_000_000n),
      endTimeUnixNano: String(now),
      attributes: [{ key: 'correlation_id', value: { stringValue: 'req-partial' } }],
    });
    const res = await fetch(`${tracker.url}/v1/traces`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${project.key}` },
      body: JSON.stringify({
        resourceSpans: [
          {
            resource: { attributes: [{ key: 'service.name', value: { stringValue: 'partial' } }] },
            scopeSpans: [{ spans: [spanOf('a1'.repeat(8)), spanOf('a2'.repeat(8), 'xyz')] }],
          },
        ],
      }),
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      partialSuccess: {
        rejectedSpans: '1',
        errorMessage:
          'resourceSpans[0].scopeSpans[0].spans[1].traceId must be 32 hex digits, got "xyz"',
      },
    });
    const { body } = await api('/sessions/req-partial');
    expect(body.timeline.map((o: { name: string }) => o.name)).toEqual([`step ${'a1'.repeat(8)}`]);
  });

  it('leaves out a span whose attribute nests thousands of levels deep, naming it, not a 500', async () => {
    const now = BigInt(Date.now()) * 1_000_000n;
    const deep = `${'['.repeat(20_000)}${']'.repeat(20_000)}`;
    const spanOf = (spanId: string, value: string) =>
      `{"traceId":"${'d5'.repeat(16)}","spanId":"${spanId}","name":"deep",
      "startTimeUnixNano":"${now - 1_000n}","endTimeUnixNano":"${now}","attributes":[
        {"key":"correlation_id","value":{"stringValue":"req-deep"}},
        {"key":"k","value":{"stringValue":${value}}}]}`;
    const res = await fetch(`${tracker.url}/v1/traces`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${project.key}` },
      body: `{"resourceSpans":[{"scopeSpans":[{"spans":[${spanOf('e6'.repeat(8), '"ok"')},${spanOf('e7'.repeat(8), deep)}]}]}]}`,
    });
    expect(res.status).toBe(200);
    // A stringValue must be a string (as the Collector has it); the list is quoted as far as
    // JSON.stringify reaches, which is not this deep.
    expect(await res.json()).toEqual({
      partialSuccess: {
        rejectedSpans: '1',
        errorMessage:
          'resourceSpans[0].scopeSpans[0].spans[1]: stringValue must be a string, got [nested too deeply]',
      },
    });
    const { body } = await api('/sessions/req-deep');
    expect(body.timeline.map((o: { attributes: { k: string } }) => o.attributes.k)).toEqual(['ok']);
  });

  it('answers protobuf in protobuf: a partial success the OpenTelemetry SDK reads, errors as google.rpc.Status', async () => {
    const now = BigInt(Date.now()) * 1_000_000n;
    const message = ExportTraceServiceRequest.fromObject({
      resourceSpans: [
        {
          scopeSpans: [
            {
              spans: [
                {
                  traceId: Buffer.from('c5'.repeat(16), 'hex'),
                  spanId: Buffer.from('b1'.repeat(8), 'hex'),
                  name: 'ok',
                  startTimeUnixNano: String(now - 1_000_000n),
                  endTimeUnixNano: String(now),
                },
                {
                  traceId: Buffer.from('c5'.repeat(16), 'hex'),
                  spanId: Buffer.from('b2'.repeat(8), 'hex'),
                  name: 'ends before it starts',
                  startTimeUnixNano: String(now),
                  endTimeUnixNano: String(now - 1_000_000n),
                },
              ],
            },
          ],
        },
      ],
    });
    const post = (headers: Record<string, string>, body: Uint8Array) =>
      fetch(`${tracker.url}/v1/traces`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-protobuf', ...headers },
        body,
      });
    const partial = await post(
      { authorization: `Bearer ${project.key}` },
      ExportTraceServiceRequest.encode(message).finish(),
    );
    expect(partial.status).toBe(200);
    expect(partial.headers.get('content-type')).toBe('application/x-protobuf');
    // Read by the OpenTelemetry exporter's own response decoder.
    const answer = ProtobufTraceSerializer.deserializeResponse(
      new Uint8Array(await partial.arrayBuffer()),
    );
    expect(Number(answer.partialSuccess?.rejectedSpans)).toBe(1);
    expect(answer.partialSuccess?.errorMessage).toBe(
      'resourceSpans[0].scopeSpans[0].spans[1] ends before it starts',
    );

    // google.rpc.Status, read by hand from the wire format: field 1 code (varint), 2 message.
    const noKey = await post({}, Buffer.from('not protobuf'));
    expect(noKey.status).toBe(401);
    expect(noKey.headers.get('content-type')).toBe('application/x-protobuf');
    const bytes = Buffer.from(await noKey.arrayBuffer());
    expect([bytes[0], bytes[1], bytes[2]]).toEqual([0x08, 16, 0x12]);
    expect(bytes.subarray(4, 4 + (bytes[3] as number)).toString()).toBe(
      'missing Authorization: Bearer <project key>',
    );
  });
});

// After the tests above, which list the sessions they made as all there are.
describe('debug session details', () => {
  it('takes a standalone span item (the browser SDK’s web vitals) into its trace’s session', async () => {
    const t = 'b0a710'.padEnd(32, '3');
    const at = Date.now() / 1000 - 3600;
    // As @sentry/core's createSpanEnvelope writes it: a `span` item of one span, no content type.
    const span = JSON.stringify({
      span_id: 'a1b2c3d4e5f6a7b8',
      trace_id: t,
      description: 'body > button.checkout',
      op: 'ui.interaction.click',
      start_timestamp: at,
      timestamp: at + 0.12,
      status: 'ok',
      is_segment: true,
      data: { 'sentry.op': 'ui.interaction.click', transaction: '/cart' },
      tags: { service: 'storefront' },
    });
    const res = await fetch(
      `${tracker.url}/api/${project.id}/envelope/?sentry_key=${project.key}`,
      {
        method: 'POST',
        body: `{"sent_at":"${new Date().toISOString()}"}\n{"type":"span"}\n${span}\n`,
      },
    );
    expect(res.status).toBe(200);
    const { body } = await api(`/sessions/${t}`);
    expect(body.timeline).toMatchObject([
      { name: 'body > button.checkout', service: 'storefront', status: 'ok' },
    ]);
    expect(body.timeline[0].durationMs).toBeCloseTo(120, 0);
  });

  it('lists a session under what its spans say after one is sent again otherwise', async () => {
    const t = 'dec0de'.padEnd(32, '7');
    const start = BigInt(Date.now() - 3_600_000) * 1_000_000n;
    // The same span from two exporters (Sentry's OpenTelemetry setup names the service `node`).
    const post = (service: string, code: number) =>
      postSpans(service, [
        {
          traceId: t,
          spanId: '5'.repeat(16),
          name: 'POST /pay',
          startTimeUnixNano: String(start),
          endTimeUnixNano: String(start + 5_000_000n),
          status: { code },
        },
      ]);
    expect((await post('node', 2)).status).toBe(200); // STATUS_CODE_ERROR
    expect((await post('payments', 1)).status).toBe(200); // STATUS_CODE_OK
    const listed = async (query: string) =>
      (await api(`/sessions?${query}&limit=200`)).body.items.map((x: { id: string }) => x.id);
    expect(await listed('service=payments')).toContain(t);
    expect(await listed('service=node')).not.toContain(t);
    expect(await listed('hasErrors=true')).not.toContain(t);
    const { body } = await api(`/sessions/${t}`);
    expect([body.services, body.timeline.length, body.timeline[0].status]).toEqual([
      ['payments'],
      1,
      'ok',
    ]);
  });

  it('names each error of a session by its own message, not its issue’s latest', async () => {
    // One code path failing for two requests: one issue, two messages, two sessions.
    const send = async (n: number, user: string) => {
      const event = JSON.stringify({
        event_id: `a${n}`.padEnd(32, '0'),
        tags: { service: 'users', correlation_id: `req-${user}` },
        exception: {
          values: [
            {
              type: 'Error',
              value: `user ${user} not found`,
              stacktrace: {
                frames: [{ function: 'loadUser', filename: 'users.js', in_app: true }],
              },
            },
          ],
        },
      });
      const res = await fetch(
        `${tracker.url}/api/${project.id}/envelope/?sentry_key=${project.key}`,
        { method: 'POST', body: `{}\n{"type":"event"}\n${event}\n` },
      );
      expect(res.status).toBe(200);
    };
    await send(1, 'alice');
    await send(2, 'bob');
    const alice = (await api('/sessions/req-alice')).body;
    const bob = (await api('/sessions/req-bob')).body;
    expect(alice.errorEvents[0].issueId).toBe(bob.errorEvents[0].issueId);
    expect(alice.errorEvents.map((e: { title: string }) => e.title)).toEqual([
      'Error: user alice not found',
    ]);
    expect(bob.errorEvents.map((e: { title: string }) => e.title)).toEqual([
      'Error: user bob not found',
    ]);
  });

  it('lists a parent before the child starting with it, and finds its trace written in capitals', async () => {
    const t = 'c0ffee'.padEnd(32, '9');
    // An hour ago: below the sessions the other tests list as the latest.
    const start = BigInt(Date.now() - 3_600_000) * 1_000_000n;
    const span = (spanId: string, name: string, ms: bigint, parentSpanId?: string) => ({
      traceId: t,
      spanId,
      ...(parentSpanId ? { parentSpanId } : {}),
      name,
      startTimeUnixNano: String(start),
      endTimeUnixNano: String(start + ms * 1_000_000n),
    });
    // The child's id sorts before its parent's, and it comes first.
    const res = await postSpans('web', [
      span('0'.repeat(15) + '2', 'POST ai-service', 30n, 'f'.repeat(16)),
      span('f'.repeat(16), 'GET /infer', 35n),
    ]);
    expect(res.status).toBe(200);
    const { status, body } = await api(`/sessions/${t.toUpperCase()}`);
    expect(status).toBe(200);
    expect(body.id).toBe(t);
    expect(body.timeline.map((o: { name: string }) => o.name)).toEqual([
      'GET /infer',
      'POST ai-service',
    ]);
  });
});

describe('the span stream of @sentry/node', () => {
  it('stores a container of 1,000 spans, over the 1 MB of one event together, every span in its session', async () => {
    const stdout = await runTestApp('sentry-span-stream.cjs', dsnFor(project, tracker.url));
    const [sent, flushed] = stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(flushed).toEqual({ flushed: true });
    // Refused, the SDK drops the container for good (a 413 is final to it).
    expect(sent.statuses.length).toBeGreaterThan(0);
    expect(sent.statuses.every((s: number) => s === 200)).toBe(true);
    const { body } = await api('/sessions/span-stream-1');
    expect(body.operations).toBe(1001);
  });
});
