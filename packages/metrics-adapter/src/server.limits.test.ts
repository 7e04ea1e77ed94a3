// Limits the README promises at their edges, each with its number from upstream: the gzip
// threshold (k8s.io/apiserver's responsewriters: `len(p) > defaultGzipThresholdBytes`,
// 128 * 1024), the longest namespace and object name a path may carry (apimachinery's
// DNS1123LabelMaxLength 63, DNS1123SubdomainMaxLength 253), and the age of the samples served
// (`beacon_adapter_value_age_seconds`: request time minus the oldest sample's time).
import type { AddressInfo } from 'node:net';
import { createServer, request, type IncomingHttpHeaders, type Server } from 'node:http';
import { gunzipSync } from 'node:zlib';
import type { ObjectSample } from './api/wire';
import { allowAll, allowAnonymous } from './auth/types';
import { fakeProvider, type FakeData } from './provider/fake';
import { createApp } from './server';
import { memoryLogger } from './telemetry/logger';
import { createAdapterMetrics } from './telemetry/metrics';

const NOW_MS = 1700000010_000;
const pod = (name: string) => ({ kind: 'Pod', namespace: 'platform', name, apiVersion: '/v1' });

let server: Server | undefined;
let base = '';

async function start(data: FakeData) {
  const metrics = createAdapterMetrics({ defaultMetrics: false });
  server = createServer(
    createApp({
      provider: fakeProvider(data),
      authenticate: allowAnonymous,
      authorize: allowAll,
      metrics,
      logger: memoryLogger(),
      version: { gitVersion: 'v0.1.0' },
      now: () => NOW_MS,
    }),
  );
  await new Promise<void>((r) => server?.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return metrics;
}

afterEach(async () => {
  await new Promise((r) => server?.close(r));
  server = undefined;
});

// node:http, not fetch: fetch asks for gzip itself and hides what was sent.
const raw = (path: string, headers: Record<string, string> = {}) =>
  new Promise<{ status: number; headers: IncomingHttpHeaders; body: Buffer }>((resolve, reject) => {
    request(base + path, { headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks),
        }),
      );
    })
      .on('error', reject)
      .end();
  });

describe('gzip threshold: bodies of 128 KiB and less go as they are', () => {
  const PATH =
    '/apis/custom.metrics.k8s.io/v1beta2/namespaces/platform/pods/*/websocket_connections';
  const THRESHOLD = 128 * 1024;
  // Mutable: the fake provider reads its answer at each request.
  const objects: Record<string, ObjectSample[]> = {};
  const items = (padding: number[]) =>
    padding.map((extra, i) => ({
      describedObject: pod(`p-${String(i).padStart(4, '0')}${'x'.repeat(extra)}`),
      value: '1',
      timestamp: 1700000000,
    }));
  /** A list whose body is exactly `size` bytes, by lengthening its pods' names. */
  async function listOfSize(size: number): Promise<number> {
    // Unpadded, ~190 bytes an item: under `size`, with room to pad up to it.
    const count = Math.floor(size / 300);
    objects['pods/platform/*/websocket_connections'] = items(new Array<number>(count).fill(0));
    let missing = size - (await raw(PATH)).body.length;
    expect(missing).toBeGreaterThan(0);
    const padding = new Array<number>(count).fill(0);
    for (let i = 0; i < count && missing > 0; i++) {
      // A name stays a DNS subdomain: at most 253 characters.
      padding[i] = Math.min(200, missing);
      missing -= padding[i] as number;
    }
    expect(missing).toBe(0);
    objects['pods/platform/*/websocket_connections'] = items(padding);
    return (await raw(PATH)).body.length;
  }

  it('sends a body of exactly 128 KiB uncompressed to a caller that accepts gzip', async () => {
    await start({ objects });
    expect(await listOfSize(THRESHOLD)).toBe(THRESHOLD);
    const r = await raw(PATH, { 'accept-encoding': 'gzip' });
    expect(r.status).toBe(200);
    expect(r.headers['content-encoding']).toBeUndefined();
    expect(r.body.length).toBe(THRESHOLD);
  });

  it('gzips a body one byte over 128 KiB', async () => {
    await start({ objects });
    expect(await listOfSize(THRESHOLD + 1)).toBe(THRESHOLD + 1);
    const r = await raw(PATH, { 'accept-encoding': 'gzip' });
    expect(r.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(r.body).length).toBe(THRESHOLD + 1);
  });

  it('sends a 20 KB body uncompressed, however the caller asks', async () => {
    await start({ objects });
    expect(await listOfSize(20_000)).toBe(20_000);
    const r = await raw(PATH, { 'accept-encoding': 'gzip, deflate, br' });
    expect(r.headers['content-encoding']).toBeUndefined();
    expect(r.body.length).toBe(20_000);
  });
});

describe('namespace and object name lengths in a path', () => {
  const C = '/apis/custom.metrics.k8s.io/v1beta2';
  const json = async (path: string) => {
    const r = await raw(path);
    return { status: r.status, body: JSON.parse(r.body.toString()) as Record<string, unknown> };
  };

  it('takes a 63-character namespace and refuses a 64-character one with a 400', async () => {
    await start({});
    const ns63 = 'n'.repeat(63);
    const ns64 = 'n'.repeat(64);
    // 63 is a namespace: the metric is unknown there (404), the path is not refused.
    expect((await json(`${C}/namespaces/${ns63}/pods/*/m`)).status).toBe(404);
    const refused = await json(`${C}/namespaces/${ns64}/pods/*/m`);
    expect(refused.status).toBe(400);
    expect(refused.body).toMatchObject({ kind: 'Status', reason: 'BadRequest', code: 400 });
    expect(refused.body.message).toContain(`invalid namespace "${ns64}"`);
    const external = await json(
      `/apis/external.metrics.k8s.io/v1beta1/namespaces/${ns64}/job_queue_length`,
    );
    expect(external.status).toBe(400);
  });

  it('takes a 253-character object name and refuses a 254-character one with a 400', async () => {
    await start({});
    // DNS subdomains: labels of at most 63, joined by dots.
    const name253 = ['a'.repeat(63), 'b'.repeat(63), 'c'.repeat(63), 'd'.repeat(61)].join('.');
    const name254 = `${name253}e`;
    expect(name253).toHaveLength(253);
    expect((await json(`${C}/namespaces/platform/pods/${name253}/m`)).status).toBe(404);
    const refused = await json(`${C}/namespaces/platform/pods/${name254}/m`);
    expect(refused.status).toBe(400);
    expect(refused.body.message).toContain(`invalid object name "${name254}"`);
  });
});

describe('beacon_adapter_value_age_seconds', () => {
  const metricLine = (text: string, line: string) =>
    text.split('\n').find((l) => l.startsWith(`${line} `));

  it("observes the request time minus the oldest sample's time", async () => {
    const metrics = await start({
      objects: {
        'pods/platform/*/websocket_connections': [
          // 10 s before NOW_MS is the oldest; the newer one does not count.
          { describedObject: pod('a'), value: '1', timestamp: 1700000007 },
          { describedObject: pod('b'), value: '2', timestamp: 1700000000 },
        ],
      },
    });
    const r = await raw(
      '/apis/custom.metrics.k8s.io/v1beta2/namespaces/platform/pods/*/websocket_connections',
    );
    expect(r.status).toBe(200);
    const text = await metrics.registry.metrics();
    expect(metricLine(text, 'beacon_adapter_value_age_seconds_count')).toBe(
      'beacon_adapter_value_age_seconds_count 1',
    );
    expect(metricLine(text, 'beacon_adapter_value_age_seconds_sum')).toBe(
      'beacon_adapter_value_age_seconds_sum 10',
    );
    expect(metricLine(text, 'beacon_adapter_value_age_seconds_bucket{le="5"}')).toBe(
      'beacon_adapter_value_age_seconds_bucket{le="5"} 0',
    );
    expect(metricLine(text, 'beacon_adapter_value_age_seconds_bucket{le="15"}')).toBe(
      'beacon_adapter_value_age_seconds_bucket{le="15"} 1',
    );
  });
});
