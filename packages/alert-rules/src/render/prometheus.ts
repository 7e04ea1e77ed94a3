import type { AlertSpec, RuleGroup } from '../spec';
import { toYaml } from './yaml';

/** Where runbook links point by default: this package in the repository. */
export const DEFAULT_RUNBOOK_BASE_URL =
  'https://github.com/beacon/beacon/blob/main/packages/alert-rules/';

export interface RenderOptions {
  /** Prefix of every `runbook_url`; the runbook's package-relative path is appended. */
  readonly runbookBaseUrl?: string;
}

export interface PrometheusRule {
  alert: string;
  expr: string;
  for: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

export interface PrometheusGroup {
  name: string;
  interval?: string;
  rules: PrometheusRule[];
}

export function toPrometheusRule(alert: AlertSpec, options: RenderOptions = {}): PrometheusRule {
  const base = options.runbookBaseUrl ?? DEFAULT_RUNBOOK_BASE_URL;
  const labels: Record<string, string> = { severity: alert.severity, team: alert.team };
  if (alert.service !== undefined) labels.service = alert.service;
  return {
    alert: alert.name,
    expr: alert.expr,
    for: alert.for,
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
    rules: group.alerts.map((a) => toPrometheusRule(a, options)),
  };
  if (group.interval !== undefined) out.interval = group.interval;
  return out;
}

/** A Prometheus rule file (`<domain>.rules.yml`) holding one group. */
export function renderRuleFile(group: RuleGroup, options: RenderOptions = {}): string {
  return toYaml({ groups: [toPrometheusGroup(group, options)] });
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
