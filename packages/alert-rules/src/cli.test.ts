import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { USAGE, main, parseArgs } from './cli';
import { PACKAGE_ROOT } from './spec';
import { runTool, tempDir } from './testing';

function run(argv: string[]): { code: number; out: string; err: string } {
  let out = '';
  let err = '';
  const code = main(
    argv,
    (s) => (out += s),
    (s) => (err += s),
  );
  return { code, out, err };
}

describe('beacon-alerts', () => {
  it('prints usage with --help and exits 0', () => {
    const r = run(['--help']);
    expect(r.code).toBe(0);
    expect(r.out).toContain('Usage: beacon-alerts build --out <dir>');
  });

  it('rejects an unknown flag, naming it', () => {
    const r = run(['build', '--out', '/tmp/x', '--verbose']);
    expect(r.code).toBe(2);
    expect(r.err).toContain('unknown flag "--verbose"');
  });

  it('rejects build without --out', () => {
    const r = run(['build']);
    expect(r.code).toBe(2);
    expect(r.err).toContain('build needs --out <dir>');
  });

  // Found by the audit of 2026-12-07: both were refused, where beacon-dashboards takes them.
  it('prints usage for the help command and exits 0', () => {
    const r = run(['help']);
    expect(r).toEqual({ code: 0, out: USAGE, err: '' });
  });

  it('takes --flag=value as beacon-dashboards does', () => {
    expect(parseArgs(['build', '--out=dir', '--runbook-base-url=https://example.test/'])).toEqual({
      help: false,
      command: 'build',
      out: 'dir',
      runbookBaseUrl: 'https://example.test/',
    });
    expect(parseArgs(['build', '--out=-dir']).out).toBe('-dir');
    const dir = tempDir('cli-eq');
    const r = run(['build', `--out=${dir}`]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(existsSync(path.join(dir, 'alertmanager', 'alertmanager.yml'))).toBe(true);
  });

  it('still refuses --out= without a value, and an unknown --flag=value', () => {
    expect(run(['build', '--out=']).err).toContain('beacon-alerts: --out needs a value');
    const r = run(['build', '--out=x', '--verbose=1']);
    expect(r.code).toBe(2);
    expect(r.err).toContain('unknown flag "--verbose=1"');
  });

  it('rejects an unknown command', () => {
    expect(run(['deploy']).err).toContain('unknown command "deploy"');
  });

  it('rejects --out without a value', () => {
    expect(() => parseArgs(['build', '--out'])).toThrow('--out needs a value');
  });

  it('writes rule files, the PrometheusRule, Grafana provisioning and alertmanager.yml', () => {
    const dir = tempDir('cli');
    const r = run(['build', '--out', dir, '--runbook-base-url', 'https://example.test/']);
    expect(r.code).toBe(0);
    expect(readdirSync(path.join(dir, 'prometheus')).sort()).toEqual([
      'ai.rules.yml',
      'application.rules.yml',
      'business.rules.yml',
      'infrastructure.rules.yml',
      'security.rules.yml',
      'slo.rules.yml',
      'storage.rules.yml',
      'tests',
      'tools.rules.yml',
      'websocket.rules.yml',
    ]);
    expect(readdirSync(path.join(dir, 'kubernetes'))).toEqual(['prometheusrule.yaml']);
    expect(readdirSync(path.join(dir, 'alertmanager'))).toEqual(['alertmanager.yml']);
    expect(readdirSync(path.join(dir, 'grafana'))).toEqual(['alert-rules.yaml']);
    expect(readFileSync(path.join(dir, 'grafana', 'alert-rules.yaml'), 'utf8')).toContain(
      'runbook_url: https://example.test/runbooks/ServiceDown.md',
    );
    expect(readFileSync(path.join(dir, 'prometheus', 'application.rules.yml'), 'utf8')).toContain(
      'runbook_url: https://example.test/runbooks/ServiceDown.md',
    );
    // The hand-written tests expect the default base; the build moves them to the one given.
    const tests = path.join(dir, 'prometheus', 'tests');
    expect(readFileSync(path.join(tests, 'application.test.yml'), 'utf8')).toContain(
      'runbook_url: https://example.test/runbooks/ServiceDown.md',
    );
    const res = runTool('promtool', ['test', 'rules', 'application.test.yml'], tests);
    expect({ code: res.code, output: res.output }).toEqual({
      code: 0,
      output: expect.stringContaining('SUCCESS'),
    });
  });

  it('points runbook_url at the runbook file in the repository by default', () => {
    const dir = tempDir('cli-default');
    expect(run(['build', '--out', dir]).code).toBe(0);
    const text = readFileSync(path.join(dir, 'prometheus', 'storage.rules.yml'), 'utf8');
    const urls = [...text.matchAll(/runbook_url: (\S+)/g)].map((m) => m[1] as string);
    expect(urls).toContain('packages/alert-rules/runbooks/PostgresDown.md');
    for (const url of urls) {
      expect(existsSync(path.join(PACKAGE_ROOT, '..', '..', url))).toBe(true);
    }
  });

  it('rejects a runbook base URL that is not a URL or relative folder, naming it', () => {
    const r = run(['build', '--out', tempDir('cli-bad'), '--runbook-base-url', 'ftp://x']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(
      /^beacon-alerts: --runbook-base-url: invalid runbook base URL "ftp:\/\/x"/,
    );
  });

  it('starts the built script with a node shebang', () => {
    expect(readFileSync(path.join(__dirname, 'cli.ts'), 'utf8').split('\n')[0]).toBe(
      '#!/usr/bin/env node',
    );
    expect(USAGE).toContain('--out <dir>');
  });
});
