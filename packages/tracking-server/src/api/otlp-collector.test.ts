// Requests as a real OpenTelemetry Collector sends them, replayed from recordings: see
// src/testing/recorded/otelcol-0.165.0/README.md for how and when each was captured (by hand,
// from a Collector v0.165.0 built from its Go modules; no test builds or runs the Collector).
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { BodyBudget } from '../ingest/body';
import type { MemorySnapshot, Operation } from '../ingest/otlp';
import { ExportTraceServiceResponse } from '../ingest/otlp-proto';
import { DEFAULT_SETTINGS, type Project } from '../projects';
import { otlpTraces } from './otlp';

const RECORDED = join(__dirname, '..', 'testing', 'recorded', 'otelcol-0.165.0');
/** When the Collector sent it (README.md), so its spans are neither ahead nor expired. */
const SENT_AT = 1796293444722;
const project: Project = { ...DEFAULT_SETTINGS, id: 1, name: 'shop', key: 'k1' };

let server: Server;
let url: string;
let operations: Operation[];
let memory: MemorySnapshot[];

beforeAll(async () => {
  const handler = otlpTraces({
    projectByKey: (key) => (key === project.key ? project : undefined),
    writer: {
      writeTraces: async (_id, ops, mem) => {
        operations.push(...ops);
        memory.push(...mem);
        return [];
      },
    },
    onStored: () => undefined,
    onRejected: () => undefined,
    onFailed: () => undefined,
    bodyBudget: new BodyBudget(),
    now: () => SENT_AT + 50,
  });
  server = createServer((req, res) => void handler(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/traces`;
});

beforeEach(() => {
  operations = [];
  memory = [];
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('a Collector otlphttp exporter', () => {
  it('with `compression: zlib` (Content-Encoding: zlib) has its batch stored, not refused with a 415 it would drop', async () => {
    const res = await fetch(url, {
      method: 'POST',
      // The recorded request's headers, the project key aside.
      headers: {
        'content-type': 'application/x-protobuf',
        'content-encoding': 'zlib',
        'user-agent': 'mini/0.165.0 (linux/amd64)',
        authorization: `Bearer ${project.key}`,
      },
      body: readFileSync(join(RECORDED, 'traces-zlib.bin')),
    });
    const body = new Uint8Array(await res.arrayBuffer());
    expect([res.status, res.headers.get('content-type')]).toEqual([200, 'application/x-protobuf']);
    // What the exporter reads: an ExportTraceServiceResponse with no partial success.
    expect(ExportTraceServiceResponse.toObject(ExportTraceServiceResponse.decode(body))).toEqual(
      {},
    );
    expect(operations.map((o) => [o.service, o.correlationId, o.name])).toEqual([
      ['go-burst', 'zlib1-0-0', 'op 0'],
      ['go-burst', 'zlib1-0-1', 'op 1'],
      ['go-burst', 'zlib1-0-2', 'op 2'],
    ]);
    expect(memory.map((m) => [m.correlationId, m.rss, m.heapUsed])).toEqual([
      ['zlib1-0-0', 100000000, 50000000],
      ['zlib1-0-1', 100000001, 50000001],
      ['zlib1-0-2', 100000002, 50000002],
    ]);
  });
});
