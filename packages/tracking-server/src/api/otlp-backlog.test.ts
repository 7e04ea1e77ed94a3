// OTLP admission by work: once the spans taken and not yet stored reach the backlog's limit, a
// request is answered 503 UNAVAILABLE with Retry-After in its own encoding (the OTLP spec's
// throttling, which exporters retry), counted as `overloaded`. Requests are served in the order
// taken, and one whose exporter gave up before its turn came is not stored. A commit held at a
// gate keeps the backlog where the test wants it.
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RpcStatus } from '../ingest/otlp-proto';
import { SpanBacklog } from '../ingest/span-backlog';
import { DEFAULT_SETTINGS, type Project } from '../projects';
import type { Repository } from '../store/repository';
import { openSqlite } from '../store/sqlite';
import { inlineWriter } from '../store/writer';
import { silentLogger } from '../telemetry/logger';
import { createTrackerMetrics, type TrackerMetrics } from '../telemetry/metrics';
import { type Gate, gatedWriter, type GatedWriter } from '../testing/gated-writer';
import { protobufOf } from '../testing/otlp-protobuf';
import { createApp } from './app';

const project: Project = { ...DEFAULT_SETTINGS, id: 1, name: 'shop', key: 'k1' };
const LIMIT = 100;
const BUSY = `the tracker is storing as many spans as it takes at once (${LIMIT}); send it again shortly`;

let dir: string;
let repo: Repository;
let server: Server;
let url: string;
let metrics: TrackerMetrics;
let commits: GatedWriter;
/** Spans in progress at once: one request of 40 spans waits for another's turn to end. */
const TURN = 50;
const backlog = new SpanBacklog({ limit: LIMIT, turn: TURN });
/** By its `x-test` header, each request whose response has closed. */
const closed = new Map<string, Promise<void>>();

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'beacon-otlp-backlog-'));
  repo = openSqlite(join(dir, 'tracker.db'));
  metrics = createTrackerMetrics({ defaultMetrics: false });
  commits = gatedWriter(inlineWriter(repo));
  const app = createApp({
    repo,
    writer: commits.writer,
    projects: () => [project],
    apiToken: 't',
    metrics,
    logger: silentLogger,
    spanBacklog: backlog,
  });
  server = createServer((req, res) => {
    // Listening before the app does: a listener the app adds runs after this one.
    const name = req.headers['x-test'];
    if (typeof name === 'string')
      closed.set(name, new Promise<void>((r) => res.once('close', () => r())));
    app(req, res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/traces`;
});

/** The test's closed gate, opened after it whatever it found (or the next test waits at it). */
let gate: Gate | undefined;
afterEach(() => gate?.open());

afterAll(async () => {
  await new Promise((r) => server.close(r));
  repo.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A request of `spans` spans ending now, in trace `traceByte`. */
const request = (traceByte: string, spans: number) => {
  const now = BigInt(Date.now()) * 1_000_000n;
  return {
    resourceSpans: [
      {
        scopeSpans: [
          {
            spans: Array.from({ length: spans }, (_, i) => ({
              traceId: traceByte.repeat(16),
              spanId: (i + 1).toString(16).padStart(16, '0'),
              name: 'GET /',
              startTimeUnixNano: String(now - 1_000_000n),
              endTimeUnixNano: String(now),
            })),
          },
        ],
      },
    ],
  };
};

const post = async (body: string | Buffer, type = 'application/json') => {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': type, authorization: `Bearer ${project.key}` },
    body,
  });
  const bytes = Buffer.from(await res.arrayBuffer());
  return {
    status: res.status,
    type: res.headers.get('content-type'),
    retryAfter: res.headers.get('retry-after'),
    bytes,
  };
};

const overloaded = async () =>
  (
    await metrics.registry.getSingleMetric('beacon_tracker_rejected_requests_total')?.get()
  )?.values.find((v) => v.labels.reason === 'overloaded')?.value ?? 0;

it('answers 503 UNAVAILABLE with Retry-After once the spans not yet stored would pass the limit, and takes them once stored', async () => {
  gate = commits.close();
  const first = post(JSON.stringify(request('a1', 80)));
  await gate.reached; // its 80 spans taken, and held at the store
  expect(backlog.spans).toBe(80);

  const json = await post(JSON.stringify(request('b2', 40)));
  expect([json.status, json.type, json.retryAfter, JSON.parse(json.bytes.toString())]).toEqual([
    503,
    'application/json',
    '2',
    { code: 14, message: BUSY },
  ]);
  // Now draining: refused before its body is read, though it would fit (a body that is no
  // request at all gets the 503, not the 400 its reading would give).
  const early = await post(Buffer.from('not a request'), 'application/x-protobuf');
  expect([early.status, early.type, early.retryAfter]).toEqual([
    503,
    'application/x-protobuf',
    '2',
  ]);
  expect(RpcStatus.toObject(RpcStatus.decode(early.bytes))).toEqual({ code: 14, message: BUSY });
  expect(await overloaded()).toBe(2);

  gate.open();
  expect((await first).status).toBe(200);
  expect(backlog.spans).toBe(0);
  expect((await post(protobufOf(request('b2', 40)), 'application/x-protobuf')).status).toBe(200);
  expect(backlog.spans).toBe(0);
});

it('takes a request larger than the limit alone', async () => {
  expect((await post(JSON.stringify(request('c3', 3 * LIMIT)))).status).toBe(200);
  expect(backlog.spans).toBe(0);
});

const spansStored = async () =>
  (
    await metrics.registry.getSingleMetric('beacon_tracker_spans_ingested_total')?.get()
  )?.values.reduce((sum, v) => sum + v.value, 0) ?? 0;

it('does not store a request whose exporter gave up while it waited for its turn', async () => {
  const before = await spansStored();
  gate = commits.close();
  const first = post(JSON.stringify(request('d4', 40)));
  await gate.reached; // its turn came: at the store
  // The second is taken (80 spans of 100) and waits: 80 is past a turn's 50.
  const second = httpRequest(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      authorization: `Bearer ${project.key}`,
      'x-test': 'second',
    },
  });
  second.on('error', () => {}); // the connection it closes itself
  second.end(JSON.stringify(request('e5', 40)));
  for (let i = 0; i < 500 && backlog.spans < 80; i++) await new Promise((r) => setTimeout(r, 10));
  expect(backlog.spans).toBe(80);
  second.destroy(); // as an exporter's timeout does
  await closed.get('second');
  gate.open();
  expect((await first).status).toBe(200);
  for (let i = 0; i < 500 && backlog.spans > 0; i++) await new Promise((r) => setTimeout(r, 10));
  expect(backlog.spans).toBe(0);
  // Only the first's: the second was never acknowledged, and its turn went unused.
  expect((await spansStored()) - before).toBe(40);
});
