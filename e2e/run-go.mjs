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
import { clearTimeout } from 'node:timers';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const results = join(here, '.test-results');

/** This runner's counts, for the repository's summary line (a run that never started is one failure). */
function record(passed, failed) {
  mkdirSync(results, { recursive: true });
  writeFileSync(join(results, 'go.json'), JSON.stringify({ runner: 'go test', passed, failed }));
}

// Everything this run starts, for cleanup(), which the finally block and a signal both run. The
// starts are kept as promises: a signal can come while one is under way, and what it started
// must be stopped once it has.
const servers = [];
let pki;
let dir;
let promStart;
let trackerStart;
let adapterStart;
let go;
let goClosed;
let passed = 0;
let failed = 0;
let interrupted; // the signal that stopped this run

/** Throws once a signal came: nothing more is started after cleanup() has begun. */
function notInterrupted() {
  if (interrupted) throw new Error(`interrupted by ${interrupted}`);
}

/**
 * Stops `go test` and the test binaries it runs: it is spawned detached, in a process group of its
 * own, so the whole group is signalled (the group alone also keeps a terminal's Ctrl-C from
 * reaching it before this does). SIGINT first, as Ctrl-C would: the test binaries stop and go
 * removes its work directory; SIGKILL after 5 s for what is left (go ignores an interrupt while
 * it builds).
 */
async function stopGo() {
  // Once go has exited its group may be gone, and its number another's.
  if (!go || go.exitCode !== null || go.signalCode !== null) return goClosed;
  const signal = (name) => {
    try {
      process.kill(-go.pid, name);
    } catch {
      // the group is gone already
    }
  };
  signal('SIGINT');
  const kill = setTimeout(() => signal('SIGKILL'), 5_000);
  await goClosed;
  clearTimeout(kill);
}

let cleaning;
/** Stops whatever was started, once, whoever asks first (the finally block or a signal). */
function cleanup() {
  const step = async (what, fn) => {
    try {
      await fn();
    } catch (err) {
      console.error(`stopping ${what}: ${err?.stack ?? err}`);
    }
  };
  // A start that failed has nothing to stop.
  const started = (start) => start?.catch(() => undefined);
  cleaning ??= (async () => {
    await step('go test', stopGo);
    await step('the adapter', async () => (await started(adapterStart))?.close());
    await step('the tracker', async () => (await started(trackerStart))?.close());
    await step('Prometheus', async () => (await started(promStart))?.stop());
    for (const s of servers) s.close();
    await step('the PKI', () => pki?.remove());
    if (dir) rmSync(dir, { recursive: true, force: true });
  })();
  return cleaning;
}

// SIGINT (Ctrl-C) or SIGTERM (a CI job cancelled): stop go test and every server, record the run
// as failed, and exit as a shell reports that signal. A second signal kills at once.
const onSignal = (signal, exitCode) => () => {
  process.removeAllListeners('SIGINT');
  process.removeAllListeners('SIGTERM');
  interrupted = signal;
  console.error(`${signal}: stopping go test and the servers`);
  void cleanup().finally(() => {
    record(passed, failed + 1);
    process.exit(exitCode);
  });
};
process.once('SIGINT', onSignal('SIGINT', 130));
process.once('SIGTERM', onSignal('SIGTERM', 143));

// An earlier run's counts must not stand for this one, however this one ends.
rmSync(join(results, 'go.json'), { force: true });

// e2e/go/go.mod's `go` line: the OpenTelemetry Go modules need this version.
if (spawnSync('go', ['version']).status !== 0) {
  console.error('go is not installed: the e2e suite needs Go 1.26 or later on PATH');
  record(0, 1);
  process.exit(1);
}

// Loaded only now (a few hundred ms): a signal meanwhile finds its handler, and no old counts. A
// package that does not load (not built) is a failure recorded, as any other start that fails.
const loaded = await Promise.all([
  import('@beacon/metric-catalog'),
  import('@beacon/metrics-adapter'),
  import('@beacon/metrics-adapter/dist/testing/pki.js'),
  import('@beacon/tracking-server/dist/testing/cli-serve.js'),
  import('@beacon/metrics-adapter/dist/testing/prometheus.js'),
  import('@beacon/metrics-adapter/dist/testing/kubeconfig.js'),
  import('prom-client'),
]).catch((err) => {
  console.error(`the Go tests could not be run: ${err?.stack ?? err}`);
  record(0, 1);
  process.exit(1);
});
const [
  { catalog, createGauge },
  { parseFlags, startAdapter, memoryLogger },
  { createPki },
  { dsnAt, startCliServe },
  { FAST_DISCOVERY_FLAGS, serveMetrics, startPrometheus, waitFor },
  { writeClientCertKubeconfig },
  { Registry },
] = loaded;
const trackerCli = createRequire(import.meta.url).resolve('@beacon/tracking-server/dist/cli.js');

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

async function target(fill, labels) {
  const registry = new Registry();
  fill(registry);
  const { server, address } = await serveMetrics(registry);
  servers.push(server);
  return { address, ...(labels ? { labels } : {}) };
}

async function startTargets() {
  const pod = (name) => ({ namespace: 'platform', pod: name, service: 'collaboration' });
  const ws = (n) => (r) => createGauge(catalog.platform.websocketConnections, r).set(n);
  const targets = [
    await target(ws(3), pod('collab-a')),
    await target(ws(1.5), pod('collab-b')),
    await target(ws(8), pod('other-0')),
    // Two queues on one pod: a metric selector (custom and external) must pick render's alone.
    await target(
      (r) => {
        const g = createGauge(catalog.platform.jobQueueLength, r);
        g.set({ queue: 'render' }, 12000);
        g.set({ queue: 'encode' }, 30);
      },
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
        ['video-0', 'video'],
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
  servers.push(fleet);
  await new Promise((r) => fleet.listen(0, '127.0.0.1', r));
  targets.push({ address: `127.0.0.1:${fleet.address().port}` });
  return targets;
}

/** Runs `go test -json` and counts its top-level tests; resolves with its exit status. */
async function goTest(env) {
  // go's work directory (the test binaries) inside this run's: a go killed while it builds, which
  // an interrupt does not stop, leaves it behind, and cleanup() removes it.
  const goTmp = join(dir, 'go-tmp');
  mkdirSync(goTmp);
  notInterrupted();
  go = spawn('go', ['test', '-json', '-count=1', './...'], {
    cwd: join(here, 'go'),
    env: { ...process.env, ...env, GOTMPDIR: goTmp },
    stdio: ['ignore', 'pipe', 'inherit'],
    detached: true,
  });
  goClosed = new Promise((resolve) => go.once('close', resolve));
  // Packages with a failed top-level test: their package-level fail is already counted.
  const testFailedIn = new Set();
  const onEvent = (event) => {
    // Test output, and what belongs to no test: a package's ok/FAIL line, and since Go 1.24 the
    // compiler's errors (build-output, keyed by ImportPath; golang/go#62067).
    if ((event.Action === 'output' || event.Action === 'build-output') && event.Output)
      process.stdout.write(event.Output);
    // After a signal, failures are the kill's, not the tests': the interruption counts as one.
    if (interrupted) return;
    if (event.Test) {
      // Top-level tests only (subtests are inside them).
      if (event.Test.includes('/')) return;
      if (event.Action === 'pass') passed++;
      // A test that skipped itself did not check what it is for: a failure, as the repository
      // counts a skipped test (its tools are installed by the setup, or it fails loudly).
      if (event.Action === 'skip') console.error(`${event.Test} skipped itself: counted as failed`);
      if (event.Action === 'fail' || event.Action === 'skip') {
        failed++;
        testFailedIn.add(event.Package);
      }
    } else if (event.Action === 'fail' && (event.FailedBuild || !testFailedIn.has(event.Package))) {
      // A package that did not build, or whose binary failed outside any test (a panic in
      // init, TestMain exiting, a timeout): one failure, which no test event counted.
      failed++;
    }
  };
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
        process.stdout.write(line + '\n'); // not an event: go's own complaint
        continue;
      }
      onEvent(event);
    }
  });
  return goClosed;
}

let code = 1;
try {
  dir = mkdtempSync(join(tmpdir(), 'beacon-e2e-go-'));
  pki = createPki();
  const targets = await startTargets();
  notInterrupted();
  promStart = startPrometheus(targets);
  const prom = await promStart;
  mkdirSync(join(dir, 'tracker'));
  notInterrupted();
  trackerStart = startTracker(join(dir, 'tracker'));
  const tracker = await trackerStart;
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
  notInterrupted();
  adapterStart = startAdapter(
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
  const adapter = await adapterStart;
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
        custom.includes('namespaces/websocket_connections') &&
        custom.includes('namespaces/job_queue_length') &&
        external.includes('job_queue_length')
      );
    },
    30_000,
    () => `the adapter did not discover the metrics: ${JSON.stringify(discovered())}`,
  );
  const kubeconfig = writeClientCertKubeconfig(join(dir, 'kubeconfig'), {
    server: adapter.url,
    caFile: join(dir, 'apiserver.crt'),
    certFile: client.certFile,
    keyFile: client.keyFile,
    user: 'hpa',
  });

  // Asynchronously: the adapter answers from this process while go test runs.
  const exit = await goTest({
    BEACON_KUBECONFIG: kubeconfig,
    BEACON_TRACKER_URL: tracker.url,
    BEACON_TRACKER_DSN: tracker.project.dsn,
    BEACON_TRACKER_KEY: tracker.project.key,
    BEACON_TRACKER_API_TOKEN: tracker.apiToken,
  });
  // A signal's handler records the run once cleanup() is done.
  if (!interrupted) {
    if (exit !== 0 && failed === 0) failed = 1; // go failed before any test could
    record(passed, failed);
    console.log(
      `go test (k8s.io/metrics clients, Sentry Go SDK, OTLP/HTTP exporter): ${passed} passed, ${failed} failed`,
    );
    code = failed === 0 && passed > 0 ? 0 : 1;
  }
} catch (err) {
  // The servers the Go tests need did not start: no test ran, and that is a failure to count. A
  // signal's handler records its own.
  if (!interrupted) {
    console.error(`the Go tests could not be run: ${err?.stack ?? err}`);
    record(0, 1);
  }
} finally {
  await cleanup();
}
// Once a signal came, its handler exits, when cleanup() is done.
if (!interrupted) process.exit(code);
