import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { main } from './cli';

async function run(...argv: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) });
  return { code, stdout, stderr };
}

describe('beacon-dashboards', () => {
  it('starts with a node shebang line', () => {
    expect(readFileSync(join(__dirname, 'cli.ts'), 'utf8').split('\n')[0]).toBe(
      '#!/usr/bin/env node',
    );
  });

  it('says a command is missing on stderr, with the usage, and exits 2', async () => {
    const r = await run();
    expect([r.code, r.stdout]).toEqual([2, '']);
    expect(r.stderr).toMatch(/^beacon-dashboards: missing command\n\nUsage: beacon-dashboards/);
  });

  it('prints usage with --help and exits 0', async () => {
    const r = await run('--help');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Usage: beacon-dashboards <command>');
    expect(r.stdout).toContain('build --out <dir>');
    expect(r.stdout).toContain('lint [--format text|json]');
  });

  it('build --out writes the dashboards and the provisioning file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'beacon-cli-'));
    try {
      const r = await run('build', '--out', dir);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain(
        `wrote ${join(dir, 'dashboards', 'beacon-system-overview.json')}\n`,
      );
      const overview = JSON.parse(
        readFileSync(join(dir, 'dashboards', 'beacon-system-overview.json'), 'utf8'),
      ) as { uid: string; refresh: string };
      expect(overview).toMatchObject({ uid: 'beacon-system-overview', refresh: '30s' });
      expect(existsSync(join(dir, 'dashboards', 'beacon-ai-models.json'))).toBe(true);
      // A relative DIR is printed as given, not made absolute.
      const given = relative(process.cwd(), dir);
      expect((await run('build', '--out', given)).stdout).toContain(
        `wrote ${join(given, 'dashboards', 'beacon-system-overview.json')}\n`,
      );
      expect(existsSync(join(dir, 'dashboards', 'beacon-infrastructure.json'))).toBe(true);
      expect(
        readFileSync(join(dir, 'provisioning', 'dashboards', 'beacon.yaml'), 'utf8'),
      ).toContain('path: /var/lib/grafana/dashboards/beacon');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('build --dashboards-path sets the provisioning path', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'beacon-cli-'));
    try {
      expect((await run('build', `--out=${dir}`, '--dashboards-path', '/srv/dash')).code).toBe(0);
      expect(
        readFileSync(join(dir, 'provisioning', 'dashboards', 'beacon.yaml'), 'utf8'),
      ).toContain('path: /srv/dash');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('build without --out is a usage error', async () => {
    const r = await run('build');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('build needs --out <dir>');
  });

  it('lint reports no findings on the built dashboards and exits 0', async () => {
    const r = await run('lint');
    expect(r).toEqual({ code: 0, stdout: 'no findings\n', stderr: '' });
  });

  it('lint --format json prints the findings as a JSON array', async () => {
    const r = await run('lint', '--format', 'json');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual([]);
  });

  it('lint exits 1 when the schema cannot be read', async () => {
    const r = await run('lint', '--schema', '/nonexistent/schema.json');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('Grafana dashboard schema not found at /nonexistent/schema.json');
  });

  it('rejects an unknown flag', async () => {
    const r = await run('lint', '--colour');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('unknown flag --colour');
  });

  it('rejects an unknown format', async () => {
    const r = await run('lint', '--format', 'yaml');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('unknown format "yaml"');
  });

  it('rejects an unknown command', async () => {
    const r = await run('deploy');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('unknown command "deploy"');
  });
});
