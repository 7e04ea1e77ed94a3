// The OTLP/HTTP route's answers, on node:http, as the spec (opentelemetry-proto
// docs/specification.md, "OTLP/HTTP Response") and the exporters that read them have it.
import { createServer, request as httpRequest, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { BodyBudget } from '../ingest/body';
import { otlpTraces } from './otlp';
import { DEFAULT_SETTINGS, type Project } from '../projects';
import { protobufOf } from '../testing/otlp-protobuf';

const project: Project = { ...DEFAULT_SETTINGS, id: 1, name: 'shop', key: 'k1' };
const now = Date.now();
const nanos = (ms: number) => String(BigInt(ms) * 1_000_000n);

const request = (spans: Record<string, unknown>[]) => ({
  resourceSpans: [{ scopeSpans: [{ spans }] }],
});
const span = (spanId: string, extra: Record<string, unknown> = {}) => ({
  traceId: '5b8efff798038103d269b633813fc60c',
  spanId,
  name: 'GET /',
  startTimeUnixNano: nanos(now - 1_000),
  endTimeUnixNano: nanos(now),
  ...extra,
});

let server: Server;
let url: string;
let stored: number;
let failStore: boolean;
let failClock: boolean;

beforeAll(async () => {
  const handler = otlpTraces({
    projectByKey: (key) => (key === project.key ? project : undefined),
    writer: {
      writeTraces: async (_id, operations) => {
        if (failStore) throw new Error('disk full');
        stored += operations.length;
        return [];
      },
    },
    onStored: () => undefined,
    onRejected: () => undefined,
    onFailed: () => undefined,
    bodyBudget: new BodyBudget(),
    now: () => {
      if (failClock) throw new TypeError('a fault of the tracker');
      return Date.now();
    },
  });
  server = createServer((req, res) => void handler(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/traces`;
});

beforeEach(() => {
  stored = 0;
  failStore = false;
  failClock = false;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const post = (type: string, body: string | Uint8Array, headers: Record<string, string> = {}) =>
  fetch(url, {
    method: 'POST',
    headers: { 'content-type': type, authorization: `Bearer ${project.key}`, ...headers },
    body,
  });

describe('OTLP/HTTP answers', () => {
  it('answers JSON with Content-Type exactly application/json, whatever parameters the request had', async () => {
    const full = await post(
      'application/json; charset=utf-8',
      JSON.stringify(request([span('eee19b7ec3c1b174')])),
    );
    expect([full.status, full.headers.get('content-type'), await full.text()]).toEqual([
      200,
      'application/json',
      '{}',
    ]);
    const partial = await post(
      'Application/JSON',
      JSON.stringify(request([span('eee19b7ec3c1b174'), span('xyz')])),
    );
    expect([partial.status, partial.headers.get('content-type'), await partial.json()]).toEqual([
      200,
      'application/json',
      {
        partialSuccess: {
          rejectedSpans: '1',
          errorMessage:
            'resourceSpans[0].scopeSpans[0].spans[1].spanId must be 16 hex digits, got "xyz"',
        },
      },
    ]);
    expect(stored).toBe(2);
    const refused = await post('application/json; charset=utf-8', '[]');
    expect([refused.status, refused.headers.get('content-type'), await refused.json()]).toEqual([
      400,
      'application/json',
      { code: 3, message: 'body must be a JSON object' },
    ]);
  });

  it('answers protobuf in the media type the request named', async () => {
    const body = protobufOf(request([span('eee19b7ec3c1b174')]));
    for (const type of ['application/x-protobuf', 'application/protobuf']) {
      const res = await post(type, body);
      // An ExportTraceServiceResponse with no partial_success is no bytes at all.
      expect([
        res.status,
        res.headers.get('content-type'),
        (await res.arrayBuffer()).byteLength,
      ]).toEqual([200, type, 0]);
    }
    const gzipped = await post('application/x-protobuf', gzipSync(body), {
      'content-encoding': 'gzip',
    });
    expect(gzipped.status).toBe(200);
    expect(stored).toBe(3);
  });

  it('answers a fault of its own 500 with google.rpc.Code INTERNAL (13), in JSON and protobuf', async () => {
    failClock = true;
    const json = await post('application/json', JSON.stringify(request([])));
    expect([json.status, await json.json()]).toEqual([
      500,
      { code: 13, message: 'the request could not be read' },
    ]);
    const proto = await post('application/x-protobuf', new Uint8Array());
    expect(proto.status).toBe(500);
    // google.rpc.Status on the wire: field 1 (code) varint 13, then field 2 (message).
    const bytes = Buffer.from(await proto.arrayBuffer());
    expect([...bytes.subarray(0, 3)]).toEqual([0x08, 13, 0x12]);
    expect(bytes.subarray(4).toString()).toBe('the request could not be read');
  });

  it('answers a store failure 503 with google.rpc.Code UNAVAILABLE (14)', async () => {
    failStore = true;
    const res = await post('application/json', JSON.stringify(request([span('eee19b7ec3c1b174')])));
    expect([res.status, res.headers.get('content-type'), await res.json()]).toEqual([
      503,
      'application/json',
      { code: 14, message: 'the spans could not be stored; try again' },
    ]);
  });
});

describe('OTLP/HTTP refusals', () => {
  it('answers a missing or unknown key 401 with google.rpc.Code UNAUTHENTICATED (16), in JSON and protobuf', async () => {
    // google/rpc/code.proto: UNAUTHENTICATED = 16, "does not have valid authentication credentials".
    const missing = await post('application/json', JSON.stringify(request([])), {
      authorization: '',
    });
    expect([missing.status, await missing.json()]).toEqual([
      401,
      { code: 16, message: 'missing Authorization: Bearer <project key>' },
    ]);
    const unknown = await post('application/x-protobuf', new Uint8Array(), {
      authorization: 'Bearer not-a-key',
    });
    expect(unknown.status).toBe(401);
    // google.rpc.Status on the wire: field 1 (code) varint 16, then field 2 (message).
    const bytes = Buffer.from(await unknown.arrayBuffer());
    expect([...bytes.subarray(0, 3)]).toEqual([0x08, 16, 0x12]);
    expect(bytes.subarray(4).toString()).toBe('unknown project key');
    expect(stored).toBe(0);
  });

  it('answers a body declared over 20 MB 413 and closes the connection rather than read the rest', async () => {
    const answer = await new Promise<IncomingMessage>((resolve, reject) => {
      const req = httpRequest(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          authorization: `Bearer ${project.key}`,
          'content-length': 20 * 1024 * 1024 + 1,
        },
      });
      req.on('response', (res) => {
        res.resume();
        resolve(res);
        req.destroy();
      });
      req.on('error', reject);
      req.write('{');
    });
    expect([answer.statusCode, answer.headers.connection]).toEqual([413, 'close']);
    expect(stored).toBe(0);
  });
});
