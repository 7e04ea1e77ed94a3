// Error Tracking: errors by severity, service and type from the tracking server's own metrics,
// and the app plugin's error-issues panel.
import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import { by, catalog, histogramSelector, re, selector } from '@beacon/metric-catalog';
import {
  allValuesVariable,
  COUNT_MIN_INTERVAL,
  IN_EACH_INTERVAL,
  increasePerInterval,
  newDashboard,
  rate,
  row,
  statPanel,
  THRESHOLDS,
  timeseriesPanel,
  UNIT,
} from '../../common';

export const UID = 'beacon-error-tracking';
/** The app plugin's nested panel listing error issues (DESIGN.md). */
export const ISSUES_PANEL = 'beacon-issues-panel';

const {
  errorsTracked,
  newIssues,
  openIssues,
  ingestDuration,
  rejectedRequests,
  clientDiscards,
  feedbackIngested,
} = catalog.trackingServer;

/** The tracker's projects, as its metrics label them (by name); any project is All. */
const inProject = { project: re('$project') } as const;
/** The tracker's `service` label names the reporting service, not the tracker itself. */
const reported = { ...inProject, service: re('$service') } as const;

/** The projects the tracker has counted errors of, by name; all by default. */
function projectVariable(): dashboard.QueryVariableBuilder {
  return allValuesVariable(
    'project',
    'Project',
    `label_values(${selector(errorsTracked)}, project)`,
  );
}

function overviewRow(d: dashboard.DashboardBuilder): void {
  d.withRow(row('Errors'))
    .withPanel(
      statPanel({
        title: 'Open issues',
        description:
          'Issues open or under investigation, all severities, of the selected projects.',
        unit: UNIT.count,
        queries: [{ expr: `sum(${selector(openIssues, inProject)})`, legend: 'open' }],
      }),
    )
    .withPanel(
      statPanel({
        title: 'Critical open issues',
        description:
          'Issues of severity critical that are open or under investigation, of the selected projects.',
        unit: UNIT.count,
        thresholds: [
          { value: null, color: 'green' },
          { value: 1, color: 'red' },
        ],
        queries: [
          {
            expr: `sum(${selector(openIssues, { ...inProject, severity: 'critical' })})`,
            legend: 'critical',
          },
        ],
      }),
    )
    .withPanel(
      statPanel({
        title: 'Error events rate',
        description: 'Error events stored per second, from the selected projects and services.',
        unit: UNIT.opsPerSecond,
        queries: [{ expr: `sum(${rate(selector(errorsTracked, reported))})`, legend: 'events' }],
      }),
    )
    .withPanel(
      statPanel({
        title: 'New issues rate',
        description:
          'Issues created or reopened as regressions per second, from the selected projects and services.',
        unit: UNIT.opsPerSecond,
        queries: [{ expr: `sum(${rate(selector(newIssues, reported))})`, legend: 'new issues' }],
      }),
    )
    .withPanel(
      timeseriesPanel({
        title: 'Errors by severity',
        description:
          'Error events stored per second, per severity (critical, error, warning, info).',
        unit: UNIT.opsPerSecond,
        width: 8,
        queries: [
          {
            expr: `sum ${by(errorsTracked, ['severity'])} (${rate(selector(errorsTracked, reported))})`,
            legend: '{{severity}}',
          },
        ],
      }),
    )
    .withPanel(
      timeseriesPanel({
        title: 'Errors by service',
        description: 'Error events stored per second, per reporting service.',
        unit: UNIT.opsPerSecond,
        width: 8,
        queries: [
          {
            expr: `sum ${by(errorsTracked, ['service'])} (${rate(selector(errorsTracked, reported))})`,
            legend: '{{service}}',
          },
        ],
      }),
    )
    .withPanel(
      timeseriesPanel({
        title: 'Errors by type',
        description:
          'Error events stored per second, per error type (application, database, external_api, validation, security).',
        unit: UNIT.opsPerSecond,
        width: 8,
        queries: [
          {
            expr: `sum ${by(errorsTracked, ['type'])} (${rate(selector(errorsTracked, reported))})`,
            legend: '{{type}}',
          },
        ],
      }),
    );
}

function issuesRow(d: dashboard.DashboardBuilder): void {
  d.withRow(row('Issues')).withPanel(
    new dashboard.PanelBuilder()
      .type(ISSUES_PANEL)
      .title('Error issues')
      .description(
        'Issues grouped by the tracking server, for the selected projects and services, from the Beacon app plugin.',
      )
      .span(24)
      .height(12)
      .options({ project: '$project', service: '$service' }),
  );
}

function ingestRow(d: dashboard.DashboardBuilder): void {
  d.withRow(row('Tracking server'))
    .withPanel(
      timeseriesPanel({
        title: 'Ingest latency p95',
        description:
          'Time from request received to durable commit, per protocol (envelope, store, otlp), 95th percentile.',
        unit: UNIT.seconds,
        thresholds: THRESHOLDS.latencyP95,
        queries: [
          {
            expr: `histogram_quantile(0.95, sum ${by(ingestDuration, ['protocol', 'le'])} (${rate(histogramSelector(ingestDuration, 'bucket'))}))`,
            legend: '{{protocol}}',
          },
        ],
      }),
    )
    .withPanel(
      timeseriesPanel({
        title: 'Rejected ingest requests',
        description:
          'Ingest requests refused per second, per reason (auth, malformed, too_large, rate_limited, overloaded), and failed inside the tracker (internal).',
        unit: UNIT.requestsPerSecond,
        queries: [
          {
            expr: `sum ${by(rejectedRequests, ['reason'])} (${rate(selector(rejectedRequests))})`,
            legend: '{{reason}}',
          },
        ],
      }),
    )
    .withPanel(
      timeseriesPanel({
        title: 'Discarded by SDKs',
        description:
          'What Sentry SDKs report they discarded without sending, per second, per reason and data category: ratelimit_backoff after a 429, queue_overflow, network_error, sample_rate, … These never reached the tracker.',
        unit: UNIT.opsPerSecond,
        queries: [
          {
            expr: `sum ${by(clientDiscards, ['reason', 'category'])} (${rate(selector(clientDiscards))})`,
            legend: '{{reason}} {{category}}',
          },
        ],
      }),
    )
    .withPanel(
      timeseriesPanel({
        title: 'User feedback',
        description: `Pieces of user feedback stored ${IN_EACH_INTERVAL}, per project: what users wrote about an error, or about nothing in particular (Sentry's feedback widget). The app's User feedback page lists them.`,
        unit: UNIT.count,
        minInterval: COUNT_MIN_INTERVAL,
        queries: [
          {
            expr: `sum ${by(feedbackIngested, ['project'])} (${increasePerInterval(selector(feedbackIngested, inProject))})`,
            legend: '{{project}}',
          },
        ],
      }),
    );
}

export function build(): dashboard.Dashboard {
  const d = newDashboard({
    uid: UID,
    title: 'Beacon / Error Tracking',
    description:
      'Errors by severity, service and type from the tracking server, the open error issues, and ingest health.',
    tags: ['errors'],
  });
  d.withVariable(projectVariable());
  overviewRow(d);
  issuesRow(d);
  ingestRow(d);
  return d.build();
}
