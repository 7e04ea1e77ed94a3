// The adapter's own metrics, on a registry of their own (not prom-client's global one), created
// from metric-catalog entries so names, labels and buckets cannot drift from the catalog.
import { catalog, collectProcessMetrics, createMetrics } from '@beacon/metric-catalog';
import { Registry } from 'prom-client';

export function createAdapterMetrics(options: { defaultMetrics?: boolean } = {}) {
  const registry = new Registry();
  if (options.defaultMetrics ?? true) collectProcessMetrics(registry);
  const m = createMetrics(catalog.metricsAdapter, registry);
  return { registry, ...m };
}

export type AdapterMetrics = ReturnType<typeof createAdapterMetrics>;
