// Built-in rules for the platform's scaling metrics, on by default (--presets=false turns them
// off). Written in prometheus-adapter's own config format, with series names from
// metric-catalog, and read by the same strict parser as a user's --config, so
// `beacon-metrics-adapter --print-presets` is a config a prometheus-adapter user can read.
//
// DCGM exporter series name the GPU's pod in `pod`/`namespace` when Prometheus scrapes it with
// honor_labels (or a pod-resources mapping), and in `exported_pod`/`exported_namespace` when the
// exporter's own pod labels won: one rule for each, the later (`pod`) winning for a pod both
// describe, as the last rule with a value for an object does.
import { catalog } from '@beacon/metric-catalog';
import { parseAdapterConfig, type AdapterConfig } from './config';

const ws = catalog.platform.websocketConnections.name;
const queue = catalog.platform.jobQueueLength.name;
const gpuUtil = catalog.dcgmExporter.gpuUtilization.name;
const fbUsed = catalog.dcgmExporter.framebufferUsed.name;

const podResources = `  resources:
    overrides:
      namespace: {resource: namespace}
      pod: {resource: pod}`;
const exportedPodResources = `  resources:
    overrides:
      exported_namespace: {resource: namespace}
      exported_pod: {resource: pod}`;
const MIB = 1048576;

export const PRESETS_YAML = `# Beacon's built-in rules (metric names from @beacon/metric-catalog).
rules:
# WebSocket connections open on each pod (collaboration scales on it).
- seriesQuery: '${ws}{namespace!="",pod!=""}'
${podResources}
  name: {matches: "^${ws}$", as: "${ws}"}
  metricsQuery: 'sum(<<.Series>>{<<.LabelMatchers>>}) by (<<.GroupBy>>)'
# Jobs waiting in the queues a pod serves (video-processing, 3d-processing).
- seriesQuery: '${queue}{namespace!="",pod!=""}'
${podResources}
  name: {matches: "^${queue}$", as: "${queue}"}
  metricsQuery: 'sum(<<.Series>>{<<.LabelMatchers>>}) by (<<.GroupBy>>)'
# GPU utilisation (percent, averaged over the pod's GPUs) from DCGM exporter.
- seriesQuery: '${gpuUtil}{exported_namespace!="",exported_pod!=""}'
${exportedPodResources}
  name: {matches: "^${gpuUtil}$", as: "gpu_utilization"}
  metricsQuery: 'avg(<<.Series>>{<<.LabelMatchers>>}) by (<<.GroupBy>>)'
- seriesQuery: '${gpuUtil}{namespace!="",pod!="",exported_pod=""}'
${podResources}
  name: {matches: "^${gpuUtil}$", as: "gpu_utilization"}
  metricsQuery: 'avg(<<.Series>>{<<.LabelMatchers>>,exported_pod=""}) by (<<.GroupBy>>)'
# GPU framebuffer memory in use (bytes, summed over the pod's GPUs; DCGM reports MiB).
- seriesQuery: '${fbUsed}{exported_namespace!="",exported_pod!=""}'
${exportedPodResources}
  name: {matches: "^${fbUsed}$", as: "gpu_framebuffer_used_bytes"}
  metricsQuery: 'sum(<<.Series>>{<<.LabelMatchers>>}) by (<<.GroupBy>>) * ${MIB}'
- seriesQuery: '${fbUsed}{namespace!="",pod!="",exported_pod=""}'
${podResources}
  name: {matches: "^${fbUsed}$", as: "gpu_framebuffer_used_bytes"}
  metricsQuery: 'sum(<<.Series>>{<<.LabelMatchers>>,exported_pod=""}) by (<<.GroupBy>>) * ${MIB}'
externalRules:
# Queue length per queue, whichever pods export it: select with labelSelector=queue=<name> (the HPA's metric selector).
- seriesQuery: '${queue}{namespace!="",queue!=""}'
  resources:
    overrides:
      namespace: {resource: namespace}
  name: {matches: "^${queue}$", as: "${queue}"}
  metricsQuery: 'max(<<.Series>>{<<.LabelMatchers>>}) by (queue)'
`;

export const presets = (): AdapterConfig => parseAdapterConfig(PRESETS_YAML, '<built-in presets>');

/**
 * The presets first, then the user's rules. The later rule wins where two yield one metric (an
 * external metric is served by the last rule that yields it, a custom metric's object by the last
 * rule with a value for it, as upstream keeps the last), so a user's rule replaces a preset.
 */
export function withPresets(config: AdapterConfig | undefined, enabled: boolean): AdapterConfig {
  const base: AdapterConfig = config ?? { rules: [], externalRules: [] };
  if (!enabled) return base;
  const p = presets();
  return {
    ...base,
    rules: [...p.rules, ...base.rules],
    externalRules: [...p.externalRules, ...base.externalRules],
  };
}
