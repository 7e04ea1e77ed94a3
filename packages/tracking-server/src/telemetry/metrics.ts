// The tracker's own metrics on a registry of its own, created from metric-catalog entries.
import { catalog, createMetrics } from '@beacon/metric-catalog';
import { Registry, collectDefaultMetrics } from 'prom-client';

export function createTrackerMetrics(options: { defaultMetrics?: boolean } = {}) {
  const registry = new Registry();
  if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: registry });
  return { registry, ...createMetrics(catalog.trackingServer, registry) };
}

export type TrackerMetrics = ReturnType<typeof createTrackerMetrics>;
