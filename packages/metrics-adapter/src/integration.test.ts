// The adapter end to end: a real Prometheus (Debian's binary) scraping real prom-client targets
// built from the metric catalog — platform pods, a kube-state-metrics stand-in exporting
// kube_pod_labels, DCGM exporters scraped both ways — and the adapter over TLS in front of it,
// authenticating with client certificates and the aggregator's front-proxy headers.
import type { Server } from 'node:http';
import { Agent, createServer as createHttpsServer } from 'node:https';
import { request as httpRequest } from 'node:http';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import type { AddressInfo, Socket } from 'node:net';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { X509Certificate } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { catalog, createGauge } from '@beacon/metric-catalog';
import { Registry } from 'prom-client';
import type { UserInfo } from './auth/types';
import { parseFlags } from './flags';
import { startAdapter, type RunningAdapter } from './main';
import { memoryLogger } from './telemetry/logger';
import { httpsGet, type Reply } from './testing/https';
import { startFakeApiServer, type FakeApiServer } from './testing/fake-apiserver';
import { writeClientCertKubeconfig } from './testing/kubeconfig';
import { createPki, type Pair, type Pki } from './testing/pki';
import { writeTokenKubeconfig } from './testing/kubeconfig';
import {
  FAST_DISCOVERY_FLAGS,
  serveMetrics,
  startPrometheus,
  waitFor,
  type RunningPrometheus,
  type ScrapeTarget,
} from './testing/prometheus';

let prom: RunningPrometheus;
let adapter: RunningAdapter;
let pki: Pki;
let user: Pair; // signed by the client CA: CN=jane, O=dev, O=ops
let frontProxy: Pair; // signed by the requestheader CA, CN allowed
let rogueProxy: Pair; // signed by the requestheader CA, CN not allowed
let stranger: Pair; // signed by a CA the adapter does not trust
// Signed through intermediates, each sent with its chain (leaf, then intermediate), or without.
let chained: { user: Pair; proxy: Pair; proxyNamedAsUser: Pair; stranger: Pair; bareLeaf: Pair };
let serving: string;
let certDir: string;
const servers: Server[] = [];
const seenUsers: UserInfo[] = [];

async function target(
  fill: (r: Registry) => void,
  labels?: Record<string, string>,
): Promise<ScrapeTarget> {
  const registry = new Registry();
  fill(registry);
  const { server, address } = await serveMetrics(registry);
  servers.push(server);
  return { address, ...(labels ? { labels } : {}) };
}

const podLabels = (pod: string, extra: Record<string, string> = {}) => ({
  namespace: 'platform',
  pod,
  service: 'collaboration',
  ...extra,
});

beforeAll(async () => {
  pki = createPki();
  const clientCa = pki.ca('client-ca');
  const rhCa = pki.ca('front-proxy-ca');
  const otherCa = pki.ca('other-ca');
  user = pki.client(clientCa, 'jane', '/CN=jane/O=dev/O=ops');
  frontProxy = pki.client(rhCa, 'front-proxy', '/CN=front-proxy-client');
  rogueProxy = pki.client(rhCa, 'rogue-proxy', '/CN=someone-else');
  stranger = pki.client(otherCa, 'stranger', '/CN=mallory');
  const withChain = (leaf: Pair, ...up: Pair[]): Pair => ({
    ...leaf,
    cert: leaf.cert + up.map((c) => c.cert).join(''),
  });
  const clientIca = pki.intermediate(clientCa, 'client-ica');
  const rhIca = pki.intermediate(rhCa, 'front-proxy-ica');
  const otherIca = pki.intermediate(otherCa, 'other-ica');
  const ivan = pki.client(clientIca, 'ivan', '/CN=ivan/O=dev');
  chained = {
    user: withChain(ivan, clientIca),
    proxy: withChain(pki.client(rhIca, 'ica-proxy', '/CN=front-proxy-client'), rhIca),
    // The allowed front-proxy name, but under the client CA: a user, not a proxy.
    proxyNamedAsUser: withChain(
      pki.client(clientIca, 'ica-fake-proxy', '/CN=front-proxy-client'),
      clientIca,
    ),
    stranger: withChain(pki.client(otherIca, 'ica-stranger', '/CN=mallory'), otherIca),
    bareLeaf: ivan, // without its intermediate: no chain to a trusted CA
  };

  const targets: ScrapeTarget[] = [];
  const ws = (n: number) => (r: Registry) =>
    createGauge(catalog.platform.websocketConnections, r).set(n);
  targets.push(await target(ws(3), podLabels('collab-a')));
  targets.push(await target(ws(1.5), podLabels('collab-b')));
  targets.push(await target(ws(Number.NaN), podLabels('collab-c')));
  targets.push(await target(ws(9), podLabels('legacy-0')));
  // Pods only the Kubernetes API knows (testdata/kube/podlist.json), for the watch lister.
  targets.push(await target(ws(4), podLabels('collab-7d9f8b6c5d-x2x4z')));
  targets.push(await target(ws(6), podLabels('collab-7d9f8b6c5d-q8w2m')));
  targets.push(
    await target(
      (r) => createGauge(catalog.platform.jobQueueLength, r).set({ queue: 'render' }, 12000),
      { namespace: 'platform', pod: 'video-0', service: 'video-processing' },
    ),
  );
  // kube-state-metrics: its series carry the pods' own namespace/pod labels (no target labels).
  targets.push(
    await target((r) => {
      const g = createGauge(catalog.kubeStateMetrics.podLabels, r);
      const pod = (name: string, app: string) =>
        g.set(
          {
            namespace: 'platform',
            pod: name,
            uid: name,
            label_app: app,
            label_app_kubernetes_io_name: app,
          },
          1,
        );
      pod('collab-a', 'collab');
      pod('collab-b', 'collab');
      pod('collab-c', 'collab');
      pod('legacy-0', 'legacy');
      pod('video-0', 'video');
    }),
  );
  const gpu = (pod: string, util: number) => (r: Registry) => {
    const labels = {
      gpu: '0',
      UUID: `GPU-${pod}`,
      device: 'nvidia0',
      modelName: 'NVIDIA H100',
      Hostname: 'node-1',
      pod,
      namespace: 'platform',
      container: 'model',
    };
    createGauge(catalog.dcgmExporter.gpuUtilization, r).set(labels, util);
    createGauge(catalog.dcgmExporter.framebufferUsed, r).set(labels, 1024);
  };
  // Scraped without honor_labels: the exporter's own pod wins, the GPU's pod becomes exported_pod.
  targets.push(
    await target(gpu('ai-0', 80), { namespace: 'gpu-operator', pod: 'dcgm-exporter-x' }),
  );
  // Scraped as if with honor_labels: the GPU's pod is in pod/namespace.
  targets.push(await target(gpu('ai-1', 35)));

  prom = await startPrometheus(targets);
  const count = async (query: string) => {
    const res = await fetch(`${prom.url}/api/v1/query?query=${encodeURIComponent(query)}`);
    const body = (await res.json()) as { data: { result: { value: [number, string] }[] } };
    return Number(body.data.result[0]?.value[1] ?? 0);
  };
  await waitFor(
    async () =>
      (await count('count(up==1)')) === targets.length &&
      (await count(`count(${catalog.dcgmExporter.gpuUtilization.name})`)) === 2,
    30_000,
    () => 'Prometheus did not scrape every target and both GPUs',
  );

  certDir = mkdtempSync(join(tmpdir(), 'beacon-adapter-certs-'));
  const flags = parseFlags([
    `--prometheus-url=${prom.url}`,
    '--secure-port=0',
    '--bind-address=127.0.0.1',
    `--cert-dir=${certDir}`,
    `--client-ca-file=${clientCa.certFile}`,
    `--requestheader-client-ca-file=${rhCa.certFile}`,
    '--requestheader-allowed-names=front-proxy-client',
    ...FAST_DISCOVERY_FLAGS,
    '--v=2',
    '--logtostderr=true',
  ]);
  adapter = await startAdapter(flags, {
    logger: memoryLogger(),
    authorize: async (u) => {
      seenUsers.push(u);
      return { allowed: true };
    },
  });
  serving = readFileSync(join(certDir, 'apiserver.crt'), 'utf8');
  // Every metric the tests read, not just some: discovery lists what Prometheus had when it ran.
  await waitFor(
    async () => {
      const { body } = await get('/apis/custom.metrics.k8s.io/v1beta2');
      const names = new Set(body.resources.map((x: { name: string }) => x.name));
      return [
        'websocket_connections',
        'job_queue_length',
        'gpu_utilization',
        'gpu_framebuffer_used_bytes',
      ].every((m) => names.has(`pods/${m}`));
    },
    20_000,
    () => 'the adapter did not discover the metrics',
  );
});

afterAll(async () => {
  await adapter?.close();
  await prom?.stop();
  for (const s of servers) s.close();
  pki?.remove();
  if (certDir) rmSync(certDir, { recursive: true, force: true });
});

/** GET as `as` (a client certificate), or with no certificate when `as` is null. */
const get = (
  path: string,
  as: Pair | null = user,
  headers?: Record<string, string | string[]>,
): Promise<Reply> =>
  httpsGet(adapter.url + path, {
    ca: serving,
    ...(as ? { cert: as.cert, key: as.key } : {}),
    headers,
  });

/**
 * GET a value list, again until it holds `n` items. The scrape targets live in this process and
 * Prometheus scrapes them every second with a one-second timeout: on a loaded CI machine a scrape
 * can time out, which marks that target's series stale until the next one succeeds, and an answer
 * of that moment (cached for the value cache's TTL) lacks them. What the items are is asserted
 * by the caller.
 */
async function getItems(path: string, n: number): Promise<Reply> {
  let last: Reply | undefined;
  await waitFor(
    async () => (last = await get(path)).body.items?.length === n,
    15_000,
    () => `${path}: expected ${n} items, last answer ${JSON.stringify(last?.body)}`,
  );
  return last as Reply;
}

const RFC3339 = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/;
const pod = (name: string) => ({ kind: 'Pod', namespace: 'platform', name, apiVersion: '/v1' });

describe('the adapter against a real Prometheus', () => {
  it('lists the preset metrics in discovery, namespaced, with verbs [get]', async () => {
    const r = await get('/apis/custom.metrics.k8s.io/v1beta2');
    const names = r.body.resources.map((x: { name: string }) => x.name);
    expect(names).toEqual(
      expect.arrayContaining([
        'pods/websocket_connections',
        'pods/job_queue_length',
        'pods/gpu_utilization',
        'pods/gpu_framebuffer_used_bytes',
        'namespaces/websocket_connections',
      ]),
    );
    expect(
      r.body.resources.find((x: { name: string }) => x.name === 'pods/websocket_connections'),
    ).toEqual({
      name: 'pods/websocket_connections',
      singularName: '',
      namespaced: true,
      kind: 'MetricValueList',
      verbs: ['get'],
    });
    const ext = await get('/apis/external.metrics.k8s.io/v1beta1');
    expect(ext.body.resources.map((x: { name: string }) => x.name)).toContain('job_queue_length');
  });

  it('serves v1beta2 pods/%2A by label selector, NaN left out, the sample time as timestamp', async () => {
    const before = Date.now();
    const r = await getItems(
      '/apis/custom.metrics.k8s.io/v1beta2/namespaces/platform/pods/%2A/websocket_connections?labelSelector=app%3Dcollab',
      2,
    );
    expect(r.status).toBe(200);
    expect(r.body.kind).toBe('MetricValueList');
    expect(r.body.apiVersion).toBe('custom.metrics.k8s.io/v1beta2');
    expect(
      r.body.items.map((i: { describedObject: unknown; metric: unknown; value: string }) => [
        i.describedObject,
        i.metric,
        i.value,
      ]),
    ).toEqual([
      [pod('collab-a'), { name: 'websocket_connections' }, '3'],
      [pod('collab-b'), { name: 'websocket_connections' }, '1500m'],
    ]);
    for (const item of r.body.items) {
      expect(item.timestamp).toMatch(RFC3339);
      const t = Date.parse(item.timestamp);
      expect(t).toBeGreaterThan(before - 5_000);
      expect(t).toBeLessThanOrEqual(Date.now());
      expect(item).not.toHaveProperty('windowSeconds');
    }
    // The answer just read was loaded by that very request (getItems asks one at a time), so
    // it is cached until at least t0 + the 5 s TTL.
    const t0 = Date.now();
    // A repeat within the cache TTL is the same sample: same timestamp, not the request time.
    await new Promise((res) => setTimeout(res, 1100));
    const again = await get(
      '/apis/custom.metrics.k8s.io/v1beta2/namespaces/platform/pods/%2A/websocket_connections?labelSelector=app%3Dcollab',
    );
    expect(again.status).toBe(200);
    if (Date.now() - t0 < 4_000) {
      expect(again.body.items[0].timestamp).toBe(r.body.items[0].timestamp);
    } else {
      // A machine too busy to ask again within the TTL gets a fresh answer: a later sample, but
      // still a sample's time, never after the request.
      for (const item of again.body.items) {
        expect(item.timestamp).toMatch(RFC3339);
        expect(Date.parse(item.timestamp)).toBeGreaterThanOrEqual(
          Date.parse(r.body.items[0].timestamp),
        );
        expect(Date.parse(item.timestamp)).toBeLessThanOrEqual(Date.now());
      }
    }
    expect((await get('/metrics', null)).status).toBe(401);
    // collab-c's NaN is counted when an answer loaded from Prometheus holds it; a scrape that
    // timed out can leave it out of one answer, so ask again (the cache reloads after its TTL)
    // until it has been seen.
    const nonfinite =
      /beacon_adapter_nonfinite_values_total\{metric="websocket_connections"\} [1-9]/;
    let metrics: Reply | undefined;
    await waitFor(
      async () => {
        await get(
          '/apis/custom.metrics.k8s.io/v1beta2/namespaces/platform/pods/%2A/websocket_connections?labelSelector=app%3Dcollab',
        );
        return nonfinite.test((metrics = await get('/metrics', user)).text);
      },
      15_000,
      () => `the NaN value was never counted: ${metrics?.text}`,
    );
    expect(metrics?.text).toMatch(nonfinite);
    expect(metrics?.text).toMatch(/beacon_adapter_cache_requests_total\{result="hit"\} [1-9]/);
  });

  it('serves v1beta1 with metricName and the metric selector echoed', async () => {
    const r = await getItems(
      '/apis/custom.metrics.k8s.io/v1beta1/namespaces/platform/pods/*/websocket_connections?labelSelector=app%20in%20(collab,legacy),!tier&metricLabelSelector=service%3Dcollaboration',
      3,
    );
    expect(
      r.body.items.map(
        (i: {
          describedObject: { name: string };
          metricName: string;
          value: string;
          selector: unknown;
        }) => [i.describedObject.name, i.metricName, i.value, i.selector],
      ),
    ).toEqual([
      ['collab-a', 'websocket_connections', '3', { matchLabels: { service: 'collaboration' } }],
      ['collab-b', 'websocket_connections', '1500m', { matchLabels: { service: 'collaboration' } }],
      ['legacy-0', 'websocket_connections', '9', { matchLabels: { service: 'collaboration' } }],
    ]);
  });

  it('serves one named pod, and the namespace total', async () => {
    const one = await getItems(
      '/apis/custom.metrics.k8s.io/v1beta2/namespaces/platform/pods/legacy-0/websocket_connections',
      1,
    );
    expect(one.body.items.map((i: { value: string }) => i.value)).toEqual(['9']);
    const ns = await getItems(
      '/apis/custom.metrics.k8s.io/v1beta2/namespaces/platform/metrics/job_queue_length',
      1,
    );
    expect(ns.body.items).toHaveLength(1);
    expect(ns.body.items[0].describedObject).toEqual({
      kind: 'Namespace',
      name: 'platform',
      apiVersion: '/v1',
    });
    expect(ns.body.items[0].value).toBe('12k');
  });

  it('serves GPU utilisation from DCGM exporter whichever way it was scraped', async () => {
    const r = await getItems(
      '/apis/custom.metrics.k8s.io/v1beta2/namespaces/platform/pods/*/gpu_utilization',
      2,
    );
    expect(
      r.body.items.map((i: { describedObject: { name: string }; value: string }) => [
        i.describedObject.name,
        i.value,
      ]),
    ).toEqual([
      ['ai-0', '80'],
      ['ai-1', '35'],
    ]);
    const fb = await getItems(
      '/apis/custom.metrics.k8s.io/v1beta2/namespaces/platform/pods/ai-1/gpu_framebuffer_used_bytes',
      1,
    );
    expect(fb.body.items[0].value).toBe(String(1024 * 1048576));
  });

  it('serves the external queue length per queue with its labels', async () => {
    const r = await getItems(
      '/apis/external.metrics.k8s.io/v1beta1/namespaces/platform/job_queue_length?labelSelector=queue%3Drender',
      1,
    );
    expect(r.body.kind).toBe('ExternalMetricValueList');
    expect(r.body.items).toHaveLength(1);
    expect(r.body.items[0]).toMatchObject({
      metricName: 'job_queue_length',
      metricLabels: { queue: 'render' },
      value: '12k',
    });
    expect(r.body.items[0].timestamp).toMatch(RFC3339);
  });

  it('answers 404 and 400 as Status objects', async () => {
    const missing = await get(
      '/apis/custom.metrics.k8s.io/v1beta2/namespaces/platform/pods/*/nope',
    );
    expect(missing.body).toMatchObject({
      kind: 'Status',
      status: 'Failure',
      reason: 'NotFound',
      code: 404,
    });
    const gone = await get(
      '/apis/custom.metrics.k8s.io/v1beta2/namespaces/platform/pods/gone-0/websocket_connections',
    );
    expect(gone.body).toMatchObject({ reason: 'NotFound', code: 404 });
    const bad = await get(
      '/apis/custom.metrics.k8s.io/v1beta2/namespaces/platform/pods/*/websocket_connections?labelSelector=app%20in%20(a',
    );
    expect(bad.body).toMatchObject({ reason: 'BadRequest', code: 400 });
    expect(bad.body.message).toContain('labelSelector');
  });

  it('authenticates client certificates and the front proxy, and nobody else', async () => {
    seenUsers.length = 0;
    expect((await get('/apis', user)).status).toBe(200);
    expect(
      (
        await get('/apis', frontProxy, {
          'X-Remote-User': 'system:serviceaccount:kube-system:horizontal-pod-autoscaler',
          'X-Remote-Group': 'system:serviceaccounts',
          'X-Remote-Extra-Scopes': 'hpa',
          // Keys are percent-decoded, kept as sent when they do not decode, and never a prototype.
          'X-Remote-Extra-Acme.com%2Fproject': 'p1',
          'X-Remote-Extra-Bad%ZZ': 'y',
          'X-Remote-Extra-__proto__': 'x',
        })
      ).status,
    ).toBe(200);
    // Each header line is one value, whole: commas inside a user or group name are theirs.
    expect(
      (
        await get('/apis', frontProxy, {
          'X-Remote-User': 'uid=alice,ou=people,dc=example',
          'X-Remote-Group': ['cn=admins,ou=groups', 'system:authenticated'],
          'X-Remote-Extra-Scopes': ['user:info', 'user:check-access'],
        })
      ).status,
    ).toBe(200);
    // Impersonation headers from a plain client certificate are ignored.
    expect((await get('/apis', user, { 'X-Remote-User': 'admin' })).status).toBe(200);
    // Every user is in system:authenticated, once (AuthenticatedGroupAdder).
    expect(seenUsers).toEqual([
      { name: 'jane', groups: ['dev', 'ops', 'system:authenticated'] },
      {
        name: 'system:serviceaccount:kube-system:horizontal-pod-autoscaler',
        groups: ['system:serviceaccounts', 'system:authenticated'],
        extra: {
          scopes: ['hpa'],
          'acme.com/project': ['p1'],
          'bad%zz': ['y'],
          ['__proto__']: ['x'],
        },
      },
      {
        name: 'uid=alice,ou=people,dc=example',
        groups: ['cn=admins,ou=groups', 'system:authenticated'],
        extra: { scopes: ['user:info', 'user:check-access'] },
      },
      { name: 'jane', groups: ['dev', 'ops', 'system:authenticated'] },
    ]);
    for (const who of [null, rogueProxy, stranger]) {
      const r = await get('/apis', who, { 'X-Remote-User': 'admin' });
      expect(r.body).toMatchObject({ kind: 'Status', reason: 'Unauthorized', code: 401 });
    }
    // The front proxy without a user header is no one.
    expect((await get('/apis', frontProxy)).status).toBe(401);
    expect((await get('/healthz', null)).text).toBe('ok');
  });

  it('takes certificates through the intermediates the client sends, by the bundle they end in', async () => {
    seenUsers.length = 0;
    expect((await get('/apis', chained.user)).status).toBe(200);
    const hpa = { 'X-Remote-User': 'system:serviceaccount:kube-system:horizontal-pod-autoscaler' };
    expect((await get('/apis', chained.proxy, hpa)).status).toBe(200);
    expect((await get('/apis', chained.proxyNamedAsUser, hpa)).status).toBe(200);
    expect(seenUsers).toEqual([
      { name: 'ivan', groups: ['dev', 'system:authenticated'] },
      {
        name: 'system:serviceaccount:kube-system:horizontal-pod-autoscaler',
        groups: ['system:authenticated'],
      },
      { name: 'front-proxy-client', groups: ['system:authenticated'] },
    ]);
    for (const who of [chained.stranger, chained.bareLeaf]) {
      const r = await get('/apis', who, hpa);
      expect(r.body).toMatchObject({ kind: 'Status', reason: 'Unauthorized', code: 401 });
    }
  });

  it('reads the front proxy’s user from each request on a kept connection, which is never renegotiated', async () => {
    // The connection's certificate is read once; the user it vouches for is each request's own.
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    seenUsers.length = 0;
    const replies: Reply[] = [];
    for (const name of ['alice', 'bob', 'carol'])
      replies.push(
        await httpsGet(`${adapter.url}/apis`, {
          ca: serving,
          cert: frontProxy.cert,
          key: frontProxy.key,
          headers: { 'X-Remote-User': name, 'X-Remote-Group': `team-${name}` },
          agent,
        }),
      );
    agent.destroy();
    expect(replies.map((r) => [r.status, r.reusedSocket])).toEqual([
      [200, false],
      [200, true],
      [200, true],
    ]);
    expect(seenUsers.map((u) => [u.name, u.groups])).toEqual([
      ['alice', ['team-alice', 'system:authenticated']],
      ['bob', ['team-bob', 'system:authenticated']],
      ['carol', ['team-carol', 'system:authenticated']],
    ]);

    // A TLS 1.2 client may ask to renegotiate (to present another certificate): it does not get to.
    const socket = tlsConnect({
      host: '127.0.0.1',
      port: Number(new URL(adapter.url).port),
      ca: serving,
      cert: user.cert,
      key: user.key,
      maxVersion: 'TLSv1.2',
    });
    await new Promise<void>((resolve, reject) => {
      socket.once('secureConnect', resolve);
      socket.once('error', reject);
    });
    // Refused, the handshake never completes (a server that allows it completes it at once).
    const renegotiated = await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), 2_000);
      socket.once('close', () => (clearTimeout(timer), resolve(false)));
      socket.on('error', () => undefined);
      socket.renegotiate({}, (err) => (clearTimeout(timer), resolve(!err)));
    });
    socket.destroy();
    expect(renegotiated).toBe(false);
  });

  it('answers the real kubectl over TLS with a client certificate', async () => {
    const kubeconfig = writeClientCertKubeconfig(join(certDir, 'kubeconfig.yaml'), {
      server: adapter.url,
      caFile: join(certDir, 'apiserver.crt'),
      certFile: user.certFile,
      keyFile: user.keyFile,
      user: 'jane',
    });
    // Asynchronously: the adapter answers from this same process.
    const kubectl = async (path: string) =>
      (
        await promisify(execFile)('kubectl', ['--kubeconfig', kubeconfig, 'get', '--raw', path], {
          encoding: 'utf8',
          timeout: 30_000,
        })
      ).stdout;
    // Both pods, again until they are in one answer: a scrape that timed out on a busy machine
    // leaves a pod out of the answer of that moment (cached for the TTL).
    let list: { items?: unknown[] } | undefined;
    let lastError = '';
    await waitFor(
      async () => {
        try {
          list = JSON.parse(
            await kubectl(
              '/apis/custom.metrics.k8s.io/v1beta2/namespaces/platform/pods/%2A/websocket_connections?labelSelector=app%3Dcollab',
            ),
          );
        } catch (err) {
          lastError = String((err as { stderr?: string }).stderr ?? err);
          throw err;
        }
        return list?.items?.length === 2;
      },
      60_000,
      () => `kubectl never got both pods: ${JSON.stringify(list)} ${lastError}`,
    );
    expect(
      (list?.items as { describedObject: { name: string }; value: string }[]).map((i) => [
        i.describedObject.name,
        i.value,
      ]),
    ).toEqual([
      ['collab-a', '3'],
      ['collab-b', '1500m'],
    ]);
    let failure = '';
    try {
      await kubectl('/apis/custom.metrics.k8s.io/v1beta2/namespaces/platform/pods/%2A/nope');
    } catch (err) {
      failure = String((err as { stderr?: string }).stderr);
    }
    expect(failure).toContain('the server could not find the metric nope for pods');
  });

  describe('delegated to a Kubernetes API server (fake, with real response bodies)', () => {
    let kube: FakeApiServer;
    let delegated: RunningAdapter;
    let delegatedCa: string;
    let kubeCaPem: string;
    let delegatedCertDir: string | undefined;

    beforeAll(async () => {
      const kubeCa = pki.ca('kube-ca');
      kube = await startFakeApiServer({
        serving: pki.server(kubeCa, 'kube-apiserver'),
        allow: [
          'system:serviceaccount:kube-system:horizontal-pod-autoscaler get pods.custom.metrics.k8s.io',
        ],
        tokens: { 'hpa-token': 'tokenreview-authenticated.json' },
        adapterToken: 'adapter-sa-token',
        clusterAuth: {
          clientCA: readFileSync(join(pki.dir, 'client-ca.crt'), 'utf8'),
          requestHeaderCA: readFileSync(join(pki.dir, 'front-proxy-ca.crt'), 'utf8'),
        },
      });
      kubeCaPem = kubeCa.cert;
      const kubeconfig = writeTokenKubeconfig(join(certDir, 'adapter-kubeconfig.yaml'), {
        server: kube.url,
        caPem: kubeCa.cert,
        token: 'adapter-sa-token',
      });
      const dir = mkdtempSync(join(tmpdir(), 'beacon-adapter-delegated-'));
      delegatedCertDir = dir;
      delegated = await startAdapter(
        parseFlags([
          `--prometheus-url=${prom.url}`,
          '--secure-port=0',
          '--bind-address=127.0.0.1',
          `--cert-dir=${dir}`,
          `--client-ca-file=${pki.dir}/client-ca.crt`,
          `--authentication-kubeconfig=${kubeconfig}`,
          `--authorization-kubeconfig=${kubeconfig}`,
          `--lister-kubeconfig=${kubeconfig}`,
          ...FAST_DISCOVERY_FLAGS,
        ]),
        { logger: memoryLogger() },
      );
      delegatedCa = readFileSync(join(dir, 'apiserver.crt'), 'utf8');
    });

    afterAll(async () => {
      await delegated?.close();
      await kube?.close();
      if (delegatedCertDir) rmSync(delegatedCertDir, { recursive: true, force: true });
    });

    const call = (path: string, o: { token?: string; as?: Pair }) =>
      httpsGet(delegated.url + path, {
        ca: delegatedCa,
        ...(o.as ? { cert: o.as.cert, key: o.as.key } : {}),
        ...(o.token ? { headers: { authorization: `Bearer ${o.token}` } } : {}),
      });
    const path =
      '/apis/custom.metrics.k8s.io/v1beta2/namespaces/platform/pods/*/websocket_connections?labelSelector=app%3Dcollab';

    it('serves the HPA (TokenReview, SubjectAccessReview) pods picked through the API watch', async () => {
      // Both pods once Prometheus has scraped both (on a busy machine one can lag the other). The
      // answer that had both is the one read: a later one can be a fresh, incomplete one.
      let r: Reply | undefined;
      await waitFor(
        async () => {
          r = await call(path, { token: 'hpa-token' });
          return r.status === 200 && r.body.items?.length === 2;
        },
        20_000,
        () => `the delegated adapter never answered 200 for both pods: ${JSON.stringify(r?.body)}`,
      );
      expect(
        r?.body.items.map((i: { describedObject: { name: string }; value: string }) => [
          i.describedObject.name,
          i.value,
        ]),
      ).toEqual([
        ['collab-7d9f8b6c5d-q8w2m', '6'],
        ['collab-7d9f8b6c5d-x2x4z', '4'],
      ]);
      const sar = kube.requests.find(
        (q) => q.path === '/apis/authorization.k8s.io/v1/subjectaccessreviews',
      );
      expect(sar?.body).toMatchObject({
        spec: {
          user: 'system:serviceaccount:kube-system:horizontal-pod-autoscaler',
          resourceAttributes: {
            resource: 'pods',
            subresource: 'websocket_connections',
            namespace: 'platform',
          },
        },
      });
    });

    it('answers 401 to a token the API server rejects and 403 to a user RBAC denies, anonymous too', async () => {
      expect((await call(path, { token: 'stolen' })).body).toMatchObject({
        kind: 'Status',
        reason: 'Unauthorized',
        code: 401,
      });
      const denied = await call(path, { as: user });
      expect(denied.body).toMatchObject({ kind: 'Status', reason: 'Forbidden', code: 403 });
      expect(denied.body.message).toMatch(
        /^pods\.custom\.metrics\.k8s\.io "\*" is forbidden: User "jane" cannot get resource "pods\/[a-z_]+" in API group "custom\.metrics\.k8s\.io" in the namespace "[a-z-]+"$/,
      );
      // No credentials at all: system:anonymous, whom the SubjectAccessReview denies.
      const anonymous = await call(path, {});
      expect(anonymous.body).toMatchObject({ kind: 'Status', reason: 'Forbidden', code: 403 });
      expect(anonymous.body.message).toBe(
        'pods.custom.metrics.k8s.io "*" is forbidden: User "system:anonymous" cannot get resource "pods/websocket_connections" in API group "custom.metrics.k8s.io" in the namespace "platform"',
      );
      expect(
        kube.requests.filter(
          (q) =>
            q.path === '/apis/authorization.k8s.io/v1/subjectaccessreviews' &&
            (q.body as { spec: { user: string } }).spec.user === 'system:anonymous',
        ),
      ).toMatchObject([{ body: { spec: { groups: ['system:unauthenticated'] } } }]);
    });

    it.each([
      ['with no CA flags', () => []],
      // The front-proxy CA a flag does not give is still the cluster's.
      ['with only --client-ca-file', () => [`--client-ca-file=${join(pki.dir, 'client-ca.crt')}`]],
    ])(
      'in a cluster, reads the client CAs kube-apiserver publishes and serves the aggregator (%s)',
      async (_what, caFlags) => {
        const dir = mkdtempSync(join(tmpdir(), 'beacon-adapter-incluster-'));
        const inCluster = await startAdapter(
          parseFlags([
            `--prometheus-url=${prom.url}`,
            '--secure-port=0',
            '--bind-address=127.0.0.1',
            `--cert-dir=${dir}`,
            ...caFlags(),
          ]),
          {
            logger: memoryLogger(),
            inCluster: {
              server: kube.url,
              token: 'adapter-sa-token',
              ca: kubeCaPem,
              insecureSkipTlsVerify: false,
            },
          },
        );
        try {
          const ca = readFileSync(join(dir, 'apiserver.crt'), 'utf8');
          const asAggregator = () =>
            httpsGet(inCluster.url + path, {
              ca,
              cert: frontProxy.cert,
              key: frontProxy.key,
              headers: {
                'X-Remote-User': 'system:serviceaccount:kube-system:horizontal-pod-autoscaler',
                'X-Remote-Group': 'system:serviceaccounts',
              },
            });
          // 200 with both pods, and that answer is the one read: an answer without one of them
          // (a scrape that timed out) is cached for the TTL, so a second request can get it.
          let r: Reply | undefined;
          await waitFor(
            async () => {
              r = await asAggregator();
              return r.status === 200 && r.body.items?.length === 2;
            },
            30_000,
            () =>
              `the in-cluster adapter never answered 200 for both pods: ${JSON.stringify(r?.body)}`,
          );
          expect(
            r?.body.items.map((i: { describedObject: { name: string } }) => i.describedObject.name),
          ).toEqual(['collab-7d9f8b6c5d-q8w2m', 'collab-7d9f8b6c5d-x2x4z']);
          const jane = await httpsGet(inCluster.url + path, { ca, cert: user.cert, key: user.key });
          expect(jane.body).toMatchObject({ reason: 'Forbidden', code: 403 });
          expect(
            kube.requests.some(
              (q) =>
                q.path ===
                '/api/v1/namespaces/kube-system/configmaps/extension-apiserver-authentication',
            ),
          ).toBe(true);
        } finally {
          await inCluster.close();
          rmSync(dir, { recursive: true, force: true });
        }
      },
    );
  });

  it('picks up a rotated serving certificate and client CA without a restart', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'beacon-adapter-rotate-'));
    const servingCa = pki.ca('rotate-serving-ca');
    const [first, second] = [pki.server(servingCa, 'rotate-1'), pki.server(servingCa, 'rotate-2')];
    const [oldCa, newCa] = [pki.ca('rotate-client-ca-1'), pki.ca('rotate-client-ca-2')];
    const newcomer = pki.client(newCa, 'rotate-newcomer', '/CN=newcomer/O=dev');
    const files = {
      cert: join(dir, 'tls.crt'),
      key: join(dir, 'tls.key'),
      ca: join(dir, 'ca.crt'),
    };
    const place = (serving: Pair, ca: Pair) => {
      writeFileSync(files.cert, serving.cert);
      writeFileSync(files.key, serving.key);
      writeFileSync(files.ca, ca.cert);
    };
    place(first, oldCa);
    const adapter = await startAdapter(
      parseFlags([
        `--prometheus-url=${prom.url}`,
        '--secure-port=0',
        '--bind-address=127.0.0.1',
        `--tls-cert-file=${files.cert}`,
        `--tls-private-key-file=${files.key}`,
        `--client-ca-file=${files.ca}`,
      ]),
      { logger: memoryLogger(), certificateReloadMs: 100 },
    );
    const servedCert = () =>
      new Promise<string>((resolve, reject) => {
        const socket = tlsConnect(
          { host: '127.0.0.1', port: adapter.port, ca: servingCa.cert },
          () => {
            resolve(socket.getPeerX509Certificate()?.fingerprint256 ?? '');
            socket.destroy();
          },
        );
        socket.once('error', reject);
      });
    const asNewcomer = () =>
      httpsGet(`${adapter.url}/apis`, {
        ca: servingCa.cert,
        cert: newcomer.cert,
        key: newcomer.key,
      });
    const fingerprint = (pair: Pair) => new X509Certificate(pair.cert).fingerprint256;
    try {
      expect(await servedCert()).toBe(fingerprint(first));
      expect((await asNewcomer()).status).toBe(401);
      place(second, newCa);
      await waitFor(
        async () => (await servedCert()) === fingerprint(second),
        10_000,
        () => 'the rotated serving certificate was never served',
      );
      await waitFor(
        async () => (await asNewcomer()).status === 200,
        10_000,
        () => 'a client of the new CA was never let in',
      );
    } finally {
      await adapter.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('keeps serving its self-signed certificate when --cert-dir is emptied, writing no new one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'beacon-adapter-vanish-'));
    const certDir = join(dir, 'certs');
    const logger = memoryLogger();
    const adapter = await startAdapter(
      parseFlags([
        `--prometheus-url=${prom.url}`,
        '--secure-port=0',
        '--bind-address=127.0.0.1',
        `--cert-dir=${certDir}`,
        '--insecure-serve-anonymous',
      ]),
      { logger, certificateReloadMs: 100 },
    );
    try {
      const ca = readFileSync(join(certDir, 'apiserver.crt'), 'utf8');
      rmSync(certDir, { recursive: true });
      await waitFor(
        async () =>
          logger.lines.some(
            (l) =>
              /keeping the current ones/.test(String(l.msg)) && /are gone/.test(String(l.error)),
          ),
        10_000,
        () => 'the files being gone was never logged',
      );
      // A pair written again would be a new CA: clients that trust the first one would be cut off.
      expect(existsSync(certDir)).toBe(false);
      expect((await httpsGet(`${adapter.url}/healthz`, { ca })).text).toBe('ok');
    } finally {
      await adapter.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses to start in a pod with no service account token and no authorization kubeconfig', async () => {
    await expect(
      startAdapter(
        parseFlags([
          `--prometheus-url=${prom.url}`,
          '--secure-port=0',
          '--bind-address=127.0.0.1',
          '--insecure-serve-anonymous', // past authentication, to the authorization check
        ]),
        { logger: memoryLogger(), inCluster: null, env: { KUBERNETES_SERVICE_HOST: '10.96.0.1' } },
      ),
    ).rejects.toThrow('refusing to serve every request unchecked');
  });

  it('listens on both IP families by default, as --bind-address 0.0.0.0 means in Kubernetes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'beacon-adapter-dual-'));
    const dual = await startAdapter(
      parseFlags([
        `--prometheus-url=${prom.url}`,
        '--secure-port=0',
        `--cert-dir=${dir}`,
        '--insecure-serve-anonymous',
      ]),
      { logger: memoryLogger() },
    );
    try {
      const ca = readFileSync(join(dir, 'apiserver.crt'), 'utf8');
      for (const host of ['127.0.0.1', '[::1]'])
        expect((await httpsGet(`https://${host}:${dual.port}/healthz`, { ca })).text).toBe('ok');
    } finally {
      await dual.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('serves only the TLS versions and cipher suites the flags name', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'beacon-adapter-tls-'));
    const handshake = (port: number, options: { maxVersion?: 'TLSv1.2'; ciphers?: string }) =>
      new Promise<string>((resolve) => {
        const socket = tlsConnect({
          host: '127.0.0.1',
          port,
          rejectUnauthorized: false,
          ...options,
        });
        socket.once('secureConnect', () => {
          resolve(`${socket.getProtocol()} ${socket.getCipher().name}`);
          socket.destroy();
        });
        socket.once('error', (err) => resolve(`refused: ${err.message}`));
      });
    const start = (flags: string[]) =>
      startAdapter(
        parseFlags([
          `--prometheus-url=${prom.url}`,
          '--secure-port=0',
          '--bind-address=127.0.0.1',
          `--cert-dir=${dir}`,
          '--insecure-serve-anonymous',
          ...flags,
        ]),
        { logger: memoryLogger() },
      );
    const tls13 = await start(['--tls-min-version=VersionTLS13']);
    const suites = await start([
      '--tls-cipher-suites=TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384',
    ]);
    try {
      expect(await handshake(tls13.port, { maxVersion: 'TLSv1.2' })).toMatch(/^refused/);
      expect(await handshake(tls13.port, {})).toMatch(/^TLSv1\.3 /);
      // The serving key is RSA (tls.ts, as client-go's): of the two suites, the RSA one is taken.
      expect(await handshake(suites.port, { maxVersion: 'TLSv1.2' })).toBe(
        'TLSv1.2 ECDHE-RSA-AES256-GCM-SHA384',
      );
      expect(
        await handshake(suites.port, {
          maxVersion: 'TLSv1.2',
          ciphers: 'ECDHE-RSA-AES128-GCM-SHA256',
        }),
      ).toMatch(/^refused/);
    } finally {
      await tls13.close();
      await suites.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reaches a Prometheus behind a TLS proxy with its CA, a client certificate and a token file', async () => {
    // What kube-rbac-proxy is in kube-prometheus: TLS with a client certificate and a bearer
    // token in front of the real Prometheus. This stand-in checks both and forwards.
    const promCa = pki.ca('prom-ca');
    const serving = pki.server(promCa, 'prom-proxy');
    const adapterClient = pki.client(promCa, 'adapter-to-prom', '/CN=metrics-adapter');
    const dir = mkdtempSync(join(tmpdir(), 'beacon-prom-auth-'));
    const tokenFile = join(dir, 'token');
    writeFileSync(tokenFile, 'sekret-1\n');
    const seen: { authorized: boolean; token: string | undefined }[] = [];
    const proxy = createHttpsServer(
      {
        cert: serving.cert,
        key: serving.key,
        ca: promCa.cert,
        requestCert: true,
        rejectUnauthorized: false,
      },
      (req, res) => {
        const authorized = (req.socket as TLSSocket).authorized;
        seen.push({ authorized, token: req.headers.authorization });
        if (!authorized || req.headers.authorization !== 'Bearer sekret-1') {
          res.writeHead(401).end('Unauthorized');
          return;
        }
        const upstream = httpRequest(
          `${prom.url}${req.url}`,
          { method: req.method, headers: req.headers },
          (r) => {
            res.writeHead(r.statusCode ?? 502, r.headers);
            r.pipe(res);
          },
        );
        req.pipe(upstream);
      },
    );
    // Every socket, TLS handshakes under way included, so that closing ends them all.
    const sockets = new Set<Socket>();
    proxy.on('connection', (socket: Socket) => sockets.add(socket));
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
    const proxyUrl = `https://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
    const start = (extra: string[]) =>
      startAdapter(
        parseFlags([
          `--prometheus-url=${proxyUrl}`,
          '--secure-port=0',
          '--bind-address=127.0.0.1',
          `--cert-dir=${dir}`,
          `--prometheus-ca-file=${promCa.certFile}`,
          `--prometheus-token-file=${tokenFile}`,
          '--insecure-serve-anonymous',
          ...extra,
        ]),
        { logger: memoryLogger() },
      );
    const withCert = await start([
      `--prometheus-client-tls-cert-file=${adapterClient.certFile}`,
      `--prometheus-client-tls-key-file=${adapterClient.keyFile}`,
    ]);
    try {
      const ca = readFileSync(join(dir, 'apiserver.crt'), 'utf8');
      const path =
        '/apis/external.metrics.k8s.io/v1beta1/namespaces/platform/job_queue_length?labelSelector=queue%3Drender';
      let answer: Reply | undefined;
      await waitFor(
        async () => {
          answer = await httpsGet(withCert.url + path, { ca });
          return answer.status === 200 && answer.body.items?.length === 1;
        },
        15_000,
        () =>
          `the adapter never answered 200 with the queue through the proxy: ${JSON.stringify(answer?.body)}`,
      );
      expect(answer?.body.items[0]).toMatchObject({ metricName: 'job_queue_length', value: '12k' });
      expect(seen.length).toBeGreaterThan(0);
      expect(seen.every((r) => r.authorized && r.token === 'Bearer sekret-1')).toBe(true);
    } finally {
      await withCert.close();
    }
    // Without its client certificate the proxy turns the adapter away: values are a 503.
    const noCert = await start([]);
    try {
      const ca = readFileSync(join(dir, 'apiserver.crt'), 'utf8');
      const r = await httpsGet(
        `${noCert.url}/apis/external.metrics.k8s.io/v1beta1/namespaces/platform/job_queue_length`,
        { ca },
      );
      expect(r.body).toMatchObject({ kind: 'Status', code: expect.any(Number) });
      expect([404, 503]).toContain(r.status);
      expect(seen.some((q) => !q.authorized)).toBe(true);
    } finally {
      await noCert.close();
      proxy.close();
      for (const socket of sockets) socket.destroy();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('answers 503 when Prometheus stops answering', async () => {
    await prom.stop();
    const r = await get(
      '/apis/custom.metrics.k8s.io/v1beta2/namespaces/platform/pods/*/websocket_connections?labelSelector=app%3Dlegacy',
    );
    expect(r.body).toMatchObject({ kind: 'Status', reason: 'ServiceUnavailable', code: 503 });
  });
});
