import { alwaysFires } from '../spec';
import type { AlertSpec, RecordingSpec, RuleGroup } from '../spec';
import { toYaml } from './yaml';

/**
 * Where runbook links point by default: the runbook file's path from the repository root
 * (`packages/alert-rules/runbooks/<AlertName>.md`), which the build checks exists. Deployments set
 * `--runbook-base-url` to where they browse the repository, e.g.
 * `https://git.example.com/beacon/blob/main/packages/alert-rules/`.
 */
export const DEFAULT_RUNBOOK_BASE_URL = 'packages/alert-rules/';

/** Throws, naming the value, unless `url` is an http(s) URL or a relative path ending in `/`. */
export function checkRunbookBaseUrl(url: string): string {
  // `http://[/` or `http://h:x/` has the shape but is no URL.
  const absolute = /^https?:\/\/[^/\s]+\//i.test(url) && URL.canParse(url);
  // A leading `\` is a `/` to browsers, making `\\evil.example/` a link to another host.
  const relative = !/^[a-z][a-z0-9+.-]*:/i.test(url) && !/^[/\\]/.test(url);
  // No spaces or control characters: the base goes into links as it is.
  const ok = url.endsWith('/') && !/[\s\p{Cc}]/u.test(url) && (absolute || relative);
  if (!ok) {
    throw new Error(
      `invalid runbook base URL ${JSON.stringify(url)}: want an http(s) URL or a relative path, ending in "/"`,
    );
  }
  return url;
}

export interface RenderOptions {
  /** Prefix of every `runbook_url`; the runbook's package-relative path is appended. */
  readonly runbookBaseUrl?: string;
}

export interface PrometheusRule {
  alert: string;
  expr: string;
  /** Left out when zero, Prometheus' default (pint flags `for: 0m` as redundant). */
  for?: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

export interface PrometheusRecord {
  record: string;
  expr: string;
  labels?: Record<string, string>;
}

export interface PrometheusGroup {
  name: string;
  interval?: string;
  rules: (PrometheusRecord | PrometheusRule)[];
}

export function toPrometheusRecord(rule: RecordingSpec): PrometheusRecord {
  const out: PrometheusRecord = { record: rule.record, expr: rule.expr };
  if (rule.labels !== undefined) out.labels = { ...rule.labels };
  return out;
}

/** `0m`, `0s`, `0h0m`, …: a duration of nothing. */
export function isZeroDuration(d: string): boolean {
  return /^(?:0+(?:ms|s|m|h|d|w|y))+$/.test(d);
}

export function toPrometheusRule(alert: AlertSpec, options: RenderOptions = {}): PrometheusRule {
  const base = checkRunbookBaseUrl(options.runbookBaseUrl ?? DEFAULT_RUNBOOK_BASE_URL);
  const labels: Record<string, string> = { severity: alert.severity, team: alert.team };
  if (alert.service !== undefined) labels.service = alert.service;
  return {
    alert: alert.name,
    expr: alert.expr,
    ...(isZeroDuration(alert.for) ? {} : { for: alert.for }),
    labels,
    annotations: {
      summary: alert.summary,
      description: alert.description,
      runbook_url: base + alert.runbook,
    },
  };
}

export function toPrometheusGroup(group: RuleGroup, options: RenderOptions = {}): PrometheusGroup {
  const out: PrometheusGroup = {
    name: group.domain,
    rules: [
      ...(group.records ?? []).map(toPrometheusRecord),
      ...group.alerts.map((a) => toPrometheusRule(a, options)),
    ],
  };
  if (group.interval !== undefined) out.interval = group.interval;
  return out;
}

/** A Prometheus rule file (`<domain>.rules.yml`) holding one group. */
export function renderRuleFile(group: RuleGroup, options: RenderOptions = {}): string {
  // pint's alerts/comparison warns of an alert without a condition: a heartbeat has none by
  // design. Its control comment on the rule keeps pint quiet here and wherever the file goes.
  const records = group.records?.length ?? 0;
  const comments = group.alerts.flatMap((a, i) =>
    alwaysFires(a)
      ? [
          {
            path: ['groups', 0, 'rules', records + i],
            comment: 'Always fires, by design (a heartbeat).\npint disable alerts/comparison',
          },
        ]
      : [],
  );
  return toYaml({ groups: [toPrometheusGroup(group, options)] }, comments);
}

/** A monitoring.coreos.com/v1 PrometheusRule holding every group. */
export function renderPrometheusRule(
  groups: readonly RuleGroup[],
  options: RenderOptions = {},
): string {
  return toYaml({
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'PrometheusRule',
    metadata: {
      name: 'beacon-alert-rules',
      namespace: 'monitoring',
      labels: { 'app.kubernetes.io/name': 'beacon-alert-rules', role: 'alert-rules' },
    },
    spec: { groups: groups.map((g) => toPrometheusGroup(g, options)) },
  });
}
