// What the README promises of the provider's caches and 404s, at their edges: the value caches
// are bounded by the items they hold (100,000), not by their entries alone, the oldest going
// first, and an answer larger than the bound is served without being kept; a named object with
// no value is a 404 worded as custom-metrics-apiserver's NewMetricNotFoundForError
// ("the server could not find the metric %s for %s %s", which prometheus-adapter's
// GetMetricByName answers).
import type { PrometheusClient, Sample } from './client';
import { parseAdapterConfig } from './config';
import { createPrometheusProvider } from './provider';
import { MetricNotFoundError } from '../provider';

const SERIES_QUERY = '{__name__="websocket_connections",namespace!="",pod!=""}';
const config = parseAdapterConfig(
  `
rules:
- seriesQuery: '${SERIES_QUERY}'
  resources: {overrides: {namespace: {resource: namespace}, pod: {resource: pod}}}
`,
  'rules.yaml',
);

/** Prometheus answering each query with `sizes[namespace]` pods; counts the queries per namespace. */
function provider(sizes: Record<string, number>, answers: Record<string, Sample[]> = {}) {
  const queries: string[] = [];
  const client: PrometheusClient = {
    async query(expr) {
      queries.push(expr);
      if (answers[expr]) return answers[expr];
      const ns = /namespace="([^"]*)"/.exec(expr)?.[1] ?? '';
      return Array.from({ length: sizes[ns] ?? 0 }, (_, i) => ({
        labels: { pod: `p-${i}` },
        value: '1',
        timestamp: 1700000000,
      }));
    },
    async series(matchers) {
      return matchers[0] === SERIES_QUERY
        ? [{ __name__: 'websocket_connections', namespace: 'platform', pod: 'p-0' }]
        : [];
    },
  };
  const p = createPrometheusProvider({
    client,
    config,
    lister: { names: async () => new Set<string>() },
    relistIntervalMs: 60_000,
    maxAgeMs: 600_000,
    cacheTtlMs: 60_000,
  });
  const ask = (namespace: string, name = '*') =>
    p.objectValues({
      resource: 'pods',
      namespace,
      name,
      metric: 'websocket_connections',
      labelSelector: [],
      metricLabelSelector: [],
    });
  const asked = (namespace: string) =>
    queries.filter((q) => q.includes(`namespace="${namespace}"`)).length;
  return { p, ask, asked };
}

describe('value caches bounded by the items they hold', () => {
  it('drops the oldest answer once two answers hold more than 100,000 items', async () => {
    const { p, ask, asked } = provider({ a: 60_000, b: 60_000, small: 10 });
    await p.relist();
    expect(await ask('a')).toHaveLength(60_000);
    expect(await ask('a')).toHaveLength(60_000);
    expect(asked('a')).toBe(1); // kept: the repeat is a hit
    expect(await ask('b')).toHaveLength(60_000);
    // 120,000 items in two entries: past the bound, so `a` (the oldest) went.
    expect(await ask('a')).toHaveLength(60_000);
    expect(asked('a')).toBe(2);
    // A small answer still fits beside the newest big one and is kept.
    await ask('small');
    await ask('small');
    expect(asked('small')).toBe(1);
  });

  it('serves an answer of more than 100,000 items without keeping it', async () => {
    const { p, ask, asked } = provider({ huge: 100_001 });
    await p.relist();
    expect(await ask('huge')).toHaveLength(100_001);
    expect(await ask('huge')).toHaveLength(100_001);
    expect(asked('huge')).toBe(2);
  });
});

describe('404 for one named object', () => {
  it('names the object that has no value, as NewMetricNotFoundForError words it', async () => {
    const { p, ask } = provider(
      {},
      { 'sum(websocket_connections{namespace="platform",pod="gone"}) by (pod)': [] },
    );
    await p.relist();
    const failure = ask('platform', 'gone');
    await expect(failure).rejects.toThrow(MetricNotFoundError);
    await expect(failure).rejects.toThrow(
      new Error('the server could not find the metric websocket_connections for pods gone'),
    );
  });
});
