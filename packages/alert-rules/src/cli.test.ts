import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { USAGE, main, parseArgs } from './cli';
import { tempDir } from './testing';

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

  it('rejects an unknown command', () => {
    expect(run(['deploy']).err).toContain('unknown command "deploy"');
  });

  it('rejects --out without a value', () => {
    expect(() => parseArgs(['build', '--out'])).toThrow('--out needs a value');
  });

  it('writes rule files, the PrometheusRule and alertmanager.yml', () => {
    const dir = tempDir('cli');
    const r = run(['build', '--out', dir, '--runbook-base-url', 'https://example.test/']);
    expect(r.code).toBe(0);
    expect(readdirSync(path.join(dir, 'prometheus')).sort()).toEqual([
      'ai.rules.yml',
      'application.rules.yml',
      'infrastructure.rules.yml',
      'tests',
      'websocket.rules.yml',
    ]);
    expect(readdirSync(path.join(dir, 'kubernetes'))).toEqual(['prometheusrule.yaml']);
    expect(readdirSync(path.join(dir, 'alertmanager'))).toEqual(['alertmanager.yml']);
    expect(readFileSync(path.join(dir, 'prometheus', 'application.rules.yml'), 'utf8')).toContain(
      'runbook_url: https://example.test/runbooks/ServiceDown.md',
    );
  });

  it('starts the built script with a node shebang', () => {
    expect(readFileSync(path.join(__dirname, 'cli.ts'), 'utf8').split('\n')[0]).toBe(
      '#!/usr/bin/env node',
    );
    expect(USAGE).toContain('--out <dir>');
  });
});
