// The built command, as users run it (`npx beacon-tracking-server`): turbo builds before tests.
import { spawn, spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const CLI = join(__dirname, '..', 'dist', 'cli.js');
const run = (...args: string[]) => {
  if (!existsSync(CLI))
    throw new Error(`${CLI} is missing: build the package first (npm run build)`);
  return spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 20_000 });
};

const runAsync = (args: string[], env: NodeJS.ProcessEnv) =>
  new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(process.execPath, args, { env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });

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

  it('gives concurrent project adds distinct ids, all kept in config.json', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'beacon-cli-'));
    try {
      // Each process spins until the same instant, so their adds overlap rather than queue up
      // behind process start-up.
      const barrier = join(dir, 'barrier.js');
      writeFileSync(barrier, 'while (Date.now() < Number(process.env.START_AT)) {}\n');
      const data = join(dir, 'data');
      const env = { ...process.env, START_AT: String(Date.now() + 1_500) };
      const names = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'];
      const runs = await Promise.all(
        names.map((name) => {
          const args = ['--require', barrier, CLI, 'project', 'add', name, '--data-dir', data];
          return runAsync(args, env);
        }),
      );
      expect(runs.map((r) => r.code)).toEqual(names.map(() => 0));
      const printed = runs.map((r) => JSON.parse(r.stdout) as { id: number; key: string });
      expect(printed.map((p) => p.id).sort()).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
      const config = JSON.parse(readFileSync(join(data, 'config.json'), 'utf8')) as {
        projects: { id: number; name: string; key: string }[];
      };
      const kept = (p: { id: number; key: string }) => `${p.id} ${p.key}`;
      expect(config.projects.map(kept).sort()).toEqual(printed.map(kept).sort());
      expect(config.projects.map((p) => p.name).sort()).toEqual(names);
      expect(readdirSync(data)).toEqual(['config.json']); // no lock or temp file left
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000); // eight Node processes at once on two cores

  it('names config.json when project add finds it is not JSON', () => {
    const dir = mkdtempSync(join(tmpdir(), 'beacon-cli-'));
    try {
      writeFileSync(join(dir, 'config.json'), '');
      const r = run('project', 'add', 'web', '--data-dir', dir);
      expect(r.status).toBe(1);
      expect(r.stderr).toBe(
        `Error: ${join(dir, 'config.json')}: not JSON: Unexpected end of JSON input\n`,
      );
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
    [['serve', '--port', '9300', '--port', '19301'], '--port is given more than once'],
    [
      ['project', 'add', 'x', '--public-url', 'https://host.example/?q=1#frag'],
      '--public-url must be an http(s) URL such as https://tracker.example.com, without a query, a fragment, got',
    ],
    [
      ['project', 'add', 'x', '--public-url', 'https://user:pw@host.example'],
      'without a user name, a password, got',
    ],
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

  it('refuses an empty --data-dir, or one given twice, with exit 2', () => {
    const empty = run('serve', '--data-dir=');
    expect([empty.status, empty.stderr.split('\n')[0]]).toEqual([
      2,
      'Error: --data-dir must not be empty',
    ]);
    const twice = run('project', 'add', 'x', '--data-dir', 'a', '--data-dir', 'b');
    expect([twice.status, twice.stderr.split('\n')[0]]).toEqual([
      2,
      'Error: --data-dir is given more than once',
    ]);
  });

  it('reads the scheme in any case, and says a path prefix must be stripped by a proxy', () => {
    const dir = mkdtempSync(join(tmpdir(), 'beacon-cli-'));
    try {
      const upper = run(
        'project',
        'add',
        'a',
        '--data-dir',
        dir,
        '--public-url',
        'HTTP://host.example',
      );
      const { key, dsn } = JSON.parse(upper.stdout) as { key: string; dsn: string };
      expect([upper.status, dsn, upper.stderr]).toEqual([0, `http://${key}@host.example/1`, '']);
      const prefixed = run(
        'project',
        'add',
        'b',
        '--data-dir',
        dir,
        '--public-url',
        'https://sentry.example.com/sentry/',
      );
      const second = JSON.parse(prefixed.stdout) as { key: string; dsn: string };
      expect(second.dsn).toBe(`https://${second.key}@sentry.example.com/sentry/2`);
      expect(prefixed.stderr).toBe(
        'Note: SDKs will send to /sentry/api/2/envelope/; the tracker serves /api/2/envelope/, so a proxy in front must strip /sentry\n',
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('logs a failure to start as one JSON line at error, naming the store it could not open', () => {
    const dir = mkdtempSync(join(tmpdir(), 'beacon-cli-'));
    try {
      mkdirSync(join(dir, 'tracker.db')); // a directory where the store's file goes
      const r = run('serve', '--port', '0', '--data-dir', dir, '--api-token', 't');
      expect(r.status).toBe(1);
      const lines = r.stderr.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(JSON.parse(lines[0] as string)).toMatchObject({
        level: 'error',
        msg: 'could not start',
        error: `${join(dir, 'tracker.db')}: unable to open database file`,
      });
      expect(existsSync(join(dir, 'serve.lock'))).toBe(false); // released on the way out
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
