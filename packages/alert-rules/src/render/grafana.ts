// Grafana-managed alerting, as a file-provisioning document (`apiVersion: 1`, groups of rules
// with uid, title, condition and data). Each rule queries Prometheus (refId A), reduces each
// series to its last value (B), and decides on it (C): a threshold where the PromQL ends in
// `<query> > N` or `<query> < N`, else "A returned the series" (the PromQL already filters).
import { createHash } from 'node:crypto';
import { parser } from '@prometheus-io/lezer-promql';
import { alwaysFires, type AlertSpec, type RuleGroup } from '../spec';
import { DEFAULT_RUNBOOK_BASE_URL, checkRunbookBaseUrl } from './prometheus';
import { toYaml } from './yaml';

export interface GrafanaOptions {
  readonly runbookBaseUrl?: string;
  /** UID of the Prometheus data source the rules query. */
  readonly datasourceUid?: string;
  readonly folder?: string;
  readonly orgId?: number;
  /** How often Grafana evaluates each group. */
  readonly interval?: string;
}

export const DEFAULT_GRAFANA_OPTIONS: Required<Omit<GrafanaOptions, 'runbookBaseUrl'>> = {
  datasourceUid: 'prometheus',
  folder: 'Beacon',
  orgId: 1,
  interval: '1m',
};

export interface GrafanaQuery {
  refId: string;
  datasourceUid: string;
  relativeTimeRange?: { from: number; to: number };
  model: Record<string, unknown>;
}

export interface GrafanaRule {
  uid: string;
  title: string;
  condition: string;
  data: GrafanaQuery[];
  for: string;
  noDataState: 'OK';
  execErrState: 'Error';
  labels: Record<string, string>;
  annotations: Record<string, string>;
  isPaused: false;
}

export interface GrafanaGroup {
  orgId: number;
  name: string;
  folder: string;
  interval: string;
  rules: GrafanaRule[];
}

/** `expr` split at a top-level `query > N` / `query < N`, or undefined. */
export function splitThreshold(
  expr: string,
): { query: string; type: 'gt' | 'lt'; value: number } | undefined {
  const top = parser.parse(expr).topNode.firstChild;
  if (top?.name !== 'BinaryExpr') return undefined;
  const lhs = top.firstChild;
  const op = lhs?.nextSibling;
  const rhs = op?.nextSibling;
  if (!lhs || !op || !rhs || rhs.nextSibling || rhs.name !== 'NumberDurationLiteral') {
    return undefined;
  }
  const type = op.name === 'Gtr' ? 'gt' : op.name === 'Lss' ? 'lt' : undefined;
  const value = Number(expr.slice(rhs.from, rhs.to));
  if (type === undefined || !Number.isFinite(value)) return undefined;
  return { query: expr.slice(lhs.from, lhs.to), type, value };
}

/** A stable Grafana uid (at most 40 characters) from the alert's name and severity. */
export function grafanaUid(alert: AlertSpec): string {
  const hash = createHash('sha256').update(`${alert.name}/${alert.severity}`).digest('hex');
  return `beacon-${hash.slice(0, 16)}`;
}

/** Prometheus templates read `$value`; Grafana's hold the reduced value in `$values.B.Value`. */
export function grafanaTemplate(text: string): string {
  return text.replace(/\$value\b/g, '$values.B.Value');
}

const EXPR = { type: '__expr__', uid: '__expr__' } as const;

export function toGrafanaRule(alert: AlertSpec, options: GrafanaOptions = {}): GrafanaRule {
  const o = { ...DEFAULT_GRAFANA_OPTIONS, ...options };
  const base = checkRunbookBaseUrl(options.runbookBaseUrl ?? DEFAULT_RUNBOOK_BASE_URL);
  const split = splitThreshold(alert.expr);
  const query: GrafanaQuery = {
    refId: 'A',
    datasourceUid: o.datasourceUid,
    relativeTimeRange: { from: 600, to: 0 },
    model: {
      refId: 'A',
      datasource: { type: 'prometheus', uid: o.datasourceUid },
      expr: split ? split.query : alert.expr,
      instant: true,
      range: false,
    },
  };
  const reduce: GrafanaQuery = {
    refId: 'B',
    datasourceUid: '__expr__',
    model: {
      refId: 'B',
      datasource: EXPR,
      type: 'reduce',
      expression: 'A',
      reducer: 'last',
      settings: { mode: 'dropNN' },
    },
  };
  const decide: GrafanaQuery = split
    ? {
        refId: 'C',
        datasourceUid: '__expr__',
        model: {
          refId: 'C',
          datasource: EXPR,
          type: 'threshold',
          expression: 'B',
          conditions: [{ evaluator: { type: split.type, params: [split.value] } }],
        },
      }
    : {
        refId: 'C',
        datasourceUid: '__expr__',
        model: { refId: 'C', datasource: EXPR, type: 'math', expression: 'is_number($B)' },
      };
  const labels: Record<string, string> = { severity: alert.severity, team: alert.team };
  if (alert.service !== undefined) labels.service = alert.service;
  return {
    uid: grafanaUid(alert),
    title: alert.name,
    condition: 'C',
    data: [query, reduce, decide],
    for: alert.for,
    noDataState: 'OK',
    execErrState: 'Error',
    labels,
    annotations: {
      summary: grafanaTemplate(alert.summary),
      description: grafanaTemplate(alert.description),
      runbook_url: base + alert.runbook,
    },
    isPaused: false,
  };
}

export function toGrafanaGroup(group: RuleGroup, options: GrafanaOptions = {}): GrafanaGroup {
  const o = { ...DEFAULT_GRAFANA_OPTIONS, ...options };
  return {
    orgId: o.orgId,
    name: group.domain,
    folder: o.folder,
    interval: group.interval ?? o.interval,
    // Not the heartbeat: it proves Prometheus' path to Alertmanager, and under Grafana's
    // notification policy an alert that always fires would reach its default contact point.
    rules: group.alerts.filter((a) => !alwaysFires(a)).map((a) => toGrafanaRule(a, options)),
  };
}

/**
 * The provisioning file (`provisioning/alerting/*.yaml`). Recording rules stay in Prometheus:
 * the SLO alerts here read the `slo:*` series Prometheus records from the rule files.
 */
export function renderGrafanaAlerting(
  groups: readonly RuleGroup[],
  options: GrafanaOptions = {},
): string {
  return toYaml({ apiVersion: 1, groups: groups.map((g) => toGrafanaGroup(g, options)) });
}
