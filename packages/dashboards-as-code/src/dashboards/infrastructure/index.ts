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
  const perPod = by(containerCpuUsage, ['pod']);
  d.withRow(row('Pods and containers'))
    .withPanel(
      timeseriesPanel({
        title: 'Pod restarts',
        description: 'Container restarts per pod within each rate interval.',
        unit: UNIT.count,
        width: 24,
        queries: [
          {
            expr: `sum ${by(containerRestarts, ['pod'])} (${increase(selector(containerRestarts, inNamespace))}) > 0`,
            legend: '{{pod}}',
          },
        ],
      }),
    )
    .withPanel(
      timeseriesPanel({
        title: 'Container CPU vs limit',
        description:
          'CPU used by each pod as a share of its containers\u2019 CPU limits. Orange above 80 %, red above 95 %.',
        unit: UNIT.ratio,
        min: 0,
        thresholds: THRESHOLDS.cpuRatio,
        queries: [
          {
            expr:
              `sum ${perPod} (${rate(selector(containerCpuUsage, containers))})` +
              ` / sum ${by(containerResourceLimits, ['pod'])} (${selector(containerResourceLimits, { ...inNamespace, resource: eq('cpu') })})`,
            legend: '{{pod}}',
          },
        ],
      }),
    )
    .withPanel(
      timeseriesPanel({
        title: 'Container memory vs limit',
        description:
          'Working-set memory of each pod as a share of its containers\u2019 memory limits. Orange above 80 %, red above 90 %.',
        unit: UNIT.ratio,
        min: 0,
        thresholds: THRESHOLDS.fillRatio,
        queries: [
          {
            expr:
              `sum ${by(containerMemoryWorkingSet, ['pod'])} (${selector(containerMemoryWorkingSet, containers)})` +
              ` / sum ${by(containerResourceLimits, ['pod'])} (${selector(containerResourceLimits, { ...inNamespace, resource: eq('memory') })})`,
            legend: '{{pod}}',
          },
        ],
      }),
    )
    .withPanel(
      timeseriesPanel({
        title: 'Container memory working set',
        description:
          'Working-set memory of each pod. Orange above 512 MiB, red above 1 GiB (backend memory thresholds).',
        unit: UNIT.bytes,
        thresholds: THRESHOLDS.memoryBytes,
        queries: [
          {
            expr: `sum ${by(containerMemoryWorkingSet, ['pod'])} (${selector(containerMemoryWorkingSet, containers)})`,
            legend: '{{pod}}',
          },
        ],
      }),
    )
    .withPanel(
      timeseriesPanel({
        title: 'Container CPU usage',
        description: 'CPU cores used by each pod.',
        unit: UNIT.cores,
        queries: [
          {
            expr: `sum ${perPod} (${rate(selector(containerCpuUsage, containers))})`,
            legend: '{{pod}}',
          },
        ],
      }),
    );
}

function hpaRow(d: dashboard.DashboardBuilder): void {
  const hpa = by(hpaCurrentReplicas, ['horizontalpodautoscaler']);
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
            legend: '{{horizontalpodautoscaler}} current',
          },
          {
            expr: `max ${hpa} (${selector(hpaDesiredReplicas, inNamespace)})`,
            legend: '{{horizontalpodautoscaler}} desired',
          },
          {
            expr: `max ${hpa} (${selector(hpaMinReplicas, inNamespace)})`,
            legend: '{{horizontalpodautoscaler}} min',
          },
          {
            expr: `max ${hpa} (${selector(hpaMaxReplicas, inNamespace)})`,
            legend: '{{horizontalpodautoscaler}} max',
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
            expr: `max ${by(hpaCurrentMetric, ['horizontalpodautoscaler', 'metric_name'])} (${selector(hpaCurrentMetric, inNamespace)})`,
            legend: '{{horizontalpodautoscaler}} {{metric_name}} current',
          },
          {
            expr: `max ${by(hpaTargetMetric, ['horizontalpodautoscaler', 'metric_name'])} (${selector(hpaTargetMetric, inNamespace)})`,
            legend: '{{horizontalpodautoscaler}} {{metric_name}} target',
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
