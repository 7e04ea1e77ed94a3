// OTLP/HTTP requests as other SDKs and exporters send them, through the real server: proto3
// zero values left off the wire, integer attributes, requests sent again, and projects that
// share trace and span ids.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { protobufOf } from './testing/otlp-protobuf';
import { startTestTracker, type TestTracker } from './testing/test-tracker';

let setup: TestTracker<'shop' | 'billing' | 'weekly' | 'private' | 'noIps'>;

beforeAll(async () => {
  setup = await startTestTracker('otlp-ingest', {
    shop: {},
    billing: {},
    weekly: { retentionDays: 7 },
    private: { scrub: { enabled: true, extraKeys: ['ssn'], safeKeys: ['session_id'] } },
    noIps: { scrub: { enabled: false, ipAddresses: true } },
  });
});

afterAll(() => setup?.close());

type Json = Record<string, unknown>;
const now = BigInt(Date.now()) * 1_000_000n;
const hex = (byte: string, bytes: number) => byte.repeat(bytes);

const span = (traceByte: string, extra: Json = {}): Json => ({
  traceId: hex(traceByte, 16),
  spanId: hex('5a', 8),
  name: 'GET /cart',
  startTimeUnixNano: String(now - 2_000_000n),
  endTimeUnixNano: String(now),
  ...extra,
});

const request = (spans: Json[], resource: Json[] = []) => ({
  resourceSpans: [{ resource: { attributes: resource }, scopeSpans: [{ spans }] }],
});

const corr = (value: Json) => ({ key: 'correlation_id', value });

/** A span event `memory` of one byte count. */
const memoryEvent = (timeUnixNano: string, bytes: string, key = 'process.memory.rss'): Json => ({
  name: 'memory',
  timeUnixNano,
  attributes: [{ key, value: { intValue: bytes } }],
});

/** Posts a request as JSON, or protobuf; answers the status and the response (read as JSON). */
async function post(
  req: ReturnType<typeof request>,
  { protobuf = false, project = setup.projects.shop } = {},
) {
  const res = await fetch(`${setup.tracker.url}/v1/traces`, {
    method: 'POST',
    headers: {
      'content-type': protobuf ? 'application/x-protobuf' : 'application/json',
      authorization: `Bearer ${project.key}`,
    },
    body: protobuf ? protobufOf(req) : JSON.stringify(req),
  });
  const body = protobuf
    ? undefined
    : ((await res.json()) as { partialSuccess?: { rejectedSpans: string; errorMessage: string } });
  return { status: res.status, body };
}

const session = async (id: string) => {
  const res = await fetch(`${setup.tracker.url}/api/v1/sessions/${id}`, {
    headers: { authorization: 'Bearer t' },
  });
  return { status: res.status, body: (await res.json()) as any }; // eslint-disable-line @typescript-eslint/no-explicit-any
};

it('refuses a span with a zero start time alike in JSON and protobuf (where the zero is left off)', async () => {
  const zero = request([
    span('01', { startTimeUnixNano: '0', attributes: [corr({ stringValue: 'zero-1' })] }),
  ]);
  expect(await post(zero)).toEqual({
    status: 200,
    body: {
      partialSuccess: {
        rejectedSpans: '1',
        errorMessage:
          'resourceSpans[0].scopeSpans[0].spans[0].startTimeUnixNano must be unix nanoseconds, got "0"',
      },
    },
  });
  const { startTimeUnixNano: _, ...unstarted } = zero.resourceSpans[0]!.scopeSpans[0]!.spans[0]!;
  expect((await post(request([unstarted]), { protobuf: true })).status).toBe(200);
  expect((await session('zero-1')).status).toBe(404);
});

it('stores a span with a memory event at time 0 without that snapshot', async () => {
  const req = request([
    span('02', {
      attributes: [corr({ stringValue: 'zero-2' })],
      events: [memoryEvent('0', '5')],
    }),
  ]);
  expect((await post(req)).body?.partialSuccess).toEqual({
    rejectedSpans: '0',
    errorMessage:
      'resourceSpans[0].scopeSpans[0].spans[0].events[0].timeUnixNano must be unix nanoseconds, got "0"',
  });
  expect((await session('zero-2')).body).toMatchObject({ operations: 1, memory: [] });
});

it('stores the spans of a protobuf request whose attributes have an empty key, leaving those out', async () => {
  const req = request(
    [
      span('03', {
        attributes: [corr({ stringValue: 'keyless-3' }), { value: { stringValue: 'x' } }],
      }),
    ],
    [
      { key: 'service.name', value: { stringValue: 'go-checkout' } },
      { value: { stringValue: 'y' } },
    ],
  );
  expect((await post(req, { protobuf: true })).status).toBe(200);
  const { body } = await session('keyless-3');
  expect(body.services).toEqual(['go-checkout']);
  expect(body.timeline[0].attributes).toEqual({ correlation_id: 'keyless-3' });
});

it('joins a span whose correlation_id is an integer with the Sentry event tagged by its text', async () => {
  const req = request(
    [
      span('04', { attributes: [corr({ intValue: '98765' })] }),
      span('04', { spanId: hex('6b', 8), attributes: [corr({ stringValue: '' })] }),
    ],
    [corr({ stringValue: 'resource-4' })],
  );
  expect((await post(req, { protobuf: true })).status).toBe(200);
  const { shop } = setup.projects;
  const event = JSON.stringify({
    event_id: hex('e4', 16),
    level: 'error',
    tags: { correlation_id: '98765' },
    exception: { values: [{ type: 'Error', value: 'order failed' }] },
  });
  const res = await fetch(`${setup.tracker.url}/api/${shop.id}/envelope/?sentry_key=${shop.key}`, {
    method: 'POST',
    body: `{}\n{"type":"event"}\n${event}\n`,
  });
  expect(res.status).toBe(200);
  expect((await session('98765')).body).toMatchObject({
    operations: 1,
    errorEvents: [{ eventId: hex('e4', 16), title: 'Error: order failed' }],
  });
  // An empty correlation_id on the span leaves the resource's.
  expect(
    (await session('resource-4')).body.timeline.map((o: { spanId: string }) => o.spanId),
  ).toEqual([hex('6b', 8)]);
});

it('keeps every digit of a 64-bit integer attribute', async () => {
  const big = [
    corr({ stringValue: 'int64-5' }),
    { key: 'order.id', value: { intValue: '9007199254740993' } },
    { key: 'count', value: { intValue: '12' } },
  ];
  expect((await post(request([span('05', { attributes: big })]), { protobuf: true })).status).toBe(
    200,
  );
  expect((await post(request([span('15', { attributes: big })]))).status).toBe(200);
  // Written as a JSON number, as the mapping's parsers read it too (JSON.parse alone rounds it
  // to …992).
  const text = JSON.stringify(request([span('25', { attributes: big })]));
  const asNumber = text.replace('"intValue":"9007199254740993"', '"intValue": 9007199254740993');
  expect(asNumber).not.toBe(text);
  const res = await fetch(`${setup.tracker.url}/v1/traces`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      authorization: `Bearer ${setup.projects.shop.key}`,
    },
    body: asNumber,
  });
  expect(res.status).toBe(200);
  const { body } = await session('int64-5');
  expect(body.timeline.map((o: { attributes: Json }) => o.attributes)).toEqual([
    { correlation_id: 'int64-5', 'order.id': '9007199254740993', count: 12 },
    { correlation_id: 'int64-5', 'order.id': '9007199254740993', count: 12 },
    { correlation_id: 'int64-5', 'order.id': '9007199254740993', count: 12 },
  ]);
});

it("keeps a double's NaN and ±Infinity apart from one another and from null, as the JSON mapping writes them", async () => {
  const doubles = (id: string, nan: unknown, inf: unknown, ninf: unknown) => [
    corr({ stringValue: id }),
    { key: 'nan', value: { doubleValue: nan } },
    { key: 'inf', value: { doubleValue: inf } },
    { key: 'ninf', value: { doubleValue: ninf } },
    { key: 'half', value: { doubleValue: 0.5 } },
  ];
  // protobuf's doubles, and the JSON mapping's names for them; stored as JSON, all three were null.
  const pb = request([span('06', { attributes: doubles('double-6', NaN, Infinity, -Infinity) })]);
  expect((await post(pb, { protobuf: true })).status).toBe(200);
  const json = request([
    span('16', { attributes: doubles('double-6', 'NaN', 'Infinity', '-Infinity') }),
  ]);
  expect((await post(json)).status).toBe(200);
  // A JavaScript exporter's JSON has null for each (JSON.stringify): null it stays.
  expect(
    (await post(request([span('26', { attributes: doubles('double-6', null, null, null) })])))
      .status,
  ).toBe(200);
  const { body } = await session('double-6');
  const kept = { nan: 'NaN', inf: 'Infinity', ninf: '-Infinity', half: 0.5 };
  expect(body.timeline.map((o: { attributes: Json }) => o.attributes)).toEqual([
    { correlation_id: 'double-6', ...kept },
    { correlation_id: 'double-6', ...kept },
    { correlation_id: 'double-6', nan: null, inf: null, ninf: null, half: 0.5 },
  ]);
});

it('stores a request sent again (an exporter’s retry) once, memory snapshots included', async () => {
  const req = request([
    span('06', {
      attributes: [corr({ stringValue: 'retry-6' })],
      events: [memoryEvent(String(now - 1_000_000n), '1000')],
    }),
  ]);
  expect((await post(req)).status).toBe(200);
  expect((await post(req)).status).toBe(200);
  const { body } = await session('retry-6');
  expect(body).toMatchObject({ operations: 1, memory: [{ rss: 1000 }] });
  expect(body.memory).toHaveLength(1);
});

it('stores each memory event of a span sent again once: two at one time, and a span dated by its arrival', async () => {
  // Ten minutes ahead, so each post dates the span and its snapshots anew by its own arrival;
  // and the two events share a time. Keyed by time, the retry stored both again, and the
  // second event was dropped as a copy of the first.
  const ahead = now + 600_000_000_000n;
  const at = String(ahead - 1_000_000n);
  const req = request([
    span('1d', {
      startTimeUnixNano: String(ahead - 2_000_000n),
      endTimeUnixNano: String(ahead),
      attributes: [corr({ stringValue: 'retry-1d' })],
      events: [memoryEvent(at, '1000'), memoryEvent(at, '2000', 'process.memory.heap_used')],
    }),
  ]);
  expect((await post(req)).status).toBe(200);
  await new Promise((resolve) => setTimeout(resolve, 20));
  expect((await post(req)).status).toBe(200);
  const { body } = await session('retry-1d');
  expect(body.operations).toBe(1);
  expect(body.memory.map((m: Json) => [m.rss ?? null, m.heapUsed ?? null])).toEqual([
    [1000, null],
    [null, 2000],
  ]);
});

it('keeps one project’s span when another project sends the same trace and span ids', async () => {
  const mine = span('07', { name: 'shop span', attributes: [corr({ stringValue: 'shop-7' })] });
  const theirs = {
    ...mine,
    name: 'billing span',
    attributes: [corr({ stringValue: 'billing-7' })],
  };
  expect((await post(request([mine]))).status).toBe(200);
  expect((await post(request([theirs]), { project: setup.projects.billing })).status).toBe(200);
  const names = async (id: string) =>
    (await session(id)).body.timeline.map((o: { name: string }) => o.name);
  expect(await names('shop-7')).toEqual(['shop span']);
  expect(await names('billing-7')).toEqual(['billing span']);
});

it('dates a span a clock years fast sent by its arrival, keeping its length and its snapshot', async () => {
  const ahead = BigInt(Date.UTC(2035, 0, 1)) * 1_000_000n;
  const sentAt = Date.now();
  const req = request([
    span('0b', {
      startTimeUnixNano: String(ahead - 2_000_000_000n),
      endTimeUnixNano: String(ahead),
      attributes: [corr({ stringValue: 'fast-clock-11' })],
      events: [memoryEvent(String(ahead - 1_000_000_000n), '5')],
    }),
  ]);
  expect((await post(req)).status).toBe(200);
  const { body } = await session('fast-clock-11');
  const end = Date.parse(body.timeline[0].end);
  expect(end).toBeGreaterThanOrEqual(sentAt);
  expect(end).toBeLessThanOrEqual(Date.now());
  expect(body.timeline[0].durationMs).toBe(2_000);
  expect(Date.parse(body.memory[0].time)).toBe(end - 1_000);
});

it('refuses, as a partial success, the spans that ended before the project’s retention, with their snapshots', async () => {
  const day = 86_400_000_000_000n; // ns
  const at = (ns: bigint) => ({
    startTimeUnixNano: String(ns - 1_000_000n),
    endTimeUnixNano: String(ns),
  });
  const memory = (ns: bigint) => [memoryEvent(String(ns - 500_000n), '7')];
  const req = request([
    // Ended 8 days ago: past the weekly project's 7 days (the sweep would delete it).
    span('0e', {
      ...at(now - 8n * day),
      attributes: [corr({ stringValue: 'old-8d' })],
      events: memory(now - 8n * day),
    }),
    // Ended 6 days ago: kept.
    span('0f', {
      ...at(now - 6n * day),
      spanId: hex('6b', 8),
      attributes: [corr({ stringValue: 'recent-6d' })],
    }),
  ]);
  for (const protobuf of [false, true]) {
    const { status, body } = await post(req, { protobuf, project: setup.projects.weekly });
    expect(status).toBe(200);
    if (!protobuf)
      expect(body?.partialSuccess).toEqual({
        rejectedSpans: '1',
        errorMessage: "1 span(s) ended before the project's retention of 7 days",
      });
  }
  expect((await session('old-8d')).status).toBe(404);
  expect((await session('recent-6d')).body).toMatchObject({ operations: 1 });
  // The default project (30 days) keeps a span of 8 days ago.
  expect((await post(req)).body?.partialSuccess).toBeUndefined();
  expect((await session('old-8d')).body).toMatchObject({
    operations: 1,
    memory: [expect.anything()],
  });
});

it('leaves out, and names, a memory snapshot dated before the retention in a span it keeps', async () => {
  // The sweep deletes snapshots by their own time: answered as stored, this one was gone within
  // the hour (its span, ending now, stayed).
  const day = 86_400_000_000_000n; // ns
  const req = request([
    span('10', {
      spanId: hex('7c', 8),
      attributes: [corr({ stringValue: 'old-snapshot' })],
      events: [
        memoryEvent(String(now - 8n * day), '7'),
        memoryEvent(String(now - 1_000_000n), '9'),
      ],
    }),
  ]);
  const { status, body } = await post(req, { project: setup.projects.weekly });
  expect([status, body?.partialSuccess]).toEqual([
    200,
    {
      rejectedSpans: '0',
      errorMessage:
        "1 memory snapshot(s) dated before the project's retention of 7 days were left out",
    },
  ]);
  const stored = (await session('old-snapshot')).body;
  expect([stored.operations, stored.memory.map((m: { rss: number }) => m.rss)]).toEqual([1, [9]]);
});

it("scrubs a span's name and status message by its project's extra and safe keys", async () => {
  const sent = (id: string) =>
    request([
      span('0c', {
        spanId: hex(id === 'priv-1' ? '7c' : '8c', 8),
        name: 'GET /apply?ssn=123456789&session_id=s-1&token=t0k',
        status: { code: 2, message: 'refused ssn=987654321' },
        attributes: [corr({ stringValue: id })],
      }),
    ]);
  const stored = async (id: string) => {
    const [op] = (await session(id)).body.timeline as { name: string; statusMessage?: string }[];
    return [op?.name, op?.statusMessage];
  };
  expect((await post(sent('priv-1'), { project: setup.projects.private })).status).toBe(200);
  expect(await stored('priv-1')).toEqual([
    'GET /apply?ssn=[Filtered]&session_id=s-1&token=[Filtered]',
    'refused ssn=[Filtered]',
  ]);
  // The same span in a project with the default settings: ssn is a plain name there, session_id not.
  expect((await post(sent('shop-1'))).status).toBe(200);
  expect(await stored('shop-1')).toEqual([
    'GET /apply?ssn=123456789&session_id=[Filtered]&token=[Filtered]',
    'refused ssn=987654321',
  ]);
});

it('keeps IP addresses out of the spans of a project that asks it, its other scrubbing off', async () => {
  const sent = (id: string) =>
    request([
      span('0d', {
        spanId: hex(id === 'ips-1' ? '7d' : '8d', 8),
        name: 'GET /from/203.0.113.9?token=t0k',
        attributes: [
          corr({ stringValue: id }),
          { key: 'peer', value: { stringValue: '10.1.2.3' } },
        ],
      }),
    ]);
  const stored = async (id: string) => {
    const [op] = (await session(id)).body.timeline as {
      name: string;
      attributes: Record<string, unknown>;
    }[];
    return [op?.name, op?.attributes.peer];
  };
  expect((await post(sent('ips-1'), { project: setup.projects.noIps })).status).toBe(200);
  // Scrubbing off otherwise: the token stays, the addresses do not.
  expect(await stored('ips-1')).toEqual(['GET /from/[ip]?token=t0k', '[ip]']);
  expect((await post(sent('ips-2'))).status).toBe(200);
  expect(await stored('ips-2')).toEqual(['GET /from/203.0.113.9?token=[Filtered]', '10.1.2.3']);
});

it.each([false, true])(
  'stores a collector’s batch of 3,000 spans, read and written in steps (protobuf: %s)',
  async (protobuf) => {
    // 150 traces of 20 spans; only each trace's first span names its session, so the others
    // join it through the trace's link, which the batch's first step makes.
    const id = `batch-${protobuf ? 'pb' : 'json'}`;
    const spans = Array.from({ length: 3_000 }, (_, i) =>
      span('0b', {
        traceId: (protobuf ? 'b' : 'c') + String(Math.floor(i / 20)).padStart(31, '0'),
        spanId: (i + 1).toString(16).padStart(16, '0'),
        name: `step ${i}`,
        attributes: [
          { key: 'note', value: { stringValue: 'x'.repeat(40) } },
          ...(i % 20 === 0 ? [corr({ stringValue: `${id}-${Math.floor(i / 20) % 3}` })] : []),
        ],
      }),
    );
    const req = request(spans, [{ key: 'service.name', value: { stringValue: 'collector' } }]);
    if (!protobuf) expect(JSON.stringify(req).length).toBeGreaterThan(256 * 1024);
    expect((await post(req, { protobuf })).status).toBe(200);
    // The traces go to three sessions in turn: 50 traces, 1,000 spans each.
    for (const n of [0, 1, 2]) {
      const { status, body } = await session(`${id}-${n}`);
      expect(status).toBe(200);
      expect(body.operations).toBe(1_000);
    }
  },
);

describe("Sentry's OTLP paths, as its SDKs' OTLP integrations derive them from the DSN", () => {
  /**
   * Exports one span, named and tagged by `id`, with the real OpenTelemetry OTLP/HTTP exporter,
   * in a process of its own (the exporter imports modules dynamically, which jest's VM refuses);
   * answers the export's result code (0 is SUCCESS) and error.
   */
  const EXPORT_ONE_SPAN = `
const { OTLPTraceExporter } = require('@opentelemetry/exporter-trace-otlp-http');
const { BasicTracerProvider } = require('@opentelemetry/sdk-trace-base');
const { resourceFromAttributes } = require('@opentelemetry/resources');
const [url, headers, id] = [process.argv[1], JSON.parse(process.argv[2]), process.argv[3]];
const exporter = new OTLPTraceExporter({ url, headers });
const provider = new BasicTracerProvider({ resource: resourceFromAttributes({ 'service.name': 'checkout' }) });
const span = provider.getTracer('beacon-test').startSpan(id, { attributes: { correlation_id: id } });
span.end();
exporter.export([span], (r) => {
  process.stdout.write(JSON.stringify({ code: r.code, error: r.error && String(r.error) }));
  exporter.shutdown();
});
`;
  const exportSpan = async (url: string, headers: Record<string, string>, id: string) => {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['-e', EXPORT_ONE_SPAN, url, JSON.stringify(headers), id],
      { cwd: __dirname },
    );
    return JSON.parse(stdout) as { code: number; error?: string };
  };
  const base = () => setup.tracker.url;
  const auth = (key: string) => ({ 'x-sentry-auth': `sentry sentry_key=${key}, sentry_version=7` });

  it.each([
    ['integration/otlp/v1/traces/', 'sentry-otlp-1'],
    ['integration/otlp/v1/traces', 'sentry-otlp-2'],
    ['otlp/v1/traces', 'sentry-otlp-3'],
  ])('stores the spans sent to /api/{project}/%s with X-Sentry-Auth', async (path, id) => {
    const { shop } = setup.projects;
    const result = await exportSpan(`${base()}/api/${shop.id}/${path}`, auth(shop.key), id);
    expect(result).toEqual({ code: 0 }); // ExportResultCode.SUCCESS
    const { status, body } = await session(id);
    expect([status, body.timeline.map((o: { name: string }) => o.name)]).toEqual([200, [id]]);
  });

  it("refuses a key that is not the path's project's, or none, with 401 naming why", async () => {
    const { shop, billing } = setup.projects;
    const post = (path: string, headers: Record<string, string>) =>
      fetch(`${base()}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify(request([span('0c')])),
      }).then(async (r) => [r.status, await r.json()]);
    const path = `/api/${billing.id}/integration/otlp/v1/traces/`;
    expect(await post(path, auth(shop.key))).toEqual([
      401,
      { code: 16, message: `the project key is not project ${billing.id}'s` },
    ]);
    expect(await post(path, {})).toEqual([
      401,
      { code: 16, message: 'missing X-Sentry-Auth: Sentry sentry_key=<project key>' },
    ]);
    // The query's sentry_key, as Relay reads an event's.
    expect(await post(`${path}?sentry_key=${billing.key}`, {})).toEqual([200, {}]);
  });
});
