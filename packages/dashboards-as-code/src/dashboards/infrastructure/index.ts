// Infrastructure: nodes, pods, containers against their limits, and the HPAs.
import type * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import { by, catalog, eq, neq, nre, selector } from '@beacon/metric-catalog';
import {
  inNamespace,
  newDashboard,
  rate,
  increase,
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
  hpaCurrentMetric,
  hpaTargetMetric,
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
  d.withRow(row('Pods and containers'))
    .withPanel(
      timeseriesPanel({
        title: 'Pod restarts',
        description: 'Container restarts per pod within each rate interval.',
        unit: UNIT.count,
        width: 24,
        queries: [
          {
            expr: `sum ${by(containerRestarts, ['namespace', 'pod'])} (${increase(selector(containerRestarts, inNamespace))}) > 0`,
            legend: '{{namespace}}/{{pod}}',
          },
        ],
      }),
    )
    .withPanel(
      timeseriesPanel({
        title: 'Container CPU vs limit',
        description: `CPU used by each pod as a share of its containers\u2019 CPU limits, for the ${TOP_PODS} pods closest to their limits. Orange above 80 %, red above 95 %.`,
        unit: UNIT.ratio,
        min: 0,
        thresholds: THRESHOLDS.cpuRatio,
        queries: [
          {
            expr: topPods(
              `sum ${perPod} (${rate(selector(containerCpuUsage, containers))})` +
                ` / sum ${by(containerResourceLimits, ['namespace', 'pod'])} (${selector(containerResourceLimits, { ...inNamespace, resource: eq('cpu') })})`,
            ),
            legend: '{{namespace}}/{{pod}}',
          },
        ],
      }),
    )
    .withPanel(
      timeseriesPanel({
        title: 'Container memory vs limit',
        description: `Working-set memory of each pod as a share of its containers\u2019 memory limits, for the ${TOP_PODS} pods closest to their limits. Orange above 80 %, red above 90 %.`,
        unit: UNIT.ratio,
        min: 0,
        thresholds: THRESHOLDS.fillRatio,
        queries: [
          {
            expr: topPods(
              `sum ${by(containerMemoryWorkingSet, ['namespace', 'pod'])} (${selector(containerMemoryWorkingSet, containers)})` +
                ` / sum ${by(containerResourceLimits, ['namespace', 'pod'])} (${selector(containerResourceLimits, { ...inNamespace, resource: eq('memory') })})`,
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
        queries: [
          {
            expr: `max ${by(hpaCurrentMetric, ['namespace', 'horizontalpodautoscaler', 'metric_name'])} (${selector(hpaCurrentMetric, inNamespace)})`,
            legend: '{{namespace}}/{{horizontalpodautoscaler}} {{metric_name}} current',
          },
          {
            expr: `max ${by(hpaTargetMetric, ['namespace', 'horizontalpodautoscaler', 'metric_name'])} (${selector(hpaTargetMetric, inNamespace)})`,
            legend: '{{namespace}}/{{horizontalpodautoscaler}} {{metric_name}} target',
          },
        ],
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
