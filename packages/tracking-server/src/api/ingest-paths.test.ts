// Sentry ingest paths whose project id is no project id: answered in Sentry's protocol (JSON,
// X-Sentry-Error), never express's HTML error page, and a POST is not told to use POST; nor is
// one to the OTLP path in another case. OTLP's logs and metrics paths answer in OTLP's protocol.
import { RpcStatus } from '../ingest/otlp-proto';
import type { RunningTracker } from '../main';
import { startTestTracker, type TestTracker } from '../testing/test-tracker';

let setup: TestTracker<'paths'>;
let tracker: RunningTracker;

beforeAll(async () => {
  setup = await startTestTracker('ingest-paths', { paths: {} }, 'test-token');
  ({ tracker } = setup);
});

afterAll(() => setup?.close());

const envelope = '{}\n{"type":"event"}\n{"message":"x"}\n';

describe('ingest paths whose project id is not 1 to 15 digits', () => {
  it.each([
    ['/api/abc/envelope/', 'abc'],
    ['/api/abc/store/', 'abc'],
    ['/api/1234567890123456/envelope/', '1234567890123456'],
    ['/api/%zz/envelope', '%zz'],
  ])('answers a POST to %s 400 naming the project id, as Relay does', async (path, id) => {
    const res = await fetch(`${tracker.url}${path}`, { method: 'POST', body: envelope });
    const detail = `bad project path parameter: the project id must be 1 to 15 digits, got "${id}"`;
    expect([
      res.status,
      res.headers.get('content-type'),
      res.headers.get('x-sentry-error'),
      res.headers.get('access-control-allow-origin'),
      await res.json(),
    ]).toEqual([400, 'application/json; charset=utf-8', detail, '*', { detail }]);
  });

  it('answers another method on a path that does not decode 405 in JSON, not an HTML page', async () => {
    for (const [path, method, allow] of [
      ['/api/%zz/envelope/', 'GET', 'POST'],
      ['/api/%zz/store', 'PUT', 'GET, POST'],
    ]) {
      const res = await fetch(`${tracker.url}${path}`, { method });
      expect([
        res.status,
        res.headers.get('allow'),
        res.headers.get('content-type'),
        await res.text(),
      ]).toEqual([
        405,
        allow,
        'application/json; charset=utf-8',
        `{"detail":"method not allowed: ${allow}"}`,
      ]);
    }
  });

  it('counts such a POST as a malformed request', async () => {
    await fetch(`${tracker.url}/api/nope/envelope/`, { method: 'POST', body: envelope });
    const text = await (await fetch(`${tracker.url}/metrics`)).text();
    expect(text).toMatch(/^beacon_tracker_rejected_requests_total\{reason="malformed"\} [1-9]/m);
  });
});

describe('the OTLP path written in another case', () => {
  it('answers a POST 404, not 405 telling it to POST', async () => {
    const res = await fetch(`${tracker.url}/V1/Traces`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect([res.status, res.headers.get('allow'), await res.json()]).toEqual([
      404,
      null,
      { code: 5, message: 'not found: /V1/Traces (OTLP traces are at /v1/traces)' },
    ]);
  });

  it('answers a protobuf POST in protobuf', async () => {
    const res = await fetch(`${tracker.url}/V1/traces`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-protobuf' },
      body: Buffer.from([]),
    });
    expect([res.status, res.headers.get('content-type')]).toEqual([404, 'application/x-protobuf']);
    expect(RpcStatus.toObject(RpcStatus.decode(Buffer.from(await res.arrayBuffer())))).toEqual({
      code: 5,
      message: 'not found: /V1/traces (OTLP traces are at /v1/traces)',
    });
  });
});

describe("OTLP's other signals, which this tracker does not take", () => {
  const unsupported = async () => {
    const text = await (await fetch(`${tracker.url}/metrics`)).text();
    return Number(
      /^beacon_tracker_rejected_requests_total\{reason="unsupported"\} (\d+)/m.exec(text)?.[1],
    );
  };

  it.each(['/v1/logs', '/v1/metrics'])(
    'answers a POST to %s 404 with a google.rpc.Status in JSON and in protobuf, as sent, counted',
    async (path) => {
      const before = await unsupported();
      const message = `not found: ${path} (this tracker takes OTLP traces only, at /v1/traces)`;
      const json = await fetch(`${tracker.url}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"resourceLogs":[]}',
      });
      expect([json.status, json.headers.get('content-type'), await json.json()]).toEqual([
        404,
        'application/json',
        { code: 5, message },
      ]);
      const protobuf = await fetch(`${tracker.url}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-protobuf' },
        body: Buffer.from([0x0a, 0x00]),
      });
      expect([protobuf.status, protobuf.headers.get('content-type')]).toEqual([
        404,
        'application/x-protobuf',
      ]);
      const status = RpcStatus.decode(Buffer.from(await protobuf.arrayBuffer()));
      expect(RpcStatus.toObject(status)).toEqual({ code: 5, message });
      expect(await unsupported()).toBe(before + 2);
    },
  );
});
