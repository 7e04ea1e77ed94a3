// The completeness check: every alert has a promtool test where it fires and one where it stays
// quiet (but one that always fires, `vector(1)`), a runbook file, a valid severity, and a route
// in the Alertmanager config.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { receiversFor } from './alertmanager/config';
import { PACKAGE_ROOT, SEVERITIES, alwaysFires } from './spec';
import type { RuleGroup } from './spec';

interface PromtoolTestFile {
  tests?: {
    alert_rule_test?: {
      alertname: string;
      exp_alerts?: { exp_labels?: Record<string, string> }[];
    }[];
  }[];
}

/** Every gap, one message each naming the alert; empty when complete. */
export function coverageProblems(
  groups: readonly RuleGroup[],
  testsDir = path.join(PACKAGE_ROOT, 'testdata', 'promtool'),
  packageRoot = PACKAGE_ROOT,
): string[] {
  const problems: string[] = [];
  for (const group of groups) {
    const file = path.join(testsDir, `${group.domain}.test.yml`);
    const cases = existsSync(file)
      ? ((parse(readFileSync(file, 'utf8')) as PromtoolTestFile).tests ?? []).flatMap(
          (t) => t.alert_rule_test ?? [],
        )
      : [];
    if (!existsSync(file))
      problems.push(`group ${JSON.stringify(group.domain)}: no test file ${file}`);
    for (const alert of group.alerts) {
      const subject = `alert ${JSON.stringify(alert.name)} (${alert.severity})`;
      const mine = cases.filter((c) => c.alertname === alert.name);
      const fires = mine.some((c) =>
        (c.exp_alerts ?? []).some((a) => a.exp_labels?.severity === alert.severity),
      );
      const quiet = mine.some(
        (c) => !(c.exp_alerts ?? []).some((a) => a.exp_labels?.severity === alert.severity),
      );
      if (!fires) problems.push(`${subject}: no promtool test where it fires`);
      // A heartbeat (the Watchdog's `vector(1)`) has no case where it is quiet.
      if (!quiet && !alwaysFires(alert))
        problems.push(`${subject}: no promtool test where it stays quiet`);
      if (!existsSync(path.join(packageRoot, alert.runbook))) {
        problems.push(`${subject}: runbook ${alert.runbook} does not exist`);
      }
      if (!(SEVERITIES as readonly string[]).includes(alert.severity)) {
        problems.push(`${subject}: severity is not one of ${SEVERITIES.join(', ')}`);
      } else if (receiversFor(alert).length === 0) {
        problems.push(`${subject}: no Alertmanager route for its severity`);
      }
    }
  }
  return problems;
}
