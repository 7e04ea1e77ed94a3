// Typed PromQL selector builders. The label names a call may use come from the catalog entry's
// type, so a label the metric does not declare fails to compile; calls from untyped code are
// checked at run time with the same rule.
import type { MetricDefinition, SelectableLabel } from './definition';

export type MatchOp = '=' | '!=' | '=~' | '!~';

export interface Matcher {
  readonly op: MatchOp;
  readonly value: string;
}

/** A plain string means equality. */
export type MatcherValue = string | Matcher;

export type Matchers<L extends string> = { readonly [K in L]?: MatcherValue };

export const eq = (value: string): Matcher => ({ op: '=', value });
export const neq = (value: string): Matcher => ({ op: '!=', value });
export const re = (value: string): Matcher => ({ op: '=~', value });
export const nre = (value: string): Matcher => ({ op: '!~', value });

export type HistogramSeries = 'bucket' | 'sum' | 'count';

/** Labels the series of `D` carry beyond its declared ones (`le` on histogram buckets). */
type ExtraLabel<D, S> =
  D extends MetricDefinition<string, 'histogram'>
    ? S extends 'bucket'
      ? 'le'
      : never
    : D extends MetricDefinition<string, 'summary'>
      ? 'quantile'
      : never;

/**
 * A PromQL double-quoted string literal holding `value`. U+FFFD is escaped: Prometheus' lexer
 * refuses it raw ("invalid UTF-8 rune"), though label values hold it (a lone surrogate, as a
 * label value cut mid-character has, is written out as U+FFFD, so it is escaped as that too).
 */
export function quote(value: string): string {
  return `"${value
    .replace(/\\/g, '\\\\')
    .replace(/"/g, '\\"')
    .replace(/\n/g, '\\n')
    .replace(/[\uFFFD\uD800-\uDFFF]/gu, '\\uFFFD')}"`;
}

const OPS: readonly string[] = ['=', '!=', '=~', '!~'];

function renderMatchers(
  def: MetricDefinition,
  matchers: Readonly<Record<string, MatcherValue | undefined>>,
  extra: readonly string[],
): string {
  const parts: string[] = [];
  for (const [label, m] of Object.entries(matchers)) {
    if (m === undefined) continue;
    const declared =
      def.labels.includes(label) || def.targetLabels.includes(label) || extra.includes(label);
    if (!declared) {
      throw new Error(
        `label ${JSON.stringify(label)} is not declared by metric ${JSON.stringify(def.name)}` +
          ` (declared: ${[...def.labels, ...def.targetLabels, ...extra].join(', ') || 'none'})`,
      );
    }
    const { op, value } = typeof m === 'string' ? eq(m) : m;
    if (!OPS.includes(op)) {
      throw new Error(`unknown matcher operator ${JSON.stringify(op)} for label ${label}`);
    }
    parts.push(`${label}${op}${quote(value)}`);
  }
  return parts.length > 0 ? `{${parts.join(', ')}}` : '';
}

/** `name{label="value", …}` for a catalog entry. */
export function selector<D extends MetricDefinition>(
  def: D,
  matchers: Matchers<SelectableLabel<D> | ExtraLabel<D, never>> = {},
): string {
  const extra = def.type === 'summary' ? ['quantile'] : [];
  return def.name + renderMatchers(def, matchers, extra);
}

/** A histogram's `_bucket`, `_sum` or `_count` series; bucket selectors may also match `le`. */
export function histogramSelector<
  D extends MetricDefinition<string, 'histogram'>,
  S extends HistogramSeries,
>(def: D, series: S, matchers: Matchers<SelectableLabel<D> | ExtraLabel<D, S>> = {}): string {
  if (def.type !== 'histogram') {
    throw new Error(`metric ${JSON.stringify(def.name)} is a ${def.type}, not a histogram`);
  }
  const extra = series === 'bucket' ? ['le'] : [];
  return `${def.name}_${series}` + renderMatchers(def, matchers, extra);
}

/**
 * A `by (…)` clause over labels of `D` (plus `le` for histograms, to aggregate buckets).
 * Checked like selectors, so a grouping label the metric lacks is caught too.
 */
export function by<D extends MetricDefinition>(
  def: D,
  labels: readonly (SelectableLabel<D> | ExtraLabel<D, 'bucket'>)[],
): string {
  const extra = def.type === 'histogram' ? ['le'] : def.type === 'summary' ? ['quantile'] : [];
  for (const label of labels as readonly string[]) {
    if (
      !def.labels.includes(label) &&
      !def.targetLabels.includes(label) &&
      !extra.includes(label)
    ) {
      throw new Error(
        `cannot group by ${JSON.stringify(label)}: not a label of metric ${JSON.stringify(def.name)}`,
      );
    }
  }
  return `by (${labels.join(', ')})`;
}

/**
 * A DCGM exporter metric's series in namespace `namespace` (of the pod using the GPU), that pod
 * in `exported_namespace`, `exported_pod` and `exported_container` whichever way the exporter is
 * scraped (labels.ts, DCGM_TARGET): without honor_labels Prometheus renames the exporter's own
 * `namespace`/`pod`/`container` to those; with it (as the metrics adapter's rules allow) they stay
 * as sent, and are copied into `exported_*` here. Without the second branch, alerts and panels
 * over a DCGM scraped with honor_labels were silent.
 */
export function dcgmWorkload(def: MetricDefinition, namespace: MatcherValue): string {
  if (def.exporter !== 'dcgm-exporter')
    throw new Error(`dcgmWorkload: ${def.name} is not a DCGM exporter metric`);
  const renamed = selector(def, { exported_namespace: namespace });
  const asSent = selector(def, { exported_namespace: eq(''), namespace });
  const copied = ['namespace', 'pod', 'container'].reduce(
    (expr, label) => `label_replace(${expr}, "exported_${label}", "$1", "${label}", "(.*)")`,
    asSent,
  );
  return `(${renamed} or ${copied})`;
}
