import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { build } from './build';
import { ruleGroups } from './rules';
import { PACKAGE_ROOT } from './spec';
import { runTool, tempDir } from './testing';

// The real pint (cloudflare/pint, pinned in package.json's beacon.requires and built by
// scripts/setup.mjs), offline: no Prometheus is queried. A missing binary fails, never skips.
const CONFIG = path.join(PACKAGE_ROOT, '.pint.hcl');

function pint(files: readonly string[], cwd: string) {
  return runTool(
    'pint',
    [
      '--offline',
      '--no-color',
      '-c',
      CONFIG,
      'lint',
      '--min-severity=info',
      '--fail-on=bug',
      ...files,
    ],
    cwd,
  );
}

describe('pint', () => {
  const out = tempDir('pint');
  build(out);
  const promDir = path.join(out, 'prometheus');
  const files = ruleGroups.map((g) => `${g.domain}.rules.yml`);

  it('is the version package.json pins', () => {
    const manifest = JSON.parse(readFileSync(path.join(PACKAGE_ROOT, 'package.json'), 'utf8')) as {
      beacon: { requires: { command: string; go?: string }[] };
    };
    expect(manifest.beacon.requires.find((r) => r.command === 'pint')?.go).toBe(
      'github.com/cloudflare/pint/cmd/pint@v0.60.0',
    );
  });

  it('finds no bug-level problem in the generated rule files', () => {
    const res = pint(files, promDir);
    expect({
      code: res.code,
      bugs: res.output.split('\n').filter((l) => / (Bug|Fatal): /.test(l)),
    }).toEqual({ code: 0, bugs: [] });
    expect(res.output).toContain('Finding all rules to check');
  });

  it('reports nothing at all, not even information, on the generated rule files', () => {
    expect(pint(files, promDir).output).not.toContain('Problems found');
  });

  it('fails on a rule whose template names a label the query aggregates away', () => {
    // Guards the harness: pint must run its checks and exit non-zero on a bug.
    const bad = path.join(promDir, 'broken.rules.yml');
    writeFileSync(
      bad,
      [
        'groups:',
        '  - name: broken',
        '    rules:',
        '      - alert: Broken',
        '        expr: sum by (service) (up) == 0',
        '        labels: { severity: critical, team: platform }',
        '        annotations:',
        '          summary: "pod {{ $labels.pod }} is down"',
        '          description: d',
        '          runbook_url: packages/alert-rules/runbooks/Broken.md',
        '',
      ].join('\n'),
    );
    const res = pint(['broken.rules.yml'], promDir);
    expect(res.code).not.toBe(0);
    expect(res.output).toMatch(/Bug: .*alerts\/template/);
  });

  it('fails on an alert without a severity label, by the rules in .pint.hcl', () => {
    const bad = path.join(promDir, 'nolabel.rules.yml');
    writeFileSync(
      bad,
      [
        'groups:',
        '  - name: nolabel',
        '    rules:',
        '      - alert: NoSeverity',
        '        expr: up == 0',
        '        labels: { team: platform }',
        '        annotations: { summary: s, description: d, runbook_url: runbooks/NoSeverity.md }',
        '',
      ].join('\n'),
    );
    const res = pint(['nolabel.rules.yml'], promDir);
    expect(res.code).not.toBe(0);
    expect(res.output).toMatch(/Bug: .*severity/);
  });
});
