// How answers are written, over real HTTP: pretty-printed as k8s.io/apiserver pretty-prints them
// (`?pretty`, a curl, Wget or browser User-Agent), and refused with a 406 when Accept takes
// nothing served, as its content negotiation refuses them — but JSON to the HPA's protobuf Accept.
import { request, type IncomingHttpHeaders } from 'node:http';
import { gunzipSync } from 'node:zlib';
import { createApp, type ServerDeps } from './server';
import { fakeProvider, type FakeData } from './provider/fake';
import { allowAll, allowAnonymous } from './auth/types';
import { createAdapterMetrics } from './telemetry/metrics';
import { memoryLogger } from './telemetry/logger';
import { localServers } from './testing/local-servers';

const pod = (name: string) => ({ kind: 'Pod', namespace: 'platform', name, apiVersion: '/v1' });
const data: FakeData = {
  custom: [{ resource: 'pods', metric: 'websocket_connections', namespaced: true }],
  external: [{ resource: '', metric: 'job_queue_length', namespaced: true }],
  objects: {
    'pods/platform/collab-a/websocket_connections': [
      { describedObject: pod('collab-a'), value: '1.5', timestamp: 1700000000 },
    ],
    // 1,500 pods: a list over the apiserver's 128 KiB gzip threshold.
    'pods/platform/*/websocket_connections': Array.from({ length: 1500 }, (_, i) => ({
      describedObject: pod(`collab-${String(i).padStart(5, '0')}`),
      value: String(i % 50),
      timestamp: 1700000000,
    })),
  },
  externals: {
    'platform/job_queue_length': [
      { labels: { queue: 'render' }, value: '42', timestamp: 1700000001 },
    ],
  },
};

const ONE =
  '/apis/custom.metrics.k8s.io/v1beta2/namespaces/platform/pods/collab-a/websocket_connections';
const MANY = '/apis/custom.metrics.k8s.io/v1beta2/namespaces/platform/pods/*/websocket_connections';
const EXTERNAL = '/apis/external.metrics.k8s.io/v1beta1/namespaces/platform/job_queue_length';
const ONE_BODY = {
  kind: 'MetricValueList',
  apiVersion: 'custom.metrics.k8s.io/v1beta2',
  metadata: {},
  items: [
    {
      describedObject: pod('collab-a'),
      metric: { name: 'websocket_connections' },
      timestamp: '2023-11-14T22:13:20Z',
      value: '1500m',
    },
  ],
};
const RESOURCES = {
  kind: 'APIResourceList',
  apiVersion: 'v1',
  groupVersion: 'custom.metrics.k8s.io/v1beta2',
  resources: [
    {
      name: 'pods/websocket_connections',
      singularName: '',
      namespaced: true,
      kind: 'MetricValueList',
      verbs: ['get'],
    },
  ],
};
const NOT_FOUND = {
  kind: 'Status',
  apiVersion: 'v1',
  metadata: {},
  status: 'Failure',
  message: 'the server could not find the metric nope for pods',
  reason: 'NotFound',
  code: 404,
};
const NOT_ACCEPTABLE = {
  kind: 'Status',
  apiVersion: 'v1',
  metadata: {},
  status: 'Failure',
  message: 'only the following media types are accepted: application/json',
  reason: 'NotAcceptable',
  code: 406,
};
const HPA = {
  accept: 'application/vnd.kubernetes.protobuf, */*',
  'user-agent':
    'kube-controller-manager/v1.32.3 (linux/amd64) kubernetes/32cc146/system:serviceaccount:kube-system:horizontal-pod-autoscaler',
};
const TABLE = 'application/json;as=Table;g=meta.k8s.io;v=v1';
const pretty = (value: unknown) => JSON.stringify(value, null, 2);

const servers = localServers();
let base: string;

/** Serves the app on loopback; a test that starts another closes this one first. */
async function start(overrides: Partial<ServerDeps> = {}) {
  base = await servers.serve(
    createApp({
      provider: fakeProvider(data),
      authenticate: allowAnonymous,
      authorize: allowAll,
      metrics: createAdapterMetrics({ defaultMetrics: false }),
      logger: memoryLogger(),
      version: { gitVersion: 'v0.1.0' },
      now: () => 1700000010_000,
      ...overrides,
    }),
  );
}

afterEach(servers.closeAll);

// node:http, not fetch: fetch sends an Accept and a User-Agent of its own, and unzips.
const raw = (path: string, headers: Record<string, string> = {}) =>
  new Promise<{ status: number; headers: IncomingHttpHeaders; text: string; body: Buffer }>(
    (resolve, reject) => {
      request(base + path, { headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const body = Buffer.concat(chunks);
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            text: body.toString(),
            body,
          });
        });
      })
        .on('error', reject)
        .end();
    },
  );

describe('pretty-printing, as k8s.io/apiserver does it', () => {
  it('indents a value list, a discovery document and a Status for ?pretty=true', async () => {
    await start();
    expect((await raw(`${ONE}?pretty=true`)).text).toBe(pretty(ONE_BODY));
    expect((await raw('/apis/custom.metrics.k8s.io/v1beta2?pretty=1')).text).toBe(
      pretty(RESOURCES),
    );
    const status = await raw(
      '/apis/custom.metrics.k8s.io/v1beta2/namespaces/platform/pods/*/nope?pretty=True',
    );
    expect(status.status).toBe(404);
    expect(status.text).toBe(pretty(NOT_FOUND));
    // The pretty parameter is read beside the selectors, not refused as one of them.
    const selected = await raw(
      `${MANY}?labelSelector=app%3Dx&pretty=true&fieldSelector=metadata.name%3Dcollab-a`,
    );
    expect(selected.status).toBe(200);
    expect(selected.text).toBe(pretty(JSON.parse(selected.text)));
  });

  it('indents for curl, Wget and browsers, and not when ?pretty says otherwise', async () => {
    await start();
    for (const ua of ['curl/8.0', 'Wget/1.21.4', 'Mozilla/5.0 (X11; Linux x86_64)']) {
      expect((await raw(ONE, { 'user-agent': ua })).text).toBe(pretty(ONE_BODY));
      expect((await raw('/apis/custom.metrics.k8s.io/v1beta2', { 'user-agent': ua })).text).toBe(
        pretty(RESOURCES),
      );
    }
    expect((await raw(ONE, { 'user-agent': 'curl/8.0', accept: 'application/json' })).text).toBe(
      pretty(ONE_BODY),
    );
    for (const off of ['false', '0', 'no'])
      expect((await raw(`${ONE}?pretty=${off}`, { 'user-agent': 'curl/8.0' })).text).toBe(
        JSON.stringify(ONE_BODY),
      );
    expect(
      (await raw('/apis/custom.metrics.k8s.io/v1beta2?pretty=false', { 'user-agent': 'curl/8.0' }))
        .text,
    ).toBe(JSON.stringify(RESOURCES));
    // The HPA's clients, and an Accept's own pretty=1.
    expect((await raw(ONE, HPA)).text).toBe(JSON.stringify(ONE_BODY));
    expect((await raw(ONE, { accept: 'application/json;pretty=1' })).text).toBe(pretty(ONE_BODY));
  });

  it('indents external values, the other discovery documents and every Status the filters answer', async () => {
    await start();
    const curl = { 'user-agent': 'curl/8.0' };
    for (const path of [EXTERNAL, '/apis', '/apis/custom.metrics.k8s.io', '/nope']) {
      const r = await raw(path, curl);
      expect(r.headers['content-type']).toBe('application/json');
      expect(r.text).toBe(pretty(JSON.parse(r.text)));
      expect(r.text).toContain('\n  "');
    }
    await servers.closeAll();
    await start({ authenticate: async () => undefined });
    const unauthorized = await raw(ONE, curl);
    expect(unauthorized.status).toBe(401);
    expect(unauthorized.text).toBe(pretty(JSON.parse(unauthorized.text)));
    await servers.closeAll();
    await start({ authorize: async () => ({ allowed: false, reason: 'no RBAC rule' }) });
    const forbidden = await raw(`${ONE}?pretty=1`);
    expect(forbidden.status).toBe(403);
    expect(forbidden.text).toBe(pretty(JSON.parse(forbidden.text)));
  });

  it('indents aggregated discovery with the ETag of its compact form', async () => {
    await start();
    const accept =
      'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json';
    const compact = await raw('/apis', { accept });
    const indented = await raw('/apis', { accept, 'user-agent': 'curl/8.0' });
    expect(indented.headers['content-type']).toBe(compact.headers['content-type']);
    expect(indented.headers.etag).toBe(compact.headers.etag);
    expect(indented.text).toBe(pretty(JSON.parse(compact.text)));
    expect(Number(indented.headers['content-length'])).toBe(indented.body.length);
  });

  it('answers /version indented always, and health, /metrics and OpenAPI as they were', async () => {
    await start();
    const version = await raw('/version', { accept: 'application/yaml' });
    expect(version.status).toBe(200);
    expect(version.text).toBe(pretty(JSON.parse(version.text)));
    const curl = { 'user-agent': 'curl/8.0' };
    expect((await raw('/healthz?pretty=true', curl)).text).toBe('ok');
    expect((await raw('/openapi/v2', curl)).text).not.toContain('\n');
    expect((await raw('/openapi/v3', curl)).text).not.toContain('\n');
    expect((await raw('/metrics?pretty=1', curl)).headers['content-type']).toMatch(/^text\/plain/);
  });

  it('gzips a large pretty list per request, and keeps serving the cached compact one', async () => {
    await start();
    const plain = await raw(MANY);
    expect(plain.headers['content-encoding']).toBeUndefined();
    for (let round = 0; round < 2; round++) {
      const zipped = await raw(`${MANY}?pretty=true`, { 'accept-encoding': 'gzip' });
      expect(zipped.headers['content-encoding']).toBe('gzip');
      expect(Number(zipped.headers['content-length'])).toBe(zipped.body.length);
      expect(gunzipSync(zipped.body).toString()).toBe(pretty(JSON.parse(plain.text)));
      const unzipped = await raw(MANY, { 'user-agent': 'curl/8.0' });
      expect(unzipped.headers['content-encoding']).toBeUndefined();
      expect(unzipped.text).toBe(pretty(JSON.parse(plain.text)));
      const compact = await raw(MANY, { ...HPA, 'accept-encoding': 'gzip' });
      expect(gunzipSync(compact.body).equals(plain.body)).toBe(true);
    }
  });
});

describe('Accept, as k8s.io/apiserver negotiates it, with JSON for protobuf', () => {
  const paths = [
    ONE,
    EXTERNAL,
    '/apis',
    '/apis/custom.metrics.k8s.io',
    '/apis/custom.metrics.k8s.io/v1beta2',
  ];

  it.each([
    ['the HPA', HPA.accept],
    ['protobuf alone', 'application/vnd.kubernetes.protobuf'],
    ["kubectl's table request with its fallback", `${TABLE}, application/json`],
    ['no Accept', undefined],
    ['a browser', 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8'],
  ])('answers JSON to %s', async (_who, accept) => {
    await start();
    for (const path of paths) {
      const r = await raw(path, accept === undefined ? {} : { accept });
      expect([path, r.status, r.headers['content-type']]).toEqual([path, 200, 'application/json']);
      expect(JSON.parse(r.text)).toHaveProperty('kind');
    }
    expect(JSON.parse((await raw(ONE, accept === undefined ? {} : { accept })).text)).toEqual(
      ONE_BODY,
    );
  });

  it.each([
    ['a Table alone', TABLE],
    [
      'PartialObjectMetadataList',
      'application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1',
    ],
    ['YAML', 'application/yaml'],
    ['HTML', 'text/html'],
    ['JSON at weight 0', 'application/json;q=0'],
  ])('answers 406 NotAcceptable to %s, indented as upstream writes it', async (_what, accept) => {
    await start();
    for (const path of paths) {
      const r = await raw(path, { accept });
      expect([path, r.status, r.headers['content-type']]).toEqual([path, 406, 'application/json']);
      expect(r.text).toBe(pretty(NOT_ACCEPTABLE));
    }
  });

  it('keeps a 401, a 404 and a 400 whatever Accept says', async () => {
    await start();
    const accept = { accept: 'application/yaml' };
    const notFound = await raw(
      '/apis/custom.metrics.k8s.io/v1beta2/namespaces/platform/pods/*/nope',
      accept,
    );
    expect(notFound.status).toBe(404);
    expect(notFound.text).toBe(pretty(NOT_FOUND));
    expect((await raw('/nope', accept)).status).toBe(404);
    expect((await raw(`${MANY}?labelSelector=app%20in%20(`, accept)).status).toBe(400);
    await servers.closeAll();
    await start({ authenticate: async () => undefined });
    const r = await raw(ONE, { accept: TABLE });
    expect(r.status).toBe(401);
    expect(JSON.parse(r.text)).toMatchObject({ reason: 'Unauthorized', code: 401 });
  });

  it('gives /apis its aggregated form or the legacy list by Accept, else a 406', async () => {
    await start();
    const aggregated = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList';
    expect((await raw('/apis', { accept: aggregated })).headers['content-type']).toBe(aggregated);
    const legacy = await raw('/apis', {
      accept:
        'application/vnd.kubernetes.protobuf;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json',
    });
    expect([legacy.status, JSON.parse(legacy.text).kind]).toEqual([200, 'APIGroupList']);
    const refused = await raw('/apis', {
      accept:
        'application/vnd.kubernetes.protobuf;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList',
    });
    expect(refused.status).toBe(406);
  });
});
