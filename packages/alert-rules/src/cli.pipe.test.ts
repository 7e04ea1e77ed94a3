// The built command as a process (turbo builds before it tests): a reader that closes the pipe
// early (`beacon-alerts build --out dir | head -1`) must not make it fail with a stack trace.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const CLI = join(__dirname, '..', 'dist', 'cli.js');

// Found by the audit of 2026-12-07: exit 1 and 25 lines of EPIPE stack, the files all written.
test('a build whose reader closed the pipe writes every file and exits 0, quietly', async () => {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: build the package first`);
  const out = mkdtempSync(join(tmpdir(), 'beacon-alerts-pipe-'));
  try {
    const child = spawn(process.execPath, [CLI, 'build', '--out', out], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    // Closed before the command writes anything, so its first write meets a closed pipe.
    child.stdout.destroy();
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    expect(existsSync(join(out, 'alertmanager', 'alertmanager.yml'))).toBe(true);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});
