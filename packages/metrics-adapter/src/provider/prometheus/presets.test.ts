import { catalog } from '@beacon/metric-catalog';
import { parseLabelSelector } from '../../k8s/label-selector';
import type { ObjectLister } from '../../k8s/objects';
import { MetricNotFoundError } from '../provider';
import type { PrometheusClient, Sample } from './client';
import { createPrometheusProvider } from './provider';
import { presets } from './presets';

// The series Prometheus holds. DCGM exporter labels a GPU's series with the pod using it
// (`pod`, `namespace`, `container`); scraped without honor_labels those become `exported_*` and
// `pod`/`namespace` name the exporter's own pod.
const held: Record<string, string>[] = [
  {
    __name__: 'DCGM_FI_DEV_GPU_UTIL',
    gpu: '0',
    namespace: 'gpu-operator',
    pod: 'dcgm-exporter-x',
    exported_namespace: 'platform',
    exported_pod: 'ai-0',
    exported_container: 'model',
  },
  { __name__: 'DCGM_FI_DEV_GPU_UTIL', gpu: '0', namespace: 'platform', pod: 'ai-1' },
  {
    __name__: 'DCGM_FI_DEV_FB_USED',
    gpu: '0',
    namespace: 'gpu-operator',
    pod: 'dcgm-exporter-x',
    exported_namespace: 'platform',
    exported_pod: 'ai-0',
    exported_container: 'model',
  },
  { __name__: 'websocket_connections', namespace: 'platform', pod: 'collab-a' },
  { __name__: 'job_queue_length', namespace: 'platform', pod: 'video-0', queue: 'render' },
];

/**
 * What /api/v1/series selects for a preset's seriesQuery: its metric name and its `l!=""` (the
 * label present) and `l=""` (absent) matchers, the only ones the presets write.
 */
function selects(selector: string, series: Record<string, string>): boolean {
  const m = /^([A-Za-z_:][A-Za-z0-9_:]*)\{(.*)\}$/.exec(selector);
  if (!m) throw new Error(`selector not understood here: ${selector}`);
  if (series.__name__ !== m[1]) return false;
  return (m[2] as string).split(',').every((matcher) => {
    const lm = /^([A-Za-z_][A-Za-z0-9_]*)(!?=)""$/.exec(matcher);
    if (!lm) throw new Error(`matcher not understood here: ${matcher}`);
    const present = (series[lm[1] as string] ?? '') !== '';
    return lm[2] === '!=' ? present : !present;
  });
}

/** Data-driven: the instant queries Prometheus is asked, with their answers; any other fails. */
async function presetProvider(answers: Record<string, Sample[]>) {
  const client: PrometheusClient = {
    async query(expr) {
      const answer = answers[expr];
      if (!answer) throw new Error(`unexpected query ${expr}`);
      return answer;
    },
    async series(matchers) {
      return held.filter((s) => selects(matchers[0] as string, s));
    },
  };
  const lister: ObjectLister = { names: async () => new Set() };
  const provider = createPrometheusProvider({
    client,
    config: presets(),
    lister,
    relistIntervalMs: 60_000,
    maxAgeMs: 600_000,
    cacheTtlMs: 0,
  });
  await provider.relist();
  return provider;
}

const sample = (labels: Record<string, string>, value: string): Sample => ({
  labels,
  value,
  timestamp: 1700000000,
});
const one = (namespace: string, name: string, metric: string) => ({
  resource: 'pods',
  namespace,
  name,
  metric,
  labelSelector: [],
  metricLabelSelector: [],
});

describe('built-in presets', () => {
  it('read the series names metric-catalog and dcgm-exporter give them', () => {
    // dcgm-exporter's default-counters.csv: DCGM_FI_DEV_GPU_UTIL (GPU utilization, in %) and
    // DCGM_FI_DEV_FB_USED (framebuffer memory used, in MiB).
    const names = (rules: readonly { seriesQuery: string }[]) =>
      [...new Set(rules.map((r) => /^[A-Za-z_:][A-Za-z0-9_:]*/.exec(r.seriesQuery)?.[0]))].sort();
    expect(names(presets().rules)).toEqual([
      'DCGM_FI_DEV_FB_USED',
      'DCGM_FI_DEV_GPU_UTIL',
      'job_queue_length',
      'websocket_connections',
    ]);
    expect(names(presets().externalRules)).toEqual(['job_queue_length']);
    expect(
      [
        catalog.dcgmExporter.framebufferUsed,
        catalog.dcgmExporter.gpuUtilization,
        catalog.platform.jobQueueLength,
        catalog.platform.websocketConnections,
      ].map((d) => d.name),
    ).toEqual(names(presets().rules));
  });

  it('attribute a GPU series carrying both label pairs to the workload pod, not the exporter', async () => {
    const provider = await presetProvider({
      'avg(DCGM_FI_DEV_GPU_UTIL{exported_namespace="platform",exported_pod="ai-0"}) by (exported_pod)':
        [sample({ exported_pod: 'ai-0' }, '80')],
      // The exporter's own pod and namespace: Prometheus has no series for these (the one series
      // with pod="dcgm-exporter-x" carries exported_pod, which the pod-label rule leaves out).
      'avg(DCGM_FI_DEV_GPU_UTIL{namespace="platform",pod="ai-0",exported_pod=""}) by (pod)': [],
      'avg(DCGM_FI_DEV_GPU_UTIL{exported_namespace="gpu-operator",exported_pod="dcgm-exporter-x"}) by (exported_pod)':
        [],
      'avg(DCGM_FI_DEV_GPU_UTIL{namespace="gpu-operator",pod="dcgm-exporter-x",exported_pod=""}) by (pod)':
        [],
      'sum(DCGM_FI_DEV_FB_USED{exported_namespace="platform",exported_pod="ai-0"}) by (exported_pod) * 1048576':
        [sample({ exported_pod: 'ai-0' }, '1073741824')],
      'sum(DCGM_FI_DEV_FB_USED{namespace="platform",pod="ai-0",exported_pod=""}) by (pod) * 1048576':
        [],
    });
    const [util] = await provider.objectValues(one('platform', 'ai-0', 'gpu_utilization'));
    expect([util?.describedObject.name, util?.value]).toEqual(['ai-0', '80']);
    const [fb] = await provider.objectValues(one('platform', 'ai-0', 'gpu_framebuffer_used_bytes'));
    expect(fb?.value).toBe('1073741824');
    await expect(
      provider.objectValues(one('gpu-operator', 'dcgm-exporter-x', 'gpu_utilization')),
    ).rejects.toThrow(MetricNotFoundError);
  });

  it('read a GPU scraped with honor_labels from pod and namespace', async () => {
    const provider = await presetProvider({
      'avg(DCGM_FI_DEV_GPU_UTIL{exported_namespace="platform",exported_pod="ai-1"}) by (exported_pod)':
        [],
      'avg(DCGM_FI_DEV_GPU_UTIL{namespace="platform",pod="ai-1",exported_pod=""}) by (pod)': [
        sample({ pod: 'ai-1' }, '35'),
      ],
    });
    const [util] = await provider.objectValues(one('platform', 'ai-1', 'gpu_utilization'));
    expect([util?.describedObject.name, util?.value]).toEqual(['ai-1', '35']);
  });

  it('serve WebSocket connections and queue length per pod, and queue length per queue', async () => {
    const provider = await presetProvider({
      'sum(websocket_connections{namespace="platform",pod="collab-a"}) by (pod)': [
        sample({ pod: 'collab-a' }, '120'),
      ],
      'sum(job_queue_length{namespace="platform",pod="video-0"}) by (pod)': [
        sample({ pod: 'video-0' }, '7'),
      ],
      'max(job_queue_length{queue="render",namespace="platform"}) by (queue)': [
        sample({ queue: 'render' }, '7'),
      ],
    });
    const [ws] = await provider.objectValues(one('platform', 'collab-a', 'websocket_connections'));
    expect(ws?.value).toBe('120');
    const [perPod] = await provider.objectValues(one('platform', 'video-0', 'job_queue_length'));
    expect(perPod?.value).toBe('7');
    const perQueue = await provider.externalValues({
      namespace: 'platform',
      metric: 'job_queue_length',
      metricLabelSelector: parseLabelSelector('queue=render'),
    });
    expect(perQueue.map((s) => [s.labels?.queue, s.value])).toEqual([['render', '7']]);
  });
});
