// Labels Prometheus attaches at scrape time, per kind of target. Beacon's scrape config maps a
// Kubernetes target's service to both `job` and `service` (DESIGN.md: service equals job).

/** A platform service's pod, scraped through its Service / PodMonitor. */
export const SERVICE_TARGET = [
  'job',
  'instance',
  'service',
  'namespace',
  'pod',
  'container',
] as const;

/** An exporter scraped as a plain target (node_exporter, kube-state-metrics, postgres_exporter). */
export const EXPORTER_TARGET = ['job', 'instance'] as const;

/**
 * DCGM exporter reports the pod that uses a GPU in `pod`/`namespace`/`container`; when Prometheus
 * scrapes it without honor_labels, those become `exported_pod`/`exported_namespace`/
 * `exported_container` and `pod`/`namespace` name the exporter's own pod.
 */
export const DCGM_TARGET = [
  'job',
  'instance',
  'exported_pod',
  'exported_namespace',
  'exported_container',
] as const;

/** Histogram buckets, in seconds, chosen so the platform's thresholds (0.5 s, 2 s) are edges. */
export const HTTP_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10] as const;
