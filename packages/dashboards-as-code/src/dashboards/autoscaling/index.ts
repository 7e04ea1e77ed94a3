// Autoscaling: per HPA, the metric it scales on against its target, replicas over time and
// scaling events; the custom metrics behind them; and the metrics adapter that serves them.
import type * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import { by, catalog, dcgmWorkload, histogramSelector, re, selector } from '@beacon/metric-catalog';
import {
  allValuesVariable,
  COUNT_MIN_INTERVAL,
  hpaMetricVsTarget,
  IN_EACH_INTERVAL,
  inNamespace,
  inScope,
  newDashboard,
  rate,
  row,
  STEP_INTERVAL,
  THRESHOLDS,
  timeseriesPanel,
  UNIT,
} from '../../common';

export const UID = 'beacon-autoscaling';

const ksm = catalog.kubeStateMetrics;
const { websocketConnections, jobQueueLength } = catalog.platform;
const { gpuUtilization } = catalog.dcgmExporter;
const adapter = catalog.metricsAdapter;

const perHpa = { ...inNamespace, horizontalpodautoscaler: re('$hpa') } as const;

/** The HorizontalPodAutoscalers in the selected namespaces; all by default. */
function hpaVariable(): dashboard.QueryVariableBuilder {
  return allValuesVariable(
    'hpa',
    'HPA',
    `label_values(${selector(ksm.hpaMaxReplicas, inNamespace)}, horizontalpodautoscaler)`,
  );
}

function hpaRow(d: dashboard.DashboardBuilder): void {
  const hpa = by(ksm.hpaCurrentReplicas, ['namespace', 'horizontalpodautoscaler']);
  d.withRow(row('HorizontalPodAutoscalers'))
    .withPanel(
      timeseriesPanel({
        title: 'Scaling metric vs target',
        description:
          'For each HPA and metric it scales on, the current value against the target from its spec.',
        unit: UNIT.count,
        queries: hpaMetricVsTarget(perHpa),
      }),
    )
    .withPanel(
      timeseriesPanel({
        title: 'Replicas over time',
        description: 'Current and desired replicas of each HPA, with its minimum and maximum.',
        unit: UNIT.count,
        queries: [
          {
            expr: `max ${hpa} (${selector(ksm.hpaCurrentReplicas, perHpa)})`,
            legend: '{{namespace}}/{{horizontalpodautoscaler}} current',
          },
          {
            expr: `max ${hpa} (${selector(ksm.hpaDesiredReplicas, perHpa)})`,
            legend: '{{namespace}}/{{horizontalpodautoscaler}} desired',
          },
          {
            expr: `max ${hpa} (${selector(ksm.hpaMinReplicas, perHpa)})`,
            legend: '{{namespace}}/{{horizontalpodautoscaler}} min',
          },
          {
            expr: `max ${hpa} (${selector(ksm.hpaMaxReplicas, perHpa)})`,
            legend: '{{namespace}}/{{horizontalpodautoscaler}} max',
          },
        ],
      }),
    )
    .withPanel(
      timeseriesPanel({
        title: 'Scaling events',
        description: `How often the desired replica count of each HPA changed ${IN_EACH_INTERVAL}.`,
        unit: UNIT.count,
        minInterval: COUNT_MIN_INTERVAL,
        queries: [
          {
            // A count per point: over the step ($__interval), so each change counts in one point;
            // over $__rate_interval the windows overlap and one change counted in several.
            expr: `sum ${hpa} (changes(${selector(ksm.hpaDesiredReplicas, perHpa)}[${STEP_INTERVAL}]))`,
            legend: '{{namespace}}/{{horizontalpodautoscaler}}',
          },
        ],
      }),
    )
    .withPanel(
      timeseriesPanel({
        title: 'Scaling limited',
        description:
          'HPAs whose ScalingLimited condition is true: the desired count hit the minimum or maximum.',
        unit: UNIT.count,
        queries: [
          {
            expr: `max ${hpa} (${selector(ksm.hpaCondition, { ...perHpa, condition: 'ScalingLimited', status: 'true' })})`,
            legend: '{{namespace}}/{{horizontalpodautoscaler}}',
          },
        ],
      }),
    );
}

function customMetricsRow(d: dashboard.DashboardBuilder): void {
  d.withRow(row('Custom metrics'))
    .withPanel(
      timeseriesPanel({
        title: 'WebSocket connections per pod',
        description:
          'Average WebSocket connections per pod, per service (collaboration scales on it).',
        unit: UNIT.count,
        width: 8,
        queries: [
          {
            expr: `avg ${by(websocketConnections, ['service'])} (${selector(websocketConnections, inScope)})`,
            legend: '{{service}}',
          },
        ],
      }),
    )
    .withPanel(
      timeseriesPanel({
        title: 'Queue length',
        description: 'Jobs waiting per queue (video-processing and 3d-processing scale on it).',
        unit: UNIT.count,
        width: 8,
        queries: [
          {
            expr: `sum ${by(jobQueueLength, ['service', 'queue'])} (${selector(jobQueueLength, inScope)})`,
            legend: '{{service}} {{queue}}',
          },
        ],
      }),
    )
    .withPanel(
      timeseriesPanel({
        title: 'GPU utilisation',
        description:
          'Average GPU utilisation (0–100 %) across the GPUs in the selected namespaces (ai-service scales on it).',
        unit: UNIT.percent,
        width: 8,
        min: 0,
        max: 100,
        thresholds: THRESHOLDS.gpuPercent,
        queries: [
          {
            expr: `avg(${dcgmWorkload(gpuUtilization, re('$namespace'))})`,
            legend: 'GPU utilisation',
          },
        ],
      }),
    );
}

function adapterRow(d: dashboard.DashboardBuilder): void {
  const perCode = by(adapter.requests, ['code']);
  d.withRow(row('Metrics adapter'))
    .withPanel(
      timeseriesPanel({
        title: 'Adapter requests by code',
        description: 'Requests the metrics adapter answered per second, by HTTP status code.',
        unit: UNIT.requestsPerSecond,
        width: 8,
        queries: [
          { expr: `sum ${perCode} (${rate(selector(adapter.requests))})`, legend: '{{code}}' },
        ],
      }),
    )
    .withPanel(
      timeseriesPanel({
        title: 'Adapter request latency p95',
        description: '95th percentile time to answer an API request, by route. Red above 500 ms.',
        unit: UNIT.seconds,
        width: 8,
        thresholds: THRESHOLDS.latencyP95,
        queries: [
          {
            expr: `histogram_quantile(0.95, sum ${by(adapter.requestDuration, ['path', 'le'])} (${rate(histogramSelector(adapter.requestDuration, 'bucket'))}))`,
            legend: '{{path}}',
          },
        ],
      }),
    )
    .withPanel(
      timeseriesPanel({
        title: 'Adapter Prometheus query latency p95',
        description:
          '95th percentile latency of the adapter\u2019s queries to Prometheus, by outcome.',
        unit: UNIT.seconds,
        width: 8,
        queries: [
          {
            expr: `histogram_quantile(0.95, sum ${by(adapter.backendQueryDuration, ['outcome', 'le'])} (${rate(histogramSelector(adapter.backendQueryDuration, 'bucket'))}))`,
            legend: '{{outcome}}',
          },
        ],
      }),
    );
}

export function build(): dashboard.Dashboard {
  const d = newDashboard({
    uid: UID,
    title: 'Beacon / Autoscaling',
    description:
      'Per HPA: the metric it scales on against its target, replicas over time and scaling events; the custom metrics and the adapter serving them.',
    tags: ['autoscaling'],
  }).withVariable(hpaVariable());
  hpaRow(d);
  customMetricsRow(d);
  adapterRow(d);
  return d.build();
}
