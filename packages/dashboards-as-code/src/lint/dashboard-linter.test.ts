import { mkdtempSync, rmSync, writeFileSync, chmodSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { buildAll } from '../build';
import { LINT_CONFIG_PATH, locateDashboardLinter } from './dashboard-linter';

type Entries = {
  reason?: string;
  entries?: { dashboard?: string; panel?: string; reason?: string }[];
};

describe('dashboard-linter runner', () => {
  it('fails loudly, saying how to build it, when the binary is missing', () => {
    expect(() =>
      locateDashboardLinter({ toolsBin: '/nonexistent/tools', path: '/nonexistent/bin' }),
    ).toThrow(
      'dashboard-linter not found in /nonexistent/tools:/nonexistent/bin: the grafana/dashboard-linter check cannot run. Build it with `node scripts/setup.mjs`',
    );
  });

  it('prefers the repository tool folder to PATH', () => {
    const dir = mkdtempSync(join(tmpdir(), 'beacon-tools-'));
    try {
      const bin = join(dir, 'dashboard-linter');
      writeFileSync(bin, '#!/bin/sh\n');
      chmodSync(bin, 0o755);
      expect(locateDashboardLinter({ toolsBin: dir, path: '/usr/bin' })).toBe(bin);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the committed .lint configuration', () => {
  const config = parse(readFileSync(LINT_CONFIG_PATH, 'utf8')) as {
    exclusions?: Record<string, Entries>;
    warnings?: Record<string, Entries>;
  };
  const titles = [
    'Beacon / System Overview',
    'Beacon / AI Models',
    'Beacon / Infrastructure',
    'Beacon / Error Tracking',
    'Beacon / Debugging',
    'Beacon / Database',
    'Beacon / Business',
    'Beacon / Autoscaling',
  ];

  it('excludes only the job/instance rules and downgrades nothing', () => {
    expect(Object.keys(config.exclusions ?? {}).sort()).toEqual([
      'target-instance-rule',
      'target-job-rule',
      'template-instance-rule',
      'template-job-rule',
    ]);
    expect(config.warnings).toBeUndefined();
  });

  it('gives every exclusion a reason and names each dashboard it applies to', () => {
    for (const [rule, ex] of Object.entries(config.exclusions ?? {})) {
      expect({ rule, reason: (ex.reason ?? '').length > 40 }).toEqual({ rule, reason: true });
      const named = (ex.entries ?? []).map((e) => e.dashboard);
      expect({ rule, named: [...named].sort() }).toEqual({ rule, named: [...titles].sort() });
    }
  });

  it('names dashboards by the titles the build gives them', () => {
    expect(
      buildAll()
        .map((d) => d.title)
        .sort(),
    ).toEqual([...titles].sort());
  });
});
