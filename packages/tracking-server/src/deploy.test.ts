// The kustomize base in deploy/ renders with the real kubectl, and runs the tracker as this
// package's command line reads it: its data directory on the volume, its port behind the
// Service and the probes, the API token from a Secret.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { catalog } from '@beacon/metric-catalog';
import { parseAllDocuments } from 'yaml';
import { parseCommand } from './cli-args';

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

describe('deploy/ (kustomize)', () => {
  const docs = parseAllDocuments(
    execFileSync('kubectl', ['kustomize', join(__dirname, '..', 'deploy')], { encoding: 'utf8' }),
  ).map((d) => d.toJS() as Obj);
  const one = (kind: string) => {
    const found = docs.filter((d) => d.kind === kind);
    expect(found).toHaveLength(1);
    return found[0] as Obj;
  };

  it('runs one replica of `serve` with its data directory on its own volume', () => {
    const set = one('StatefulSet');
    expect(set.spec.replicas).toBe(1);
    const container = set.spec.template.spec.containers[0];
    const command = parseCommand(container.args);
    if (command.kind !== 'serve') throw new Error(`the container runs ${command.kind}`);
    const data = container.volumeMounts.find((m: Obj) => m.mountPath === command.dataDir);
    expect(set.spec.volumeClaimTemplates.map((c: Obj) => c.metadata.name)).toContain(data?.name);
    expect(container.ports).toEqual([{ name: 'http', containerPort: command.port }]);
    expect(container.readinessProbe.httpGet).toEqual({ path: '/healthz', port: 'http' });
    expect(container.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 'http' });
  });

  it('takes the REST API token from a Secret, and keeps glibc from giving freed memory back', () => {
    const env = one('StatefulSet').spec.template.spec.containers[0].env as Obj[];
    expect(env.find((e) => e.name === 'BEACON_TRACKER_API_TOKEN')?.valueFrom).toEqual({
      secretKeyRef: { name: 'beacon-tracking-server', key: 'api-token' },
    });
    expect(
      Object.fromEntries(
        env.filter((e) => e.name.startsWith('MALLOC_')).map((e) => [e.name, e.value]),
      ),
    ).toEqual({ MALLOC_MMAP_THRESHOLD_: '4194304', MALLOC_TRIM_THRESHOLD_: '67108864' });
  });

  it('serves the container port through the Service, in the StatefulSet’s namespace', () => {
    const service = one('Service');
    const set = one('StatefulSet');
    expect(service.spec.selector).toEqual(set.spec.selector.matchLabels);
    expect(service.spec.ports).toEqual([{ name: 'http', port: 9300, targetPort: 'http' }]);
    expect(set.spec.serviceName).toBe(service.metadata.name);
    expect(service.metadata.namespace).toBe(set.metadata.namespace);
  });

  it('holds the liveness probe off with a startup probe while a first start migrates the store', () => {
    // serve() opens (and migrates) the store before it listens, so until then every probe is
    // refused. Without a startup probe, liveness (3 failures 20 s apart) restarted a migration of
    // an older database after about a minute, and each restart began it again. Kubernetes:
    // "set up a startup probe with the same command, HTTP or TCP check, with a failureThreshold *
    // periodSeconds long enough to cover the worst case startup time" (Configure Liveness,
    // Readiness and Startup Probes); liveness and readiness start only once it has succeeded.
    const container = one('StatefulSet').spec.template.spec.containers[0];
    const startup = container.startupProbe;
    expect(startup?.httpGet).toEqual(container.livenessProbe.httpGet);
    // Unset fields take Kubernetes' defaults: periodSeconds 10, failureThreshold 3.
    const window = (p: Obj) => (p.periodSeconds ?? 10) * (p.failureThreshold ?? 3);
    expect(window(startup)).toBeGreaterThanOrEqual(30 * 60);
    // Once started, a dead writer is still found as fast as before.
    expect(window(container.livenessProbe)).toBeLessThanOrEqual(60);
  });

  it('gives the probes time for /healthz to be answered while large events are being read', () => {
    // /healthz is answered on the main thread after the request it is queued behind: two
    // envelopes of 95 MB (99 events of ~1 MB, gzip) sent at once to the built tracker kept it
    // from answering for up to 2.5 s (measured 2026-12-02). Kubernetes' default timeoutSeconds
    // is 1, and a probe that times out counts as failed.
    const container = one('StatefulSet').spec.template.spec.containers[0];
    for (const probe of [container.readinessProbe, container.livenessProbe]) {
      expect(probe.timeoutSeconds ?? 1).toBeGreaterThanOrEqual(5);
      // A probe's timeout must not run into its next period.
      expect(probe.timeoutSeconds).toBeLessThan(probe.periodSeconds ?? 10);
    }
  });

  it('mounts no service account token: nothing in the tracker calls the Kubernetes API', () => {
    // Kubernetes mounts the namespace's default service account token unless the pod (or the
    // account) opts out with automountServiceAccountToken: false (Configure Service Accounts for
    // Pods, "Opt out of API credential automounting").
    const pod = one('StatefulSet').spec.template.spec;
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(pod.serviceAccountName).toBeUndefined();
  });

  it('has Prometheus scrape /metrics through the Service under the job the metric catalog names', () => {
    // prometheus-operator's ServiceMonitor: without jobLabel the job label is the Service's name;
    // without namespaceSelector it selects Services in its own namespace (ServiceMonitorSpec).
    const monitor = one('ServiceMonitor');
    const service = one('Service');
    expect(monitor.apiVersion).toBe('monitoring.coreos.com/v1');
    expect(monitor.metadata.namespace).toBe(service.metadata.namespace);
    expect(monitor.spec.namespaceSelector).toBeUndefined();
    for (const [k, v] of Object.entries(monitor.spec.selector.matchLabels as Obj))
      expect(service.metadata.labels[k]).toBe(v);
    expect(monitor.spec.jobLabel).toBeUndefined();
    const exporters = new Set(Object.values(catalog.trackingServer).map((m) => m.exporter));
    expect([...exporters]).toEqual([service.metadata.name]);
    expect(monitor.spec.endpoints).toEqual([
      expect.objectContaining({ port: service.spec.ports[0].name, path: '/metrics' }),
    ]);
  });

  it('keeps the tracker’s own `service` label when Prometheus scrapes it', () => {
    // The labels prometheus-operator's scrape config of a ServiceMonitor endpoint attaches
    // (pkg/prometheus/promcfg.go, generateServiceMonitorConfig: namespace, service, pod,
    // container from the target; job; endpoint), besides Prometheus' own instance. Scraped with
    // honor_labels false, a series' label of one of these names is renamed exported_<name>:
    // Prometheus 2.42 stored beacon_tracker_events_ingested_total{service="checkout-api"} as
    // {exported_service="checkout-api", service="beacon-tracking-server"}, and with
    // honor_labels true as sent.
    const targetLabels = [
      'namespace',
      'service',
      'pod',
      'container',
      'job',
      'endpoint',
      'instance',
    ];
    const clashing = Object.values(catalog.trackingServer)
      .flatMap((m) =>
        m.labels.filter((l) => targetLabels.includes(l)).map((l) => `${m.name}{${l}}`),
      )
      .sort();
    expect(clashing).toContain('beacon_tracker_events_ingested_total{service}');
    const [endpoint] = one('ServiceMonitor').spec.endpoints as Obj[];
    expect(endpoint?.honorLabels).toBe(true);
  });
});
