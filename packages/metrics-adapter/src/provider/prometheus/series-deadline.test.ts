// Series discovery's deadline. prometheus-adapter sets none on its series calls (its
// http.Client has no Timeout, and the lister calls Series with context.TODO()); here a series call
// may take up to the relist interval, while value queries keep --prometheus-timeout. A large
// cluster's `{namespace!="",pod!=""}` takes seconds to list: with the 5 s deadline of a value
// query, every relist of the custom half failed and each custom metric was a 404.
import { createPrometheusClient, PrometheusError } from './client';
import { parseAdapterConfig } from './config';
import { createPrometheusProvider } from './provider';
import type { Transport } from './transport';

const config = parseAdapterConfig(
  `
rules:
- seriesQuery: '{namespace!="",pod!=""}'
  resources: {template: "<<.Resource>>"}
  name: {matches: "^(.*)_bytes$"}
`,
  'deadline.yaml',
);

/** A Prometheus that answers every call after `ms`, as /api/v1/series and /api/v1/query would. */
const slow =
  (ms: number): Transport =>
  (url, init) =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        const data = url.includes('/api/v1/series')
          ? [{ __name__: 'memory_bytes', namespace: 'ns-0', pod: 'pod-0' }]
          : { resultType: 'vector', result: [] };
        resolve({ status: 200, ok: true, json: async () => ({ status: 'success', data }) });
      }, ms);
      init.signal?.addEventListener('abort', () => {
        clearTimeout(timer);
        reject(init.signal?.reason);
      });
    });

describe('series discovery against a Prometheus slower than --prometheus-timeout', () => {
  it('lists within the relist interval, while a value query keeps its own deadline', async () => {
    const client = createPrometheusClient({
      url: 'http://prometheus.test',
      timeoutMs: 50,
      fetch: slow(200),
    });
    const provider = createPrometheusProvider({
      client,
      config,
      lister: { names: async () => new Set() },
      relistIntervalMs: 5_000,
      maxAgeMs: 5_000,
      cacheTtlMs: 1,
    });
    await provider.relist();
    expect(provider.customMetrics().map((m) => `${m.resource}/${m.metric}`)).toEqual([
      'namespaces/memory',
      'pods/memory',
    ]);
    const query = client.query('up').then(
      () => undefined,
      (err: unknown) => err,
    );
    await expect(query).resolves.toBeInstanceOf(PrometheusError);
    expect(((await query) as PrometheusError).kind).toBe('timeout');
  });
});
