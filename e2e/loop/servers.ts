// The real tools of the loop tests (Debian's `prometheus` and `prometheus-alertmanager`, and
// `kubectl`), started as a user starts them. A tool that is missing fails the test, naming the
// package that installs it: never a skip.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createTcpServer, type AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';

/** The repository root (e2e/ is one level under it). */
export const REPO = path.resolve(__dirname, '..', '..');

/** The full path of `command`, or an error naming the Debian package that installs it. */
export function requireTool(command: string, install: string): string {
  const r = spawnSync('sh', ['-c', 'command -v "$1"', 'sh', command], { encoding: 'utf8' });
  const found = r.stdout.trim();
  if (r.status !== 0 || !found) {
    throw new Error(`${command} is not installed: the e2e loop tests need it (${install})`);
  }
  return found;
}

const made: string[] = [];
/** A new temporary folder; removeTempDirs() takes them all away. */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), `beacon-e2e-${prefix}-`));
  made.push(dir);
  return dir;
}
export function removeTempDirs(): void {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** A loopback TCP port that was free a moment ago (for a tool that cannot bind port 0 and say). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createTcpServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

// Polls a check every 100 ms until it holds, or throws why() once its time has passed: the
// adapter's testing helper, as run-go.mjs uses it.
export { waitFor } from '@beacon/metrics-adapter/dist/testing/prometheus';

/** GET `url` as JSON, failing on a status other than 200 (with the body, which says why). */
export async function getJson<T>(url: string): Promise<T> {
  const res = await fetch(url, { signal: AbortSignal.timeout(5_000) });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`GET ${url}: ${res.status} ${text}`);
  return JSON.parse(text) as T;
}

export interface Tool {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  readonly port: number;
  /** What it has written to stdout and stderr so far. */
  log(): string;
  stop(): Promise<void>;
}

/**
 * Starts `binary` with `args(port)` on a port that was free a moment before. Ready is `ours()`
 * holding (an answer that only this process gives: its own config, its own data folder) while it
 * runs; another process may take the port between freePort() and the bind, and then it exits
 * with "address already in use" and is started again on another port.
 */
export async function startTool(
  name: string,
  binary: string,
  args: (port: number) => string[],
  ours: (url: string) => Promise<boolean>,
  timeoutMs = 30_000,
): Promise<Tool> {
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    let log = '';
    const child = spawn(binary, args(port), { stdio: ['ignore', 'pipe', 'pipe'] });
    const closed = new Promise<void>((r) => child.once('close', () => r()));
    child.stdout?.on('data', (b: Buffer) => (log += b.toString()));
    child.stderr?.on('data', (b: Buffer) => (log += b.toString()));
    const running = () => child.exitCode === null && child.signalCode === null;
    const stop = async () => {
      if (running()) child.kill('SIGTERM');
      await closed;
    };
    for (const deadline = Date.now() + timeoutMs; running() && Date.now() < deadline;) {
      try {
        if ((await ours(url)) && running()) return { url, port, log: () => log, stop };
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    await stop(); // its last words, "address already in use" among them, are in the log
    if (!/address already in use/.test(log) || attempt === 3) {
      throw new Error(`${name} did not start on port ${port}:\n${log}`);
    }
  }
}

export interface Request {
  readonly method: string;
  readonly path: string;
  readonly contentType: string;
  readonly body: string;
}

/** An HTTP server on a loopback port that answers 200 `{}` and keeps every request it is sent. */
export async function recordingServer(): Promise<{
  url: string;
  requests: Request[];
  close(): Promise<void>;
}> {
  const requests: Request[] = [];
  const server: Server = createHttpServer((req, res) => {
    let body = '';
    req.on('data', (b: Buffer) => (body += b.toString()));
    req.on('end', () => {
      requests.push({
        method: req.method ?? '',
        path: req.url ?? '',
        contentType: req.headers['content-type'] ?? '',
        body,
      });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
