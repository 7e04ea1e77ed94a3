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
- seriesQuery: 'prometheus_tsdb_head_series{namespace!="",prometheus!=""}'
  resources: {overrides: {namespace: {resource: namespace}, prometheus: {group: monitoring.coreos.com, resource: prometheus}}}
  metricsQuery: 'sum(<<.Series>>{<<.LabelMatchers>>}) by (<<.GroupBy>>)'
- seriesQuery: 'widget_temperature{namespace!="",widget!=""}'
  resources: {overrides: {namespace: {resource: namespace}, widget: {group: example.com, resource: widget}}}
  metricsQuery: 'sum(<<.Series>>{<<.LabelMatchers>>}) by (<<.GroupBy>>)'
`,
  'custom-resources.yaml',
);

// Data-driven: the series of each seriesQuery's metric, and the object label each query groups by.
const seriesOf: Record<string, Record<string, string>> = {
  keda_scaler_metrics_value: { namespace: 'platform', scaledObject: 'checkout' },
  issuer_pending_orders: { namespace: 'cert-manager', clusterissuer: 'acme' },
  prometheus_tsdb_head_series: { namespace: 'monitoring', prometheus: 'k8s' },
  widget_temperature: { namespace: 'platform', widget: 'w1' },
};
const objectLabels: Record<string, string> = {
  scaledObject: 'checkout',
  clusterissuer: 'acme',
  prometheus: 'k8s',
  widget: 'w1',
};
const queries: string[] = [];

const client: PrometheusClient = {
  async series([matchers]) {
    const name = Object.keys(seriesOf).find((n) => matchers?.startsWith(`${n}{`)) ?? '';
    return [{ __name__: name, ...seriesOf[name] }];
  },
  async query(expr) {
    queries.push(expr);
    const label = Object.keys(objectLabels).find((l) => expr.endsWith(`by (${l})`)) ?? '';
    return [{ labels: { [label]: objectLabels[label] ?? '' }, value: '3', timestamp: 1700000000 }];
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

describe('custom resources, by the names discovery gives them', () => {
  const prometheus = {
    kind: 'Prometheus',
    namespace: 'monitoring',
    name: 'k8s',
    apiVersion: 'monitoring.coreos.com/v1',
  };

  it('serves an override naming the singular `prometheus` at the plural discovery gives', async () => {
    const p = await provider();
    const served = p.customMetrics().filter((m) => m.metric === 'prometheus_tsdb_head_series');
    // Guessed from the name alone, `prometheus` ends in s and would be taken for a plural.
    expect(served).toEqual([
      { resource: 'namespaces', metric: 'prometheus_tsdb_head_series', namespaced: false },
      {
        resource: 'prometheuses.monitoring.coreos.com',
        metric: 'prometheus_tsdb_head_series',
        namespaced: true,
      },
    ]);
    queries.length = 0;
    const [item] = await p.objectValues(
      ask({
        resource: 'prometheuses.monitoring.coreos.com',
        namespace: 'monitoring',
        name: 'k8s',
        metric: 'prometheus_tsdb_head_series',
      }),
    );
    expect(item?.describedObject).toEqual(prometheus);
    // The override's label still names the objects.
    expect(queries).toEqual([
      'sum(prometheus_tsdb_head_series{namespace="monitoring",prometheus="k8s"}) by (prometheus)',
    ]);
  });

  it('answers a request naming the singular, as upstream normalises it through its RESTMapper', async () => {
    const p = await provider();
    const [item] = await p.objectValues(
      ask({
        resource: 'prometheus.monitoring.coreos.com',
        namespace: 'monitoring',
        name: 'k8s',
        metric: 'prometheus_tsdb_head_series',
      }),
    );
    expect(item?.describedObject).toEqual(prometheus);
  });

  it('answers a request naming the resource without its group, as a RESTMapper resolves it', async () => {
    const p = await provider();
    for (const resource of ['prometheuses', 'prometheus', 'scaledobjects']) {
      const [item] = await p.objectValues(
        ask({
          resource,
          namespace: resource === 'scaledobjects' ? 'platform' : 'monitoring',
          name: resource === 'scaledobjects' ? 'checkout' : 'k8s',
          metric:
            resource === 'scaledobjects'
              ? 'keda_scaler_metrics_value'
              : 'prometheus_tsdb_head_series',
        }),
      );
      expect([resource, item?.describedObject.kind]).toEqual([
        resource,
        resource === 'scaledobjects' ? 'ScaledObject' : 'Prometheus',
      ]);
    }
    // A name discovery gave no custom resource stays unknown.
    await expect(
      p.objectValues(
        ask({
          resource: 'widgetz',
          namespace: 'platform',
          name: 'w1',
          metric: 'widget_temperature',
        }),
      ),
    ).rejects.toThrow(MetricNotFoundError);
  });

  it('keeps the guessed plural of a resource discovery cannot say anything of', async () => {
    const p = await provider();
    expect(p.customMetrics().filter((m) => m.metric === 'widget_temperature')).toEqual([
      { resource: 'namespaces', metric: 'widget_temperature', namespaced: false },
      { resource: 'widgets.example.com', metric: 'widget_temperature', namespaced: true },
    ]);
    const [item] = await p.objectValues(
      ask({
        resource: 'widgets.example.com',
        namespace: 'platform',
        name: 'w1',
        metric: 'widget_temperature',
      }),
    );
    expect(item?.describedObject).toEqual({
      kind: 'Widget',
      namespace: 'platform',
      name: 'w1',
      apiVersion: 'example.com/v1',
    });
  });
});
