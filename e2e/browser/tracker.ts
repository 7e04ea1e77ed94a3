// A real tracking server for the browser tests: the package's own CLI as a child process on a
// loopback port of its own choosing, one project, seeded by seed-app.cjs with the real Sentry and
// OpenTelemetry SDKs.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { dsnAt, startCliServe } from '@beacon/tracking-server/dist/testing/cli-serve.js';
import { browserDir } from './paths';

const run = promisify(execFile);
const cli = require.resolve('@beacon/tracking-server/dist/cli.js');

export interface SeededTracker {
  url: string;
  apiToken: string;
  project: { id: string; key: string; dsn: string };
  /** GET on the tracker's REST API, straight (not through the plugin), as an independent check. */
  api<T>(path: string): Promise<T>;
  /**
   * Adds a project with the CLI while the tracker serves, as an operator would: resolves once the
   * tracker has reloaded its config.json and lists it.
   */
  addProject(name: string): Promise<{ id: number; key: string }>;
  close(): Promise<void>;
}

export async function startSeededTracker(): Promise<SeededTracker> {
  const dataDir = mkdtempSync(join(tmpdir(), 'beacon-e2e-tracker-'));
  const apiToken = 'e2e-api-token';
  const add = async (name: string) => {
    const { stdout } = await run(process.execPath, [
      cli,
      'project',
      'add',
      name,
      '--data-dir',
      dataDir,
    ]);
    return JSON.parse(stdout) as SeededTracker['project'];
  };
  const added = await add('checkout');
  // 90 s: on a busy CI machine the CLI alone can take seconds to load.
  const { child, port } = await startCliServe(
    ['--data-dir', dataDir, '--api-token', apiToken],
    90_000,
  );
  const url = `http://127.0.0.1:${port}`;
  const project = { ...added, dsn: dsnAt(added.dsn, url) };

  await run(
    process.execPath,
    [join(browserDir, 'seed-app.cjs'), project.dsn, `${url}/v1/traces`, project.key],
    // Loading the real Sentry and OpenTelemetry SDKs is slow on a busy machine.
    { timeout: 120_000 },
  );

  async function api<T>(path: string) {
    const res = await fetch(`${url}/api/v1${path}`, {
      headers: { Authorization: `Bearer ${apiToken}` },
    });
    if (!res.ok) throw new Error(`GET ${path}: ${res.status} ${await res.text()}`);
    return (await res.json()) as T;
  }

  return {
    url,
    apiToken,
    project,
    api,
    async addProject(name) {
      const { id, key } = await add(name);
      // The tracker polls config.json every 500 ms (main.ts).
      for (const deadline = Date.now() + 10_000; ;) {
        const { items } = await api<{ items: { id: number }[] }>('/projects');
        if (items.some((p) => String(p.id) === String(id))) return { id: Number(id), key };
        if (Date.now() > deadline) throw new Error(`the tracker never listed project ${name}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    async close() {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
