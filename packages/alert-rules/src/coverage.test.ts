import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { coverageProblems } from './coverage';
import { ruleGroups } from './rules';
import { defineAlert } from './spec';
import type { RuleGroup } from './spec';
import { tempDir } from './testing';

describe('coverageProblems', () => {
  it('finds nothing missing for the real rules', () => {
    expect(coverageProblems(ruleGroups)).toEqual([]);
  });

  it('reports an alert without a test, a runbook or a valid severity', () => {
    const root = tempDir('coverage');
    mkdirSync(path.join(root, 'tests'));
    writeFileSync(
      path.join(root, 'tests', 'demo.test.yml'),
      [
        'tests:',
        '  - alert_rule_test:',
        '      - alertname: Covered',
        '        exp_alerts: [{ exp_labels: { severity: warning } }]',
        '      - alertname: Covered',
        '        exp_alerts: []',
        '      - alertname: OnlyQuiet',
        '        exp_alerts: []',
      ].join('\n'),
    );
    mkdirSync(path.join(root, 'runbooks'));
    writeFileSync(path.join(root, 'runbooks', 'Covered.md'), '# Covered\n');
    const base = { expr: 'up == 0', for: '1m', team: 't', summary: 's', description: 'd' };
    const group: RuleGroup = {
      domain: 'demo',
      alerts: [
        defineAlert({ ...base, name: 'Covered', severity: 'warning' }),
        defineAlert({ ...base, name: 'OnlyQuiet', severity: 'critical' }),
        defineAlert({ ...base, name: 'Covered', severity: 'urgent' as never }),
      ],
    };
    expect(coverageProblems([group], path.join(root, 'tests'), root)).toEqual([
      'alert "OnlyQuiet" (critical): no promtool test where it fires',
      'alert "OnlyQuiet" (critical): runbook runbooks/OnlyQuiet.md does not exist',
      'alert "Covered" (urgent): no promtool test where it fires',
      'alert "Covered" (urgent): severity is not one of critical, warning, info',
    ]);
  });

  it('needs no quiet test for an alert that always fires (the Watchdog), and only for it', () => {
    const root = tempDir('coverage-heartbeat');
    mkdirSync(path.join(root, 'tests'));
    writeFileSync(
      path.join(root, 'tests', 'demo.test.yml'),
      [
        'tests:',
        '  - alert_rule_test:',
        '      - alertname: Heartbeat',
        '        exp_alerts: [{ exp_labels: { severity: info } }]',
        '      - alertname: AlmostHeartbeat',
        '        exp_alerts: [{ exp_labels: { severity: info } }]',
      ].join('\n'),
    );
    mkdirSync(path.join(root, 'runbooks'));
    writeFileSync(path.join(root, 'runbooks', 'Heartbeat.md'), '# Heartbeat\n');
    writeFileSync(path.join(root, 'runbooks', 'AlmostHeartbeat.md'), '# AlmostHeartbeat\n');
    const base = {
      for: '0m',
      team: 't',
      summary: 's',
      description: 'd',
      severity: 'info',
    } as const;
    const group: RuleGroup = {
      domain: 'demo',
      alerts: [
        defineAlert({ ...base, name: 'Heartbeat', expr: 'vector(1)' }),
        defineAlert({ ...base, name: 'AlmostHeartbeat', expr: 'vector(1) > 0' }),
      ],
    };
    expect(coverageProblems([group], path.join(root, 'tests'), root)).toEqual([
      'alert "AlmostHeartbeat" (info): no promtool test where it stays quiet',
    ]);
  });

  it('reports a domain without a test file', () => {
    const group: RuleGroup = { domain: 'nothing', alerts: [] };
    expect(coverageProblems([group], tempDir('empty'))[0]).toMatch(
      /^group "nothing": no test file .*nothing\.test\.yml$/,
    );
  });
});
