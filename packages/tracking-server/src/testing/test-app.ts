// The SDK test applications in testdata/ (the real Sentry SDK and OpenTelemetry exporter, each
// in a process of its own), run to their end.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';

/** Runs `testdata/<app>` with `args` and answers what it printed. */
export async function runTestApp(app: string, ...args: string[]): Promise<string> {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [join(__dirname, '..', '..', 'testdata', app), ...args],
    // Loading an SDK alone has taken more than 30 s on a busy 2-core CI machine.
    { timeout: 90_000 },
  );
  return stdout;
}
