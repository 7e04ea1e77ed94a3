// Business alerts: what the product's users produce, compared with the same time a week earlier
// (weekly seasonality: weekends and working hours look alike week to week).
import { by, catalog, selector } from '@beacon/metric-catalog';
import { defineAlert } from '../spec';
import type { RuleGroup } from '../spec';

const { artifactsCreated, annotationsCreated, userRegistrations } = catalog.platform;
const ns = 'platform';
const team = 'product';

/**
 * `now`, and 0 where it has no series but `weekAgo` has: a labelled counter's series exists from
 * its first increment, so pods deployed with the feature broken export none, and `now` alone left
 * the alerts over it with nothing to compare: the drop they are for never fired.
 */
const nowOrNone = (now: string, weekAgo: string) => `(${now} or 0 * ${weekAgo})`;

/**
 * `now` below half of `weekAgo`, when `weekAgo` was at least `minimum` (so a quiet hour does not
 * alert on a handful of events). The alert's value is `now`.
 */
function dropVersusLastWeek(now: string, weekAgo: string, minimum: number): string {
  return `${nowOrNone(now, weekAgo)} < 0.5 * ${weekAgo} and ${weekAgo} >= ${minimum}`;
}

const perTool = ['namespace', 'service', 'tool'] as const;
const artifacts = selector(artifactsCreated, { namespace: ns });
const annotations = selector(annotationsCreated, { namespace: ns });
const registrations = selector(userRegistrations, { namespace: ns });
const perService = by(userRegistrations, ['namespace', 'service']);
const registrationsWeekAgo = `sum ${perService} (increase(${registrations}[2h] offset 1w))`;

export const business: RuleGroup = {
  domain: 'business',
  alerts: [
    defineAlert({
      name: 'ArtifactThroughputDrop',
      expr: dropVersusLastWeek(
        `sum ${by(artifactsCreated, perTool)} (increase(${artifacts}[1h]))`,
        `sum ${by(artifactsCreated, perTool)} (increase(${artifacts}[1h] offset 1w))`,
        36,
      ),
      for: '30m',
      severity: 'warning',
      team,
      summary: 'Fewer than half as many artifacts are saved in {{ $labels.tool }} as a week ago',
      description:
        '{{ $value | humanize }} artifacts were saved in {{ $labels.tool }} in the last hour, less than half as many as in the same hour a week ago.',
    }),
    defineAlert({
      name: 'AnnotationThroughputDrop',
      expr: dropVersusLastWeek(
        `sum ${by(annotationsCreated, perTool)} (increase(${annotations}[1h]))`,
        `sum ${by(annotationsCreated, perTool)} (increase(${annotations}[1h] offset 1w))`,
        36,
      ),
      for: '30m',
      severity: 'warning',
      team,
      summary: 'Fewer than half as many annotations are added in {{ $labels.tool }} as a week ago',
      description:
        '{{ $value | humanize }} annotations were added in {{ $labels.tool }} in the last hour, less than half as many as in the same hour a week ago.',
    }),
    defineAlert({
      name: 'RegistrationsStalled',
      expr: `${nowOrNone(`sum ${perService} (increase(${registrations}[2h]))`, registrationsWeekAgo)} < 1 and ${registrationsWeekAgo} >= 10`,
      for: '30m',
      severity: 'warning',
      team,
      summary: 'No account has been created on {{ $labels.service }} for 2 hours',
      description:
        'No account was created on {{ $labels.service }} in the last 2 hours, while the same 2 hours a week ago saw 10 or more sign-ups.',
    }),
  ],
};
