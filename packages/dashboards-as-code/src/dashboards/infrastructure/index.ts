// Infrastructure: nodes, pods, containers against their limits, and the HPAs.
import type * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import { by, catalog, eq, neq, nre, selector } from '@beacon/metric-catalog';
import {
  COUNT_MIN_INTERVAL,
  hpaMetricVsTarget,
  IN_EACH_INTERVAL,
  increasePerInterval,
  inNamespace,
  newDashboard,
  on,
  rate,
  row,
  THRESHOLDS,
  timeseriesPanel,
  TOP_PODS,
  topPods,
  UNIT,
} from '../../common';

export const UID = 'beacon-infrastructure';

const { cpuSeconds, memoryAvailable, memoryTotal, filesystemAvailable, filesystemSize } =
  catalog.nodeExporter;
const { containerCpuUsage, containerMemoryWorkingSet } = catalog.cadvisor;
const {
  containerRestarts,
  containerResourceLimits,
  hpaCurrentReplicas,
  hpaDesiredReplicas,
  hpaMaxReplicas,
  hpaMinReplicas,
} = catalog.kubeStateMetrics;

function nodesRow(d: dashboard.DashboardBuilder): void {
  const fs = { fstype: nre('tmpfs|overlay|squashfs') } as const;
  const fsBy = by(filesystemAvailable, ['instance', 'mountpoint']);
  d.withRow(row('Nodes'))
    .withPanel(
      timeseriesPanel({
        title: 'Node CPU usage',
        description: 'Share of CPU time not idle, per node. Orange above 80 %, red above 95 %.',
        unit: UNIT.ratio,
        width: 8,
        min: 0,
        max: 1,
        thresholds: THRESHOLDS.cpuRatio,
        queries: [
          {
            expr: `1 - avg ${by(cpuSeconds, ['instance'])} (${rate(selector(cpuSeconds, { mode: 'idle' }))})`,
            legend: '{{instance}}',
          },
        ],
      }),
    )
    .withPanel(
      timeseriesPanel({
        title: 'Node memory usage',
        description:
          'Share of memory not available to new processes, per node. Orange above 80 %, red above 90 %.',
        unit: UNIT.ratio,
        width: 8,
        min: 0,
        max: 1,
        thresholds: THRESHOLDS.fillRatio,
        queries: [
          {
            expr: `1 - ${selector(memoryAvailable)} / ${selector(memoryTotal)}`,
            legend: '{{instance}}',
          },
        ],
      }),
    )
    .withPanel(
      timeseriesPanel({
        title: 'Node disk usage',
        description:
          'Share of each filesystem in use, per node and mount point (tmpfs and overlay left out). Orange above 80 %, red above 90 %.',
        unit: UNIT.ratio,
        width: 8,
        min: 0,
        max: 1,
        thresholds: THRESHOLDS.fillRatio,
        queries: [
          {
            expr: `1 - sum ${fsBy} (${selector(filesystemAvailable, fs)}) / sum ${fsBy} (${selector(filesystemSize, fs)})`,
            legend: '{{instance}} {{mountpoint}}',
          },
        ],
      }),
    );
}

function podsRow(d: dashboard.DashboardBuilder): void {
  const containers = { ...inNamespace, container: neq('') } as const;
  const perPod = by(containerCpuUsage, ['namespace', 'pod']);
  // Usage vs limit counts only containers that have a limit: a pod whose sidecar has none
  // summed both containers' usage over one limit and read above 100 %. kube-state-metrics has a
  // limits series only for a container with a limit, so `and on (namespace, pod, container)`
  // keeps the usage of those containers alone.
  const cpuLimits = selector(containerResourceLimits, { ...inNamespace, resource: eq('cpu') });
  const memoryLimits = selector(containerResourceLimits, {
    ...inNamespace,
    resource: eq('memory'),
  });
  const perPodLimit = by(containerResourceLimits, ['namespace', 'pod']);
  const onContainer = (usage: typeof containerCpuUsage | typeof containerMemoryWorkingSet) =>
    on(usage, containerResourceLimits, ['namespace', 'pod', 'container']);
  d.withRow(row('Pods and containers'))
    .withPanel(
      timeseriesPanel({
        title: 'Pod restarts',
        description: `Container restarts per pod ${IN_EACH_INTERVAL}; pods that did not restart are left out.`,
        unit: UNIT.count,
        minInterval: COUNT_MIN_INTERVAL,
        width: 24,
        queries: [
          {
            expr: `sum ${by(containerRestarts, ['namespace', 'pod'])} (${increasePerInterval(selector(containerRestarts, inNamespace))}) > 0`,
            legend: '{{namespace}}/{{pod}}',
          },
        ],
      }),
    )
    .withPanel(
      timeseriesPanel({
        title: 'Container CPU vs limit',
        description: `CPU used by each pod\u2019s containers that have a CPU limit, as a share of those limits (containers without one are left out of both), for the ${TOP_PODS} pods closest to their limits. Orange above 80 %, red above 95 %.`,
        unit: UNIT.ratio,
        min: 0,
        thresholds: THRESHOLDS.cpuRatio,
        queries: [
          {
            expr: topPods(
              `sum ${perPod} (${rate(selector(containerCpuUsage, containers))}` +
                ` and ${onContainer(containerCpuUsage)} ${cpuLimits})` +
                ` / sum ${perPodLimit} (${cpuLimits})`,
            ),
            legend: '{{namespace}}/{{pod}}',
          },
        ],
      }),
    )
    .withPanel(
      timeseriesPanel({
        title: 'Container memory vs limit',
        description: `Working-set memory of each pod\u2019s containers that have a memory limit, as a share of those limits (containers without one are left out of both), for the ${TOP_PODS} pods closest to their limits. Orange above 80 %, red above 90 %.`,
        unit: UNIT.ratio,
        min: 0,
        thresholds: THRESHOLDS.fillRatio,
        queries: [
          {
            expr: topPods(
              `sum ${by(containerMemoryWorkingSet, ['namespace', 'pod'])} (${selector(containerMemoryWorkingSet, containers)}` +
                ` and ${onContainer(containerMemoryWorkingSet)} ${memoryLimits})` +
                ` / sum ${perPodLimit} (${memoryLimits})`,
            ),
            legend: '{{namespace}}/{{pod}}',
          },
        ],
      }),
    )
    .withPanel(
      timeseriesPanel({
        title: 'Container memory working set',
        description: `Working-set memory of the ${TOP_PODS} pods using the most. Orange above 512 MiB, red above 1 GiB (backend memory thresholds).`,
        unit: UNIT.bytes,
        thresholds: THRESHOLDS.memoryBytes,
        queries: [
          {
            expr: topPods(
              `sum ${by(containerMemoryWorkingSet, ['namespace', 'pod'])} (${selector(containerMemoryWorkingSet, containers)})`,
            ),
            legend: '{{namespace}}/{{pod}}',
          },
        ],
      }),
    )
    .withPanel(
      timeseriesPanel({
        title: 'Container CPU usage',
        description: `CPU cores used by the ${TOP_PODS} pods using the most.`,
        unit: UNIT.cores,
        queries: [
          {
            expr: topPods(`sum ${perPod} (${rate(selector(containerCpuUsage, containers))})`),
            legend: '{{namespace}}/{{pod}}',
          },
        ],
      }),
    );
}

function hpaRow(d: dashboard.DashboardBuilder): void {
  const hpa = by(hpaCurrentReplicas, ['namespace', 'horizontalpodautoscaler']);
  d.withRow(row('Autoscaling'))
    .withPanel(
      timeseriesPanel({
        title: 'HPA replicas',
        description:
          'Current, desired, minimum and maximum replicas of each HorizontalPodAutoscaler.',
        unit: UNIT.count,
        queries: [
          {
            expr: `max ${hpa} (${selector(hpaCurrentReplicas, inNamespace)})`,
            legend: '{{namespace}}/{{horizontalpodautoscaler}} current',
          },
          {
            expr: `max ${hpa} (${selector(hpaDesiredReplicas, inNamespace)})`,
            legend: '{{namespace}}/{{horizontalpodautoscaler}} desired',
          },
          {
            expr: `max ${hpa} (${selector(hpaMinReplicas, inNamespace)})`,
            legend: '{{namespace}}/{{horizontalpodautoscaler}} min',
          },
          {
            expr: `max ${hpa} (${selector(hpaMaxReplicas, inNamespace)})`,
            legend: '{{namespace}}/{{horizontalpodautoscaler}} max',
          },
        ],
      }),
    )
    .withPanel(
      timeseriesPanel({
        title: 'HPA scaling metrics vs target',
        description:
          'The metric each HorizontalPodAutoscaler scales on (CPU, memory, queue length, WebSocket connections, GPU utilisation) against its target.',
        unit: UNIT.count,
        queries: hpaMetricVsTarget(inNamespace),
      }),
    );
}

export function build(): dashboard.Dashboard {
  const d = newDashboard({
    uid: UID,
    title: 'Beacon / Infrastructure',
    description:
      'Node CPU, memory and disk; pod restarts; container resources against limits; HPA replicas and scaling metrics.',
    tags: ['infrastructure'],
  });
  nodesRow(d);
  podsRow(d);
  hpaRow(d);
  return d.build();
}
