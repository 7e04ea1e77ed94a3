// AI Models: inference traffic, latency, errors and confidence per model; GPUs per pod (DCGM).
import type * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import {
  by,
  catalog,
  dcgmWorkload,
  histogramSelector,
  re,
  selector,
  type MetricDefinition,
} from '@beacon/metric-catalog';
import { inScope, newDashboard, rate, row, THRESHOLDS, timeseriesPanel, UNIT } from '../../common';

export const UID = 'beacon-ai-models';

const { aiInferenceRequests, aiInferenceDuration, aiInferenceErrors, aiModelConfidence } =
  catalog.platform;
const { jobQueueLength, jobQueueOldestAge } = catalog.platform;
const { gpuUtilization, framebufferUsed, framebufferFree } = catalog.dcgmExporter;

/**
 * The DCGM series of the dashboard's namespace, the pod using each GPU in `exported_*` labels
 * however the exporter is scraped (metric-catalog's dcgmWorkload).
 */
const gpuSeries = (def: MetricDefinition) => dcgmWorkload(def, re('$namespace'));

function quantile(q: number, def: typeof aiInferenceDuration | typeof aiModelConfidence): string {
  const buckets = histogramSelector(def, 'bucket', inScope);
  return `histogram_quantile(${q}, sum ${by(def, ['model', 'le'])} (${rate(buckets)}))`;
}

function inferenceRow(d: dashboard.DashboardBuilder): void {
  const perModel = by(aiInferenceRequests, ['model']);
  d.withRow(row('Inference'))
    .withPanel(
      timeseriesPanel({
        title: 'Inference rate by model',
        description: 'Inference requests per second, per model.',
        unit: UNIT.requestsPerSecond,
        queries: [
          {
            expr: `sum ${perModel} (${rate(selector(aiInferenceRequests, inScope))})`,
            legend: '{{model}}',
          },
        ],
      }),
    )
    .withPanel(
      timeseriesPanel({
        title: 'Inference latency by model',
        description:
          'p50, p95 and p99 inference latency per model, GPU queueing included. Red above 5 s (the AiInferenceLatencyHigh alert on the p95, and the ai-service-latency SLO).',
        unit: UNIT.seconds,
        thresholds: THRESHOLDS.inferenceLatency,
        queries: [
          { expr: quantile(0.5, aiInferenceDuration), legend: '{{model}} p50' },
          { expr: quantile(0.95, aiInferenceDuration), legend: '{{model}} p95' },
          { expr: quantile(0.99, aiInferenceDuration), legend: '{{model}} p99' },
        ],
      }),
    )
    .withPanel(
      timeseriesPanel({
        title: 'Inference errors by model and reason',
        description: 'Failed inference requests per second, per model and reason.',
        unit: UNIT.opsPerSecond,
        queries: [
          {
            expr: `sum ${by(aiInferenceErrors, ['model', 'reason'])} (${rate(selector(aiInferenceErrors, inScope))})`,
            legend: '{{model}} {{reason}}',
          },
        ],
      }),
    )
    .withPanel(
      timeseriesPanel({
        title: 'Inference error ratio by model',
        description: 'Share of inference requests that failed, per model. Red above 10 %.',
        unit: UNIT.ratio,
        min: 0,
        thresholds: THRESHOLDS.errorRatio,
        queries: [
          {
            // A model that never failed has no error series: the `or` gives it 0, not no line.
            expr:
              `(sum ${perModel} (${rate(selector(aiInferenceRequests, { ...inScope, outcome: 'error' }))})` +
              ` or 0 * sum ${perModel} (${rate(selector(aiInferenceRequests, inScope))}))` +
              ` / sum ${perModel} (${rate(selector(aiInferenceRequests, inScope))})`,
            legend: '{{model}}',
          },
        ],
      }),
    )
    .withPanel(
      timeseriesPanel({
        title: 'Prediction confidence by model',
        description:
          'Median and 10th percentile confidence score (0 to 1) of predictions, per model.',
        unit: UNIT.ratio,
        min: 0,
        max: 1,
        queries: [
          { expr: quantile(0.5, aiModelConfidence), legend: '{{model}} median' },
          { expr: quantile(0.1, aiModelConfidence), legend: '{{model}} p10' },
        ],
      }),
    )
    .withPanel(
      timeseriesPanel({
        title: 'Inference queue depth',
        description: 'Jobs waiting for the AI service, per queue, and the age of the oldest one.',
        unit: UNIT.count,
        queries: [
          {
            expr: `sum ${by(jobQueueLength, ['queue'])} (${selector(jobQueueLength, inScope)})`,
            legend: '{{queue}} waiting',
          },
        ],
      }),
    )
    .withPanel(
      timeseriesPanel({
        title: 'Oldest queued job age',
        description: 'Age of the oldest job still waiting, per queue.',
        unit: UNIT.seconds,
        queries: [
          {
            expr: `max ${by(jobQueueOldestAge, ['queue'])} (${selector(jobQueueOldestAge, inScope)})`,
            legend: '{{queue}}',
          },
        ],
      }),
    );
}

function gpuRow(d: dashboard.DashboardBuilder): void {
  const used = gpuSeries(framebufferUsed);
  const free = gpuSeries(framebufferFree);
  const perPod = by(framebufferUsed, ['exported_namespace', 'exported_pod']);
  d.withRow(row('GPUs'))
    .withPanel(
      timeseriesPanel({
        title: 'GPU utilisation by pod',
        description:
          'Average utilisation (0–100 %) of the GPUs each pod uses, from the DCGM exporter. Orange above 90 %, red above 98 %.',
        unit: UNIT.percent,
        min: 0,
        max: 100,
        thresholds: THRESHOLDS.gpuPercent,
        queries: [
          {
            expr: `avg ${by(gpuUtilization, ['exported_namespace', 'exported_pod'])} (${gpuSeries(gpuUtilization)})`,
            legend: '{{exported_namespace}}/{{exported_pod}}',
          },
        ],
      }),
    )
    .withPanel(
      timeseriesPanel({
        title: 'GPU memory used by pod',
        description: 'Framebuffer memory used by each pod, from the DCGM exporter.',
        unit: UNIT.mebibytes,
        queries: [
          { expr: `sum ${perPod} (${used})`, legend: '{{exported_namespace}}/{{exported_pod}}' },
        ],
      }),
    )
    .withPanel(
      timeseriesPanel({
        title: 'GPU memory fill by pod',
        description:
          'Share of framebuffer memory in use on the GPUs of each pod. Orange above 80 %, red above 90 %.',
        unit: UNIT.ratio,
        min: 0,
        max: 1,
        thresholds: THRESHOLDS.fillRatio,
        queries: [
          {
            expr: `sum ${perPod} (${used}) / (sum ${perPod} (${used}) + sum ${by(framebufferFree, ['exported_namespace', 'exported_pod'])} (${free}))`,
            legend: '{{exported_namespace}}/{{exported_pod}}',
          },
        ],
      }),
    );
}

export function build(): dashboard.Dashboard {
  const d = newDashboard({
    uid: UID,
    title: 'Beacon / AI Models',
    description:
      'Inference rate, latency, errors and confidence per model; GPU utilisation and memory per pod; queue depth.',
    tags: ['ai'],
  });
  inferenceRow(d);
  gpuRow(d);
  return d.build();
}
