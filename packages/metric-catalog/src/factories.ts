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

export function createCounter<L extends string>(
  def: Def<'counter', L>,
  registry: Registry,
): Counter<L> {
  expectType(def, 'counter');
  return new Counter<L>(base(def, registry));
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
  return new Histogram<L>({
    ...base(def, registry),
    ...(def.buckets ? { buckets: [...def.buckets] } : {}),
  });
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
