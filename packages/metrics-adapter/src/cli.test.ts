// The built command, as users run it (`npx beacon-metrics-adapter`): turbo builds before tests.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseAdapterConfig } from './provider/prometheus/config';

const CLI = join(__dirname, '..', 'dist', 'cli.js');
const run = (...args: string[]) => {
  if (!existsSync(CLI))
    throw new Error(`${CLI} is missing: build the package first (npm run build)`);
  return spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 20_000 });
};

describe('beacon-metrics-adapter', () => {
  it('runs through npx from the repository root, as the README has it (linked by the build)', () => {
    // --no-install: a command npm did not link is an error here, not a download from the registry.
    const r = spawnSync('npx', ['--no-install', 'beacon-metrics-adapter', '--help'], {
      cwd: join(__dirname, '..', '..', '..'),
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect([r.status, r.stderr]).toEqual([0, '']);
    expect(r.stdout).toContain('Usage: beacon-metrics-adapter [flags]');
  });

  it('prints usage with --help and exits 0', () => {
    const r = run('--help');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('Usage: beacon-metrics-adapter [flags]');
    expect(r.stdout).toContain('--prometheus-url');
  });

  it('exits 2 naming an unknown flag', () => {
    const r = run('--prometheus-urll=http://x');
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('Error: unknown flag: --prometheus-urll');
  });

  it('prints the presets as a prometheus-adapter config that parses', () => {
    const r = run('--print-presets');
    expect(r.status).toBe(0);
    const config = parseAdapterConfig(r.stdout, 'presets');
    expect(config.rules.length).toBe(6);
    expect(config.externalRules.length).toBe(1);
    expect(r.stdout).toContain(
      'seriesQuery: \'DCGM_FI_DEV_GPU_UTIL{exported_namespace!="",exported_pod!=""}\'',
    );
  });

  it('exits 1 naming a config error', () => {
    const r = run('--config=/nonexistent/rules.yaml', '--secure-port=0');
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('cannot read --config /nonexistent/rules.yaml');
  });
});
