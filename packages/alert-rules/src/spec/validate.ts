import { existsSync } from 'node:fs';
import path from 'node:path';
import { parser } from '@prometheus-io/lezer-promql';
import { SEVERITIES, runbookFor } from './types';
import type { AlertSpec, RecordingSpec, RuleGroup } from './types';

/** The package root (two levels up from both src/spec and dist/spec). */
export const PACKAGE_ROOT = path.resolve(__dirname, '..', '..');

const UPPER_CAMEL = /^[A-Z][a-z0-9]+(?:[A-Z][a-z0-9]*)*$/;
const DURATION = /^(?:\d+(?:ms|s|m|h|d|w|y))+$/;
const DOMAIN = /^[a-z][a-z0-9-]*$/;

/** Parses with Prometheus' own grammar; returns a message per error node. */
export function promqlErrors(expr: string): string[] {
  const errors: string[] = [];
  parser.parse(expr).iterate({
    enter: (node) => {
      if (node.type.isError) {
        errors.push(
          `syntax error at offset ${node.from} near ${JSON.stringify(expr.slice(node.from, node.from + 20))}`,
        );
      }
    },
  });
  return errors;
}

/** Every problem with one alert, each naming the alert. */
export function alertProblems(alert: AlertSpec, packageRoot = PACKAGE_ROOT): string[] {
  const problems: string[] = [];
  const add = (msg: string) => problems.push(`alert ${JSON.stringify(alert.name)}: ${msg}`);
  if (!UPPER_CAMEL.test(alert.name)) add('name must be UpperCamelCase (e.g. "ServiceDown")');
  if (!(SEVERITIES as readonly string[]).includes(alert.severity)) {
    add(`severity ${JSON.stringify(alert.severity)} is not one of ${SEVERITIES.join(', ')}`);
  }
  if (!DURATION.test(alert.for)) add(`"for" ${JSON.stringify(alert.for)} is not a duration`);
  if (!alert.expr.trim()) add('expr must not be empty');
  else for (const e of promqlErrors(alert.expr)) add(`expr does not parse: ${e}`);
  if (!alert.team.trim()) add('team must not be empty');
  if (alert.service !== undefined && !alert.service.trim()) add('service must not be empty');
  if (!alert.summary.trim()) add('summary must not be empty');
  if (!alert.description.trim()) add('description must not be empty');
  const expected = runbookFor(alert.name);
  if (alert.runbook !== expected) {
    add(`runbook must be ${JSON.stringify(expected)}, not ${JSON.stringify(alert.runbook)}`);
  } else if (!existsSync(path.join(packageRoot, alert.runbook))) {
    add(`runbook file ${alert.runbook} does not exist`);
  }
  return problems;
}

const RECORD_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*:[a-zA-Z0-9_:]*[a-zA-Z0-9_]$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** Every problem with one recording rule, each naming the record. */
export function recordingProblems(rule: RecordingSpec): string[] {
  const problems: string[] = [];
  const add = (msg: string) => problems.push(`record ${JSON.stringify(rule.record)}: ${msg}`);
  if (!RECORD_NAME.test(rule.record)) add('name must be level:metric:operations');
  if (!rule.expr.trim()) add('expr must not be empty');
  else for (const e of promqlErrors(rule.expr)) add(`expr does not parse: ${e}`);
  for (const name of Object.keys(rule.labels ?? {})) {
    if (!LABEL_NAME.test(name)) add(`label name ${JSON.stringify(name)} is not valid`);
  }
  return problems;
}

/** Problems across groups: each alert's, bad domains, and duplicate name+severity pairs. */
export function groupProblems(groups: readonly RuleGroup[], packageRoot = PACKAGE_ROOT): string[] {
  const problems: string[] = [];
  const seenDomains = new Set<string>();
  const seen = new Set<string>();
  for (const group of groups) {
    if (!DOMAIN.test(group.domain)) {
      problems.push(`group ${JSON.stringify(group.domain)}: domain must be lower-case kebab-case`);
    }
    if (seenDomains.has(group.domain)) {
      problems.push(`group ${JSON.stringify(group.domain)}: domain is declared twice`);
    }
    seenDomains.add(group.domain);
    if (group.alerts.length === 0)
      problems.push(`group ${JSON.stringify(group.domain)}: no alerts`);
    const records = new Set<string>();
    for (const rule of group.records ?? []) {
      const key = `${rule.record}${JSON.stringify(Object.entries(rule.labels ?? {}).sort())}`;
      if (records.has(key)) {
        problems.push(`record ${JSON.stringify(rule.record)}: declared twice with the same labels`);
      }
      records.add(key);
      problems.push(...recordingProblems(rule));
    }
    for (const alert of group.alerts) {
      const key = `${alert.name}/${alert.severity}`;
      if (seen.has(key)) {
        problems.push(
          `alert ${JSON.stringify(alert.name)}: declared twice with severity ${alert.severity}`,
        );
      }
      seen.add(key);
      problems.push(...alertProblems(alert, packageRoot));
    }
  }
  return problems;
}

/** Throws one error listing every problem, or returns the groups unchanged. */
export function validateGroups<G extends readonly RuleGroup[]>(
  groups: G,
  packageRoot = PACKAGE_ROOT,
): G {
  const problems = groupProblems(groups, packageRoot);
  if (problems.length > 0) {
    throw new Error(`invalid alert rules:\n  ${problems.join('\n  ')}`);
  }
  return groups;
}
