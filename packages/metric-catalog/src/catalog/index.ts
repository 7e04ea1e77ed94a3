import type { MetricDefinition } from '../definition';
import { metricsAdapter, trackingServer } from './beacon';
import {
  cadvisor,
  dcgmExporter,
  kubeStateMetrics,
  nodeExporter,
  postgresExporter,
  prometheus,
} from './external';
import { platform } from './platform';

/** Every metric Beacon reads or writes, grouped by who exposes it. */
export const catalog = {
  platform,
  trackingServer,
  metricsAdapter,
  prometheus,
  nodeExporter,
  cadvisor,
  kubeStateMetrics,
  dcgmExporter,
  postgresExporter,
} as const;

export type CatalogGroup = keyof typeof catalog;

/** The catalog as one list, sorted by name. */
export const allMetrics: readonly MetricDefinition[] = Object.freeze(
  Object.values(catalog)
    .flatMap((group) => Object.values(group) as MetricDefinition[])
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)),
);

const byName = new Map(allMetrics.map((m) => [m.name, m]));

/**
 * Finds the catalog entry a series belongs to. Histogram and summary series
 * (`_bucket`, `_sum`, `_count`) resolve to their metric.
 */
export function findMetric(seriesName: string): MetricDefinition | undefined {
  const exact = byName.get(seriesName);
  if (exact) return exact;
  const m = /^(.*)_(bucket|sum|count)$/.exec(seriesName);
  const base = m && byName.get(m[1] as string);
  if (!base) return undefined;
  if (base.type === 'histogram') return base;
  if (base.type === 'summary' && m[2] !== 'bucket') return base;
  return undefined;
}
