// Until the first series discovery lands, values are a 503 and discovery is tried again every
// 5 s (or the relist interval, if shorter), not once per relist interval (10 minutes by default).
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseFlags } from './flags';
import { startAdapter, type RunningAdapter } from './main';
import { memoryLogger } from './telemetry/logger';

let dir: string;
let adapter: RunningAdapter | undefined;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'beacon-first-relist-'));
});
afterEach(async () => {
  await adapter?.close();
  adapter = undefined;
  rmSync(dir, { recursive: true, force: true });
});

const start = async (extra: string[]) => {
  const logger = memoryLogger();
  adapter = await startAdapter(
    parseFlags([
      // Nothing listens there: the first series discovery fails.
      '--prometheus-url=http://127.0.0.1:1',
      '--secure-port=0',
      '--bind-address=127.0.0.1',
      `--cert-dir=${dir}`,
      '--insecure-serve-anonymous',
      ...extra,
    ]),
    { logger, inCluster: null, env: {} },
  );
  return logger;
};

const failure = async (logger: ReturnType<typeof memoryLogger>) => {
  for (let i = 0; i < 250; i++) {
    const line = logger.lines.find((l) => l.level === 'error');
    if (line) return line;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`no error logged: ${JSON.stringify(logger.lines)}`);
};

const status = (path: string) =>
  new Promise<number>((resolve, reject) => {
    const req = request(
      `${adapter!.url}${path}`,
      { rejectUnauthorized: false, agent: false },
      (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      },
    );
    req.on('error', reject);
    req.end();
  });

it('logs a failed first discovery with the 5 s it is retried after, not the 10-minute relist interval', async () => {
  const logger = await start([]);
  const line = await failure(logger);
  expect(line.msg).toBe('first series discovery failed; retrying every 5s until one succeeds');
  expect(
    await status(
      '/apis/custom.metrics.k8s.io/v1beta2/namespaces/platform/pods/*/websocket_connections',
    ),
  ).toBe(503);
});

it('names the relist interval when that is shorter than 5 s', async () => {
  const logger = await start(['--metrics-relist-interval=2s']);
  expect((await failure(logger)).msg).toBe(
    'first series discovery failed; retrying every 2s until one succeeds',
  );
});
