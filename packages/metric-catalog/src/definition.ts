import { assertLabelName, assertMetricName } from './names';

export type MetricType = 'counter' | 'gauge' | 'histogram' | 'summary';

/** The unit of a sample value; the Prometheus name suffix follows it for Beacon's metrics. */
export type Unit =
  | 'seconds'
  | 'bytes'
  | 'mebibytes'
  | 'ratio'
  | 'percent'
  | 'requests'
  | 'connections'
  | 'messages'
  | 'jobs'
  | 'events'
  | 'errors'
  | 'issues'
  | 'users'
  | 'replicas'
  | 'queries'
  | 'info'
  | 'count';

/**
 * Who exposes the series. `platform-service` metrics are written by the platform's own services
 * through this package's factories; `beacon` ones by Beacon's servers; the rest by exporters.
 */
export type Exporter =
  | 'platform-service'
  | 'beacon-tracking-server'
  | 'beacon-metrics-adapter'
  | 'prometheus'
  | 'client-library'
  | 'node_exporter'
  | 'cadvisor'
  | 'kube-state-metrics'
  | 'dcgm-exporter'
  | 'postgres_exporter';

export const BEACON_EXPORTERS: readonly Exporter[] = [
  'platform-service',
  'beacon-tracking-server',
  'beacon-metrics-adapter',
];

/**
 * One metric. `L` are the labels the exposing code sets; `T` are labels Prometheus attaches at
 * scrape time (job, instance, and `service`/`namespace`/`pod` from the Kubernetes target).
 * Selectors may use both; prom-client factories only `L`.
 */
export interface MetricDefinition<
  N extends string = string,
  K extends MetricType = MetricType,
  L extends string = string,
  T extends string = string,
> {
  readonly name: N;
  readonly type: K;
  readonly help: string;
  readonly unit: Unit;
  readonly labels: readonly L[];
  readonly targetLabels: readonly T[];
  readonly exporter: Exporter;
  /** Histogram buckets, in `unit`. */
  readonly buckets?: readonly number[];
  /**
   * Every value of the labels whose values are a closed set (a refusal's `reason`, a cache
   * lookup's `result`). A counter or histogram with values for all its labels is exported at 0
   * for each combination from the start (createMetric).
   */
  readonly values?: { readonly [K in L]?: readonly string[] };
}

/** Every label a selector may name for `D`. */
export type SelectableLabel<D> =
  D extends MetricDefinition<string, MetricType, infer L, infer T> ? L | T : never;

/** Labels the exposing code sets for `D` (what a prom-client metric is created with). */
export type OwnLabel<D> =
  D extends MetricDefinition<string, MetricType, infer L, string> ? L : never;

export function isBeaconMetric(def: MetricDefinition): boolean {
  return BEACON_EXPORTERS.includes(def.exporter);
}

const UNIT_SUFFIX: Partial<Record<Unit, string>> = {
  seconds: '_seconds',
  bytes: '_bytes',
  ratio: '_ratio',
};
const RESERVED_SUFFIXES = ['_bucket', '_count', '_sum'] as const;

/**
 * Checks `def` against Prometheus' naming rules, and, for metrics Beacon exposes itself, the
 * naming conventions (counters end in `_total`, base-unit suffixes, no colons, which are for
 * recording rules). Exporters' names are taken as they are: they are not ours to rename.
 */
export function definitionProblems(def: MetricDefinition): string[] {
  const problems: string[] = [];
  const subject = `metric ${JSON.stringify(def.name)}`;
  const check = (fn: () => void) => {
    try {
      fn();
    } catch (err) {
      problems.push((err as Error).message);
    }
  };
  check(() => assertMetricName(def.name));
  const all = [...def.labels, ...def.targetLabels];
  for (const label of all) check(() => assertLabelName(label, def.name));
  const dup = all.find((l, i) => all.indexOf(l) !== i);
  if (dup) problems.push(`${subject}: label ${JSON.stringify(dup)} is declared twice`);
  if (!def.help.trim()) problems.push(`${subject}: help must not be empty`);
  if (def.type === 'histogram' && def.labels.includes('le' as never)) {
    problems.push(`${subject}: label "le" is reserved for histogram buckets`);
  }
  if (def.type === 'summary' && def.labels.includes('quantile' as never)) {
    problems.push(`${subject}: label "quantile" is reserved for summary quantiles`);
  }
  if (def.buckets) {
    if (def.type !== 'histogram') problems.push(`${subject}: only histograms have buckets`);
    const sorted = def.buckets.every((b, i, a) => i === 0 || b > (a[i - 1] as number));
    if (!sorted || def.buckets.length === 0) {
      problems.push(`${subject}: buckets must be non-empty and strictly increasing`);
    }
  }
  for (const [label, values] of Object.entries<readonly string[] | undefined>(def.values ?? {})) {
    if (!def.labels.includes(label as never)) {
      problems.push(
        `${subject}: values are given for ${JSON.stringify(label)}, not one of its labels`,
      );
    } else if (!values || values.length === 0 || new Set(values).size !== values.length) {
      problems.push(
        `${subject}: the values of ${JSON.stringify(label)} must be non-empty and distinct`,
      );
    }
  }
  if (!isBeaconMetric(def)) return problems;

  if (def.name.includes(':')) problems.push(`${subject}: colons are reserved for recording rules`);
  if (def.type === 'counter' && !def.name.endsWith('_total')) {
    problems.push(`${subject}: counter names end in "_total"`);
  }
  if (def.type !== 'counter' && def.name.endsWith('_total')) {
    problems.push(`${subject}: only counters end in "_total"`);
  }
  const reserved = RESERVED_SUFFIXES.find((s) => def.name.endsWith(s));
  if (reserved) problems.push(`${subject}: suffix "${reserved}" is reserved for histogram series`);
  const suffix = UNIT_SUFFIX[def.unit];
  if (suffix && !def.name.replace(/_total$/, '').endsWith(suffix)) {
    problems.push(`${subject}: a metric in ${def.unit} ends in "${suffix}"`);
  }
  return problems;
}

/**
 * Declares a metric. The `const` type parameters keep the name and label names as literal
 * types, which is what makes selector and factory calls type-check label names.
 * Throws, naming the metric and the problem, when the definition breaks a naming rule.
 */
export function defineMetric<
  const N extends string,
  const K extends MetricType,
  const L extends string = never,
  const T extends string = never,
>(def: {
  name: N;
  type: K;
  help: string;
  unit: Unit;
  labels?: readonly L[];
  targetLabels?: readonly T[];
  exporter: Exporter;
  buckets?: readonly number[];
  values?: { readonly [X in L]?: readonly string[] };
}): MetricDefinition<N, K, L, T> {
  const full: MetricDefinition<N, K, L, T> = Object.freeze({
    ...def,
    labels: Object.freeze([...(def.labels ?? [])]),
    targetLabels: Object.freeze([...(def.targetLabels ?? [])]),
  });
  const problems = definitionProblems(full);
  if (problems.length > 0) throw new Error(problems.join('; '));
  return full;
}
