// Custom resources served as the API server's discovery describes them: describedObject's kind
// and apiVersion, and namespaced or root-scoped serving, with the Kubernetes API lister against
// the fake API server (recorded APIGroup and APIResourceList bodies, testdata/kube).
import { createKubeApi } from '../../k8s/api';
import { kubeWatchLister, type WatchLister } from '../../k8s/watch-lister';
import { startFakeKubeApi, type FakeApiServer } from '../../testing/fake-apiserver';
import type { Pki } from '../../testing/pki';
import { MetricNotFoundError, type ObjectQuery } from '../provider';
import type { PrometheusClient } from './client';
import { parseAdapterConfig } from './config';
import { createPrometheusProvider } from './provider';

jest.setTimeout(30_000);

let pki: Pki;
let fake: FakeApiServer;
let lister: WatchLister;

beforeAll(async () => {
  let caCert: string;
  ({ fake, caCert, pki } = await startFakeKubeApi());
  lister = kubeWatchLister(
    createKubeApi({
      server: fake.url,
      ca: caCert,
      token: 'adapter-sa-token',
      insecureSkipTlsVerify: false,
    }),
  );
});

afterAll(async () => {
  lister?.stop();
  await fake?.close();
  pki?.remove();
});

// Both series carry a namespace label: KEDA's and cert-manager's exporters run in a namespace,
// and Prometheus' pod discovery labels every series with it.
const config = parseAdapterConfig(
  `
rules:
- seriesQuery: 'keda_scaler_metrics_value{namespace!="",scaledObject!=""}'
  resources: {overrides: {namespace: {resource: namespace}, scaledObject: {group: keda.sh, resource: scaledobjects}}}
  metricsQuery: 'sum(<<.Series>>{<<.LabelMatchers>>}) by (<<.GroupBy>>)'
- seriesQuery: 'issuer_pending_orders{namespace!="",clusterissuer!=""}'
  resources: {overrides: {namespace: {resource: namespace}, clusterissuer: {group: cert-manager.io, resource: clusterissuers}}}
  metricsQuery: 'sum(<<.Series>>{<<.LabelMatchers>>}) by (<<.GroupBy>>)'
`,
  'custom-resources.yaml',
);

const client: PrometheusClient = {
  async series([matchers]) {
    return matchers?.startsWith('keda_')
      ? [{ __name__: 'keda_scaler_metrics_value', namespace: 'platform', scaledObject: 'checkout' }]
      : [{ __name__: 'issuer_pending_orders', namespace: 'cert-manager', clusterissuer: 'acme' }];
  },
  async query(expr) {
    const scaled = expr.includes('scaledObject');
    const labels: Record<string, string> = scaled
      ? { scaledObject: 'checkout' }
      : { clusterissuer: 'acme' };
    return [{ labels, value: '3', timestamp: 1700000000 }];
  },
};

async function provider() {
  const p = createPrometheusProvider({
    client,
    config,
    lister,
    relistIntervalMs: 60_000,
    maxAgeMs: 600_000,
    cacheTtlMs: 0,
  });
  await p.relist();
  return p;
}

const ask = (q: Pick<ObjectQuery, 'resource' | 'name' | 'metric'> & { namespace?: string }) => ({
  labelSelector: [],
  metricLabelSelector: [],
  ...q,
});

describe('custom resources, as discovery describes them', () => {
  it('describes a ScaledObject with the kind and apiVersion discovery gives', async () => {
    const p = await provider();
    const [item] = await p.objectValues(
      ask({
        resource: 'scaledobjects.keda.sh',
        namespace: 'platform',
        name: 'checkout',
        metric: 'keda_scaler_metrics_value',
      }),
    );
    expect(item?.describedObject).toEqual({
      kind: 'ScaledObject',
      namespace: 'platform',
      name: 'checkout',
      apiVersion: 'keda.sh/v1alpha1',
    });
  });

  it('serves the metrics of a cluster-scoped custom resource root-scoped', async () => {
    const p = await provider();
    expect(p.customMetrics()).toEqual(
      expect.arrayContaining([
        {
          resource: 'clusterissuers.cert-manager.io',
          metric: 'issuer_pending_orders',
          namespaced: false,
        },
        {
          resource: 'scaledobjects.keda.sh',
          metric: 'keda_scaler_metrics_value',
          namespaced: true,
        },
      ]),
    );
    const [item] = await p.objectValues(
      ask({
        resource: 'clusterissuers.cert-manager.io',
        name: 'acme',
        metric: 'issuer_pending_orders',
      }),
    );
    expect(item?.describedObject).toEqual({
      kind: 'ClusterIssuer',
      name: 'acme',
      apiVersion: 'cert-manager.io/v1',
    });
    await expect(
      p.objectValues(
        ask({
          resource: 'clusterissuers.cert-manager.io',
          namespace: 'cert-manager',
          name: 'acme',
          metric: 'issuer_pending_orders',
        }),
      ),
    ).rejects.toThrow(MetricNotFoundError);
  });
});
