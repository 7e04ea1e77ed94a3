// `beacon-tracking-server serve` (dist/cli.js) in a process of its own, as it is deployed, on a
// port it binds itself (--port 0) and names in its `serving` log line. A port picked free here
// and bound by the child only once it has loaded (seconds on a busy machine) can be taken
// meanwhile by any other process of a CI machine running several suites at once: the child then
// fails to start, or the test talks to another server.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

export const CLI = join(__dirname, '..', '..', 'dist', 'cli.js');

export interface ServingChild {
  readonly child: ChildProcess;
  readonly port: number;
}

/**
 * Starts `serve --port 0` with `args`, and resolves once it listens, with its port. Its logs
 * (stderr) are read and dropped; a start that fails, or takes over `deadlineMs` (a deadline in
 * time, not a count of tries: a busy machine can take seconds to load the CLI), rejects with them.
 */
export function startCliServe(args: readonly string[], deadlineMs = 45_000): Promise<ServingChild> {
  if (!existsSync(CLI))
    return Promise.reject(new Error(`${CLI} is missing: build the package first (npm run build)`));
  const child = spawn(process.execPath, [CLI, 'serve', '--port', '0', ...args], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  return new Promise<ServingChild>((resolve, reject) => {
    const logs: string[] = [];
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the tracker did not start within ${deadlineMs} ms:\n${logs.join('\n')}`));
    }, deadlineMs);
    const exited = (code: number | null, signal: NodeJS.Signals | null) => {
      clearTimeout(timer);
      reject(
        new Error(`the tracker exited (${code ?? signal}) before serving:\n${logs.join('\n')}`),
      );
    };
    child.once('exit', exited);
    createInterface({ input: child.stderr }).on('line', (line) => {
      if (logs.length < 100) logs.push(line);
      let entry: { msg?: unknown; port?: unknown };
      try {
        entry = JSON.parse(line) as typeof entry;
      } catch {
        return;
      }
      if (entry.msg !== 'serving' || typeof entry.port !== 'number') return;
      clearTimeout(timer);
      child.off('exit', exited);
      resolve({ child, port: entry.port });
    });
  });
}

/**
 * The DSN `project add` printed, pointed at the server's `url`: a project is added before the
 * server it belongs to chooses its port.
 */
export function dsnAt(dsn: string, url: string): string {
  const at = new URL(dsn);
  at.host = new URL(url).host;
  return at.toString();
}
