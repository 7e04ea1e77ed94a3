// Durability: the server is killed with SIGKILL while a client sends 10,000 events; after a
// restart every event that was answered 200 is in the store. A 200 is sent only after the
// SQLite transaction holding the event committed (WAL, synchronous=FULL).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { addProject } from './projects';
import { openSqlite } from './store/sqlite';

jest.setTimeout(120_000);

const CLI = join(__dirname, '..', 'dist', 'cli.js');
const TOTAL = 10_000;

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });

const exited = (c: ChildProcess) =>
  c.exitCode !== null || c.signalCode !== null
    ? Promise.resolve()
    : new Promise<void>((r) => c.once('exit', () => r()));

async function startServer(dir: string, port: number): Promise<ChildProcess> {
  if (!existsSync(CLI))
    throw new Error(`${CLI} is missing: build the package first (npm run build)`);
  const child = spawn(
    process.execPath,
    [CLI, 'serve', '--port', String(port), '--data-dir', dir, '--api-token', 't'],
    {
      stdio: ['ignore', 'ignore', 'ignore'],
    },
  );
  // A deadline in time, not a count of tries: a busy machine can take seconds to load the CLI.
  for (const deadline = Date.now() + 45_000; Date.now() < deadline;) {
    try {
      await fetch(`http://127.0.0.1:${port}/healthz`);
      return child;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  child.kill('SIGKILL');
  throw new Error('the tracker did not start');
}

it('keeps every event answered 200 when the server is killed with SIGKILL mid-stream', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'beacon-kill9-'));
  try {
    const project = addProject(dir, 'durability');
    const port = await freePort();
    const server = await startServer(dir, port);
    const agent = new Agent({ keepAlive: true, maxSockets: 32 });
    const acked: string[] = [];
    let next = 0;
    let killed = false;
    const send = (id: string) =>
      new Promise<number>((resolve) => {
        const event = JSON.stringify({ event_id: id, message: `durable ${id}`, level: 'error' });
        const req = request(
          {
            host: '127.0.0.1',
            port,
            path: `/api/${project.id}/envelope/?sentry_key=${project.key}`,
            method: 'POST',
            agent,
          },
          (res) => {
            res.resume();
            res.on('end', () => resolve(res.statusCode ?? 0));
            res.on('error', () => resolve(0));
          },
        );
        req.on('error', () => resolve(0));
        req.end(`{}\n{"type":"event"}\n${event}\n`);
      });
    const worker = async () => {
      while (next < TOTAL) {
        const id = (++next).toString(16).padStart(32, '0');
        if ((await send(id)) === 200) acked.push(id);
        if (!killed && acked.length >= 3_000) {
          killed = true;
          server.kill('SIGKILL'); // in the middle of the stream, with requests in flight
        }
      }
    };
    await Promise.all(Array.from({ length: 32 }, worker));
    agent.destroy();
    await exited(server);
    expect(killed).toBe(true);
    expect(acked.length).toBeGreaterThanOrEqual(3_000);
    expect(acked.length).toBeLessThan(TOTAL); // the kill really cut the stream

    // Restart (SQLite recovers the WAL), stop cleanly, then look every acknowledged id up.
    const restarted = await startServer(dir, port);
    restarted.kill('SIGTERM');
    await exited(restarted);
    const repo = openSqlite(join(dir, 'tracker.db'));
    const stored = repo.storedEventIds(acked);
    const missing = acked.filter((id) => !stored.has(id));
    repo.close();
    expect(missing).toEqual([]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
