import { definitionProblems, isBeaconMetric } from '../definition';
import { allMetrics, catalog, findMetric } from './index';

const names = () => allMetrics.map((m) => m.name);

describe('the metric catalog', () => {
  it('has no name twice', () => {
    const seen = new Set<string>();
    const dups = names().filter((n) => (seen.has(n) ? true : (seen.add(n), false)));
    expect(dups).toEqual([]);
  });

  it('passes every naming check', () => {
    expect(allMetrics.flatMap(definitionProblems)).toEqual([]);
  });

  it('is sorted by name, so listings and generated files are stable', () => {
    expect(names()).toEqual([...names()].sort());
  });

  // The list the foundation issue asks for, written out by hand.
  it.each([
    ['HTTP request count', 'http_requests_total', 'counter'],
    ['HTTP request duration', 'http_request_duration_seconds', 'histogram'],
    ['WebSocket connections', 'websocket_connections', 'gauge'],
    ['WebSocket messages', 'websocket_messages_total', 'counter'],
    ['job queue length', 'job_queue_length', 'gauge'],
    ['job processing time', 'job_processing_duration_seconds', 'histogram'],
    ['AI inference count', 'ai_inference_requests_total', 'counter'],
    ['AI inference latency', 'ai_inference_duration_seconds', 'histogram'],
    ['AI inference errors', 'ai_inference_errors_total', 'counter'],
    ['model confidence', 'ai_model_confidence_ratio', 'histogram'],
    ['auth successes and failures', 'auth_attempts_total', 'counter'],
    ['rate-limit rejections', 'rate_limit_rejections_total', 'counter'],
    ['security events', 'security_events_total', 'counter'],
    ['DB query duration', 'db_query_duration_seconds', 'histogram'],
    ['cache hits', 'cache_hits_total', 'counter'],
    ['cache misses', 'cache_misses_total', 'counter'],
    ['artifacts created', 'artifacts_created_total', 'counter'],
    ['storage bytes', 'artifact_storage_used_bytes', 'gauge'],
    ['errors tracked', 'beacon_tracker_events_ingested_total', 'counter'],
    ['node CPU', 'node_cpu_seconds_total', 'counter'],
    ['container memory', 'container_memory_working_set_bytes', 'gauge'],
    ['pod restarts', 'kube_pod_container_status_restarts_total', 'counter'],
    ['HPA current replicas', 'kube_horizontalpodautoscaler_status_current_replicas', 'gauge'],
    ['HPA desired replicas', 'kube_horizontalpodautoscaler_status_desired_replicas', 'gauge'],
    ['HPA max replicas', 'kube_horizontalpodautoscaler_spec_max_replicas', 'gauge'],
    ['GPU utilisation', 'DCGM_FI_DEV_GPU_UTIL', 'gauge'],
    ['GPU memory used', 'DCGM_FI_DEV_FB_USED', 'gauge'],
    ['GPU memory free', 'DCGM_FI_DEV_FB_FREE', 'gauge'],
    ['postgres connections', 'pg_stat_database_numbackends', 'gauge'],
  ])('covers %s as %s (%s)', (_what, name, type) => {
    expect(findMetric(name)).toMatchObject({ name, type });
  });

  it('labels errors tracked by severity, service and type', () => {
    expect(catalog.trackingServer.errorsTracked.labels).toEqual(
      expect.arrayContaining(['severity', 'service', 'type']),
    );
  });

  it.each(['DCGM_FI_DEV_GPU_UTIL', 'DCGM_FI_DEV_FB_USED', 'DCGM_FI_DEV_FB_FREE'])(
    'gives %s the DCGM exporter labels, exported_ forms included',
    (name) => {
      const def = findMetric(name)!;
      const labels = [...def.labels, ...def.targetLabels];
      for (const l of ['pod', 'namespace', 'container', 'gpu', 'UUID', 'modelName', 'Hostname']) {
        expect(labels).toContain(l);
      }
      expect(labels).toEqual(expect.arrayContaining(['exported_pod', 'exported_namespace']));
      expect(def.exporter).toBe('dcgm-exporter');
    },
  );

  it('lets every platform-service series be selected by service and namespace', () => {
    const platform = allMetrics.filter((m) => m.exporter === 'platform-service');
    expect(platform.length).toBeGreaterThan(20);
    for (const m of platform)
      expect(m.targetLabels).toEqual(expect.arrayContaining(['service', 'namespace', 'pod']));
  });

  it('names every known label value in the help text, where readers of /metrics look', () => {
    const withValues = allMetrics.filter((d) => d.values);
    expect(withValues.length).toBeGreaterThan(0);
    for (const def of withValues) {
      for (const value of Object.values<readonly string[] | undefined>(def.values ?? {}).flat()) {
        expect(`${def.name}: ${def.help}`).toMatch(new RegExp(`\\b${value}\\b`));
      }
    }
  });

  it('marks which metrics Beacon exposes and which exporters do', () => {
    expect(isBeaconMetric(catalog.platform.httpRequests)).toBe(true);
    expect(isBeaconMetric(catalog.trackingServer.openIssues)).toBe(true);
    expect(isBeaconMetric(catalog.dcgmExporter.gpuUtilization)).toBe(false);
    expect(isBeaconMetric(catalog.kubeStateMetrics.hpaMaxReplicas)).toBe(false);
  });
});

describe('findMetric', () => {
  it('resolves histogram series to their metric', () => {
    expect(findMetric('http_request_duration_seconds_bucket')?.name).toBe(
      'http_request_duration_seconds',
    );
    expect(findMetric('http_request_duration_seconds_count')?.name).toBe(
      'http_request_duration_seconds',
    );
  });

  it('does not invent series for gauges and counters', () => {
    expect(findMetric('websocket_connections_count')).toBeUndefined();
    expect(findMetric('http_requests_total_bucket')).toBeUndefined();
    expect(findMetric('no_such_metric')).toBeUndefined();
  });
});
