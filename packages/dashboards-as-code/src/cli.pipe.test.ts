// The built command as a process (turbo builds before it tests): a reader that closes the pipe
// early (`beacon-dashboards push … | head -1`) must not stop a push halfway.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { buildAll } from './build';
import { startFakeGrafana, type FakeGrafana } from './grafana/testdata/fake-grafana';

const CLI = join(__dirname, '..', 'dist', 'cli.js');

let grafana: FakeGrafana;
afterEach(() => grafana?.close());

// Found by the audit of 2026-12-07: the first progress line's EPIPE ended the process with a
// stack trace, 3 of 8 dashboards saved.
test('a push whose reader closed the pipe saves every dashboard and exits 0, quietly', async () => {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: build the package first`);
  grafana = await startFakeGrafana({ token: 't' });
  const child = spawn(process.execPath, [CLI, 'push', '--grafana-url', grafana.url], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, GRAFANA_TOKEN: 't' },
  });
  // Closed before the command writes anything, so its first write meets a closed pipe.
  child.stdout.destroy();
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
  const saved = grafana.requests.filter(
    (r) => r.method === 'POST' && r.url === '/api/dashboards/db',
  );
  expect(saved).toHaveLength(buildAll().length);
});
