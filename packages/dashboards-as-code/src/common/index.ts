// Panel and query defaults shared by every dashboard: the datasource and its variable, the
// namespace/service variables, rate windows, units and the platform's thresholds (DESIGN.md).
import * as common from '@grafana/grafana-foundation-sdk/common';
import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import * as prometheus from '@grafana/grafana-foundation-sdk/prometheus';
import * as stat from '@grafana/grafana-foundation-sdk/stat';
import * as timeseries from '@grafana/grafana-foundation-sdk/timeseries';
import { by, catalog, re, selector } from '@beacon/metric-catalog';
import type { MetricDefinition, SelectableLabel } from '@beacon/metric-catalog';

/** Every Beacon dashboard carries this tag. */
export const TAG = 'beacon';

/** Name of the datasource variable (grafana/dashboard-linter's template-datasource-rule). */
export const DATASOURCE_VARIABLE = 'datasource';
/** uid of the Prometheus datasource the variable selects by default. */
export const DEFAULT_DATASOURCE_UID = 'prometheus';
/** What every panel and query points at: the templated Prometheus datasource. */
export const DATASOURCE: common.DataSourceRef = {
  type: 'prometheus',
  uid: `\${${DATASOURCE_VARIABLE}}`,
};

/** Range selector window for `rate()`: Grafana's scrape-aware interval. */
export const RATE_INTERVAL = '$__rate_interval';
/** Range selector window for a count per point: the step between points itself. */
export const STEP_INTERVAL = '$__interval';
/**
 * The panel's min interval ("Min interval" in Query options, Prometheus' min step) for a count
 * per interval: the window is never shorter than this, so it holds two samples at Prometheus'
 * default 1 m scrape interval and four at the 30 s the platform's ServiceMonitors use.
 */
export const COUNT_MIN_INTERVAL = '2m';
/** What a point of a count-per-interval panel covers, for its description. */
export const IN_EACH_INTERVAL = `in each interval between two points (at least ${COUNT_MIN_INTERVAL})`;
/** The namespace the platform's services run in (DESIGN.md). */
export const DEFAULT_NAMESPACE = 'platform';

/** `rate(<selector>[$__rate_interval])`: per second, smoothed over at least four scrapes. */
export const rate = (series: string): string => `rate(${series}[${RATE_INTERVAL}])`;
/**
 * `increase(<selector>[$__interval])`: the events between one point and the previous, so each
 * event counts in one point and the points add up to the total at any zoom (up to increase()'s
 * extrapolation to the window edges, exact while the rate is steady within a step).
 * `$__interval` is the step between points (Grafana docs, Query options: "Interval",
 * grafana.com/docs/grafana/latest/panels-visualizations/query-transform-data/#query-options).
 * Not `$__rate_interval`: Grafana computes it as max($__interval + scrape interval,
 * 4 × scrape interval) (docs, Prometheus template variables: "Use $__rate_interval",
 * grafana.com/docs/grafana/latest/datasources/prometheus/template-variables/), always longer
 * than the step, so consecutive windows overlap and an event counts in two or more points, more
 * the further one zooms in. That page advises against `$__interval` because it "can be too small
 * for rate()": a panel using this sets `minInterval: COUNT_MIN_INTERVAL` (lint rule
 * promql/rate-interval checks that it sets one), which bounds the step and so the window.
 */
export const increasePerInterval = (series: string): string =>
  `increase(${series}[${STEP_INTERVAL}])`;

/**
 * `on (…)` for a vector match, each label checked against both sides' metrics as `by` checks
 * grouping labels, so a join on a label one side lacks fails to build.
 */
export function on<A extends MetricDefinition, B extends MetricDefinition>(
  left: A,
  right: B,
  labels: readonly (SelectableLabel<A> & SelectableLabel<B>)[],
): string {
  by(left, labels);
  return by(right, labels).replace(/^by /, 'on ');
}

/**
 * How many pods a per-pod panel draws: the heaviest ones. A namespace selection of a large
 * cluster holds thousands of pods (20,000 with All), more lines than a panel can show or a
 * browser can draw.
 */
export const TOP_PODS = 20;
/** `topk(TOP_PODS, <expr>)`: the pods with the highest values at each step. */
export const topPods = (expr: string): string => `topk(${TOP_PODS}, ${expr})`;

/** Matchers for the namespace and service variables (`=~` since both are multi-value). */
export const inScope = { namespace: re('$namespace'), service: re('$service') } as const;
/** Matcher for the namespace variable alone, for series without a `service` label. */
export const inNamespace = { namespace: re('$namespace') } as const;

/** Grafana unit ids used by the dashboards (all in foundation-sdk's `units`). */
export const UNIT = {
  requestsPerSecond: 'reqps',
  opsPerSecond: 'ops',
  ratio: 'percentunit',
  percent: 'percent',
  seconds: 's',
  bytes: 'bytes',
  mebibytes: 'mbytes',
  count: 'short',
  cores: 'short',
} as const;

export type Step = { value: number | null; color: string };

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

/** Thresholds the platform's monitoring plans state, plus the ones we chose (README). */
export const THRESHOLDS = {
  /** Error ratio > 10 % is red. */
  errorRatio: [
    { value: null, color: 'green' },
    { value: 0.1, color: 'red' },
  ],
  /** p95 latency > 500 ms is red. */
  latencyP95: [
    { value: null, color: 'green' },
    { value: 0.5, color: 'red' },
  ],
  /**
   * Inference latency > 5 s is red: the threshold of alert-rules' AiInferenceLatencyHigh (p95
   * of ai_inference_duration_seconds > 5) and of the SLO ai-service-latency (99 % of
   * inferences within 5 s). GPU inference takes seconds, so the HTTP p95 threshold (0.5 s)
   * drew normal latency red. Neither package exports the number: keep the three in step.
   */
  inferenceLatency: [
    { value: null, color: 'green' },
    { value: 5, color: 'red' },
  ],
  /** p99 latency > 2 s is red. */
  latencyP99: [
    { value: null, color: 'green' },
    { value: 2, color: 'red' },
  ],
  /** Availability SLO 99.9 %: below it is red. */
  availability: [
    { value: null, color: 'red' },
    { value: 0.999, color: 'green' },
  ],
  /** Backend memory > 512 MiB warning, > 1 GiB critical. */
  memoryBytes: [
    { value: null, color: 'green' },
    { value: 512 * MiB, color: 'orange' },
    { value: GiB, color: 'red' },
  ],
  /** CPU (as a 0–1 ratio) > 80 % warning, > 95 % critical. */
  cpuRatio: [
    { value: null, color: 'green' },
    { value: 0.8, color: 'orange' },
    { value: 0.95, color: 'red' },
  ],
  /** Not stated by the plans: GPU utilisation (0–100) > 90 % warning, > 98 % critical. */
  gpuPercent: [
    { value: null, color: 'green' },
    { value: 90, color: 'orange' },
    { value: 98, color: 'red' },
  ],
  /** Not stated by the plans: disk or memory fill (0–1) > 80 % warning, > 90 % critical. */
  fillRatio: [
    { value: null, color: 'green' },
    { value: 0.8, color: 'orange' },
    { value: 0.9, color: 'red' },
  ],
  /** Informational panels: one colour. */
  none: [{ value: null, color: 'green' }],
} as const satisfies Record<string, readonly Step[]>;

export interface Query {
  expr: string;
  /** Legend template, e.g. `{{service}}`. */
  legend: string;
}

const { hpaCurrentMetric, hpaTargetMetric } = catalog.kubeStateMetrics;
const HPA_METRIC = [
  'namespace',
  'horizontalpodautoscaler',
  'metric_name',
  'metric_target_type',
] as const;

/**
 * The queries of a panel of HPAs' metrics against their targets, paired by metric_target_type:
 * kube-state-metrics exports a CPU or memory metric's current value twice, as `utilization`
 * (%) and `average` (cores, bytes), and its spec the one the HPA scales by. Grouped without the
 * type, memory in bytes (3.22e8) was drawn against an 80 % target. A current value is drawn
 * where its spec has a target of its type.
 */
export function hpaMetricVsTarget(
  hpas: Parameters<typeof selector<typeof hpaCurrentMetric>>[1],
): Query[] {
  const target = `max ${by(hpaTargetMetric, HPA_METRIC)} (${selector(hpaTargetMetric, hpas)})`;
  const name = '{{namespace}}/{{horizontalpodautoscaler}} {{metric_name}} ({{metric_target_type}})';
  return [
    {
      expr: `max ${by(hpaCurrentMetric, HPA_METRIC)} (${selector(hpaCurrentMetric, hpas)}) and ${target}`,
      legend: `${name} current`,
    },
    { expr: target, legend: `${name} target` },
  ];
}

export interface PanelSpec {
  title: string;
  description: string;
  unit: string;
  queries: readonly Query[];
  thresholds?: readonly Step[];
  /** Grid width (of 24); 12 by default. */
  width?: number;
  /** Grid height; 8 by default. */
  height?: number;
  min?: number;
  max?: number;
  decimals?: number;
  /** The panel's min interval, a lower bound for `$__interval` and the query step. */
  minInterval?: string;
}

function thresholds(steps: readonly Step[]): dashboard.ThresholdsConfigBuilder {
  return new dashboard.ThresholdsConfigBuilder()
    .mode(dashboard.ThresholdsMode.Absolute)
    .steps(steps.map((s) => ({ ...s })) as dashboard.Threshold[]);
}

function targets(queries: readonly Query[]): prometheus.DataqueryBuilder[] {
  if (queries.length === 0) throw new Error('a panel needs at least one query');
  return queries.map((q, i) =>
    new prometheus.DataqueryBuilder()
      .datasource(DATASOURCE)
      .expr(q.expr)
      .legendFormat(q.legend)
      .refId(String.fromCharCode(65 + i)),
  );
}

/** A time series panel with Beacon's defaults (legend at the bottom, shared tooltip). */
export function timeseriesPanel(spec: PanelSpec): timeseries.PanelBuilder {
  const b = new timeseries.PanelBuilder()
    .title(spec.title)
    .description(spec.description)
    .datasource(DATASOURCE)
    .unit(spec.unit)
    .span(spec.width ?? 12)
    .height(spec.height ?? 8)
    .targets(targets(spec.queries))
    .thresholds(thresholds(spec.thresholds ?? THRESHOLDS.none))
    .legend(
      new common.VizLegendOptionsBuilder()
        .showLegend(true)
        .displayMode(common.LegendDisplayMode.List)
        .placement(common.LegendPlacement.Bottom),
    )
    .tooltip(
      new common.VizTooltipOptionsBuilder()
        .mode(common.TooltipDisplayMode.Multi)
        .sort(common.SortOrder.Descending),
    )
    .fillOpacity(10);
  if (spec.thresholds) {
    b.thresholdsStyle(
      new common.GraphThresholdsStyleConfigBuilder().mode(common.GraphThresholdsStyleMode.Line),
    );
  }
  if (spec.min !== undefined) b.min(spec.min);
  if (spec.max !== undefined) b.max(spec.max);
  if (spec.decimals !== undefined) b.decimals(spec.decimals);
  if (spec.minInterval !== undefined) b.interval(spec.minInterval);
  return b;
}

/** A single-value panel: the last value, coloured by the thresholds. */
export function statPanel(spec: PanelSpec): stat.PanelBuilder {
  const b = new stat.PanelBuilder()
    .title(spec.title)
    .description(spec.description)
    .datasource(DATASOURCE)
    .unit(spec.unit)
    .span(spec.width ?? 6)
    .height(spec.height ?? 4)
    .targets(targets(spec.queries))
    .thresholds(thresholds(spec.thresholds ?? THRESHOLDS.none))
    .colorMode(common.BigValueColorMode.Value)
    .graphMode(common.BigValueGraphMode.Area)
    .reduceOptions(new common.ReduceDataOptionsBuilder().calcs(['lastNotNull']));
  if (spec.min !== undefined) b.min(spec.min);
  if (spec.max !== undefined) b.max(spec.max);
  if (spec.decimals !== undefined) b.decimals(spec.decimals);
  if (spec.minInterval !== undefined) b.interval(spec.minInterval);
  return b;
}

/** A row heading; the panels added after it belong to it. */
export const row = (title: string): dashboard.RowBuilder => new dashboard.RowBuilder(title);

/** The datasource variable: Prometheus datasources, `prometheus` selected by default. */
export function datasourceVariable(): dashboard.DatasourceVariableBuilder {
  return new dashboard.DatasourceVariableBuilder(DATASOURCE_VARIABLE)
    .label('Data source')
    .type('prometheus')
    .current({ text: DEFAULT_DATASOURCE_UID, value: DEFAULT_DATASOURCE_UID });
}

const up = catalog.prometheus.up;

/**
 * A variable of one label's values, as `query` (a `label_values(…)`) lists them from the selected
 * data source, refreshed with the time range; several may be picked, or all.
 */
function labelValuesVariable(
  name: string,
  label: string,
  query: string,
): dashboard.QueryVariableBuilder {
  return new dashboard.QueryVariableBuilder(name)
    .label(label)
    .datasource(DATASOURCE)
    .query(query)
    .definition(query)
    .refresh(dashboard.VariableRefresh.OnTimeRangeChanged)
    .sort(dashboard.VariableSort.AlphabeticalAsc)
    .multi(true)
    .includeAll(true);
}

/**
 * A label-values variable with All picked by default, All meaning any value (`.*`), not the
 * list of the values Grafana last loaded.
 */
export function allValuesVariable(
  name: string,
  label: string,
  query: string,
): dashboard.QueryVariableBuilder {
  return labelValuesVariable(name, label, query)
    .allValue('.*')
    .current({ text: ['All'], value: ['$__all'] });
}

/** The namespace variable, from the namespaces of scraped targets; `platform` by default. */
export function namespaceVariable(): dashboard.QueryVariableBuilder {
  return labelValuesVariable(
    'namespace',
    'Namespace',
    `label_values(${selector(up)}, namespace)`,
  ).current({ text: [DEFAULT_NAMESPACE], value: [DEFAULT_NAMESPACE] });
}

/** The service variable, from the services in the selected namespaces; all by default. */
export function serviceVariable(): dashboard.QueryVariableBuilder {
  return allValuesVariable(
    'service',
    'Service',
    `label_values(${selector(up, inNamespace)}, service)`,
  );
}

export interface DashboardSpec {
  uid: string;
  title: string;
  description: string;
  /** Extra tags beside `beacon`. */
  tags?: readonly string[];
  refresh?: string;
}

/** A dashboard with Beacon's defaults: tag, time range, refresh and the three variables. */
export function newDashboard(spec: DashboardSpec): dashboard.DashboardBuilder {
  return new dashboard.DashboardBuilder(spec.title)
    .uid(spec.uid)
    .description(spec.description)
    .tags([TAG, ...(spec.tags ?? [])])
    .timezone('browser')
    .time({ from: 'now-6h', to: 'now' })
    .refresh(spec.refresh ?? '1m')
    .tooltip(dashboard.DashboardCursorSync.Crosshair)
    .readonly()
    .withVariable(datasourceVariable())
    .withVariable(namespaceVariable())
    .withVariable(serviceVariable());
}
