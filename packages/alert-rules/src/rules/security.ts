// Security and rate-limiting alerts: the rate limiter's refusals, security events the services
// report, and the error tracker's view (new critical issues, its own ingest limits, the errors
// SDKs report they discarded unsent).
import { by, catalog, eq, nre, re, selector } from '@beacon/metric-catalog';
import { defineAlert } from '../spec';
import type { RuleGroup } from '../spec';

const { rateLimitRejections, httpRequests, securityEvents } = catalog.platform;
const { newIssues, rejectedRequests, clientDiscards } = catalog.trackingServer;
const { up, processStartTime } = catalog.prometheus;
const ns = 'platform';
const team = 'security';

const perKind = by(securityEvents, ['namespace', 'service', 'kind']);

/**
 * Error events SDKs discarded without meaning to: not what their options drop on purpose
 * (sample_rate, before_send, event processors, ignore lists). Relay's error categories.
 */
const errorsLostBySdks = selector(clientDiscards, {
  category: re('error|default|security'),
  reason: nre('sample_rate|before_send|event_processor|ignored'),
});

/**
 * `grouping` sums of `counter` that went up in the last `window`. A labelled counter's series is
 * created by its first increment, so it starts at 1 and increase() over it stays 0: the first
 * event of a kind (or the first critical issue of a service) since the process started would
 * never alert. The second branch catches a series that exists now but did not `window` ago, where
 * that absence means something: the target was scraped then, or its process has started since.
 * Otherwise the series was not missing but unseen: a failed scrape marks every series of its
 * target stale (`up` 0), and before a target's first scrape, or across a gap in Prometheus' own
 * data, there is no `up` either. Without that check each such gap, and the first scrape of a
 * tracker long up, paged once for every critical series it held.
 */
function wentUp(counter: string, grouping: string, window: string): string {
  const seconds = durationSeconds(window);
  const absenceMeant =
    `(${selector(up)} offset ${window} == 1` +
    ` or time() - ${selector(processStartTime)} < ${seconds})`;
  return (
    `sum ${grouping} (increase(${counter}[${window}])) > 0` +
    ` or sum ${grouping} ((${counter} unless ${counter} offset ${window}) and on (job, instance) ${absenceMeant}) > 0`
  );
}

/** The seconds in a duration of minutes (`5m`), the windows wentUp is given. */
function durationSeconds(window: string): number {
  const m = /^(\d+)m$/.exec(window);
  if (!m)
    throw new Error(`wentUp: window ${JSON.stringify(window)} is not a whole number of minutes`);
  return Number(m[1]) * 60;
}

export const security: RuleGroup = {
  domain: 'security',
  alerts: [
    defineAlert({
      name: 'RateLimitRejectionsHigh',
      expr: `sum ${by(rateLimitRejections, ['namespace', 'service'])} (rate(${selector(rateLimitRejections, { namespace: ns })}[5m])) / sum ${by(httpRequests, ['namespace', 'service'])} (rate(${selector(httpRequests, { namespace: ns })}[5m])) > 0.05`,
      for: '10m',
      severity: 'warning',
      team,
      summary: 'The rate limiter refuses more than 5% of requests to {{ $labels.service }}',
      description:
        '{{ $value | humanizePercentage }} of requests to {{ $labels.service }} were refused with 429 by the rate limiter over the last 5 minutes (threshold 5%).',
    }),
    defineAlert({
      name: 'CriticalSecurityEvent',
      expr: wentUp(
        selector(securityEvents, { namespace: ns, severity: eq('critical') }),
        perKind,
        '5m',
      ),
      for: '0m',
      severity: 'critical',
      team,
      summary: 'Critical security event {{ $labels.kind }} on {{ $labels.service }}',
      description:
        '{{ $value | humanize }} critical security events of kind {{ $labels.kind }} were recorded by {{ $labels.service }} in the last 5 minutes.',
    }),
    defineAlert({
      name: 'SecurityEventsElevated',
      expr: `sum ${perKind} (increase(${selector(securityEvents, { namespace: ns })}[15m])) > 30`,
      for: '5m',
      severity: 'warning',
      team,
      summary: 'Many {{ $labels.kind }} security events on {{ $labels.service }}',
      description:
        '{{ $value | humanize }} security events of kind {{ $labels.kind }} were recorded by {{ $labels.service }} in the last 15 minutes (threshold 30).',
    }),
    defineAlert({
      name: 'TrackerNewCriticalIssue',
      expr: wentUp(
        selector(newIssues, { severity: eq('critical') }),
        by(newIssues, ['project', 'service']),
        '10m',
      ),
      for: '0m',
      severity: 'critical',
      team: 'platform',
      summary: 'New critical error in {{ $labels.service }} ({{ $labels.project }})',
      description:
        'The error tracker opened {{ $value | humanize }} new or regressed critical issues for {{ $labels.service }} in project {{ $labels.project }} in the last 10 minutes.',
    }),
    defineAlert({
      name: 'TrackerIngestRateLimited',
      expr: `sum ${by(rejectedRequests, ['namespace', 'job'])} (increase(${selector(rejectedRequests, { reason: eq('rate_limited') })}[10m])) > 60`,
      for: '10m',
      severity: 'warning',
      team: 'platform',
      service: 'tracking-server',
      summary: 'The error tracker drops events at its rate limit',
      description:
        'The tracking server refused {{ $value | humanize }} ingest requests at its rate limit in the last 10 minutes (threshold 60): error events from the services are being lost.',
    }),
    // After a 429 an SDK sends nothing of the limited categories until Retry-After has passed,
    // so the refusals above count backoffs, not the events lost meanwhile; the SDKs' client
    // reports count those. A series' first report adds nothing to increase(): the alert is for
    // loss that goes on, as the `for` asks, not for one report.
    defineAlert({
      name: 'TrackerSdksDiscardErrors',
      expr: `sum ${by(clientDiscards, ['namespace', 'job', 'project', 'reason'])} (increase(${errorsLostBySdks}[10m])) > 100`,
      for: '10m',
      severity: 'warning',
      team: 'platform',
      service: 'tracking-server',
      summary: 'Sentry SDKs discard errors of {{ $labels.project }} unsent ({{ $labels.reason }})',
      description:
        'Sentry SDKs sending to project {{ $labels.project }} reported {{ $value | humanize }} error events discarded without sending in the last 10 minutes, for {{ $labels.reason }} (threshold 100): these errors never reached the tracker.',
    }),
  ],
};
