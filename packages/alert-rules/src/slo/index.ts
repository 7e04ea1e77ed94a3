// SLOs as multiwindow, multi-burn-rate alerts (Google SRE workbook, "Alerting on SLOs", recipe 6):
// recording rules hold each SLI's error ratio over every window the alerts read, and each SLO
// gets a page (critical) and a ticket (warning) alert, each also requiring MIN_FAILURES bad events
// in its long window.
import { by, catalog, eq, histogramSelector, re, selector } from '@beacon/metric-catalog';
import { MIN_FAILURES, defineAlert } from '../spec';
import type { AlertSpec, RecordingSpec, RuleGroup } from '../spec';

/** The recording rule every SLO's error ratio is written to, suffixed with the window. */
export const ERROR_RATIO_RECORD = 'slo:sli_error:ratio_rate';

/** A burn-rate condition: the budget burns `factor`× too fast over both windows. */
export interface BurnWindow {
  readonly factor: number;
  readonly long: string;
  readonly short: string;
}

/**
 * Burn rates and windows of a 30-day budget. Page: 14.4× over 1h (2 % of the budget in an hour)
 * or 6× over 6h (5 % in six hours); ticket: 3× over 1d (10 % in a day) or 1× over 3d.
 */
export const PAGE: readonly BurnWindow[] = [
  { factor: 14.4, long: '1h', short: '5m' },
  { factor: 6, long: '6h', short: '30m' },
];
export const TICKET: readonly BurnWindow[] = [
  { factor: 3, long: '1d', short: '2h' },
  { factor: 1, long: '3d', short: '6h' },
];

/** Every window a record is needed for, shortest first. */
export const WINDOWS = ['5m', '30m', '1h', '2h', '6h', '1d', '3d'] as const;

export interface SloSpec {
  /** kebab-case id, the `slo` label of records and alerts, e.g. `api-gateway-availability`. */
  readonly slo: string;
  /** Alert name prefix, UpperCamelCase, e.g. `ApiGatewayAvailability`. */
  readonly alertPrefix: string;
  readonly team: string;
  /** e.g. 0.999 */
  readonly objective: number;
  /** What the SLO promises, for texts: "of requests succeed". */
  readonly promise: string;
  /** The SLI's error ratio over `window`; its labels are kept on records and alerts. */
  readonly errorRatio: (window: string) => string;
  /** How many events missed the SLO over `window`, with the labels of `errorRatio`. */
  readonly badEvents: (window: string) => string;
}

/** `1 - objective`, rounded so that 0.999 gives 0.001 and not 0.0010000000000000009. */
export function errorBudget(objective: number): number {
  if (!(objective > 0 && objective < 1)) {
    throw new Error(`SLO objective ${objective} must be between 0 and 1`);
  }
  return Number((1 - objective).toFixed(10));
}

function percent(ratio: number): string {
  return `${Number((ratio * 100).toFixed(6))}%`;
}

export function sloRecords(spec: SloSpec): RecordingSpec[] {
  return WINDOWS.map((w) => ({
    record: `${ERROR_RATIO_RECORD}${w}`,
    expr: spec.errorRatio(w),
    labels: { slo: spec.slo },
  }));
}

/**
 * Either pair of windows burns too fast, and the long one holds at least MIN_FAILURES bad
 * events: at low traffic one failure is a high ratio (1 of 60 inferences in an hour paged). The
 * records carry `slo`, the raw count does not: they match on the SLI's own labels.
 */
function burnCondition(spec: SloSpec, windows: readonly BurnWindow[]): string {
  const budget = errorBudget(spec.objective);
  const over = (w: string, factor: number) =>
    `${ERROR_RATIO_RECORD}${w}{slo="${spec.slo}"} > (${factor} * ${budget})`;
  return windows
    .map(
      (b) =>
        `(${over(b.long, b.factor)} and ${over(b.short, b.factor)} and ignoring (slo) (${spec.badEvents(b.long)}) >= ${MIN_FAILURES})`,
    )
    .join(' or ');
}

function describe(windows: readonly BurnWindow[]): string {
  return windows.map((b) => `${b.factor}× over ${b.long} and ${b.short}`).join(', or ');
}

export function sloAlerts(spec: SloSpec): AlertSpec[] {
  const target = percent(spec.objective);
  const text = (windows: readonly BurnWindow[], days: string) =>
    `{{ $value | humanizePercentage }} of events of {{ $labels.service }} missed the SLO (${target} ${spec.promise}); the 30-day error budget burns at ${describe(windows)} (gone in ${days} at this rate), with at least ${MIN_FAILURES} events missed over the long window.`;
  return [
    defineAlert({
      name: `${spec.alertPrefix}BudgetBurn`,
      expr: burnCondition(spec, PAGE),
      for: '2m',
      severity: 'critical',
      team: spec.team,
      summary: `SLO ${spec.slo} burns its error budget fast`,
      description: text(PAGE, '2 to 5 days'),
    }),
    defineAlert({
      name: `${spec.alertPrefix}BudgetBurn`,
      expr: burnCondition(spec, TICKET),
      for: '15m',
      severity: 'warning',
      team: spec.team,
      summary: `SLO ${spec.slo} burns its error budget`,
      description: text(TICKET, '10 to 30 days'),
    }),
  ];
}

const p = catalog.platform;
const ns = 'platform';
const gateway = { namespace: ns, service: 'api-gateway' } as const;
const inference = { namespace: ns, service: 'ai-service' } as const;

type Sli = Pick<SloSpec, 'errorRatio' | 'badEvents'>;

/** `sum <grouping> (fn(selector[w]))` */
function summed(fn: 'rate' | 'increase', sel: string, grouping: string, w: string): string {
  return `sum ${grouping} (${fn}(${sel}[${w}]))`;
}

/** An SLI counting bad and total events: error ratio `bad / total`. */
function badOfTotal(bad: string, total: string, grouping: string): Sli {
  return {
    errorRatio: (w) =>
      `${summed('rate', bad, grouping, w)} / ${summed('rate', total, grouping, w)}`,
    badEvents: (w) => summed('increase', bad, grouping, w),
  };
}

/** An SLI counting good and total events (a histogram's bucket and count): bad = total − good. */
function goodOfTotal(good: string, total: string, grouping: string): Sli {
  return {
    errorRatio: (w) =>
      `1 - (${summed('rate', good, grouping, w)} / ${summed('rate', total, grouping, w)})`,
    badEvents: (w) =>
      `${summed('increase', total, grouping, w)} - ${summed('increase', good, grouping, w)}`,
  };
}

/** The platform's SLOs: availability and latency of the API gateway and the AI service. */
export const SLOS: readonly SloSpec[] = [
  {
    slo: 'api-gateway-availability',
    alertPrefix: 'ApiGatewayAvailability',
    team: 'platform',
    objective: 0.999,
    promise: 'of HTTP requests answered without a 5xx',
    ...badOfTotal(
      selector(p.httpRequests, { ...gateway, code: re('5..') }),
      selector(p.httpRequests, gateway),
      by(p.httpRequests, ['namespace', 'service']),
    ),
  },
  {
    slo: 'api-gateway-latency',
    alertPrefix: 'ApiGatewayLatency',
    team: 'platform',
    objective: 0.99,
    promise: 'of HTTP requests answered within 500ms',
    ...goodOfTotal(
      histogramSelector(p.httpRequestDuration, 'bucket', { ...gateway, le: eq('0.5') }),
      histogramSelector(p.httpRequestDuration, 'count', gateway),
      by(p.httpRequestDuration, ['namespace', 'service']),
    ),
  },
  {
    slo: 'ai-service-availability',
    alertPrefix: 'AiServiceAvailability',
    team: 'ai',
    objective: 0.999,
    promise: 'of inference requests succeeding',
    ...badOfTotal(
      selector(p.aiInferenceRequests, { ...inference, outcome: eq('error') }),
      selector(p.aiInferenceRequests, inference),
      by(p.aiInferenceRequests, ['namespace', 'service']),
    ),
  },
  {
    slo: 'ai-service-latency',
    alertPrefix: 'AiServiceLatency',
    team: 'ai',
    objective: 0.99,
    promise: 'of inferences answered within 5s',
    ...goodOfTotal(
      // le="5" as prom-client writes it, le="5.0" as Prometheus 3 (and any OpenMetrics
      // scrape) stores it: an integral bound is matched in both spellings.
      histogramSelector(p.aiInferenceDuration, 'bucket', { ...inference, le: re('5(\\.0)?') }),
      histogramSelector(p.aiInferenceDuration, 'count', inference),
      by(p.aiInferenceDuration, ['namespace', 'service']),
    ),
  },
];

/** The `slo` rule group: every SLO's records, then its alerts. */
export function sloGroup(slos: readonly SloSpec[] = SLOS): RuleGroup {
  return {
    domain: 'slo',
    records: slos.flatMap(sloRecords),
    alerts: slos.flatMap(sloAlerts),
  };
}

export const slo: RuleGroup = sloGroup();
