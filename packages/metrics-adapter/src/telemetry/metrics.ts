// The adapter's own metrics, on a registry of their own (not prom-client's global one), created
// from metric-catalog entries so names, labels and buckets cannot drift from the catalog.
import { catalog, createMetrics } from '@beacon/metric-catalog';
import { Registry, collectDefaultMetrics } from 'prom-client';

/**
 * prom-client's default gauges named as counters: each is the sum over `type` of the gauge of
 * the same name without `_total` (`nodejs_active_handles{type}`), which is kept. Served, they
 * make `promtool check metrics` fail (`non-counter metrics should not have "_total" suffix`).
 */
const GAUGES_NAMED_TOTAL = [
  'nodejs_active_handles_total',
  'nodejs_active_requests_total',
  'nodejs_active_resources_total',
];

export function createAdapterMetrics(options: { defaultMetrics?: boolean } = {}) {
  const registry = new Registry();
  if (options.defaultMetrics ?? true) {
    collectDefaultMetrics({ register: registry });
    for (const name of GAUGES_NAMED_TOTAL) registry.removeSingleMetric(name);
  }
  const m = createMetrics(catalog.metricsAdapter, registry);
  return { registry, ...m };
}

export type AdapterMetrics = ReturnType<typeof createAdapterMetrics>;
