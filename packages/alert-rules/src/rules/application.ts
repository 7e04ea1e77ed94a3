// System/application alerts: what users of the platform's HTTP services notice first.
import { by, catalog, eq, histogramSelector, re, selector } from '@beacon/metric-catalog';
import { MIN_FAILURES, defineAlert } from '../spec';
import type { RuleGroup } from '../spec';

const { httpRequests, httpRequestDuration, authAttempts, activeUsers } = catalog.platform;
const { up } = catalog.prometheus;
const ns = 'platform';

const errors5xx = selector(httpRequests, { namespace: ns, code: re('5..') });
const allRequests = selector(httpRequests, { namespace: ns });
const perService = by(httpRequests, ['namespace', 'service']);

function latencyQuantile(q: number): string {
  const buckets = histogramSelector(httpRequestDuration, 'bucket', { namespace: ns });
  const grouping = by(httpRequestDuration, ['namespace', 'service', 'le']);
  return `histogram_quantile(${q}, sum ${grouping} (rate(${buckets}[5m])))`;
}

const team = 'platform';

/** The platform's services (DESIGN.md): each must have scrape targets, or it is down. */
export const PLATFORM_SERVICES = [
  'api-gateway',
  'ai-service',
  'collaboration',
  'video-processing',
  '3d-processing',
] as const;

// `up == 0` needs a target that fails; when a service's targets vanish (deployment deleted or
// scaled to zero, selector or service discovery broken) there is no `up` to be 0, so absent()
// stands in for each service, with its namespace and service as labels.
const targetsMissing = PLATFORM_SERVICES.map(
  (service) => `absent(${selector(up, { namespace: ns, service })})`,
).join(' or ');

export const application: RuleGroup = {
  domain: 'application',
  alerts: [
    defineAlert({
      name: 'ServiceDown',
      expr: `max ${by(up, ['namespace', 'service'])} (${selector(up, { namespace: ns })}) == 0 or ${targetsMissing}`,
      for: '2m',
      severity: 'critical',
      team,
      summary: 'Service {{ $labels.service }} is down',
      description:
        'Prometheus has scraped no target of {{ $labels.service }} in {{ $labels.namespace }} for 2 minutes: every target failed, or none is discovered.',
    }),
    defineAlert({
      name: 'HighErrorRatio',
      // And at least MIN_FAILURES of them: 2 failed of 8 requests in a quiet hour paged.
      expr: `sum ${perService} (rate(${errors5xx}[5m])) / sum ${perService} (rate(${allRequests}[5m])) > 0.1 and sum ${perService} (increase(${errors5xx}[5m])) >= ${MIN_FAILURES}`,
      for: '5m',
      severity: 'critical',
      team,
      summary: 'More than 10% of requests to {{ $labels.service }} fail',
      description: `{{ $value | humanizePercentage }} of HTTP requests to {{ $labels.service }} answered 5xx over the last 5 minutes (threshold 10%, and ${MIN_FAILURES} failed requests).`,
    }),
    defineAlert({
      name: 'HighLatencyP95',
      expr: `${latencyQuantile(0.95)} > 0.5`,
      for: '10m',
      severity: 'warning',
      team,
      summary: 'p95 latency of {{ $labels.service }} is above 500ms',
      description:
        'The 95th percentile of HTTP request duration of {{ $labels.service }} is {{ $value | humanizeDuration }} (threshold 500ms).',
    }),
    defineAlert({
      name: 'HighLatencyP99',
      expr: `${latencyQuantile(0.99)} > 2`,
      for: '5m',
      severity: 'critical',
      team,
      summary: 'p99 latency of {{ $labels.service }} is above 2s',
      description:
        'The 99th percentile of HTTP request duration of {{ $labels.service }} is {{ $value | humanizeDuration }} (threshold 2s).',
    }),
    defineAlert({
      name: 'AuthFailureRateHigh',
      expr:
        `sum ${by(authAttempts, ['namespace', 'service'])} (rate(${selector(authAttempts, { namespace: ns, outcome: eq('failure') })}[10m]))` +
        ` / sum ${by(authAttempts, ['namespace', 'service'])} (rate(${selector(authAttempts, { namespace: ns })}[10m])) > 0.3`,
      for: '10m',
      severity: 'warning',
      team: 'security',
      summary: 'Many sign-in attempts to {{ $labels.service }} fail',
      description:
        '{{ $value | humanizePercentage }} of sign-in attempts to {{ $labels.service }} failed over the last 10 minutes (threshold 30%).',
    }),
    defineAlert({
      name: 'LowUserActivity',
      expr: `sum ${by(activeUsers, ['namespace', 'service'])} (${selector(activeUsers, { namespace: ns, service: 'api-gateway' })}) < 5`,
      for: '30m',
      severity: 'info',
      team: 'product',
      service: 'api-gateway',
      summary: 'Fewer than 5 users are active',
      description:
        'Only {{ $value }} users made an authenticated request in the last 5 minutes, for 30 minutes (threshold 5).',
    }),
  ],
};
