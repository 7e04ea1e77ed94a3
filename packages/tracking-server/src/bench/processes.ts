// What the benches share about the processes they start: the deployed environment, a free
// port, and waiting for a server to answer.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseDocument } from 'yaml';
import { addProject, type Project } from '../projects';

/**
 * The environment deploy/statefulset.yaml gives the tracker's container (glibc's allocator
 * settings; the API token from a Secret is left out): the tracker runs with it, as deployed, and
 * so do the bare server and this load generator, so that all three are measured alike.
 */
export function deployedEnv(): Record<string, string> {
  const doc = parseDocument(
    readFileSync(join(__dirname, '..', '..', 'deploy', 'statefulset.yaml'), 'utf8'),
  ).toJS() as {
    spec: { template: { spec: { containers: { env?: { name: string; value?: string }[] }[] } } };
  };
  const env = doc.spec.template.spec.containers[0]?.env ?? [];
  return Object.fromEntries(
    env.flatMap((e) => (e.value === undefined ? [] : [[e.name, e.value] as const])),
  );
}

export const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });

export async function waitUp(port: number): Promise<void> {
  for (let i = 0; i < 100; i++) {
    try {
      await fetch(`http://127.0.0.1:${port}/healthz`);
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error(`nothing listening on ${port}`);
}

/**
 * A tracker of a bench's own: the built CLI serving a fresh data dir of one project, with no
 * rate limit, on a free port, answering. `stop` ends it and removes its data.
 */
export async function benchTracker(
  name: string,
): Promise<{ port: number; project: Project; stop: () => Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), `beacon-bench-${name}-`));
  const project = addProject(dir, 'bench');
  const port = await freePort();
  const tracker = spawn(
    process.execPath,
    [
      join(__dirname, '..', 'cli.js'),
      'serve',
      ...['--port', String(port), '--data-dir', dir, '--api-token', 'bench'],
      ...['--events-per-minute', '0'],
    ],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
  const stop = async () => {
    if (tracker.exitCode === null) {
      tracker.kill('SIGTERM');
      await new Promise((r) => tracker.once('exit', r));
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitUp(port);
  } catch (err) {
    await stop();
    throw err;
  }
  return { port, project, stop };
}

/**
 * Runs `main`, in a process with the deployed environment: glibc reads its allocator settings
 * when a process starts, so without them this program runs itself again with them (the servers
 * it starts inherit them).
 */
export function runWithDeployedEnv(main: () => Promise<void>): void {
  const env = deployedEnv();
  if (Object.entries(env).some(([k, v]) => process.env[k] !== v)) {
    const again = spawnSync(process.execPath, process.argv.slice(1), {
      stdio: 'inherit',
      env: { ...process.env, ...env },
    });
    process.exit(again.status ?? 1);
  }
  main().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
