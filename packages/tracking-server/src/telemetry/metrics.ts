// The tracker's own metrics on a registry of their own, created from metric-catalog entries.
import { catalog, collectProcessMetrics, createMetrics } from '@beacon/metric-catalog';
import { Registry } from 'prom-client';

export function createTrackerMetrics(options: { defaultMetrics?: boolean } = {}) {
  const registry = new Registry();
  if (options.defaultMetrics ?? true) collectProcessMetrics(registry);
  return { registry, ...createMetrics(catalog.trackingServer, registry) };
}

export type TrackerMetrics = ReturnType<typeof createTrackerMetrics>;
