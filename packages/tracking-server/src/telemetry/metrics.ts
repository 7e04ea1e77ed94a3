// The tracker's own metrics on a registry of their own, created from metric-catalog entries.
import { catalog, createMetrics } from '@beacon/metric-catalog';
import { Registry, collectDefaultMetrics } from 'prom-client';

/**
 * prom-client's default gauges named as counters: each is the sum over `type` of the gauge of
 * the same name without `_total` (`nodejs_active_handles{type}`), which is kept. Served, they
 * make `promtool check metrics` fail (`non-counter metrics should not have "_total" suffix`).
 * (The metrics adapter leaves out the same three, in its own src/telemetry/metrics.ts.)
 */
const GAUGES_NAMED_TOTAL = [
  'nodejs_active_handles_total',
  'nodejs_active_requests_total',
  'nodejs_active_resources_total',
];

export function createTrackerMetrics(options: { defaultMetrics?: boolean } = {}) {
  const registry = new Registry();
  if (options.defaultMetrics ?? true) {
    collectDefaultMetrics({ register: registry });
    for (const name of GAUGES_NAMED_TOTAL) registry.removeSingleMetric(name);
  }
  return { registry, ...createMetrics(catalog.trackingServer, registry) };
}

export type TrackerMetrics = ReturnType<typeof createTrackerMetrics>;
