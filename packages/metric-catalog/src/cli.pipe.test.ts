// The built command as a process (turbo builds before it tests): a reader that closes the pipe
// early (`beacon-metric-catalog | head`) must not make it die with a stack trace.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const CLI = join(__dirname, '..', 'dist', 'cli.js');

test('a reader that closes the pipe early ends the command quietly, with status 0', async () => {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: build the package first`);
  const child = spawn(process.execPath, [CLI, '--format', 'json'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // Closed before the command writes anything, so its first write meets a closed pipe.
  child.stdout.destroy();
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  expect(stderr).toBe('');
  expect(code).toBe(0);
});
