// System Overview: traffic, errors, latency and users across the platform's services.
import type * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import { by, catalog, histogramSelector, re, selector } from '@beacon/metric-catalog';
import {
  inScope,
  newDashboard,
  rate,
  row,
  statPanel,
  THRESHOLDS,
  timeseriesPanel,
  UNIT,
} from '../../common';

export const UID = 'beacon-system-overview';

const { httpRequests, httpRequestDuration, activeUsers, websocketConnections } = catalog.platform;

const requests = selector(httpRequests, inScope);
const serverErrors = selector(httpRequests, { ...inScope, code: re('5..') });
const perService = by(httpRequests, ['service']);

function latency(quantile: number): string {
  const buckets = histogramSelector(httpRequestDuration, 'bucket', inScope);
  const grouping = by(httpRequestDuration, ['service', 'le']);
  return `histogram_quantile(${quantile}, sum ${grouping} (${rate(buckets)}))`;
}

function summaryRow(d: dashboard.DashboardBuilder): void {
  d.withRow(row('Summary'))
    .withPanel(
      statPanel({
        title: 'Availability',
        description:
          'Share of HTTP requests answered without a 5xx status, across the selected services. SLO: 99.9 %.',
        unit: UNIT.ratio,
        decimals: 3,
        thresholds: THRESHOLDS.availability,
        queries: [
          {
            // `or vector(0)`: with no 5xx series at all (no server error since the
            // services started) the error sum is empty, and so would be the availability.
            expr: `1 - ((sum(${rate(serverErrors)}) or vector(0)) / sum(${rate(requests)}))`,
            legend: 'availability',
          },
        ],
      }),
    )
    .withPanel(
      statPanel({
        title: 'Request rate',
        description: 'HTTP requests per second served by the selected services.',
        unit: UNIT.requestsPerSecond,
        queries: [{ expr: `sum(${rate(requests)})`, legend: 'requests' }],
      }),
    )
    .withPanel(
      statPanel({
        title: 'Active users',
        description: 'Users with an authenticated request in the last five minutes.',
        unit: UNIT.count,
        queries: [{ expr: `sum(${selector(activeUsers, inScope)})`, legend: 'users' }],
      }),
    )
    .withPanel(
      statPanel({
        title: 'WebSocket connections',
        description: 'WebSocket connections open across the selected services.',
        unit: UNIT.count,
        queries: [
          { expr: `sum(${selector(websocketConnections, inScope)})`, legend: 'connections' },
        ],
      }),
    );
}

function trafficRow(d: dashboard.DashboardBuilder): void {
  d.withRow(row('Traffic and errors'))
    .withPanel(
      timeseriesPanel({
        title: 'Request rate by service',
        description: 'HTTP requests per second, per service.',
        unit: UNIT.requestsPerSecond,
        queries: [{ expr: `sum ${perService} (${rate(requests)})`, legend: '{{service}}' }],
      }),
    )
    .withPanel(
      timeseriesPanel({
        title: 'Error ratio by service',
        description:
          'Share of HTTP requests answered with a 5xx status, per service. Red above 10 %.',
        unit: UNIT.ratio,
        min: 0,
        thresholds: THRESHOLDS.errorRatio,
        queries: [
          {
            // A service without any 5xx series gets 0 from the `or`, not a missing line.
            expr: `(sum ${perService} (${rate(serverErrors)}) or 0 * sum ${perService} (${rate(requests)})) / sum ${perService} (${rate(requests)})`,
            legend: '{{service}}',
          },
        ],
      }),
    );
}

function latencyRow(d: dashboard.DashboardBuilder): void {
  d.withRow(row('Latency'))
    .withPanel(
      timeseriesPanel({
        title: 'p50 latency by service',
        description: 'Median time from request received to response sent, per service.',
        unit: UNIT.seconds,
        width: 8,
        queries: [{ expr: latency(0.5), legend: '{{service}}' }],
      }),
    )
    .withPanel(
      timeseriesPanel({
        title: 'p95 latency by service',
        description: '95th percentile request latency, per service. Red above 500 ms.',
        unit: UNIT.seconds,
        width: 8,
        thresholds: THRESHOLDS.latencyP95,
        queries: [{ expr: latency(0.95), legend: '{{service}}' }],
      }),
    )
    .withPanel(
      timeseriesPanel({
        title: 'p99 latency by service',
        description: '99th percentile request latency, per service. Red above 2 s.',
        unit: UNIT.seconds,
        width: 8,
        thresholds: THRESHOLDS.latencyP99,
        queries: [{ expr: latency(0.99), legend: '{{service}}' }],
      }),
    );
}

function usersRow(d: dashboard.DashboardBuilder): void {
  d.withRow(row('Users and connections'))
    .withPanel(
      timeseriesPanel({
        title: 'Active users',
        description: 'Users with an authenticated request in the last five minutes, per service.',
        unit: UNIT.count,
        queries: [
          {
            expr: `sum ${by(activeUsers, ['service'])} (${selector(activeUsers, inScope)})`,
            legend: '{{service}}',
          },
        ],
      }),
    )
    .withPanel(
      timeseriesPanel({
        title: 'WebSocket connections by pod',
        description:
          'WebSocket connections open on each pod (the collaboration HPA scales on these).',
        unit: UNIT.count,
        queries: [
          {
            expr: `sum ${by(websocketConnections, ['service', 'namespace', 'pod'])} (${selector(websocketConnections, inScope)})`,
            legend: '{{service}} {{namespace}}/{{pod}}',
          },
        ],
      }),
    );
}

export function build(): dashboard.Dashboard {
  const d = newDashboard({
    uid: UID,
    title: 'Beacon / System Overview',
    description:
      'Request rate, error ratio, latency, availability, active users and WebSocket connections of the platform services.',
    tags: ['overview'],
    refresh: '30s',
  });
  summaryRow(d);
  trafficRow(d);
  latencyRow(d);
  usersRow(d);
  return d.build();
}
