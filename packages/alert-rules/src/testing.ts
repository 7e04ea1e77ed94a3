// Helpers for tests that run the real promtool, amtool and Alertmanager. A missing tool is an
// error, never a skip.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';

export interface ToolResult {
  code: number;
  output: string;
}

/** Where scripts/setup.mjs builds the Go tools packages declare (`beacon.requires`). */
export const REPO_TOOLS_BIN = path.resolve(__dirname, '..', '..', '..', '.tools', 'bin');

const INSTALL: Record<string, string> = {
  promtool: 'apt-get install prometheus',
  amtool: 'apt-get install prometheus-alertmanager',
  pint: 'node scripts/setup.mjs (it builds the pinned github.com/cloudflare/pint/cmd/pint into .tools/bin)',
};

/**
 * Runs `tool` with `args`, looking in the repository's .tools/bin first; throws (failing the
 * test) if the tool is not installed.
 */
export function runTool(tool: string, args: readonly string[], cwd?: string): ToolResult {
  const env = {
    ...process.env,
    PATH: [REPO_TOOLS_BIN, process.env.PATH ?? ''].join(path.delimiter),
  };
  const res = spawnSync(tool, args, { cwd, env, encoding: 'utf8', timeout: 120_000 });
  if (res.error) {
    throw new Error(
      `${tool} could not be run (${res.error.message}); install it with ${INSTALL[tool] ?? tool}`,
      { cause: res.error },
    );
  }
  return { code: res.status ?? -1, output: `${res.stdout}${res.stderr}` };
}

const made: string[] = [];
// This module is loaded only by test files: their temporary folders go when the file's tests end.
afterAll(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A new temporary folder, removed after the calling test file's tests. */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), `beacon-alerts-${prefix}-`));
  made.push(dir);
  return dir;
}

/** A TCP port that was free a moment ago. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => resolve(typeof addr === 'object' && addr ? addr.port : 0));
    });
  });
}

export interface RunningAlertmanager {
  /** e.g. `http://127.0.0.1:40123/api/v2` */
  readonly api: string;
  /** What it has written to stdout and stderr so far. */
  log(): string;
  stop(): void;
}

/**
 * Debian's prometheus-alertmanager with `configFile`, on a port that was free a moment before.
 * Another process on the machine (CI runs every package's tests at once) may take that port
 * between freePort() closing it and Alertmanager binding it: then Alertmanager exits, and an
 * answer on the port may be the other process's. Ready is an Alertmanager answering with a config
 * that contains `marker` (it answers the config re-marshalled) while this one runs; a lost port
 * is drawn again.
 */
export async function startAlertmanager(
  configFile: string,
  dataDir: string,
  marker = 'receiver: critical-pagerduty',
): Promise<RunningAlertmanager> {
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const api = `http://127.0.0.1:${port}/api/v2`;
    let log = '';
    const child = spawn(
      'prometheus-alertmanager',
      [
        `--config.file=${configFile}`,
        `--storage.path=${path.join(dataDir, `data-${attempt}`)}`,
        `--web.listen-address=127.0.0.1:${port}`,
        '--cluster.listen-address=',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const closed = new Promise((r) => child.once('close', r));
    child.stdout?.on('data', (b: Buffer) => (log += b.toString()));
    child.stderr?.on('data', (b: Buffer) => (log += b.toString()));
    // A deadline in time, not a count of tries: on a loaded machine a start can take seconds.
    for (const deadline = Date.now() + 30_000; Date.now() < deadline;) {
      if (child.exitCode !== null) break;
      try {
        const res = await fetch(`${api}/status`);
        const status = res.ok ? ((await res.json()) as { config?: { original?: string } }) : {};
        const ours = status.config?.original?.includes(marker);
        if (ours && child.exitCode === null) {
          return { api, log: () => log, stop: () => void child.kill() };
        }
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    child.kill();
    await closed; // its last words, "address already in use" among them, are in the log
    if (!/address already in use/.test(log) || attempt === 3) {
      throw new Error(`Alertmanager did not start on port ${port}:\n${log}`);
    }
  }
}
