// Shutdown as k8s.io/apiserver does it, driven as Kubernetes drives it (SIGTERM): /readyz fails
// at once while requests are still served for --shutdown-delay-duration; then no new
// connections, the request in flight answered with `Connection: close`, and exit 0. The
// Prometheus here is a stand-in whose query answer is held back, to keep a request in flight
// across the shutdown; the adapter against a real Prometheus is integration.test.ts's.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import { Agent, request } from 'node:https';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const CLI = join(__dirname, '..', 'dist', 'cli.js');

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createNetServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(port));
    });
  });

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/**
 * One HTTPS GET (the adapter's certificate is self-signed), on a connection of its own unless an
 * agent that keeps connections alive is given.
 */
const get = (port: number, path: string, agent: Agent | false = false) =>
  new Promise<Answer>((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, path, rejectUnauthorized: false, agent },
      (res) => {
        let body = '';
        res.setEncoding('utf8').on('data', (d: string) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    req.end();
  });

it('fails /readyz for the shutdown delay while serving, then drains the request in flight and exits 0', async () => {
  if (!existsSync(CLI))
    throw new Error(`${CLI} is missing: build the package first (npm run build)`);
  const dir = mkdtempSync(join(tmpdir(), 'beacon-adapter-shutdown-'));
  let child: ChildProcess | undefined;
  let prometheus: Server | undefined;
  try {
    // The stand-in: one series, and query answers held until the test lets them go.
    let release: () => void = () => undefined;
    const held = new Promise<void>((r) => (release = r));
    let queries = 0;
    prometheus = createHttpServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://x');
      const answer = (data: unknown) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ status: 'success', data }));
      };
      if (url.pathname === '/api/v1/series')
        return answer([{ __name__: 'jobs_waiting', namespace: 'default', pod: 'worker-1' }]);
      if (url.pathname === '/api/v1/query') {
        queries++;
        return void held.then(() =>
          answer({
            resultType: 'vector',
            result: [{ metric: { pod: 'worker-1' }, value: [1_700_000_000, '7'] }],
          }),
        );
      }
      res.writeHead(404).end();
    });
    await new Promise<void>((r) => prometheus?.listen(0, '127.0.0.1', r));
    const config = join(dir, 'rules.yaml');
    writeFileSync(
      config,
      `rules:
- seriesQuery: 'jobs_waiting{namespace!="",pod!=""}'
  resources: {template: <<.Resource>>}
  metricsQuery: 'sum(<<.Series>>{<<.LabelMatchers>>}) by (<<.GroupBy>>)'
`,
    );
    const port = await freePort();
    child = spawn(
      process.execPath,
      [
        CLI,
        `--prometheus-url=http://127.0.0.1:${(prometheus.address() as AddressInfo).port}`,
        `--config=${config}`,
        '--presets=false',
        `--secure-port=${port}`,
        '--bind-address=127.0.0.1',
        `--cert-dir=${join(dir, 'certs')}`,
        '--insecure-serve-anonymous',
        // Long enough for the checks made during the delay on a busy machine.
        '--shutdown-delay-duration=6s',
        // The query held across the delay must not time out first (the default is 5 s).
        '--prometheus-timeout=90s',
      ],
      { stdio: 'ignore' },
    );
    const exit = new Promise<number | null>((r) => child?.once('exit', (code) => r(code)));
    // Deadlines in time, not counts of tries: a busy machine can take many seconds to load the CLI.
    let ready = false;
    for (const deadline = Date.now() + 60_000; !ready && Date.now() < deadline;) {
      if (child.exitCode !== null) break;
      ready = await get(port, '/readyz').then(
        (a) => a.status === 200,
        () => false,
      );
      if (!ready) await sleep(100);
    }
    expect(ready).toBe(true);

    const path =
      '/apis/custom.metrics.k8s.io/v1beta2/namespaces/default/pods/worker-1/jobs_waiting';
    // Kept alive, as the aggregator's connections are: `Connection: close` must come from the
    // adapter.
    const keepAlive = new Agent({ keepAlive: true, rejectUnauthorized: false });
    const inFlight = get(port, path, keepAlive);
    for (const deadline = Date.now() + 20_000; queries === 0 && Date.now() < deadline;)
      await sleep(20);
    expect(queries).toBe(1);

    child.kill('SIGTERM');
    const sigtermAt = Date.now();
    // The delay: not ready, still alive, still serving new connections. /readyz fails once the
    // child has handled the signal; a refused connection here (no delay at all) fails the test.
    let readyz = await get(port, '/readyz');
    for (const deadline = Date.now() + 5_000; readyz.status === 200 && Date.now() < deadline;) {
      await sleep(50);
      readyz = await get(port, '/readyz');
    }
    expect(readyz.status).toBe(500);
    expect(readyz.body).toBe(
      '[+]ping ok\n[+]log ok\n[-]shutdown failed: reason withheld\nreadyz check failed\n',
    );
    // A check excluded passes, as a probe that means to ignore the drain asks.
    expect(await get(port, '/readyz?exclude=shutdown')).toMatchObject({ status: 200, body: 'ok' });
    // Each check by name as Kubernetes answers it: ping still ok, shutdown failing and saying why.
    expect(await get(port, '/readyz/ping')).toMatchObject({ status: 200, body: 'ok' });
    expect(await get(port, '/readyz/shutdown')).toMatchObject({
      status: 500,
      body: 'internal server error: process is shutting down\n',
    });
    expect((await get(port, '/livez')).status).toBe(200);
    expect((await get(port, '/apis/custom.metrics.k8s.io/v1beta2')).status).toBe(200);

    // After the delay: new connections refused, the request in flight still answered.
    const refused = async () =>
      get(port, '/livez').then(
        () => false,
        (err: Error) => /ECONNREFUSED/.test(err.message),
      );
    for (const deadline = Date.now() + 30_000; !(await refused()) && Date.now() < deadline;)
      await sleep(100);
    await expect(get(port, '/livez')).rejects.toThrow(/ECONNREFUSED/);
    // Not before the delay was out (a busy machine can only make it later).
    expect(Date.now() - sigtermAt).toBeGreaterThanOrEqual(5_000);
    release();
    const answer = await inFlight;
    expect(answer.status).toBe(200);
    expect(answer.headers.connection).toBe('close');
    expect(JSON.parse(answer.body)).toMatchObject({
      kind: 'MetricValueList',
      items: [{ describedObject: { name: 'worker-1' }, value: '7' }],
    });
    expect(await exit).toBe(0);
    keepAlive.destroy();
  } finally {
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await new Promise((r) => (prometheus ? prometheus.close(r) : r(undefined)));
    rmSync(dir, { recursive: true, force: true });
  }
});
