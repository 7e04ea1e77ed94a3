import type { AddressInfo } from 'node:net';
import { createServer, request, type IncomingHttpHeaders, type Server } from 'node:http';
import { gunzipSync } from 'node:zlib';
import { createApp, type ServerDeps } from './server';
import { fakeProvider, type FakeData } from './provider/fake';
import { createPrometheusClient, PrometheusError } from './provider/prometheus/client';
import type { Transport } from './provider/prometheus/transport';
import type { MetricsProvider } from './provider/provider';
import {
  allowAll,
  allowAnonymous,
  AuthenticationError,
  type RequestAttributes,
  type UserInfo,
} from './auth/types';
import { anonymousFallback } from './auth/union';
import { createAdapterMetrics } from './telemetry/metrics';
import { memoryLogger } from './telemetry/logger';

const pod = (name: string) => ({ kind: 'Pod', namespace: 'platform', name, apiVersion: '/v1' });

const data: FakeData = {
  custom: [
    { resource: 'pods', metric: 'websocket_connections', namespaced: true },
    { resource: 'nodes', metric: 'node_load1', namespaced: false },
  ],
  external: [{ resource: '', metric: 'job_queue_length', namespaced: true }],
  objects: {
    'pods/platform/*/websocket_connections': [
      { describedObject: pod('collab-a'), value: '1.5', timestamp: 1700000000.25 },
      { describedObject: pod('collab-b'), value: 'NaN', timestamp: 1700000000 },
      {
        describedObject: pod('collab-c'),
        value: '12000',
        timestamp: 1700000000,
        windowSeconds: 60,
      },
    ],
    'pods/platform/collab-a/websocket_connections': [
      { describedObject: pod('collab-a'), value: '0.0001', timestamp: 1700000000 },
    ],
    'pods/platform/collab-b/websocket_connections': [
      { describedObject: pod('collab-b'), value: 'NaN', timestamp: 1700000000 },
    ],
  },
  externals: {
    'platform/job_queue_length': [
      { labels: { queue: 'render' }, value: '42', timestamp: 1700000001 },
      { labels: { queue: 'bad' }, value: '+Inf', timestamp: 1700000001 },
    ],
  },
};

// Response bodies are read loosely; each assertion names the fields it checks.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

let server: Server;
let base: string;

async function start(overrides: Partial<ServerDeps> = {}, d: FakeData = data) {
  const deps: ServerDeps = {
    provider: fakeProvider(d),
    authenticate: allowAnonymous,
    authorize: allowAll,
    metrics: createAdapterMetrics({ defaultMetrics: false }),
    logger: memoryLogger(),
    version: { gitVersion: 'v0.1.0' },
    now: () => 1700000010_000,
    ...overrides,
  };
  server = createServer(createApp(deps));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return deps;
}

afterEach(async () => {
  await new Promise((r) => server.close(r));
});

const get = async (path: string, init?: RequestInit) => {
  const res = await fetch(base + path, init);
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    /* plain text */
  }
  return { status: res.status, type: res.headers.get('content-type'), body: body as Json };
};

/**
 * One sample's value from a /metrics text: the series `name` whose labels are exactly `labels`
 * (in any order); undefined when it is not exported.
 */
function sampleValue(
  text: string,
  name: string,
  labels: Readonly<Record<string, string>>,
): number | undefined {
  const want = Object.entries(labels)
    .map(([k, v]) => `${k}="${v}"`)
    .sort()
    .join(',');
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const got = (m[2] ?? '').match(/[a-zA-Z_]\w*="(?:[^"\\]|\\.)*"/g) ?? [];
    if ([...got].sort().join(',') === want) return Number(m[3]);
  }
  return undefined;
}

/**
 * A provider whose external values come from a real Prometheus client over `transport`, with
 * its calls observed into `metrics` as main.ts wires them.
 */
function clientBackedProvider(
  transport: Transport,
  metrics: ReturnType<typeof createAdapterMetrics>,
  timeoutMs: number,
): MetricsProvider {
  const client = createPrometheusClient({
    url: 'http://prometheus.test:9090',
    fetch: transport,
    timeoutMs,
    observe: (kind, outcome, seconds) =>
      metrics.backendQueryDuration.observe({ kind, outcome }, seconds),
  });
  return {
    ...fakeProvider(data),
    async externalValues(q) {
      const samples = await client.query(`sum(${q.metric})`);
      return samples.map((x) => ({ labels: x.labels, value: x.value, timestamp: x.timestamp }));
    },
  };
}

const EXTERNAL_PATTERN = '/apis/external.metrics.k8s.io/v1beta1/namespaces/{namespace}/{metric}';

describe('API server', () => {
  it('serves v1beta2 values as k8s.io/metrics serialises them, NaN left out', async () => {
    await start();
    const r = await get(
      '/apis/custom.metrics.k8s.io/v1beta2/namespaces/platform/pods/%2A/websocket_connections?metricLabelSelector=direction%3Din',
    );
    expect(r.status).toBe(200);
    expect(r.type).toMatch(/^application\/json/);
    expect(r.body).toEqual({
      kind: 'MetricValueList',
      apiVersion: 'custom.metrics.k8s.io/v1beta2',
      metadata: {},
      items: [
        {
          describedObject: pod('collab-a'),
          metric: { name: 'websocket_connections', selector: { matchLabels: { direction: 'in' } } },
          timestamp: '2023-11-14T22:13:20Z',
          value: '1500m',
        },
        {
          describedObject: pod('collab-c'),
          metric: { name: 'websocket_connections', selector: { matchLabels: { direction: 'in' } } },
          timestamp: '2023-11-14T22:13:20Z',
          windowSeconds: 60,
          value: '12k',
        },
      ],
    });
  });

  it('serves v1beta1 values with metricName, window and a null selector', async () => {
    await start();
    const r = await get(
      '/apis/custom.metrics.k8s.io/v1beta1/namespaces/platform/pods/*/websocket_connections',
    );
    expect(r.body.items[1]).toEqual({
      describedObject: pod('collab-c'),
      metricName: 'websocket_connections',
      timestamp: '2023-11-14T22:13:20Z',
      window: 60,
      value: '12k',
      selector: null,
    });
  });

  it('serves one named object and rounds tiny values up to 1m', async () => {
    await start();
    const r = await get(
      '/apis/custom.metrics.k8s.io/v1beta2/namespaces/platform/pods/collab-a/websocket_connections',
    );
    expect(r.body.items.map((i: Json) => i.value)).toEqual(['1m']);
  });

  it('reads fieldSelector=metadata.name as the object name', async () => {
    const deps = await start();
    await get(
      '/apis/custom.metrics.k8s.io/v1beta2/namespaces/platform/pods/*/websocket_connections?fieldSelector=metadata.name%3Dcollab-a',
    );
    expect((deps.provider as ReturnType<typeof fakeProvider>).calls[0]).toMatchObject({
      name: 'collab-a',
    });
  });

  it('serves external values with their labels, +Inf left out and counted', async () => {
    await start();
    const r = await get(
      '/apis/external.metrics.k8s.io/v1beta1/namespaces/platform/job_queue_length',
    );
    expect(r.body).toEqual({
      kind: 'ExternalMetricValueList',
      apiVersion: 'external.metrics.k8s.io/v1beta1',
      metadata: {},
      items: [
        {
          metricName: 'job_queue_length',
          metricLabels: { queue: 'render' },
          timestamp: '2023-11-14T22:13:21Z',
          value: '42',
        },
      ],
    });
    const m = await get('/metrics');
    expect(m.body).toContain('beacon_adapter_nonfinite_values_total{metric="job_queue_length"} 1');
  });

  it('answers 404 for one named object whose value is NaN, and counts it', async () => {
    await start();
    const r = await get(
      '/apis/custom.metrics.k8s.io/v1beta2/namespaces/platform/pods/collab-b/websocket_connections',
    );
    expect(r.status).toBe(404);
    expect(r.body).toMatchObject({ kind: 'Status', reason: 'NotFound', code: 404 });
    expect(r.body.message).toContain('websocket_connections');
    const m = await get('/metrics');
    expect(m.body).toContain(
      'beacon_adapter_nonfinite_values_total{metric="websocket_connections"} 1',
    );
  });

  it('lists discovery documents', async () => {
    await start();
    expect((await get('/apis')).body.groups.map((g: Json) => g.name)).toEqual([
      'custom.metrics.k8s.io',
      'external.metrics.k8s.io',
    ]);
    expect((await get('/apis/custom.metrics.k8s.io')).body.preferredVersion).toEqual({
      groupVersion: 'custom.metrics.k8s.io/v1beta2',
      version: 'v1beta2',
    });
    expect((await get('/apis/custom.metrics.k8s.io/v1beta1')).body).toEqual({
      kind: 'APIResourceList',
      apiVersion: 'v1',
      groupVersion: 'custom.metrics.k8s.io/v1beta1',
      resources: [
        {
          name: 'nodes/node_load1',
          singularName: '',
          namespaced: false,
          kind: 'MetricValueList',
          verbs: ['get'],
        },
        {
          name: 'pods/websocket_connections',
          singularName: '',
          namespaced: true,
          kind: 'MetricValueList',
          verbs: ['get'],
        },
      ],
    });
    expect((await get('/apis/external.metrics.k8s.io/v1beta1')).body.resources).toEqual([
      {
        name: 'job_queue_length',
        singularName: '',
        namespaced: true,
        kind: 'ExternalMetricValueList',
        verbs: ['get'],
      },
    ]);
  });

  describe('aggregated discovery at /apis, as k8s.io/apiserver serves it', () => {
    // What client-go's discovery client sends (discovery_client.go acceptDiscoveryFormats).
    const CLIENT_GO_ACCEPT =
      'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json';
    const metric = (subresource: string) => ({
      subresource,
      responseKind: { group: '', version: '', kind: 'MetricValueList' },
      verbs: ['get'],
    });
    const customResources = [
      {
        resource: 'nodes',
        responseKind: { group: '', version: '', kind: '' },
        scope: 'Cluster',
        singularResource: '',
        verbs: null,
        subresources: [metric('node_load1')],
      },
      {
        resource: 'pods',
        responseKind: { group: '', version: '', kind: '' },
        scope: 'Namespaced',
        singularResource: '',
        verbs: null,
        subresources: [metric('websocket_connections')],
      },
    ];

    it('answers the APIGroupDiscoveryList a client asks for, typed by Content-Type', async () => {
      await start();
      const res = await fetch(`${base}/apis`, { headers: { accept: CLIENT_GO_ACCEPT } });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe(
        'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList',
      );
      expect(res.headers.get('vary')).toBe('Accept');
      expect(res.headers.get('cache-control')).toBe('public');
      expect(res.headers.get('etag')).toMatch(/^"[0-9A-F]{128}"$/);
      expect(await res.json()).toEqual({
        kind: 'APIGroupDiscoveryList',
        apiVersion: 'apidiscovery.k8s.io/v2',
        metadata: {},
        items: [
          {
            metadata: { name: 'custom.metrics.k8s.io', creationTimestamp: null },
            versions: [
              { version: 'v1beta2', resources: customResources, freshness: 'Current' },
              { version: 'v1beta1', resources: customResources, freshness: 'Current' },
            ],
          },
          {
            metadata: { name: 'external.metrics.k8s.io', creationTimestamp: null },
            versions: [
              {
                version: 'v1beta1',
                resources: [
                  {
                    resource: 'job_queue_length',
                    responseKind: { group: '', version: '', kind: 'ExternalMetricValueList' },
                    scope: 'Namespaced',
                    singularResource: '',
                    verbs: ['get'],
                  },
                ],
                freshness: 'Current',
              },
            ],
          },
        ],
      });
    });

    it('answers v2beta1 to a caller that takes only that, and 304 to its ETag', async () => {
      await start();
      const accept = 'application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList';
      const first = await fetch(`${base}/apis`, { headers: { accept } });
      expect(first.headers.get('content-type')).toBe(
        'application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList',
      );
      expect(((await first.json()) as Json).apiVersion).toBe('apidiscovery.k8s.io/v2beta1');
      const etag = first.headers.get('etag') ?? '';
      // kube-aggregator sends the last ETag back each minute (handler_discovery.go).
      const again = await fetch(`${base}/apis`, {
        headers: { accept: CLIENT_GO_ACCEPT, 'if-none-match': etag },
      });
      expect(again.status).toBe(304);
      expect(again.headers.get('etag')).toBe(etag);
      expect(await again.text()).toBe('');
    });

    it('keeps the legacy APIGroupList for plain JSON or no Accept, and for the group documents', async () => {
      await start();
      const legacy = {
        kind: 'APIGroupList',
        apiVersion: 'v1',
        groups: [
          {
            name: 'custom.metrics.k8s.io',
            versions: [
              { groupVersion: 'custom.metrics.k8s.io/v1beta2', version: 'v1beta2' },
              { groupVersion: 'custom.metrics.k8s.io/v1beta1', version: 'v1beta1' },
            ],
            preferredVersion: { groupVersion: 'custom.metrics.k8s.io/v1beta2', version: 'v1beta2' },
          },
          {
            name: 'external.metrics.k8s.io',
            versions: [{ groupVersion: 'external.metrics.k8s.io/v1beta1', version: 'v1beta1' }],
            preferredVersion: {
              groupVersion: 'external.metrics.k8s.io/v1beta1',
              version: 'v1beta1',
            },
          },
        ],
      };
      for (const headers of [{ accept: 'application/json' }, {}] as Record<string, string>[]) {
        const res = await fetch(`${base}/apis`, { headers });
        expect(res.headers.get('content-type')).toBe('application/json');
        expect(res.headers.get('vary')).toBe('Accept');
        expect(await res.json()).toEqual(legacy);
      }
      const resources = await get('/apis/custom.metrics.k8s.io/v1beta2', {
        headers: { accept: CLIENT_GO_ACCEPT },
      });
      expect(resources).toMatchObject({
        type: 'application/json',
        body: { kind: 'APIResourceList', groupVersion: 'custom.metrics.k8s.io/v1beta2' },
      });
    });
  });

  it('answers version, openapi and health', async () => {
    await start();
    expect((await get('/version')).body).toMatchObject({
      major: '0',
      minor: '1',
      gitVersion: 'v0.1.0',
    });
    expect((await get('/openapi/v2')).body.swagger).toBe('2.0');
    for (const p of ['/healthz', '/livez', '/readyz'])
      expect(await get(p)).toMatchObject({ status: 200, body: 'ok' });
  });

  it('serves OpenAPI v2 as kube-openapi does: an ETag the aggregator sends back, 304, 406', async () => {
    await start();
    // What kube-aggregator's downloader sends (pkg/controllers/openapi/aggregator/downloader.go).
    const first = await fetch(`${base}/openapi/v2`, { headers: { accept: 'application/json' } });
    const etag = first.headers.get('etag') ?? '';
    expect(etag).toMatch(/^"[0-9A-F]{128}"$/);
    expect(first.headers.get('vary')).toBe('Accept');
    expect(((await first.json()) as Json).swagger).toBe('2.0');
    const again = await fetch(`${base}/openapi/v2`, {
      headers: { accept: 'application/json', 'if-none-match': etag },
    });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe('');
    const proto = await get('/openapi/v2', {
      headers: { accept: 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf' },
    });
    expect(proto).toMatchObject({ status: 406, body: { kind: 'Status', code: 406 } });
  });

  it('serves OpenAPI v3 as kube-openapi does: discovery, documents by hash, Status errors', async () => {
    await start();
    const discovery = await get('/openapi/v3');
    expect(discovery.status).toBe(200);
    const url = discovery.body.paths['apis/external.metrics.k8s.io/v1beta1'].serverRelativeURL;
    expect(url).toMatch(
      /^\/openapi\/v3\/apis\/external\.metrics\.k8s\.io\/v1beta1\?hash=[0-9A-F]{128}$/,
    );
    const doc = await fetch(base + url);
    expect(doc.headers.get('cache-control')).toBe('public, immutable');
    expect(((await doc.json()) as Json).components.schemas).toHaveProperty([
      'io.k8s.metrics.pkg.apis.external_metrics.v1beta1.ExternalMetricValueList',
    ]);
    const cached = await fetch(base + url, {
      headers: { 'if-none-match': doc.headers.get('etag') ?? '' },
    });
    expect(cached.status).toBe(304);
    expect(await cached.text()).toBe('');
    const stale = await fetch(base + url.replace(/hash=./, 'hash=X'), { redirect: 'manual' });
    expect(stale.status).toBe(301);
    expect(stale.headers.get('location')).toBe(url);
    const proto = await get(url, {
      headers: { accept: 'application/com.github.proto-openapi.spec.v3.v1.0+protobuf' },
    });
    expect(proto).toMatchObject({
      status: 406,
      type: 'application/json',
      body: { kind: 'Status' },
    });
    expect((await get('/openapi/v3/apis/custom.metrics.k8s.io/v1')).body).toMatchObject({
      kind: 'Status',
      reason: 'NotFound',
      code: 404,
    });
  });

  it('is ready before the first relist, as prometheus-adapter is, and answers checks as Kubernetes servers do', async () => {
    await start({}, { ...data, ready: false });
    expect(await get('/readyz')).toMatchObject({ status: 200, body: 'ok' });
    expect(await get('/readyz/ping')).toMatchObject({ status: 200, body: 'ok' });
    expect(await get('/livez?verbose')).toMatchObject({
      status: 200,
      body: '[+]ping ok\n[+]log ok\nlivez check passed\n',
    });
    expect(await get('/readyz/shutdown')).toMatchObject({ status: 200, body: 'ok' });
    expect(await get('/livez/log')).toMatchObject({ status: 200, body: 'ok' });
    expect(await get('/readyz?verbose')).toMatchObject({
      status: 200,
      body: '[+]ping ok\n[+]log ok\n[+]shutdown ok\nreadyz check passed\n',
    });
    // ?exclude= as k8s.io/apiserver's handleRootHealth answers it (its healthz_test.go).
    expect(await get('/readyz?verbose&exclude=zeta&exclude=ping&exclude=nope')).toMatchObject({
      status: 200,
      body: '[+]ping excluded: ok\n[+]log ok\n[+]shutdown ok\nwarn: some health checks cannot be excluded: no matches for "nope","zeta"\nreadyz check passed\n',
    });
    expect(await get('/healthz?exclude=log')).toMatchObject({ status: 200, body: 'ok' });
    expect((await get('/readyz/informers')).status).toBe(404);
    expect((await get('/livez/shutdown')).status).toBe(404);
  });

  it('answers 404 Status for an unknown metric and path', async () => {
    await start();
    const r = await get('/apis/custom.metrics.k8s.io/v1beta2/namespaces/platform/pods/*/nope');
    expect(r.body).toMatchObject({
      kind: 'Status',
      status: 'Failure',
      reason: 'NotFound',
      code: 404,
    });
    expect(r.body.message).toBe('the server could not find the metric nope for pods');
    expect((await get('/apis/nope.k8s.io/v1')).body).toMatchObject({
      reason: 'NotFound',
      code: 404,
    });
  });

  it('answers 400 Status naming the bad selector', async () => {
    await start();
    const r = await get(
      '/apis/custom.metrics.k8s.io/v1beta2/namespaces/platform/pods/*/websocket_connections?labelSelector=app%20in%20(',
    );
    expect(r.status).toBe(400);
    expect(r.body).toMatchObject({ kind: 'Status', reason: 'BadRequest', code: 400 });
    expect(r.body.message).toContain('labelSelector: invalid label selector "app in ("');
  });

  it('answers 503 when Prometheus is down, 500 for a refused rule query', async () => {
    await start({}, { ...data, fail: new PrometheusError('unavailable', 'connect ECONNREFUSED') });
    const r = await get(
      '/apis/external.metrics.k8s.io/v1beta1/namespaces/platform/job_queue_length',
    );
    expect(r.body).toMatchObject({ reason: 'ServiceUnavailable', code: 503 });
    expect(r.body.message).toContain('ECONNREFUSED');
    await new Promise((res) => server.close(res));
    await start({}, { ...data, fail: new PrometheusError('bad_query', 'parse error') });
    const q = await get(
      '/apis/external.metrics.k8s.io/v1beta1/namespaces/platform/job_queue_length',
    );
    expect(q.body).toMatchObject({ reason: 'InternalError', code: 500 });
    expect(q.body.message).toBe(
      "Internal error occurred: the rule's query cannot give a value: parse error",
    );
  });

  it('answers 503 ServiceUnavailable as a Status when Prometheus is slower than the timeout, and counts the timeout', async () => {
    const metrics = createAdapterMetrics({ defaultMetrics: false });
    // A Prometheus that never answers: the call ends only when the client's deadline aborts it.
    const silent: Transport = (_url, init) =>
      new Promise((_resolve, reject) =>
        init.signal?.addEventListener('abort', () => reject(init.signal?.reason as Error)),
      );
    await start({ metrics, provider: clientBackedProvider(silent, metrics, 50) });
    const before = (await get('/metrics')).body as string;
    expect(
      sampleValue(before, 'beacon_adapter_backend_query_duration_seconds_count', {
        kind: 'instant',
        outcome: 'timeout',
      }),
    ).toBe(0); // exported at 0 from the start: its kinds and outcomes are a closed set

    const r = await get(
      '/apis/external.metrics.k8s.io/v1beta1/namespaces/platform/job_queue_length',
    );
    expect(r.status).toBe(503);
    expect(r.type).toMatch(/^application\/json/);
    expect(r.body).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message:
        'Prometheus is not answering: prometheus at http://prometheus.test:9090 did not answer within 50ms',
      reason: 'ServiceUnavailable',
      code: 503,
    });

    const m = (await get('/metrics')).body as string;
    expect(
      sampleValue(m, 'beacon_adapter_backend_query_duration_seconds_count', {
        kind: 'instant',
        outcome: 'timeout',
      }),
    ).toBe(1);
    // It waited for the deadline: at least 50 ms, so not in the buckets below it.
    expect(
      sampleValue(m, 'beacon_adapter_backend_query_duration_seconds_sum', {
        kind: 'instant',
        outcome: 'timeout',
      }),
    ).toBeGreaterThanOrEqual(0.045);
    expect(
      sampleValue(m, 'beacon_adapter_backend_query_duration_seconds_bucket', {
        kind: 'instant',
        outcome: 'timeout',
        le: '0.025',
      }),
    ).toBe(0);
    expect(
      sampleValue(m, 'beacon_adapter_request_duration_seconds_count', { path: EXTERNAL_PATTERN }),
    ).toBe(1);
    expect(
      sampleValue(m, 'beacon_adapter_requests_total', { path: EXTERNAL_PATTERN, code: '503' }),
    ).toBe(1);
  });

  it('exports request and backend query durations by route pattern, kind and outcome', async () => {
    const metrics = createAdapterMetrics({ defaultMetrics: false });
    const answering: Transport = async () => ({
      status: 200,
      ok: true,
      json: async () => ({
        status: 'success',
        data: {
          resultType: 'vector',
          result: [{ metric: { queue: 'render' }, value: [1700000001, '42'] }],
        },
      }),
    });
    await start({ metrics, provider: clientBackedProvider(answering, metrics, 5_000) });
    const path = '/apis/external.metrics.k8s.io/v1beta1/namespaces/platform/job_queue_length';
    const counts = async () => {
      const m = (await get('/metrics')).body as string;
      return {
        request: sampleValue(m, 'beacon_adapter_request_duration_seconds_count', {
          path: EXTERNAL_PATTERN,
        }),
        requestInf: sampleValue(m, 'beacon_adapter_request_duration_seconds_bucket', {
          path: EXTERNAL_PATTERN,
          le: '+Inf',
        }),
        backend: sampleValue(m, 'beacon_adapter_backend_query_duration_seconds_count', {
          kind: 'instant',
          outcome: 'success',
        }),
        backendInf: sampleValue(m, 'beacon_adapter_backend_query_duration_seconds_bucket', {
          kind: 'instant',
          outcome: 'success',
          le: '+Inf',
        }),
        raw: m,
      };
    };
    const before = await counts();
    expect(before.request).toBeUndefined();
    expect(before.backend).toBe(0); // exported at 0 from the start: a closed set of labels

    const r = await get(path);
    expect(r.status).toBe(200);
    expect(r.body.items).toEqual([
      expect.objectContaining({ metricLabels: { queue: 'render' }, value: '42' }),
    ]);
    const once = await counts();
    expect(once).toMatchObject({ request: 1, requestInf: 1, backend: 1, backendInf: 1 });
    // The help and type lines come with them, and no object name is a label value.
    expect(once.raw).toContain('# TYPE beacon_adapter_request_duration_seconds histogram');
    expect(once.raw).toContain('# TYPE beacon_adapter_backend_query_duration_seconds histogram');
    expect(once.raw).not.toContain('job_queue_length');

    await get(path);
    expect(await counts()).toMatchObject({ request: 2, backend: 2 });
  });

  it('answers a metric with no value as custom-metrics-apiserver does: a NotFound without details', async () => {
    await start();
    const r = await get('/apis/custom.metrics.k8s.io/v1beta2/namespaces/platform/pods/*/nope');
    expect(r.status).toBe(404);
    expect(r.body).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'the server could not find the metric nope for pods',
      reason: 'NotFound',
      code: 404,
    });
  });

  it('answers 404, not 405, to a write to a path nobody serves', async () => {
    await start();
    const r = await get('/nope', { method: 'POST' });
    expect(r.status).toBe(404);
    expect(r.body).toMatchObject({ reason: 'NotFound', code: 404 });
  });

  it('refuses a fieldSelector naming another object than the path', async () => {
    const deps = await start();
    const r = await get(
      '/apis/custom.metrics.k8s.io/v1beta2/namespaces/platform/pods/collab-a/websocket_connections?fieldSelector=metadata.name%3Dcollab-b',
    );
    expect(r.status).toBe(400);
    expect(r.body.message).toBe("fieldSelector metadata.name doesn't match requested name");
    expect((deps.provider as ReturnType<typeof fakeProvider>).calls).toEqual([]);
  });

  it('reads no selectors on paths that serve no values', async () => {
    await start();
    for (const path of ['/healthz', '/apis/custom.metrics.k8s.io/v1beta2', '/version'])
      expect((await get(`${path}?labelSelector=(`)).status).toBe(200);
  });

  it('asks authorization about a watch and a field-selected name as the apiserver would', async () => {
    const asked: unknown[] = [];
    await start({
      authorize: async (_user, attrs) => {
        asked.push(attrs);
        return { allowed: true };
      },
    });
    await get(
      '/apis/external.metrics.k8s.io/v1beta1/namespaces/platform/job_queue_length?fieldSelector=metadata.name%3Djob_queue_length&watch=true',
    );
    expect(asked).toEqual([
      expect.objectContaining({
        verb: 'watch',
        resource: 'job_queue_length',
        namespace: 'platform',
        name: 'job_queue_length',
      }),
    ]);
  });

  it('answers a watch of the external metrics, once authorized as one, 405 as upstream; a custom metric lists', async () => {
    const verbs: string[] = [];
    await start({
      authorize: async (_user, attrs) => {
        verbs.push(attrs.verb);
        return { allowed: true };
      },
    });
    const external = '/apis/external.metrics.k8s.io/v1beta1/namespaces/platform/job_queue_length';
    const watched = await get(`${external}?watch=true`);
    // errors.NewMethodNotSupported("*" of the group, "watch"), as ListResource with no watcher
    // answers it: the values were served as a list to a user allowed to watch only.
    expect(watched.status).toBe(405);
    expect(JSON.stringify(watched.body)).toBe(
      JSON.stringify({
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Failure',
        message: 'watch is not supported on resources of kind "*.external.metrics.k8s.io"',
        reason: 'MethodNotAllowed',
        details: { group: 'external.metrics.k8s.io', kind: '*' },
        code: 405,
      }),
    );
    // A bad selector is read first, as its ListOptions are; `watch=0` and `false` are no watch.
    expect((await get(`${external}?watch=true&labelSelector=(`)).status).toBe(400);
    for (const no of ['0', 'FALSE'])
      expect((await get(`${external}?watch=${no}`)).status).toBe(200);
    const custom = await get(
      '/apis/custom.metrics.k8s.io/v1beta2/namespaces/platform/pods/*/websocket_connections?watch=true',
    );
    expect(custom.status).toBe(200);
    expect(verbs).toEqual(['watch', 'watch', 'list', 'list', 'get']);
  });

  it('answers 405 to a write', async () => {
    await start();
    const r = await get('/apis/custom.metrics.k8s.io/v1beta2', { method: 'POST' });
    expect(r.body).toMatchObject({ reason: 'MethodNotAllowed', code: 405 });
  });

  it('answers 401 when no one is named or the credentials are refused, and 403 when authorization denies', async () => {
    for (const authenticate of [
      async () => undefined,
      async () => {
        throw new AuthenticationError('invalid bearer token');
      },
    ]) {
      await start({ authenticate });
      await expect401();
      await new Promise((res) => server.close(res));
    }
    await start({ authorize: async () => ({ allowed: false, reason: 'no RBAC rule' }) });
    const r = await get(
      '/apis/custom.metrics.k8s.io/v1beta2/namespaces/platform/pods/*/websocket_connections',
    );
    expect(r.body).toMatchObject({ reason: 'Forbidden', code: 403 });
    expect(r.body.message).toBe(
      'pods.custom.metrics.k8s.io "*" is forbidden: User "system:anonymous" cannot get resource "pods/websocket_connections" in API group "custom.metrics.k8s.io" in the namespace "platform": no RBAC rule',
    );
  });

  async function expect401() {
    for (const path of [
      '/apis',
      '/metrics',
      '/version',
      '/openapi/v2',
      '/openapi/v3',
      '/openapi/v3/apis/custom.metrics.k8s.io/v1beta2',
      // Nothing about paths, names or methods before authentication.
      '/nope',
      '/apis/custom.metrics.k8s.io/v1beta2/namespaces/BAD/pods/*/websocket_connections',
    ])
      expect((await get(path)).body).toMatchObject({ reason: 'Unauthorized', code: 401 });
    expect((await get('/apis', { method: 'POST' })).body).toMatchObject({ code: 401 });
    for (const path of ['/healthz', '/livez', '/readyz'])
      expect((await get(path)).status).toBe(200);
  }

  it('authorizes a request with no credentials as system:anonymous behind the anonymous fallback, health unasked', async () => {
    // As a cluster's default RBAC answers anonymous: system:public-info-viewer allows /version to
    // system:unauthenticated, nothing else.
    const asked: [UserInfo, RequestAttributes][] = [];
    await start({
      authenticate: anonymousFallback(async () => undefined),
      authorize: async (user, attrs) => {
        asked.push([user, attrs]);
        return { allowed: attrs.kind === 'nonResource' && attrs.path === '/version' };
      },
    });
    expect((await get('/version')).status).toBe(200);
    const metrics = await get('/metrics');
    expect(metrics.status).toBe(403);
    expect(metrics.body).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'forbidden: User "system:anonymous" cannot get path "/metrics"',
      reason: 'Forbidden',
      details: {},
      code: 403,
    });
    const values = await get(
      '/apis/custom.metrics.k8s.io/v1beta2/namespaces/platform/pods/*/websocket_connections',
    );
    expect(values.body.message).toBe(
      'pods.custom.metrics.k8s.io "*" is forbidden: User "system:anonymous" cannot get resource "pods/websocket_connections" in API group "custom.metrics.k8s.io" in the namespace "platform"',
    );
    for (const path of ['/healthz', '/livez', '/readyz'])
      expect((await get(path)).status).toBe(200);
    expect(asked.map(([u]) => u)).toEqual(
      Array(3).fill({ name: 'system:anonymous', groups: ['system:unauthenticated'] }),
    );
    expect(asked.map(([, a]) => (a.kind === 'nonResource' ? a.path : a.resource))).toEqual([
      '/version',
      '/metrics',
      'pods',
    ]);
    // A refused credential is not made anonymous.
    await new Promise((res) => server.close(res));
    await start({
      authenticate: anonymousFallback(async () => {
        throw new AuthenticationError('invalid bearer token');
      }),
    });
    expect((await get('/version')).body).toMatchObject({ reason: 'Unauthorized', code: 401 });
  });

  describe('compression, as Kubernetes API servers do it', () => {
    // 1,500 pods: a ~190 KB list, over the apiserver's 128 KiB threshold.
    const many: FakeData = {
      ...data,
      objects: {
        'pods/platform/*/websocket_connections': Array.from({ length: 1500 }, (_, i) => ({
          describedObject: pod(`collab-${String(i).padStart(5, '0')}`),
          value: String(i % 50),
          timestamp: 1700000000,
        })),
      },
    };
    const PATH =
      '/apis/custom.metrics.k8s.io/v1beta2/namespaces/platform/pods/*/websocket_connections';
    // node:http, not fetch: fetch asks for gzip itself and hides what was sent.
    const raw = (path: string, headers: Record<string, string> = {}) =>
      new Promise<{ headers: IncomingHttpHeaders; body: Buffer }>((resolve, reject) => {
        request(base + path, { headers }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ headers: res.headers, body: Buffer.concat(chunks) }));
        })
          .on('error', reject)
          .end();
      });

    it('gzips a list over 128 KiB for a caller that accepts gzip, as client-go does', async () => {
      await start({}, many);
      const plain = await raw(PATH);
      expect(plain.headers['content-encoding']).toBeUndefined();
      expect(plain.body.length).toBeGreaterThan(128 * 1024);
      for (let round = 0; round < 2; round++) {
        const zipped = await raw(PATH, { 'accept-encoding': 'gzip' });
        expect(zipped.headers['content-encoding']).toBe('gzip');
        expect(zipped.headers.vary).toBe('Accept-Encoding');
        expect(Number(zipped.headers['content-length'])).toBe(zipped.body.length);
        expect(zipped.body.length).toBeLessThan(plain.body.length / 5);
        expect(gunzipSync(zipped.body).equals(plain.body)).toBe(true);
      }
      const items = (JSON.parse(plain.body.toString()) as Json).items as Json[];
      expect(items).toHaveLength(1500);
      expect(items[1499]).toMatchObject({
        describedObject: pod('collab-01499'),
        value: '49',
      });
    });

    it('sends a small list, or one to a caller that refuses gzip, as it is', async () => {
      await start({}, many);
      const refused = await raw(PATH, { 'accept-encoding': 'gzip;q=0, deflate' });
      expect(refused.headers['content-encoding']).toBeUndefined();
      expect(refused.body.length).toBeGreaterThan(128 * 1024);
      await new Promise((res) => server.close(res));
      await start();
      const small = await raw(PATH, { 'accept-encoding': 'gzip' });
      expect(small.headers['content-encoding']).toBeUndefined();
      expect((JSON.parse(small.body.toString()) as Json).items).toHaveLength(2);
    });
  });

  it('counts requests by route pattern and code, never by object name', async () => {
    await start();
    await get(
      '/apis/custom.metrics.k8s.io/v1beta2/namespaces/platform/pods/collab-a/websocket_connections',
    );
    await get('/apis/custom.metrics.k8s.io/v1beta2/namespaces/platform/pods/*/nope');
    const m = (await get('/metrics')).body as string;
    expect(m).toContain(
      'beacon_adapter_requests_total{path="/apis/custom.metrics.k8s.io/v1beta2/namespaces/{namespace}/pods/{name}/{metric}",code="200"} 1',
    );
    expect(m).toContain(
      'beacon_adapter_requests_total{path="/apis/custom.metrics.k8s.io/v1beta2/namespaces/{namespace}/pods/*/{metric}",code="404"} 1',
    );
    expect(m).not.toContain('collab-a');
  });

  it('counts a request its caller gave up on before the answer, as code 0, with its time', async () => {
    let release!: () => void;
    let asked!: () => void;
    const authorizing = new Promise<void>((r) => (asked = r));
    let calls = 0;
    await start({
      // The first request's authorization waits for release(); /metrics' after it does not.
      authorize: async (...args) => {
        if (calls++ > 0) return allowAll(...args);
        asked();
        return new Promise((r) => (release = () => r({ allowed: true })));
      },
    });
    const path =
      '/apis/custom.metrics.k8s.io/v1beta2/namespaces/platform/pods/*/websocket_connections';
    const sent = performance.now();
    const req = request(base + path);
    req.on('error', () => undefined); // the abort below
    req.end();
    await authorizing;
    await new Promise((r) => setTimeout(r, 50));
    req.destroy(); // the caller gives up, 50 ms in
    const leftAfter = (performance.now() - sent) / 1000;
    await new Promise((r) => setTimeout(r, 100));
    const pattern = '/apis/custom.metrics.k8s.io/v1beta2/namespaces/{namespace}/pods/*/{metric}';
    const counted = (m: string) => [
      sampleValue(m, 'beacon_adapter_requests_total', { path: pattern, code: '0' }),
      sampleValue(m, 'beacon_adapter_request_duration_seconds_count', { path: pattern }),
    ];
    // Counted when the caller left, though the handler is still waiting.
    const left = (await get('/metrics')).body as string;
    expect(counted(left)).toEqual([1, 1]);
    const seconds = sampleValue(left, 'beacon_adapter_request_duration_seconds_sum', {
      path: pattern,
    });
    // Its time runs to the caller's leaving, not to the /metrics read 100 ms later (read against
    // the client's own clock: on a loaded machine the 50 ms timer alone can fire late).
    expect(seconds).toBeGreaterThanOrEqual(0.045);
    expect(seconds).toBeLessThan(leftAfter + 0.05);
    // And once only: the handler's answer, when it comes, goes nowhere and counts nothing.
    release();
    await new Promise((r) => setTimeout(r, 50));
    expect(counted((await get('/metrics')).body as string)).toEqual([1, 1]);
  });

  it('names a resource in the path label only when Kubernetes has it built in', async () => {
    await start();
    await get('/apis/custom.metrics.k8s.io/v1beta2/namespaces/platform/zz0a.example.com/x/m');
    await get('/apis/custom.metrics.k8s.io/v1beta2/nodes/n1/node_load1');
    const m = (await get('/metrics')).body as string;
    expect(m).toContain(
      'beacon_adapter_requests_total{path="/apis/custom.metrics.k8s.io/v1beta2/namespaces/{namespace}/{resource}/{name}/{metric}",code="404"} 1',
    );
    expect(m).toContain(
      'beacon_adapter_requests_total{path="/apis/custom.metrics.k8s.io/v1beta2/nodes/{name}/{metric}",code="404"} 1',
    );
    expect(m).not.toContain('zz0a');
  });
});
