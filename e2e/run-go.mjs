// Go's official clients against Beacon's servers, by `go test -json` in e2e/go: the metrics
// adapter read by the Kubernetes metrics clients (k8s.io/metrics) the HPA controller uses — a real
// Prometheus scraping prom-client targets, the adapter over TLS with a client certificate — and
// the tracking server (its built CLI) sent errors by the Sentry Go SDK and spans by the
// OpenTelemetry OTLP/HTTP exporter. Leaves its counts in .test-results/go.json for the
// repository's summary line.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { catalog, createGauge } from '@beacon/metric-catalog';
import { parseFlags, startAdapter, memoryLogger } from '@beacon/metrics-adapter';
import { createPki } from '@beacon/metrics-adapter/dist/testing/pki.js';
import { dsnAt, startCliServe } from '@beacon/tracking-server/dist/testing/cli-serve.js';
import {
  FAST_DISCOVERY_FLAGS,
  serveMetrics,
  startPrometheus,
  waitFor,
} from '@beacon/metrics-adapter/dist/testing/prometheus.js';
import { Registry } from 'prom-client';

const here = dirname(fileURLToPath(import.meta.url));
const results = join(here, '.test-results');
const trackerCli = createRequire(import.meta.url).resolve('@beacon/tracking-server/dist/cli.js');

/** This runner's counts, for the repository's summary line (a run that never started is one failure). */
function record(passed, failed) {
  mkdirSync(results, { recursive: true });
  writeFileSync(join(results, 'go.json'), JSON.stringify({ runner: 'go test', passed, failed }));
}

// e2e/go/go.mod's `go` line: the OpenTelemetry Go modules need this version.
if (spawnSync('go', ['version']).status !== 0) {
  console.error('go is not installed: the e2e suite needs Go 1.26 or later on PATH');
  record(0, 1);
  process.exit(1);
}

/**
 * The tracking server from its built CLI, with one project, serving on a loopback port it binds
 * itself (port 0, named in its `serving` log line: a port picked free here could be taken by
 * another process before the server bound it); the project's DSN is pointed at that port. 90 s
 * to start: on a busy CI machine the CLI alone can take seconds to load.
 */
async function startTracker(dataDir) {
  const apiToken = 'e2e-go-api-token';
  const added = JSON.parse(
    execFileSync(
      process.execPath,
      [trackerCli, 'project', 'add', 'go-checkout', '--data-dir', dataDir],
      {
        encoding: 'utf8',
      },
    ),
  );
  const { child, port } = await startCliServe(
    ['--data-dir', dataDir, '--api-token', apiToken],
    90_000,
  );
  const url = `http://127.0.0.1:${port}`;
  const exited = new Promise((resolve) =>
    child.exitCode !== null || child.signalCode !== null ? resolve() : child.once('exit', resolve),
  );
  return {
    url,
    apiToken,
    project: { ...added, dsn: dsnAt(added.dsn, url) },
    async close() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

const servers = [];
async function target(fill, labels) {
  const registry = new Registry();
  fill(registry);
  const { server, address } = await serveMetrics(registry);
  servers.push(server);
  return { address, ...(labels ? { labels } : {}) };
}

const pod = (name) => ({ namespace: 'platform', pod: name, service: 'collaboration' });
const ws = (n) => (r) => createGauge(catalog.platform.websocketConnections, r).set(n);
const targets = [
  await target(ws(3), pod('collab-a')),
  await target(ws(1.5), pod('collab-b')),
  await target(ws(8), pod('other-0')),
  await target(
    (r) => createGauge(catalog.platform.jobQueueLength, r).set({ queue: 'render' }, 12000),
    {
      namespace: 'platform',
      pod: 'video-0',
      service: 'video-processing',
    },
  ),
  await target((r) => {
    const g = createGauge(catalog.kubeStateMetrics.podLabels, r);
    for (const [name, app] of [
      ['collab-a', 'collab'],
      ['collab-b', 'collab'],
      ['other-0', 'other'],
    ]) {
      g.set(
        {
          namespace: 'platform',
          pod: name,
          uid: name,
          label_app: app,
          label_app_kubernetes_io_name: app,
        },
        1,
      );
    }
  }),
];

// A fleet of 1,000 pods in one exposition (as a federation or kube-state-metrics endpoint
// carries many pods): their list is ~180 KB, over the 128 KiB past which the adapter gzips for a
// client that asks, as client-go does. Values are the pod's number modulo 50.
const FLEET = 1000;
const fleet = createServer((_req, res) => {
  const lines = [];
  for (let i = 0; i < FLEET; i++) {
    const pod = `fleet-${String(i).padStart(4, '0')}`;
    lines.push(
      `${catalog.platform.websocketConnections.name}{namespace="fleet",pod="${pod}"} ${i % 50}`,
    );
    lines.push(
      `${catalog.kubeStateMetrics.podLabels.name}{namespace="fleet",pod="${pod}",label_app="fleet"} 1`,
    );
  }
  res.end(lines.join('\n') + '\n');
});
await new Promise((r) => fleet.listen(0, '127.0.0.1', r));
servers.push(fleet);
targets.push({ address: `127.0.0.1:${fleet.address().port}` });

const prom = await startPrometheus(targets);
const pki = createPki();
const dir = mkdtempSync(join(tmpdir(), 'beacon-e2e-go-'));
let adapter;
let tracker;
let code = 1;
try {
  mkdirSync(join(dir, 'tracker'));
  tracker = await startTracker(join(dir, 'tracker'));
  await waitFor(
    async () => {
      const res = await fetch(`${prom.url}/api/v1/query?query=count(up==1)`);
      const body = await res.json();
      return body.data.result[0]?.value[1] === String(targets.length);
    },
    30_000,
    () => 'Prometheus did not scrape every target',
  );
  const ca = pki.ca('client-ca');
  const client = pki.client(ca, 'hpa', '/CN=system:kube-controller-manager');
  adapter = await startAdapter(
    parseFlags([
      `--prometheus-url=${prom.url}`,
      '--secure-port=0',
      '--bind-address=127.0.0.1',
      `--cert-dir=${dir}`,
      `--client-ca-file=${ca.certFile}`,
      ...FAST_DISCOVERY_FLAGS,
    ]),
    { logger: memoryLogger() },
  );
  // Every metric the Go tests read, by name: a count would be met by one metric listed twice.
  const discovered = () => {
    const custom = adapter.provider.customMetrics().map((m) => `${m.resource}/${m.metric}`);
    const external = adapter.provider.externalMetrics().map((m) => m.metric);
    return { custom, external };
  };
  await waitFor(
    async () => {
      if (!adapter.provider.ready()) return false;
      const { custom, external } = discovered();
      return (
        custom.includes('pods/websocket_connections') &&
        custom.includes('pods/job_queue_length') &&
        external.includes('job_queue_length')
      );
    },
    30_000,
    () => `the adapter did not discover the metrics: ${JSON.stringify(discovered())}`,
  );
  const kubeconfig = join(dir, 'kubeconfig');
  writeFileSync(
    kubeconfig,
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [
        {
          name: 'adapter',
          cluster: { server: adapter.url, 'certificate-authority': join(dir, 'apiserver.crt') },
        },
      ],
      users: [
        {
          name: 'hpa',
          user: { 'client-certificate': client.certFile, 'client-key': client.keyFile },
        },
      ],
      contexts: [{ name: 'adapter', context: { cluster: 'adapter', user: 'hpa' } }],
      'current-context': 'adapter',
    }),
  );

  // Asynchronously: the adapter answers from this process while go test runs.
  const go = spawn('go', ['test', '-json', '-count=1', './...'], {
    cwd: join(here, 'go'),
    env: {
      ...process.env,
      BEACON_KUBECONFIG: kubeconfig,
      BEACON_TRACKER_URL: tracker.url,
      BEACON_TRACKER_DSN: tracker.project.dsn,
      BEACON_TRACKER_KEY: tracker.project.key,
      BEACON_TRACKER_API_TOKEN: tracker.apiToken,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let passed = 0;
  let failed = 0;
  let buffered = '';
  go.stdout.setEncoding('utf8');
  go.stdout.on('data', (chunk) => {
    buffered += chunk;
    let nl;
    while ((nl = buffered.indexOf('\n')) >= 0) {
      const line = buffered.slice(0, nl);
      buffered = buffered.slice(nl + 1);
      let event;
      try {
        event = JSON.parse(line);
      } catch {
        process.stdout.write(line + '\n'); // build output
        continue;
      }
      if (event.Action === 'output' && event.Test) process.stdout.write(event.Output);
      // Count top-level tests only (subtests are inside them).
      if (event.Test && !event.Test.includes('/')) {
        if (event.Action === 'pass') passed++;
        if (event.Action === 'fail') failed++;
      }
    }
  });
  const exit = await new Promise((resolve) => go.on('close', resolve));
  if (exit !== 0 && failed === 0) failed = 1; // a build failure is a failure
  record(passed, failed);
  console.log(
    `go test (k8s.io/metrics clients, Sentry Go SDK, OTLP/HTTP exporter): ${passed} passed, ${failed} failed`,
  );
  code = failed === 0 && passed > 0 ? 0 : 1;
} catch (err) {
  // The servers the Go tests need did not start: no test ran, and that is a failure to count.
  console.error(`the Go tests could not be run: ${err?.stack ?? err}`);
  record(0, 1);
} finally {
  await adapter?.close();
  await tracker?.close();
  await prom.stop();
  for (const s of servers) s.close();
  pki.remove();
  rmSync(dir, { recursive: true, force: true });
}
process.exit(code);
