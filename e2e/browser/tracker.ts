// A real tracking server for the browser tests: the package's own CLI as a child process on a
// free loopback port, one project, seeded by seed-app.cjs with the real Sentry and OpenTelemetry
// SDKs.
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { browserDir } from './paths';

const run = promisify(execFile);
const cli = require.resolve('@beacon/tracking-server/dist/cli.js');

export interface SeededTracker {
  url: string;
  apiToken: string;
  project: { id: string; key: string; dsn: string };
  /** GET on the tracker's REST API, straight (not through the plugin), as an independent check. */
  api<T>(path: string): Promise<T>;
  close(): Promise<void>;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function waitForReady(url: string, child: ChildProcess, stderr: () => string): Promise<void> {
  // A deadline in time, not a count of tries: on a busy CI machine the CLI alone can take seconds
  // to load.
  const deadline = Date.now() + 90_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`tracking server exited: ${stderr()}`);
    try {
      if ((await fetch(`${url}/healthz`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`tracking server did not answer ${url}/healthz: ${stderr()}`);
}

export async function startSeededTracker(): Promise<SeededTracker> {
  const dataDir = mkdtempSync(join(tmpdir(), 'beacon-e2e-tracker-'));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const apiToken = 'e2e-api-token';
  const { stdout } = await run(process.execPath, [
    cli,
    'project',
    'add',
    'checkout',
    '--data-dir',
    dataDir,
    '--public-url',
    url,
  ]);
  const project = JSON.parse(stdout) as SeededTracker['project'];

  const child = spawn(
    process.execPath,
    [cli, 'serve', '--port', String(port), '--data-dir', dataDir, '--api-token', apiToken],
    {
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  let err = '';
  child.stderr!.on('data', (d) => (err += d));
  await waitForReady(url, child, () => err);

  await run(
    process.execPath,
    [join(browserDir, 'seed-app.cjs'), project.dsn, `${url}/v1/traces`, project.key],
    // Loading the real Sentry and OpenTelemetry SDKs is slow on a busy machine.
    { timeout: 120_000 },
  );

  return {
    url,
    apiToken,
    project,
    async api<T>(path: string) {
      const res = await fetch(`${url}/api/v1${path}`, {
        headers: { Authorization: `Bearer ${apiToken}` },
      });
      if (!res.ok) throw new Error(`GET ${path}: ${res.status} ${await res.text()}`);
      return (await res.json()) as T;
    },
    async close() {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
