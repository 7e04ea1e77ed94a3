// The external route over real HTTP with the Prometheus provider behind it (a data-driven fake
// client): what the caller is told about the selector it sent.
import type { AddressInfo } from 'node:net';
import { createServer, type Server } from 'node:http';
import { createApp } from './server';
import { allowAll, allowAnonymous } from './auth/types';
import type { PrometheusClient } from './provider/prometheus/client';
import { parseAdapterConfig } from './provider/prometheus/config';
import { kubeStateObjectLister } from './provider/prometheus/objects';
import { createPrometheusProvider } from './provider/prometheus/provider';
import { createAdapterMetrics } from './telemetry/metrics';
import { memoryLogger } from './telemetry/logger';

const config = parseAdapterConfig(
  `
externalRules:
- seriesQuery: '{__name__="job_queue_length",queue!=""}'
  resources: {overrides: {namespace: {resource: namespace}}}
`,
  'rules.yaml',
);

// Discovery answers, per series query; no value query is expected.
const series: Record<string, Record<string, string>[]> = {
  '{__name__="job_queue_length",queue!=""}': [
    { __name__: 'job_queue_length', namespace: 'platform', queue: 'render' },
  ],
};

const queries: string[] = [];
const client: PrometheusClient = {
  async query(expr) {
    queries.push(expr);
    throw new Error(`unexpected query ${expr}`);
  },
  async series(matchers) {
    return series[matchers[0] as string] ?? [];
  },
};

let server: Server;
let base: string;

beforeAll(async () => {
  const provider = createPrometheusProvider({
    client,
    config,
    lister: kubeStateObjectLister(client),
    relistIntervalMs: 60_000,
    maxAgeMs: 600_000,
    cacheTtlMs: 5_000,
  });
  await provider.relist();
  server = createServer(
    createApp({
      provider,
      authenticate: allowAnonymous,
      authorize: allowAll,
      metrics: createAdapterMetrics({ defaultMetrics: false }),
      logger: memoryLogger(),
      version: { gitVersion: 'v0.1.0' },
    }),
  );
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((r) => server.close(r));
});

const PATH = '/apis/external.metrics.k8s.io/v1beta1/namespaces/platform/job_queue_length';

async function message(query: string): Promise<[number, string]> {
  const res = await fetch(`${base}${PATH}?${query}`);
  const body = (await res.json()) as { message: string };
  return [res.status, body.message];
}

describe('external metrics route', () => {
  // The HPA's external_metrics client sends the metric selector as labelSelector (k8s.io/metrics
  // pkg/client/external_metrics/client.go: ListOptions{LabelSelector: metricSelector.String()}).
  it('names labelSelector when the labelSelector holds a key that is no Prometheus label', async () => {
    expect(await message('labelSelector=app.kubernetes.io%2Fname%3Dworker')).toEqual([
      400,
      'labelSelector: "app.kubernetes.io/name" is not a Prometheus label name ([a-zA-Z_][a-zA-Z0-9_]*)',
    ]);
    expect(queries).toEqual([]);
  });

  it('names labelSelector when the labelSelector compares with > or <', async () => {
    expect(await message('labelSelector=queue%3Drender,depth%3C10')).toEqual([
      400,
      'labelSelector: operator "<" in "depth<10" is not supported (Prometheus label matchers compare text, not numbers)',
    ]);
    expect(queries).toEqual([]);
  });
});
