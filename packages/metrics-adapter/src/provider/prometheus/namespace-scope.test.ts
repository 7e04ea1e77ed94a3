// A namespace asked for inside another namespace: /apis/custom.metrics.k8s.io/v1beta2/namespaces/
// tenant-a/namespaces/secret-b/<metric>. kube-apiserver (and this adapter) authorize it as
// namespace tenant-a (RequestInfoFactory), and custom-metrics-apiserver hands it to the provider
// as namespace tenant-a, name secret-b; prometheus-adapter's metricsQuery.Build then puts the
// request's namespace into the query whatever the resource (`namespace="tenant-a"` before the
// object's `namespace="secret-b"`), so no other namespace's value comes back. A user whose
// RoleBinding in tenant-a lets them read its custom metrics must not read secret-b's.
import { parseAdapterConfig } from './config';
import type { PrometheusClient, Sample } from './client';
import { kubeStateObjectLister } from './objects';
import { createPrometheusProvider } from './provider';
import { MetricNotFoundError } from '../provider';

const config = parseAdapterConfig(
  `
rules:
- seriesQuery: '{__name__="websocket_connections",namespace!="",pod!=""}'
  resources: {overrides: {namespace: {resource: namespace}, pod: {resource: pod}}}
`,
  'rules.yaml',
);

const SERIES = [
  { __name__: 'websocket_connections', namespace: 'tenant-a', pod: 'a-0' },
  { __name__: 'websocket_connections', namespace: 'secret-b', pod: 'b-0' },
];
const VALUES: Record<string, string> = { 'tenant-a': '7', 'secret-b': '4242' };

/**
 * A Prometheus that answers `sum(websocket_connections{<matchers>}) by (namespace)` as the real
 * one would: the series every matcher (=, !=, =~) keeps, one sample per namespace.
 */
const prometheus: PrometheusClient = {
  async query(expr): Promise<Sample[]> {
    const inner = /\{(.*)\}/.exec(expr)?.[1] ?? '';
    const matchers = [...inner.matchAll(/(\w+)(=~|!=|=)"([^"]*)"/g)].map(
      ([, label, op, value]) => ({ label: label as string, op, value: value as string }),
    );
    const keeps = (s: Record<string, string>) =>
      matchers.every(({ label, op, value }) => {
        const v = s[label] ?? '';
        if (op === '=') return v === value;
        if (op === '!=') return v !== value;
        return new RegExp(`^(?:${value})$`).test(v);
      });
    const namespaces = [...new Set(SERIES.filter(keeps).map((s) => s.namespace))];
    return namespaces.map((ns) => ({
      labels: { namespace: ns },
      value: VALUES[ns] as string,
      timestamp: 1700000000,
    }));
  },
  async series() {
    return SERIES;
  },
};

async function provider() {
  const p = createPrometheusProvider({
    client: prometheus,
    config,
    lister: kubeStateObjectLister(prometheus),
    relistIntervalMs: 60_000,
    maxAgeMs: 600_000,
    cacheTtlMs: 0,
  });
  await p.relist();
  return p;
}

const inTenantA = (name: string) => ({
  resource: 'namespaces',
  namespace: 'tenant-a',
  name,
  metric: 'websocket_connections',
  labelSelector: [],
  metricLabelSelector: [],
});

describe('a namespace asked for inside another namespace', () => {
  it('has no value of that other namespace: a 404, not secret-b’s 4242', async () => {
    const p = await provider();
    await expect(p.objectValues(inTenantA('secret-b'))).rejects.toBeInstanceOf(MetricNotFoundError);
  });

  it('answers namespaces/* with the request’s own namespace alone', async () => {
    const p = await provider();
    const values = await p.objectValues(inTenantA('*'));
    expect(values.map((v) => [v.describedObject.name, v.value])).toEqual([['tenant-a', '7']]);
  });

  it('still answers the namespace itself, and /namespaces/{ns}/metrics/{metric} as before', async () => {
    const p = await provider();
    const [same] = await p.objectValues(inTenantA('tenant-a'));
    expect(same?.value).toBe('7');
    const [root] = await p.objectValues({
      resource: 'namespaces',
      name: 'secret-b',
      metric: 'websocket_connections',
      labelSelector: [],
      metricLabelSelector: [],
    });
    expect(root?.value).toBe('4242');
  });
});
