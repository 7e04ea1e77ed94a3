// The real kubectl reading the metrics adapter as a user reads an aggregated API: `kubectl get
// --raw` over TLS with a client certificate from a kubeconfig, the adapter (its built CLI)
// answering from a real Prometheus that scrapes prom-client targets. Expected values are the
// Kubernetes API's (k8s.io/metrics wire types, Quantity strings) and the targets', by hand.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import {
  createPki,
  startAdapter,
  startPlatform,
  type Platform,
  type RunningAdapter,
} from './adapter';
import { removeTempDirs, requireTool, tempDir, waitFor } from './servers';
import type { Pki } from '@beacon/metrics-adapter/dist/testing/pki';

const KUBECTL = requireTool('kubectl', 'kubectl 1.32, installed by the repository setup');

let platform: Platform;
let pki: Pki;
let adapter: RunningAdapter;
let cacheDir: string;

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

/** `kubectl --kubeconfig <adapter's> …args`: its exit code and what it printed. */
async function kubectl(...args: string[]): Promise<Result> {
  try {
    const { stdout, stderr } = await promisify(execFile)(
      KUBECTL,
      // Discovery is cached under --cache-dir (~/.kube/cache by default): this run's own.
      ['--kubeconfig', adapter.kubeconfig, '--cache-dir', cacheDir, ...args],
      { encoding: 'utf8', timeout: 30_000 },
    );
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    if (typeof e.code !== 'number') throw err; // not run at all (a timeout, a missing binary)
    return { code: e.code, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

/** `kubectl get --raw path`, which must succeed, its output parsed. */
async function getRaw<T>(path: string): Promise<T> {
  const r = await kubectl('get', '--raw', path);
  if (r.code !== 0) throw new Error(`kubectl get --raw ${path}: exit ${r.code}: ${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}

const CUSTOM = '/apis/custom.metrics.k8s.io/v1beta2';
const EXTERNAL = '/apis/external.metrics.k8s.io/v1beta1';

interface ResourceList {
  kind: string;
  apiVersion: string;
  groupVersion: string;
  resources: { name: string; namespaced: boolean; kind: string; verbs: string[] }[];
}

beforeAll(async () => {
  const dir = tempDir('kubectl');
  cacheDir = tempDir('kubectl-cache');
  platform = await startPlatform();
  pki = createPki();
  adapter = await startAdapter(platform.prometheus.url, pki, dir);
  // Until the adapter has discovered the series (it relists every second).
  let last: unknown;
  await waitFor(
    async () => {
      const custom = await getRaw<ResourceList>(CUSTOM);
      const external = await getRaw<ResourceList>(EXTERNAL);
      last = { custom, external };
      const names = [...custom.resources, ...external.resources].map((r) => r.name);
      return (
        names.includes('pods/websocket_connections') &&
        names.includes('namespaces/websocket_connections') &&
        names.includes('job_queue_length')
      );
    },
    30_000,
    () => `the adapter never listed the metrics: ${JSON.stringify(last)}\n${adapter.log()}`,
  );
});

afterAll(async () => {
  await adapter?.stop();
  await platform?.close();
  pki?.remove();
  removeTempDirs();
});

describe('kubectl against the metrics adapter, over TLS with a client certificate', () => {
  it('lists the custom metrics of pods and namespaces for kubectl get --raw of the group version', async () => {
    const list = await getRaw<ResourceList>(CUSTOM);
    expect(list).toMatchObject({
      kind: 'APIResourceList',
      apiVersion: 'v1',
      groupVersion: 'custom.metrics.k8s.io/v1beta2',
    });
    const byName = new Map(list.resources.map((r) => [r.name, r]));
    expect(byName.get('pods/websocket_connections')).toMatchObject({
      namespaced: true,
      kind: 'MetricValueList',
      verbs: ['get'],
    });
    expect(byName.get('namespaces/websocket_connections')).toMatchObject({
      namespaced: false,
      kind: 'MetricValueList',
      verbs: ['get'],
    });
  });

  it("gives a named pod's WebSocket connections as a MetricValueList", async () => {
    const list = await getRaw<{
      kind: string;
      apiVersion: string;
      items: {
        describedObject: { kind: string; namespace: string; name: string };
        metric: { name: string };
        value: string;
        timestamp: string;
      }[];
    }>(`${CUSTOM}/namespaces/platform/pods/collab-a/websocket_connections`);
    expect(list).toMatchObject({
      kind: 'MetricValueList',
      apiVersion: 'custom.metrics.k8s.io/v1beta2',
    });
    expect(list.items).toHaveLength(1);
    expect(list.items[0]).toMatchObject({
      describedObject: { kind: 'Pod', namespace: 'platform', name: 'collab-a' },
      metric: { name: 'websocket_connections' },
      value: '3',
    });
    // A sample of the last scrapes (every second), not an old one.
    expect(Date.now() - Date.parse(list.items[0].timestamp)).toBeLessThan(30_000);
  });

  it('gives the pods a label selector picks, 1.5 written as the Quantity 1500m', async () => {
    const list = await getRaw<{
      items: { describedObject: { name: string }; value: string }[];
    }>(`${CUSTOM}/namespaces/platform/pods/%2A/websocket_connections?labelSelector=app%3Dcollab`);
    expect(list.items.map((i) => [i.describedObject.name, i.value])).toEqual([
      ['collab-a', '3'],
      ['collab-b', '1500m'],
    ]);
  });

  it("gives an external metric by its labels: the render queue's 12000 as 12k", async () => {
    const list = await getRaw<{
      kind: string;
      items: { metricName: string; metricLabels: Record<string, string>; value: string }[];
    }>(`${EXTERNAL}/namespaces/platform/job_queue_length?labelSelector=queue%3Drender`);
    expect(list.kind).toBe('ExternalMetricValueList');
    expect(list.items).toHaveLength(1);
    expect(list.items[0]).toMatchObject({
      metricName: 'job_queue_length',
      metricLabels: expect.objectContaining({ queue: 'render' }) as Record<string, string>,
      value: '12k',
    });
  });

  it('fails kubectl, saying NotFound, for a metric no target exposes', async () => {
    const r = await kubectl(
      'get',
      '--raw',
      `${CUSTOM}/namespaces/platform/pods/collab-a/websocket_connections_nope`,
    );
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('NotFound');
    expect(r.stderr).toContain('websocket_connections_nope');
  });

  it('answers kubectl api-versions with the three metrics group versions', async () => {
    const r = await kubectl('api-versions');
    expect([r.code, r.stderr]).toEqual([0, '']);
    expect(r.stdout.trim().split('\n')).toEqual([
      'custom.metrics.k8s.io/v1beta1',
      'custom.metrics.k8s.io/v1beta2',
      'external.metrics.k8s.io/v1beta1',
    ]);
  });

  it('answers kubectl api-resources with the external metric (custom ones are pods/… subresources, which it leaves out)', async () => {
    const r = await kubectl('api-resources', '--api-group=external.metrics.k8s.io', '-o', 'name');
    expect([r.code, r.stderr]).toEqual([0, '']);
    expect(r.stdout.trim().split('\n')).toEqual(['job_queue_length.external.metrics.k8s.io']);
  });
});
