// beacon_adapter_nonfinite_values_total{metric} keeps a series only for the metrics served: metric
// names come and go with the series in Prometheus, and a label set kept for each one ever seen
// grew the adapter's own scrape without bound (an audit: 3 series to 120 in 20 minutes of names
// churning). The stand-in Prometheus answers discovery from `series` and every value as NaN.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseFlags } from './flags';
import { startAdapter, type RunningAdapter } from './main';
import { memoryLogger } from './telemetry/logger';
import { httpsGet } from './testing/https';
import { localServers } from './testing/local-servers';
import { waitFor } from './testing/prometheus';

const servers = localServers();
let adapter: RunningAdapter | undefined;
let dir: string | undefined;
afterEach(async () => {
  await adapter?.close();
  await servers.closeAll();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

it('drops the non-finite count of a metric once series discovery no longer lists it', async () => {
  let series = [{ __name__: 'websocket_connections', namespace: 'platform', pod: 'web-0' }];
  const prometheus = await servers.serve((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const data =
      path === '/api/v1/series'
        ? series
        : {
            resultType: 'vector',
            result: [{ metric: { pod: 'web-0' }, value: [Date.now() / 1000, 'NaN'] }],
          };
    req.resume();
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ status: 'success', data }));
  });
  dir = mkdtempSync(join(tmpdir(), 'beacon-adapter-nonfinite-'));
  adapter = await startAdapter(
    parseFlags([
      `--prometheus-url=${prometheus}`,
      '--secure-port=0',
      '--bind-address=127.0.0.1',
      `--cert-dir=${dir}`,
      '--metrics-relist-interval=1s',
      '--insecure-serve-anonymous',
    ]),
    {
      logger: memoryLogger(),
      authorize: async () => ({ allowed: true }),
      inCluster: null,
      env: {},
    },
  );
  const ca = readFileSync(join(dir, 'apiserver.crt'), 'utf8');
  const get = (path: string) => httpsGet(`${adapter!.url}${path}`, { ca });
  const counted = /^beacon_adapter_nonfinite_values_total\{metric="websocket_connections"\} [1-9]/m;

  const path =
    '/apis/custom.metrics.k8s.io/v1beta2/namespaces/platform/pods/web-0/websocket_connections';
  await waitFor(
    async () => (await get(path)).status === 404 && counted.test((await get('/metrics')).text),
    10_000,
    () => 'the NaN value was never counted',
  );
  series = [];
  await waitFor(
    async () => (await get(path)).status === 404 && !(await get('/metrics')).text.match(counted),
    10_000,
    () => 'the count of a metric no longer served is still exported',
  );
  expect((await get('/metrics')).text).not.toMatch(/beacon_adapter_nonfinite_values_total\{/);
});
