// Shutdown as Kubernetes does it (SIGTERM, then SIGKILL after the grace period): requests in
// flight are answered and their events committed, idle keep-alive connections are closed at once,
// and the process exits well within the grace period instead of waiting out keep-alive timeouts.
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { addProject } from './projects';
import { openSqlite } from './store/sqlite';
import { startCliServe } from './testing/cli-serve';

/** A raw connection: what was received so far, and whether the server closed it. */
function rawConnection(port: number) {
  const socket: Socket = connect(port, '127.0.0.1');
  const state = { received: '', closed: false };
  socket.setEncoding('latin1');
  socket.on('data', (d: string) => (state.received += d));
  socket.on('error', () => undefined);
  const ended = new Promise<void>((r) =>
    socket.on('close', () => {
      state.closed = true;
      r();
    }),
  );
  const connected = new Promise<void>((r) => socket.once('connect', () => r()));
  return { socket, state, ended, connected };
}

const until = async (what: () => boolean, ms: number) => {
  for (const end = Date.now() + ms; !what() && Date.now() < end;)
    await new Promise((r) => setTimeout(r, 10));
  return what();
};

it('answers the request in flight at SIGTERM, closes idle connections, and exits promptly', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'beacon-shutdown-'));
  let child: ChildProcess | undefined;
  try {
    const project = addProject(dir, 'shutdown');
    let port: number;
    ({ child, port } = await startCliServe(['--data-dir', dir]));
    const exit = new Promise<number | null>((r) => child?.once('exit', (code) => r(code)));
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).ok).toBe(true);

    const eventId = 'f'.repeat(8) + '0'.repeat(24);
    const body = `{"event_id":"${eventId}"}\n{"type":"event"}\n{"event_id":"${eventId}","message":"sent across a shutdown","level":"error"}\n`;
    // `Expect: 100-continue`: the server's interim answer says it has read the head, the request
    // in flight from then on (node sends it before the request's handler runs).
    const head = (length: number) =>
      `POST /api/${project.id}/envelope/?sentry_key=${project.key} HTTP/1.1\r\nHost: t\r\n` +
      `Content-Type: application/x-sentry-envelope\r\nContent-Length: ${length}\r\n` +
      `Expect: 100-continue\r\n\r\n`;
    const CONTINUE = 'HTTP/1.1 100 Continue\r\n\r\n';

    // A kept-alive connection whose request was answered before: idle at SIGTERM.
    const idle = rawConnection(port);
    await idle.connected;
    idle.socket.write('GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n');
    expect(await until(() => idle.state.received.includes('\r\n\r\nok'), 20_000)).toBe(true);
    expect(idle.state.received).toMatch(/^HTTP\/1\.1 200 .*\r\nConnection: keep-alive\r\n/s);

    // A request whose body is half sent at SIGTERM.
    const busy = rawConnection(port);
    await busy.connected;
    busy.socket.write(head(Buffer.byteLength(body)) + body.slice(0, 40));
    // Until the server has read its head: a fixed wait (200 ms) let a loaded machine's server
    // meet SIGTERM with the connection still unread, and close it as an idle one.
    expect(await until(() => busy.state.received.startsWith(CONTINUE), 20_000)).toBe(true);

    const signalled = Date.now();
    child.kill('SIGTERM');
    await idle.ended;
    // Bounds with room for a busy machine, still far under the 65 s keep-alive timeout that a
    // server waiting out its idle connections would take.
    expect(Date.now() - signalled).toBeLessThan(20_000);
    expect(busy.state.closed).toBe(false);

    busy.socket.write(body.slice(40));
    await busy.ended;
    const [status, ...rest] = busy.state.received.slice(CONTINUE.length).split('\r\n');
    expect(status).toBe('HTTP/1.1 200 OK');
    expect(rest.map((h) => h.toLowerCase())).toContain('connection: close');
    expect(busy.state.received.endsWith(`{"id":"${eventId}"}`)).toBe(true);

    expect(await exit).toBe(0);
    expect(Date.now() - signalled).toBeLessThan(25_000);
    // New connections are refused once it has gone.
    await expect(fetch(`http://127.0.0.1:${port}/healthz`)).rejects.toThrow();

    const store = openSqlite(join(dir, 'tracker.db'));
    try {
      expect(store.storedEventIds([eventId])).toEqual(new Set([eventId]));
    } finally {
      store.close();
    }
  } finally {
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
});
