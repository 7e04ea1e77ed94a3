// Infrastructure/resources alerts: pods, containers, nodes and autoscalers.
import { by, catalog, eq, nre, re, selector } from '@beacon/metric-catalog';
import { defineAlert } from '../spec';
import type { AlertSpec, RuleGroup, Severity } from '../spec';
import { WATCHDOG_ALERT } from '../alertmanager/config';
import { PLATFORM_SERVICES } from './application';

const { containerWaitingReason, containerResourceLimits } = catalog.kubeStateMetrics;
const { hpaCurrentReplicas, hpaMaxReplicas, hpaMinReplicas, hpaCondition } =
  catalog.kubeStateMetrics;
const { containerMemoryWorkingSet, containerCpuUsage } = catalog.cadvisor;
const { filesystemAvailable, filesystemSize } = catalog.nodeExporter;
const { up } = catalog.prometheus;
const ns = 'platform';
const team = 'platform';
const MIB = 1024 * 1024;

/**
 * Beacon's own servers, by the job their ServiceMonitors give them: the exporter the catalog names
 * for their metrics (each ServiceMonitor has no jobLabel, so the job is the Service's name).
 */
export const BEACON_JOBS = [
  ...new Set(
    [...Object.values(catalog.trackingServer), ...Object.values(catalog.metricsAdapter)].map(
      (m) => m.exporter,
    ),
  ),
].sort();

/** Real containers only: cAdvisor also reports the pod sandbox (`POD`) and the pod total (""). */
const realContainer = nre('|POD');

function gatewayMemory(severity: Severity, bytes: number, label: string): AlertSpec {
  const sel = selector(containerMemoryWorkingSet, {
    namespace: ns,
    pod: re('api-gateway-.*'),
    container: realContainer,
  });
  return defineAlert({
    name: 'ApiGatewayMemoryHigh',
    expr: `max ${by(containerMemoryWorkingSet, ['namespace', 'pod', 'container'])} (${sel}) > ${bytes}`,
    for: '5m',
    severity,
    team,
    service: 'api-gateway',
    summary: `api-gateway pod {{ $labels.pod }} uses more than ${label} of memory`,
    description: `Container {{ $labels.container }} of {{ $labels.pod }} has a working set of {{ $value | humanize1024 }}B (threshold ${label}).`,
  });
}

/**
 * cAdvisor and kube-state-metrics series carry no `service`, but the Alertmanager route groups
 * by alertname and service and a PagerDuty incident is one group (its dedup key is the group
 * key): without the label, every service's pages joined one incident, and a second service's
 * containers running hot only added to the one already acknowledged. A platform service's pods
 * are named after it (`<service>-<replicaset hash>-<id>`, `<service>-<ordinal>`); other pods get
 * no service.
 */
const withService = (expr: string): string =>
  `label_replace(${expr}, "service", "$1", "pod", "(${PLATFORM_SERVICES.join('|')})-.+")`;

function cpu(severity: Severity, ratio: number): AlertSpec {
  const grouping = by(containerCpuUsage, ['namespace', 'pod', 'container']);
  const usage = selector(containerCpuUsage, { namespace: ns, container: realContainer });
  const limits = selector(containerResourceLimits, { namespace: ns, resource: eq('cpu') });
  const limitGrouping = by(containerResourceLimits, ['namespace', 'pod', 'container']);
  return defineAlert({
    name: 'ContainerCpuHigh',
    expr: `${withService(`sum ${grouping} (rate(${usage}[5m])) / sum ${limitGrouping} (${limits})`)} > ${ratio}`,
    for: '10m',
    severity,
    team,
    summary: `Container {{ $labels.container }} of {{ $labels.pod }} uses more than ${ratio * 100}% of its CPU limit`,
    description: `CPU usage of {{ $labels.container }} in {{ $labels.pod }} is {{ $value | humanizePercentage }} of its limit (threshold ${ratio * 100}%).`,
  });
}

const fs = { fstype: nre('tmpfs|overlay|squashfs') } as const;
const avail = selector(filesystemAvailable, fs);
const size = selector(filesystemSize, fs);

export const infrastructure: RuleGroup = {
  domain: 'infrastructure',
  alerts: [
    // kube-state-metrics exports the waiting reason only while the container waits: each
    // restart that runs long enough to be scraped ends the series, and with it the `for`. The
    // back-off is at most 5 minutes, so a loop was never 5 minutes in one piece and never
    // fired; in any 5 minutes it is seen waiting (kubernetes-mixin's KubePodCrashLooping).
    defineAlert({
      name: 'PodCrashLooping',
      expr: `max ${by(containerWaitingReason, ['namespace', 'pod', 'container'])} (max_over_time(${selector(containerWaitingReason, { namespace: ns, reason: eq('CrashLoopBackOff') })}[5m])) >= 1`,
      for: '15m',
      severity: 'warning',
      team,
      summary: 'Pod {{ $labels.pod }} is crash looping',
      description:
        'Container {{ $labels.container }} of {{ $labels.pod }} in {{ $labels.namespace }} has been in CrashLoopBackOff within every 5 minutes for 15 minutes.',
    }),
    gatewayMemory('warning', 512 * MIB, '512MiB'),
    gatewayMemory('critical', 1024 * MIB, '1GiB'),
    cpu('warning', 0.8),
    cpu('critical', 0.95),
    defineAlert({
      name: 'NodeDiskFilling',
      expr: `${avail} / ${size} < 0.2 and predict_linear(${avail}[1h], 4 * 3600) < 0`,
      for: '15m',
      severity: 'warning',
      team,
      summary:
        'Filesystem {{ $labels.mountpoint }} on {{ $labels.instance }} will be full within 4 hours',
      description:
        '{{ $labels.mountpoint }} ({{ $labels.device }}) on {{ $labels.instance }} has {{ $value | humanizePercentage }} space left and is filling up.',
    }),
    defineAlert({
      name: 'HpaAtMaxReplicas',
      // Not an HPA pinned with min = max, which is at its maximum by design.
      expr: `${selector(hpaCurrentReplicas, { namespace: ns })} >= ${selector(hpaMaxReplicas, { namespace: ns })} and ${selector(hpaMaxReplicas, { namespace: ns })} != ${selector(hpaMinReplicas, { namespace: ns })}`,
      for: '15m',
      severity: 'warning',
      team,
      summary:
        'HPA {{ $labels.horizontalpodautoscaler }} has been at its maximum replicas for 15 minutes',
      description:
        'Autoscaler {{ $labels.horizontalpodautoscaler }} in {{ $labels.namespace }} runs {{ $value }} replicas, its maximum; it cannot scale out further.',
    }),
    // Every target of the job down, not one replica of two. No absent(): a cluster that runs
    // only one of Beacon's servers would page for the other. `service` is the job (as for the
    // platform's services): without it both components down were one group, one incident.
    defineAlert({
      name: 'BeaconComponentDown',
      expr: `label_replace(max by (namespace, job) (${selector(up, { job: re(BEACON_JOBS.join('|')) })}), "service", "$1", "job", "(.+)") == 0`,
      for: '5m',
      severity: 'critical',
      team,
      summary: "Beacon's {{ $labels.job }} is down",
      description:
        'No target of {{ $labels.job }} in {{ $labels.namespace }} has answered a scrape for 5 minutes: the metrics adapter down stops every HPA that scales on custom or external metrics; the tracking server down loses the errors and spans SDKs send.',
    }),
    defineAlert({
      name: 'HpaMetricsUnavailable',
      expr: `${selector(hpaCondition, { namespace: ns, condition: eq('ScalingActive'), status: eq('false') })} == 1`,
      for: '10m',
      severity: 'warning',
      team,
      summary: 'HPA {{ $labels.horizontalpodautoscaler }} cannot read its metrics',
      description:
        'Autoscaler {{ $labels.horizontalpodautoscaler }} in {{ $labels.namespace }} reports ScalingActive=false: it cannot compute a replica count, so it does not scale.',
    }),
    // kube-prometheus' Watchdog, texts and all: always firing, routed by its name to a dead man's
    // switch that alerts when it stops arriving (see WATCHDOG_RECEIVER). Its severity is `info`,
    // the least of DESIGN.md's three, where kube-prometheus writes `none`: routing never reads it.
    defineAlert({
      name: WATCHDOG_ALERT,
      expr: 'vector(1)',
      for: '0m',
      severity: 'info',
      team,
      summary:
        'An alert that should always be firing to certify that Alertmanager is working properly.',
      description:
        'This is an alert meant to ensure that the entire alerting pipeline is functional. This alert is always firing, therefore it should always be firing in Alertmanager and always fire against a receiver. There are integrations with various notification mechanisms that send a notification when this alert is not firing. For example the "DeadMansSnitch" integration in PagerDuty.',
    }),
  ],
};
