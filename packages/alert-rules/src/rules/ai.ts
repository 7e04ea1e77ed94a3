// AI models alerts: inference health of ai-service and saturation of the GPUs it runs on.
import { by, catalog, dcgmWorkload, eq, histogramSelector, selector } from '@beacon/metric-catalog';
import { defineAlert } from '../spec';
import type { RuleGroup } from '../spec';

const { aiInferenceRequests, aiInferenceErrors, aiInferenceDuration, aiModelConfidence } =
  catalog.platform;
const { gpuUtilization, framebufferUsed, framebufferFree } = catalog.dcgmExporter;
const ns = 'platform';
const team = 'ai';

const perModel = by(aiInferenceRequests, ['namespace', 'service', 'model']);
const perModelErrors = by(aiInferenceErrors, ['namespace', 'service', 'model']);
// The pod using a GPU is in exported_* however DCGM is scraped (dcgmWorkload).
const perGpu = ['exported_namespace', 'exported_pod', 'Hostname', 'gpu'] as const;

export const ai: RuleGroup = {
  domain: 'ai',
  alerts: [
    defineAlert({
      name: 'AiInferenceFailures',
      expr: `sum ${perModelErrors} (rate(${selector(aiInferenceErrors, { namespace: ns })}[5m])) / sum ${perModel} (rate(${selector(aiInferenceRequests, { namespace: ns })}[5m])) > 0.05`,
      for: '5m',
      severity: 'critical',
      team,
      summary: 'Inference with model {{ $labels.model }} fails',
      description:
        '{{ $value | humanizePercentage }} of inference requests to model {{ $labels.model }} on {{ $labels.service }} failed over the last 5 minutes (threshold 5%).',
    }),
    defineAlert({
      name: 'AiInferenceLatencyHigh',
      expr: `histogram_quantile(0.95, sum ${by(aiInferenceDuration, ['namespace', 'service', 'model', 'le'])} (rate(${histogramSelector(aiInferenceDuration, 'bucket', { namespace: ns })}[5m]))) > 5`,
      for: '10m',
      severity: 'warning',
      team,
      summary: 'p95 inference latency of model {{ $labels.model }} is above 5s',
      description:
        'The 95th percentile of inference latency of model {{ $labels.model }} is {{ $value | humanizeDuration }} (threshold 5s).',
    }),
    defineAlert({
      name: 'AiLowConfidenceShareHigh',
      expr: `sum ${by(aiModelConfidence, ['namespace', 'service', 'model'])} (rate(${histogramSelector(aiModelConfidence, 'bucket', { namespace: ns, le: eq('0.5') })}[30m])) / sum ${by(aiModelConfidence, ['namespace', 'service', 'model'])} (rate(${histogramSelector(aiModelConfidence, 'count', { namespace: ns })}[30m])) > 0.2`,
      for: '30m',
      severity: 'warning',
      team,
      summary: 'Model {{ $labels.model }} is unsure of many predictions',
      description:
        '{{ $value | humanizePercentage }} of the predictions of model {{ $labels.model }} had a confidence of 0.5 or less over the last 30 minutes (threshold 20%).',
    }),
    defineAlert({
      name: 'GpuUtilizationSaturated',
      expr: `max ${by(gpuUtilization, perGpu)} (${dcgmWorkload(gpuUtilization, ns)}) > 95`,
      for: '15m',
      severity: 'warning',
      team,
      service: 'ai-service',
      summary: 'GPU {{ $labels.gpu }} on {{ $labels.Hostname }} is saturated',
      description:
        'GPU {{ $labels.gpu }} on {{ $labels.Hostname }} (pod {{ $labels.exported_pod }}) has been {{ $value }}% busy for 15 minutes (threshold 95%).',
    }),
    defineAlert({
      name: 'GpuMemoryNearlyFull',
      expr: `sum ${by(framebufferUsed, perGpu)} (${dcgmWorkload(framebufferUsed, ns)}) / (sum ${by(framebufferUsed, perGpu)} (${dcgmWorkload(framebufferUsed, ns)}) + sum ${by(framebufferFree, perGpu)} (${dcgmWorkload(framebufferFree, ns)})) > 0.9`,
      for: '10m',
      severity: 'warning',
      team,
      service: 'ai-service',
      summary: 'GPU {{ $labels.gpu }} on {{ $labels.Hostname }} is running out of memory',
      description:
        'GPU {{ $labels.gpu }} on {{ $labels.Hostname }} (pod {{ $labels.exported_pod }}) uses {{ $value | humanizePercentage }} of its memory (threshold 90%).',
    }),
  ],
};
