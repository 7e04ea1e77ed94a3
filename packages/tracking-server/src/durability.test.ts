// Durability: the server is killed with SIGKILL while a client sends 10,000 events; after a
// restart every event that was answered 200 is in the store. A 200 is sent only after the
// SQLite transaction holding the event committed (WAL, synchronous=FULL).
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { addProject } from './projects';
import { openSqlite } from './store/sqlite';
import { startCliServe } from './testing/cli-serve';

const TOTAL = 10_000;

const exited = (c: ChildProcess) =>
  c.exitCode !== null || c.signalCode !== null
    ? Promise.resolve()
    : new Promise<void>((r) => c.once('exit', () => r()));

/** A serve of `dir` in a process of its own, listening on a port of its own choosing. */
const startServer = (dir: string) => startCliServe(['--data-dir', dir, '--api-token', 't']);

it('keeps every event answered 200 when the server is killed with SIGKILL mid-stream', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'beacon-kill9-'));
  try {
    const project = addProject(dir, 'durability');
    const { child: server, port } = await startServer(dir);
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
    const { child: restarted } = await startServer(dir);
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
