// The adapter's own metrics, on a registry of their own (not prom-client's global one), created
// from metric-catalog entries so names, labels and buckets cannot drift from the catalog.
import { catalog, collectProcessMetrics, createMetrics } from '@beacon/metric-catalog';
import { Registry, type Counter } from 'prom-client';

export function createAdapterMetrics(options: { defaultMetrics?: boolean } = {}) {
  const registry = new Registry();
  if (options.defaultMetrics ?? true) collectProcessMetrics(registry);
  const m = createMetrics(catalog.metricsAdapter, registry);
  return { registry, ...m };
}

export type AdapterMetrics = ReturnType<typeof createAdapterMetrics>;

/**
 * Drops a per-metric counter's label sets for the metrics no longer served: names come and go
 * with the series in Prometheus, and each one's label set, kept, would grow the scrape for ever.
 */
export async function forgetMetricsNotServed(
  counter: Counter<'metric'>,
  served: ReadonlySet<string>,
): Promise<void> {
  for (const { labels } of (await counter.get()).values) {
    const metric = String(labels.metric);
    if (!served.has(metric)) counter.remove({ metric });
  }
}
