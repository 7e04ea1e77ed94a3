// prom-client metrics created from catalog entries, so instrumented code cannot drift from the
// catalog: the name, help, label names and buckets all come from the entry.
import { Counter, Gauge, Histogram, Summary, type Registry } from 'prom-client';
import type { MetricDefinition, MetricType } from './definition';

type Def<K extends MetricType, L extends string> = MetricDefinition<string, K, L, string>;

function base<L extends string>(
  def: MetricDefinition<string, MetricType, L, string>,
  registry: Registry,
) {
  return {
    name: def.name,
    help: def.help,
    labelNames: [...def.labels],
    registers: [registry],
  };
}

function expectType(def: MetricDefinition, type: MetricType): void {
  if (def.type !== type) {
    throw new Error(`metric ${JSON.stringify(def.name)} is a ${def.type}, not a ${type}`);
  }
}

/**
 * Every combination of `def`'s label values, when all its labels have them (`values`); none
 * otherwise, and one (no labels) for a metric without labels, which prom-client exports at 0.
 */
export function knownLabelSets<L extends string>(
  def: MetricDefinition<string, MetricType, L, string>,
): Record<L, string>[] {
  if (def.labels.length === 0) return [];
  let sets: Record<string, string>[] = [{}];
  for (const label of def.labels) {
    const values = def.values?.[label];
    if (!values) return [];
    sets = sets.flatMap((set) => values.map((value) => ({ ...set, [label]: value })));
  }
  return sets as Record<L, string>[];
}

/**
 * A counter. One whose labels all have known values is exported at 0 for each of them from the
 * start, as Prometheus' instrumentation guide asks ("avoid missing metrics"): a series that
 * appeared at its first increment showed no increase() over it, and a burst of refusals just
 * after start read as none.
 */
export function createCounter<L extends string>(
  def: Def<'counter', L>,
  registry: Registry,
): Counter<L> {
  expectType(def, 'counter');
  const counter = new Counter<L>(base(def, registry));
  for (const labels of knownLabelSets(def)) counter.inc(labels, 0);
  return counter;
}

export function createGauge<L extends string>(def: Def<'gauge', L>, registry: Registry): Gauge<L> {
  expectType(def, 'gauge');
  return new Gauge<L>(base(def, registry));
}

export function createHistogram<L extends string>(
  def: Def<'histogram', L>,
  registry: Registry,
): Histogram<L> {
  expectType(def, 'histogram');
  const histogram = new Histogram<L>({
    ...base(def, registry),
    ...(def.buckets ? { buckets: [...def.buckets] } : {}),
  });
  for (const labels of knownLabelSets(def)) histogram.zero(labels);
  return histogram;
}

export function createSummary<L extends string>(
  def: Def<'summary', L>,
  registry: Registry,
): Summary<L> {
  expectType(def, 'summary');
  return new Summary<L>(base(def, registry));
}

/** The prom-client class that matches an entry's type. */
export type PromMetric<D> =
  D extends MetricDefinition<string, 'counter', infer L, string>
    ? Counter<L>
    : D extends MetricDefinition<string, 'gauge', infer L, string>
      ? Gauge<L>
      : D extends MetricDefinition<string, 'histogram', infer L, string>
        ? Histogram<L>
        : D extends MetricDefinition<string, 'summary', infer L, string>
          ? Summary<L>
          : never;

/** Creates every entry of a catalog group at once: `createMetrics(catalog.trackingServer, reg)`. */
export function createMetrics<G extends Record<string, MetricDefinition>>(
  group: G,
  registry: Registry,
): { [K in keyof G]: PromMetric<G[K]> } {
  const out: Record<string, unknown> = {};
  for (const [key, def] of Object.entries(group)) out[key] = createMetric(def, registry);
  return out as { [K in keyof G]: PromMetric<G[K]> };
}

export function createMetric<D extends MetricDefinition>(
  def: D,
  registry: Registry,
): PromMetric<D> {
  switch (def.type) {
    case 'counter':
      return createCounter(def as Def<'counter', string>, registry) as PromMetric<D>;
    case 'gauge':
      return createGauge(def as Def<'gauge', string>, registry) as PromMetric<D>;
    case 'histogram':
      return createHistogram(def as Def<'histogram', string>, registry) as PromMetric<D>;
    case 'summary':
      return createSummary(def as Def<'summary', string>, registry) as PromMetric<D>;
  }
}
