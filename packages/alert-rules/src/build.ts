import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { stringify } from 'yaml';
import { renderAlertmanagerConfig } from './alertmanager/config';
import type { AlertmanagerOptions } from './alertmanager/config';
import {
  DEFAULT_RUNBOOK_BASE_URL,
  checkRunbookBaseUrl,
  renderPrometheusRule,
  renderRuleFile,
} from './render/prometheus';
import type { RenderOptions } from './render/prometheus';
import { renderGrafanaAlerting } from './render/grafana';
import { GENERATED_HEADER } from './render/yaml';
import { ruleGroups } from './rules';
import { PACKAGE_ROOT, validateGroups } from './spec';
import type { RuleGroup } from './spec';

/** Where the hand-written promtool tests live, one `<domain>.test.yml` per rule group. */
export const PROMTOOL_TESTS_DIR = path.join(PACKAGE_ROOT, 'testdata', 'promtool');

/** `runbook_url: <default base>runbooks/<file>` in the hand-written promtool tests. */
const DEFAULT_RUNBOOK_URL = new RegExp(
  `runbook_url: ${DEFAULT_RUNBOOK_BASE_URL.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}runbooks/(\\S+)`,
  'g',
);

/**
 * A domain's hand-written promtool test, with `rule_files` pointed from the test's own folder
 * (`prometheus/tests/`) at the generated rule file one level up, and the expected `runbook_url`s
 * moved from the default base to `runbookBaseUrl` (the tests are written against the default).
 */
export function promtoolTestFile(
  domain: string,
  testsDir = PROMTOOL_TESTS_DIR,
  runbookBaseUrl = DEFAULT_RUNBOOK_BASE_URL,
): string {
  const file = path.join(testsDir, `${domain}.test.yml`);
  if (!existsSync(file)) throw new Error(`rule group "${domain}": no promtool test file ${file}`);
  const text = readFileSync(file, 'utf8');
  const from = `rule_files:\n  - ${domain}.rules.yml\n`;
  if (!text.includes(from)) {
    throw new Error(`${file}: rule_files must list exactly ${domain}.rules.yml`);
  }
  const base = checkRunbookBaseUrl(runbookBaseUrl);
  return (
    `${GENERATED_HEADER}# copied from packages/alert-rules/testdata/promtool/${domain}.test.yml\n` +
    text
      .replace(from, `rule_files:\n  - ../${domain}.rules.yml\n`)
      // A replacer function, not a string: `$&` or `$'` in the base must not be expanded. And the
      // whole value is written as YAML writes it, so a base such as `*x/` or `{x}/` is quoted as
      // in the rule files instead of breaking the test file. On one line: a block scalar (YAML
      // writes `...x/` as one, `...` ending a document) would put its text at column 0.
      .replace(DEFAULT_RUNBOOK_URL, (_line, rest: string) => {
        const url = `${base}runbooks/${rest}`;
        return `runbook_url: ${stringify(url, { lineWidth: 0, blockQuote: false }).trimEnd()}`;
      })
  );
}

/** Every output file, path relative to the output directory → content. Sorted by path. */
export function renderAll(
  groups: readonly RuleGroup[] = ruleGroups,
  options: RenderOptions & { alertmanager?: AlertmanagerOptions } = {},
): Map<string, string> {
  validateGroups(groups);
  const files = new Map<string, string>();
  for (const group of groups) {
    files.set(`prometheus/${group.domain}.rules.yml`, renderRuleFile(group, options));
    files.set(
      `prometheus/tests/${group.domain}.test.yml`,
      promtoolTestFile(group.domain, PROMTOOL_TESTS_DIR, options.runbookBaseUrl),
    );
  }
  files.set('kubernetes/prometheusrule.yaml', renderPrometheusRule(groups, options));
  files.set('grafana/alert-rules.yaml', renderGrafanaAlerting(groups, options));
  files.set('alertmanager/alertmanager.yml', renderAlertmanagerConfig(options.alertmanager));
  return new Map([...files.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** Writes every output under `outDir`; returns the paths written. */
export function build(outDir: string, options: RenderOptions = {}): string[] {
  const written: string[] = [];
  for (const [rel, content] of renderAll(ruleGroups, options)) {
    const file = path.join(outDir, rel);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, content);
    written.push(file);
  }
  return written;
}
