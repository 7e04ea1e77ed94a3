// Creative tools alerts: latency and errors of each tool, with thresholds that fit what the tool
// does, and the render/processing job queues behind them.
import { by, catalog, eq, histogramSelector, selector } from '@beacon/metric-catalog';
import { defineAlert } from '../spec';
import type { AlertSpec, RuleGroup, Severity } from '../spec';

const { toolOperations, toolOperationDuration, jobsInProgress, jobsProcessed, jobQueueOldestAge } =
  catalog.platform;
const ns = 'platform';
const team = 'tools';

/** A creative tool: its `tool` label value, the alert-name prefix, and its p95 latency budget. */
export interface CreativeTool {
  readonly tool: string;
  readonly prefix: string;
  readonly title: string;
  readonly p95Seconds: number;
  readonly p95Label: string;
}

/**
 * Latency budgets per tool: an IDE keystroke-level operation must feel instant, a CAD or video
 * operation does real geometry or decoding. Every budget is a bucket edge of the histogram.
 */
export const CREATIVE_TOOLS: readonly CreativeTool[] = [
  { tool: 'graphics', prefix: 'Graphics', title: 'graphics editor', p95Seconds: 1, p95Label: '1s' },
  {
    tool: 'web-designer',
    prefix: 'WebDesigner',
    title: 'web designer',
    p95Seconds: 1,
    p95Label: '1s',
  },
  { tool: 'ide', prefix: 'Ide', title: 'IDE', p95Seconds: 0.5, p95Label: '500ms' },
  { tool: 'cad', prefix: 'Cad', title: 'CAD tool', p95Seconds: 2, p95Label: '2s' },
  { tool: 'video', prefix: 'Video', title: 'video editor', p95Seconds: 5, p95Label: '5s' },
];

const perTool = ['namespace', 'service', 'tool'] as const;

function toolLatency(t: CreativeTool): AlertSpec {
  const buckets = histogramSelector(toolOperationDuration, 'bucket', {
    namespace: ns,
    tool: t.tool,
  });
  return defineAlert({
    name: `${t.prefix}ToolLatencyHigh`,
    expr: `histogram_quantile(0.95, sum ${by(toolOperationDuration, [...perTool, 'le'])} (rate(${buckets}[5m]))) > ${t.p95Seconds}`,
    for: '10m',
    severity: 'warning',
    team,
    summary: `p95 latency of the ${t.title} is above ${t.p95Label}`,
    description: `The 95th percentile of operation latency in the ${t.title} ({{ $labels.service }}) is {{ $value | humanizeDuration }} (threshold ${t.p95Label}).`,
  });
}

function toolErrors(t: CreativeTool): AlertSpec {
  const failed = selector(toolOperations, { namespace: ns, tool: t.tool, outcome: eq('error') });
  const all = selector(toolOperations, { namespace: ns, tool: t.tool });
  return defineAlert({
    name: `${t.prefix}ToolErrorRateHigh`,
    expr: `sum ${by(toolOperations, perTool)} (rate(${failed}[5m])) / sum ${by(toolOperations, perTool)} (rate(${all}[5m])) > 0.05`,
    for: '10m',
    severity: 'warning',
    team,
    summary: `More than 5% of operations in the ${t.title} fail`,
    description: `{{ $value | humanizePercentage }} of operations in the ${t.title} ({{ $labels.service }}) failed over the last 5 minutes (threshold 5%).`,
  });
}

function backlogAge(severity: Severity, seconds: number, label: string): AlertSpec {
  return defineAlert({
    name: 'JobQueueBacklogOld',
    expr: `max ${by(jobQueueOldestAge, ['namespace', 'service', 'queue'])} (${selector(jobQueueOldestAge, { namespace: ns })}) > ${seconds}`,
    for: '5m',
    severity,
    team,
    summary: `The oldest job on queue {{ $labels.queue }} has waited more than ${label}`,
    description: `The oldest job waiting on queue {{ $labels.queue }} of {{ $labels.service }} has waited {{ $value | humanizeDuration }} (threshold ${label}).`,
  });
}

const perQueue = ['namespace', 'service', 'queue'] as const;

/** The longest a job is expected to take: the last bucket of its duration histogram. */
const LONGEST_JOB_MINUTES =
  Math.max(...(catalog.platform.jobProcessingDuration.buckets ?? [])) / 60;

export const tools: RuleGroup = {
  domain: 'tools',
  alerts: [
    ...CREATIVE_TOOLS.flatMap((t) => [toolLatency(t), toolErrors(t)]),
    // No job finished for as long as the longest job the platform expects (the last bucket of
    // job_processing_duration_seconds, an hour): a single render of 40 minutes, alone on the
    // queue, paged at 30.
    defineAlert({
      name: 'RenderJobsStuck',
      expr: `sum ${by(jobsInProgress, perQueue)} (${selector(jobsInProgress, { namespace: ns })}) > 0 unless sum ${by(jobsProcessed, perQueue)} (rate(${selector(jobsProcessed, { namespace: ns })}[15m])) > 0`,
      for: `${LONGEST_JOB_MINUTES - 15}m`,
      severity: 'critical',
      team,
      summary: 'Jobs on queue {{ $labels.queue }} are stuck',
      description: `{{ $value }} jobs of queue {{ $labels.queue }} are in progress on {{ $labels.service }}, but no job has finished for ${LONGEST_JOB_MINUTES} minutes, the longest a job is expected to take.`,
    }),
    backlogAge('warning', 600, '10m'),
    backlogAge('critical', 1800, '30m'),
    defineAlert({
      name: 'JobFailureRatioHigh',
      expr: `sum ${by(jobsProcessed, perQueue)} (rate(${selector(jobsProcessed, { namespace: ns, outcome: eq('failed') })}[15m])) / sum ${by(jobsProcessed, perQueue)} (rate(${selector(jobsProcessed, { namespace: ns })}[15m])) > 0.1`,
      for: '15m',
      severity: 'warning',
      team,
      summary: 'More than 10% of jobs on queue {{ $labels.queue }} fail',
      description:
        '{{ $value | humanizePercentage }} of the jobs of queue {{ $labels.queue }} on {{ $labels.service }} failed over the last 15 minutes (threshold 10%).',
    }),
  ],
};
