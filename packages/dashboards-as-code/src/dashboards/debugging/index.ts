// Debugging: the app plugin's debug-session panel for one correlation id, and the slowest
// operations across the services.
import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import { by, catalog, histogramSelector, selector } from '@beacon/metric-catalog';
import { inScope, newDashboard, rate, row, THRESHOLDS, timeseriesPanel, UNIT } from '../../common';

export const UID = 'beacon-debugging';
/** The app plugin's nested panel showing one debug session (DESIGN.md). */
export const SESSION_PANEL = 'beacon-session-panel';
/** Variable holding the correlation id (DESIGN.md: Sentry tag / OTLP attribute `correlation_id`). */
export const CORRELATION_VARIABLE = 'correlation_id';

const p = catalog.platform;
const { spansIngested } = catalog.trackingServer;

function sessionRow(d: dashboard.DashboardBuilder): void {
  d.withRow(row('Debug session')).withPanel(
    new dashboard.PanelBuilder()
      .type(SESSION_PANEL)
      .title('Debug session')
      .description(
        'Operations, errors and memory snapshots joined by the correlation id in the variable above.',
      )
      .span(24)
      .height(14)
      .options({ correlationId: `\${${CORRELATION_VARIABLE}}` }),
  );
}

function slowRow(d: dashboard.DashboardBuilder): void {
  const p95 = (h: string, grouping: string) =>
    `histogram_quantile(0.95, sum ${grouping} (${rate(h)}))`;
  d.withRow(row('Slow operations'))
    .withPanel(
      timeseriesPanel({
        title: 'Slowest routes (p95)',
        description: 'The ten routes with the highest 95th percentile latency. Red above 500 ms.',
        unit: UNIT.seconds,
        thresholds: THRESHOLDS.latencyP95,
        queries: [
          {
            expr: `topk(10, ${p95(histogramSelector(p.httpRequestDuration, 'bucket', inScope), by(p.httpRequestDuration, ['service', 'route', 'le']))})`,
            legend: '{{service}} {{route}}',
          },
        ],
      }),
    )
    .withPanel(
      timeseriesPanel({
        title: 'Slowest tool operations (p95)',
        description: 'The ten creative-tool operations with the highest 95th percentile latency.',
        unit: UNIT.seconds,
        thresholds: THRESHOLDS.latencyP95,
        queries: [
          {
            expr: `topk(10, ${p95(histogramSelector(p.toolOperationDuration, 'bucket', inScope), by(p.toolOperationDuration, ['tool', 'operation', 'le']))})`,
            legend: '{{tool}} {{operation}}',
          },
        ],
      }),
    )
    .withPanel(
      timeseriesPanel({
        title: 'Slowest database operations (p95)',
        description: '95th percentile database query latency per service and operation.',
        unit: UNIT.seconds,
        thresholds: THRESHOLDS.latencyP95,
        queries: [
          {
            expr: p95(
              histogramSelector(p.dbQueryDuration, 'bucket', inScope),
              by(p.dbQueryDuration, ['service', 'operation', 'le']),
            ),
            legend: '{{service}} {{operation}}',
          },
        ],
      }),
    )
    .withPanel(
      timeseriesPanel({
        title: 'Job processing time (p95)',
        description: '95th percentile time a worker spent on a job, per queue.',
        unit: UNIT.seconds,
        queries: [
          {
            expr: p95(
              histogramSelector(p.jobProcessingDuration, 'bucket', inScope),
              by(p.jobProcessingDuration, ['queue', 'le']),
            ),
            legend: '{{queue}}',
          },
        ],
      }),
    )
    .withPanel(
      timeseriesPanel({
        title: 'Operations traced by service',
        description: 'Spans and transactions the tracking server stored per second, per service.',
        unit: UNIT.opsPerSecond,
        width: 24,
        queries: [
          {
            expr: `sum ${by(spansIngested, ['service'])} (${rate(selector(spansIngested, { service: inScope.service }))})`,
            legend: '{{service}}',
          },
        ],
      }),
    );
}

export function build(): dashboard.Dashboard {
  const d = newDashboard({
    uid: UID,
    title: 'Beacon / Debugging',
    description:
      'The debug session for one correlation id (operations, errors, memory) and the slowest operations.',
    tags: ['debugging'],
  }).withVariable(
    new dashboard.TextBoxVariableBuilder(CORRELATION_VARIABLE)
      .label('Correlation id')
      .description('The correlation_id of the request to debug (x-correlation-id header).'),
  );
  sessionRow(d);
  slowRow(d);
  return d.build();
}
