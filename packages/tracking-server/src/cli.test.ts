// The built command, as users run it (`npx beacon-tracking-server`): turbo builds before tests.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const CLI = join(__dirname, '..', 'dist', 'cli.js');
const run = (...args: string[]) => {
  if (!existsSync(CLI))
    throw new Error(`${CLI} is missing: build the package first (npm run build)`);
  return spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 20_000 });
};

describe('beacon-tracking-server', () => {
  it('prints usage with --help', () => {
    const r = run('--help');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('beacon-tracking-server serve [--port 9300]');
    expect(r.stdout).toContain('project add <name>');
  });

  it('adds projects and prints id, key and a DSN an SDK accepts', () => {
    const dir = mkdtempSync(join(tmpdir(), 'beacon-cli-'));
    try {
      const first = JSON.parse(
        run(
          'project',
          'add',
          'web',
          '--data-dir',
          dir,
          '--public-url',
          'https://errors.example.com',
        ).stdout,
      ) as { id: number; key: string; dsn: string };
      const second = JSON.parse(run('project', 'add', 'api', '--data-dir', dir).stdout) as {
        id: number;
        key: string;
        dsn: string;
      };
      expect(first.id).toBe(1);
      expect(second.id).toBe(2);
      expect(first.key).toMatch(/^[0-9a-f]{32}$/);
      expect(first.dsn).toBe(`https://${first.key}@errors.example.com/1`);
      expect(second.dsn).toBe(`http://${second.key}@localhost:9300/2`);
      const config = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) as {
        projects: { name: string }[];
      };
      expect(config.projects.map((p) => p.name)).toEqual(['web', 'api']);
      const again = run('project', 'add', 'web', '--data-dir', dir);
      expect(again.status).toBe(1);
      expect(again.stderr).toContain('a project named "web" exists');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it.each([
    [['project', 'add', ' '], 'the project name must not be empty'],
    [['project', 'add', 'x', '--public-url', 'notaurl'], '--public-url must be an http(s) URL'],
    [['project', 'add', 'x', '--port', '5'], '--port is a serve option, not one of project add'],
    [['serve', '--port', '70000'], '--port must be from 0 to 65535'],
    [['serve', '--port', '1e3'], '--port must be a non-negative integer, got "1e3"'],
    [['serve', '--public-url', 'https://x.example'], '--public-url is an option of project add'],
  ])('refuses %j with exit 2 before touching the data directory', (args, message) => {
    const dir = mkdtempSync(join(tmpdir(), 'beacon-cli-'));
    try {
      const r = run(...args, '--data-dir', join(dir, 'data'));
      expect(r.status).toBe(2);
      expect(r.stderr).toContain(message);
      expect(existsSync(join(dir, 'data'))).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses to serve the API with an empty or unusable token', () => {
    const dir = mkdtempSync(join(tmpdir(), 'beacon-cli-'));
    try {
      writeFileSync(join(dir, 'api-token'), '  \n');
      const empty = run('serve', '--port', '0', '--data-dir', dir);
      expect(empty.status).toBe(1);
      expect(empty.stderr).toContain(
        'api-token is empty: refusing to serve the API without a token',
      );
      const spaced = run('serve', '--port', '0', '--data-dir', dir, '--api-token', 'two words');
      expect(spaced.status).toBe(1);
      expect(spaced.stderr).toContain('must be printable ASCII without spaces');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses unknown options and commands with exit 2', () => {
    expect(run('serve', '--prot', '1').status).toBe(2);
    const r = run('frobnicate');
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('unknown command: frobnicate');
  });
});
