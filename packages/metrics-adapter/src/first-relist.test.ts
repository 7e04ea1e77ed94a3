// Until the first series discovery lands, values are a 503 and discovery is tried again every
// 5 s (or the relist interval, if shorter), not once per relist interval (10 minutes by default).
import { httpsStatus } from './testing/https';
import { startOfflineAdapter, type OfflineAdapter } from './testing/offline-adapter';

let running: OfflineAdapter | undefined;
afterEach(async () => {
  await running?.close();
  running = undefined;
});

const start = async (extra: string[]) => {
  running = await startOfflineAdapter(extra);
  return running.logger;
};

const failure = async (logger: OfflineAdapter['logger']) => {
  // Up to 10 s, inside the preset's 20 s test timeout (a loaded CI machine took more than 5).
  for (let i = 0; i < 500; i++) {
    const line = logger.lines.find((l) => l.level === 'error');
    if (line) return line;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`no error logged: ${JSON.stringify(logger.lines)}`);
};

const status = (path: string) => httpsStatus(`${running!.adapter.url}${path}`, { ca: running!.ca });

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
