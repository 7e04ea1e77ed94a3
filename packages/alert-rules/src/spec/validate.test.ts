import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { tempDir } from '../testing';
import { defineAlert } from './define';
import type { AlertSpec } from './types';
import {
  alertProblems,
  groupProblems,
  promqlErrors,
  recordingProblems,
  validateGroups,
} from './validate';

const root = tempDir('spec');
mkdirSync(path.join(root, 'runbooks'));
writeFileSync(path.join(root, 'runbooks', 'ServiceDown.md'), '# ServiceDown\n');

const good: AlertSpec = {
  name: 'ServiceDown',
  expr: 'max by (service) (up) == 0',
  for: '2m',
  severity: 'critical',
  team: 'platform',
  summary: 'Service {{ $labels.service }} is down',
  description: 'No target answers.',
  runbook: 'runbooks/ServiceDown.md',
};

describe('alertProblems', () => {
  it('accepts a complete alert whose runbook exists', () => {
    expect(alertProblems(good, root)).toEqual([]);
  });

  it('rejects a name that is not UpperCamelCase, naming the alert', () => {
    expect(alertProblems({ ...good, name: 'service_down' }, root)).toContain(
      'alert "service_down": name must be UpperCamelCase (e.g. "ServiceDown")',
    );
  });

  it('rejects PromQL that does not parse', () => {
    const problems = alertProblems({ ...good, expr: 'sum(rate(up[5m]) > ' }, root);
    expect(problems.length).toBeGreaterThan(0);
    expect(problems[0]).toMatch(
      /^alert "ServiceDown": expr does not parse: syntax error at offset/,
    );
  });

  it('rejects a missing runbook file', () => {
    expect(
      alertProblems({ ...good, name: 'NoRunbook', runbook: 'runbooks/NoRunbook.md' }, root),
    ).toEqual(['alert "NoRunbook": runbook file runbooks/NoRunbook.md does not exist']);
  });

  it('rejects a runbook path that is not runbooks/<AlertName>.md', () => {
    expect(alertProblems({ ...good, runbook: 'docs/down.md' }, root)).toEqual([
      'alert "ServiceDown": runbook must be "runbooks/ServiceDown.md", not "docs/down.md"',
    ]);
  });

  // Found by the audit of 2026-12-07: no test held these two checks.
  it('rejects an empty expr and a blank service, naming each', () => {
    expect(alertProblems({ ...good, expr: '  ', service: ' ' }, root)).toEqual([
      'alert "ServiceDown": expr must not be empty',
      'alert "ServiceDown": service must not be empty',
    ]);
  });

  it('rejects an unknown severity, a bad duration and empty texts', () => {
    expect(
      alertProblems(
        {
          ...good,
          severity: 'page' as never,
          for: 'soon',
          summary: ' ',
          description: '',
          team: '',
        },
        root,
      ),
    ).toEqual([
      'alert "ServiceDown": severity "page" is not one of critical, warning, info',
      'alert "ServiceDown": "for" "soon" is not a duration',
      'alert "ServiceDown": team must not be empty',
      'alert "ServiceDown": summary must not be empty',
      'alert "ServiceDown": description must not be empty',
    ]);
  });
});

describe('groupProblems', () => {
  it('rejects the same alert name twice with the same severity', () => {
    expect(groupProblems([{ domain: 'app', alerts: [good, good] }], root)).toEqual([
      'alert "ServiceDown": declared twice with severity critical',
    ]);
  });

  it('accepts the same alert name with two severities', () => {
    const warning = { ...good, severity: 'warning' as const };
    expect(groupProblems([{ domain: 'app', alerts: [good, warning] }], root)).toEqual([]);
  });

  it('rejects a domain that is not kebab-case or appears twice', () => {
    expect(
      groupProblems(
        [
          { domain: 'App', alerts: [good] },
          { domain: 'App', alerts: [{ ...good, severity: 'info' }] },
        ],
        root,
      ),
    ).toEqual([
      'group "App": domain must be lower-case kebab-case',
      'group "App": domain must be lower-case kebab-case',
      'group "App": domain is declared twice',
    ]);
  });

  it('throws one error listing every problem from validateGroups', () => {
    expect(() =>
      validateGroups([{ domain: 'app', alerts: [{ ...good, name: 'bad' }] }], root),
    ).toThrow('invalid alert rules:\n  alert "bad": name must be UpperCamelCase');
  });
});

describe('defineAlert', () => {
  it('points the runbook at runbooks/<name>.md', () => {
    const { runbook: _r, ...rest } = good;
    expect(defineAlert({ ...rest, name: 'HpaAtMaxReplicas' }).runbook).toBe(
      'runbooks/HpaAtMaxReplicas.md',
    );
  });
});

describe('promqlErrors', () => {
  it('finds no error in a valid expression', () => {
    expect(
      promqlErrors('histogram_quantile(0.95, sum by (le) (rate(x_bucket[5m]))) > 0.5'),
    ).toEqual([]);
  });
});

describe('recordingProblems', () => {
  it('accepts a level:metric:operations record', () => {
    expect(recordingProblems({ record: 'slo:sli_error:ratio_rate5m', expr: 'up' })).toEqual([]);
  });

  it('rejects a record name without colons and an expression that does not parse', () => {
    const problems = recordingProblems({
      record: 'error_ratio',
      expr: 'sum(',
      labels: { 'a-b': 'x' },
    });
    expect(problems[0]).toBe('record "error_ratio": name must be level:metric:operations');
    expect(problems[1]).toMatch(/^record "error_ratio": expr does not parse/);
    expect(problems).toContain('record "error_ratio": label name "a-b" is not valid');
  });

  it('rejects the same record with the same labels twice in a group', () => {
    const rec = { record: 'a:b:c', expr: 'up', labels: { slo: 'x' } };
    expect(groupProblems([{ domain: 'app', records: [rec, rec], alerts: [good] }], root)).toEqual([
      'record "a:b:c": declared twice with the same labels',
    ]);
  });
});
