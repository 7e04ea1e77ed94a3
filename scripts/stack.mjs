#!/usr/bin/env node
// The local stack `npm start` runs after the build, on embedded defaults, until Ctrl-C:
//   - a demo workload exporting the platform's metrics (catalog names) for a few pods;
//   - the tracking server on :9300 with a `demo` project (DSN printed);
//   - Prometheus on :9090 scraping the workload, the tracker and the adapter, evaluating the
//     alert rules beacon-alerts builds;
//   - the metrics adapter on :6443 in front of that Prometheus.
// Dashboards and alerts are built to .beacon/out for Grafana provisioning. State lives in
// .beacon/ (git-ignored). Ports are fixed so the printed commands work; a port in use is an error
// named before anything starts.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { createServer, get as httpGet } from 'node:http';
import { get as httpsGet } from 'node:https';
import { createServer as createTcpServer } from 'node:net';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { repoRoot, toolPath } from './setup.mjs';

const require = createRequire(import.meta.url);
const env = { ...process.env, PATH: toolPath() };
const state = join(repoRoot, '.beacon');
const out = join(state, 'out');
const PORTS = {
  workload: 9400,
  tracker: 9300,
  prometheus: 9090,
  alertmanager: 9093,
  adapter: 6443,
};
const PORT_OWNERS = {
  workload: 'the demo workload',
  tracker: 'the tracking server',
  prometheus: 'Prometheus',
  alertmanager: 'Alertmanager',
  adapter: 'the metrics adapter',
};

/**
 * Refuses to start when a port of the stack is taken, naming each: a child that could not listen
 * said so only in its own log line (Prometheus' "bind: address already in use"), and the one hint
 * there was, another `npm start`, was wrong for a Debian host whose prometheus and
 * prometheus-alertmanager packages run services on 9090 and 9093.
 */
async function checkPortsFree() {
  const taken = [];
  for (const [name, port] of Object.entries(PORTS)) {
    const free = await new Promise((resolve) => {
      const probe = createTcpServer();
      probe.once('error', () => resolve(false));
      probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
    });
    if (!free) taken.push(`${port} (${PORT_OWNERS[name]})`);
  }
  if (taken.length > 0)
    throw new Error(
      `port${taken.length > 1 ? 's' : ''} ${taken.join(', ')} in use: stop what listens there ` +
        "(`ss -ltnp` names it; Debian's prometheus and prometheus-alertmanager packages run " +
        'services on 9090 and 9093: `sudo systemctl stop prometheus prometheus-alertmanager`), ' +
        'or the `npm start` already running',
    );
}
const children = [];
let workloadServer;

function run(cmd, args) {
  const r = spawnSync(cmd, args, { cwd: repoRoot, env, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed:\n${r.stderr || r.stdout}`);
  return r.stdout;
}

function start(name, cmd, args) {
  if (stopping) throw new Error('stopped');
  const child = spawn(cmd, args, { cwd: repoRoot, env, stdio: ['ignore', 'ignore', 'pipe'] });
  child.stderr.on('data', (d) => {
    for (const line of String(d).split('\n').filter(Boolean))
      process.stderr.write(`[${name}] ${line}\n`);
  });
  child.on('error', (err) => {
    console.error(`${name} could not be started: ${err.message}`);
    if (!stopping) stop(1);
  });
  child.on('exit', (code, signal) => {
    if (!stopping) {
      console.error(`${name} exited (${signal ?? code}); stopping the stack`);
      stop(1);
    }
  });
  children.push(child);
  return child;
}

/** GET status; https with the adapter's self-signed certificate accepted (local only). */
function status(url) {
  return new Promise((resolve) => {
    const get = url.startsWith('https:') ? httpsGet : httpGet;
    get(url, { rejectUnauthorized: false }, (res) => {
      res.resume();
      resolve(res.statusCode);
    }).on('error', () => resolve(0));
  });
}

async function waitFor(url, what, seconds = 30) {
  for (let i = 0; i < seconds * 5; i++) {
    if (stopping) throw new Error('stopped');
    if ((await status(url)) === 200) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${what} did not come up at ${url}`);
}

/** When this run began, in Unix seconds: a scrape before it is the last run's. */
const RUN_STARTED = Math.floor(Date.now() / 1000);

/**
 * Waits for this run's first scrape of `job` (0–15 s): its `up` sample dated since the run began.
 * The last run's sample (Prometheus' data is kept, and a query looks 5 minutes back) answered at
 * once, before the series were fresh: the adapter's first discovery found none, and its wait
 * asked ~75 times (404s in its metrics, and 15 s more) until the next relist.
 */
async function waitForScrape(job, seconds = 45) {
  const query = `timestamp(up{job="${job}"}) >= ${RUN_STARTED}`;
  const url = `http://127.0.0.1:${PORTS.prometheus}/api/v1/query?query=${encodeURIComponent(query)}`;
  for (let i = 0; i < seconds * 2; i++) {
    if (stopping) throw new Error('stopped');
    const body = await new Promise((resolve) => {
      httpGet(url, (res) => {
        let text = '';
        res.on('data', (d) => (text += d));
        res.on('end', () => resolve(text));
      }).on('error', () => resolve(''));
    });
    try {
      if (JSON.parse(body).data.result.length > 0) return;
    } catch {
      // not answering yet
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`Prometheus did not scrape ${job} within ${seconds}s`);
}

/** A few pods of the platform, exporting catalog metrics with the labels Kubernetes SD gives. */
function demoWorkload() {
  const { catalog, createGauge } = require('@beacon/metric-catalog');
  const { Registry } = require('prom-client');
  const registry = new Registry();
  const ws = createGauge(catalog.platform.websocketConnections, registry);
  const queue = createGauge(catalog.platform.jobQueueLength, registry);
  const labels = createGauge(catalog.kubeStateMetrics.podLabels, registry);
  const tick = () => {
    const t = Date.now() / 60_000;
    ws.set(Math.round(40 + 30 * Math.sin(t)));
    queue.set({ queue: 'render' }, Math.round(12 + 10 * Math.cos(t)));
  };
  tick();
  setInterval(tick, 5_000).unref();
  for (const pod of ['collab-0', 'collab-1']) {
    labels.set(
      {
        namespace: 'platform',
        pod,
        uid: pod,
        label_app: 'collab',
        label_app_kubernetes_io_name: 'collab',
      },
      1,
    );
  }
  const server = createServer((req, res) => {
    if (req.url === '/empty') {
      // The stand-ins for the platform services the demo does not run (below): scraped, empty.
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
      res.end();
      return;
    }
    registry.metrics().then((text) => {
      res.writeHead(200, { 'content-type': registry.contentType });
      res.end(text);
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', (err) =>
      reject(
        new Error(
          `the demo workload cannot listen on 127.0.0.1:${PORTS.workload}: ${err.message}` +
            (err.code === 'EADDRINUSE' ? ' (taken since the stack checked it)' : ''),
        ),
      ),
    );
    server.listen(PORTS.workload, '127.0.0.1', () => resolve(server));
  });
}

// Stops the children and exits with `code` once they are gone. Ctrl-C in a terminal signals the
// whole process group, the children included, and each stops on it: they get a moment to do so
// before the SIGTERM, which the adapter (as k8s.io/apiserver) would take as a second signal and
// exit at once, with 1. A child still running after 10 s more is killed.
let stopping = false;
function stop(code = 0, signal) {
  if (stopping) return;
  stopping = true;
  process.exitCode = code;
  workloadServer?.close();
  const running = () =>
    children.filter((c) => c.pid !== undefined && c.exitCode === null && c.signalCode === null);
  const wait = (ms) =>
    new Promise((resolve) => {
      const left = running();
      if (left.length === 0) return resolve();
      setTimeout(resolve, ms).unref();
      let n = left.length;
      for (const c of left) c.once('exit', () => --n === 0 && resolve());
    });
  (async () => {
    if (signal === 'SIGINT') await wait(2_000);
    for (const c of running()) c.kill('SIGTERM');
    await wait(10_000);
    for (const c of running()) {
      console.error(`${c.spawnargs.join(' ')} did not stop on SIGTERM; killing it`);
      c.kill('SIGKILL');
    }
    process.exit(code);
  })();
}
process.on('SIGINT', () => stop(0, 'SIGINT'));
process.on('SIGTERM', () => stop(0, 'SIGTERM'));
// A closed terminal sends SIGHUP, which Prometheus and Alertmanager take as "reload": they would
// outlive the stack and keep their ports.
process.on('SIGHUP', () => stop(0, 'SIGHUP'));
// A SIGTERM sent to `npm start` reaches only the shell npm runs this under, which exits without
// passing it on: the stack, left with a new parent, stops as if it had been signalled.
const parent = process.ppid;
setInterval(() => process.ppid !== parent && stop(0, 'SIGTERM'), 1_000).unref();
// With the terminal gone, a line logged while stopping must not end this process before its
// children.
for (const stream of [process.stdout, process.stderr]) stream.on('error', () => {});

try {
  // Before the build output and the demo project are written: two starts at once stop here.
  await checkPortsFree();
  mkdirSync(out, { recursive: true });
  run('node', ['packages/dashboards-as-code/dist/cli.js', 'build', '--out', out]);
  run('node', ['packages/alert-rules/dist/cli.js', 'build', '--out', out]);

  const trackerDir = join(state, 'tracking');
  const projects = JSON.parse(
    run('node', [
      '-e',
      `
    const { loadConfig, addProject, dsnFor } = require('./packages/tracking-server/dist/index.js');
    const dir = ${JSON.stringify(trackerDir)};
    const p = loadConfig(dir).projects.find((x) => x.name === 'demo') ?? addProject(dir, 'demo');
    console.log(JSON.stringify({ id: p.id, dsn: dsnFor(p, 'http://localhost:${PORTS.tracker}') }));
  `,
    ]),
  );

  workloadServer = await demoWorkload();
  start('tracking-server', 'node', [
    'packages/tracking-server/dist/cli.js',
    'serve',
    '--port',
    String(PORTS.tracker),
    // This machine's alone, as the rest of the stack listens.
    '--host',
    '127.0.0.1',
    '--data-dir',
    trackerDir,
  ]);
  await waitFor(`http://127.0.0.1:${PORTS.tracker}/healthz`, 'the tracking server');

  // Alertmanager routes what Prometheus fires, with the configuration alert-rules built (its
  // receivers are placeholders at example.invalid, their secrets files absent: a notification
  // fails and is logged, and the alert is still seen in Alertmanager's UI and API).
  mkdirSync(join(state, 'alertmanager'), { recursive: true });
  start('alertmanager', 'prometheus-alertmanager', [
    `--config.file=${join(out, 'alertmanager', 'alertmanager.yml')}`,
    `--storage.path=${join(state, 'alertmanager')}`,
    `--web.listen-address=127.0.0.1:${PORTS.alertmanager}`,
    '--cluster.listen-address=',
    '--log.level=warn',
  ]);
  await waitFor(`http://127.0.0.1:${PORTS.alertmanager}/-/ready`, 'Alertmanager');

  const ruleFiles = readdirSync(join(out, 'prometheus'))
    .filter((f) => f.endsWith('.rules.yml'))
    .map((f) => join(out, 'prometheus', f));
  const { PLATFORM_SERVICES } = require('@beacon/alert-rules');
  const promConfig = {
    global: { scrape_interval: '15s', evaluation_interval: '15s' },
    rule_files: ruleFiles,
    alerting: {
      alertmanagers: [{ static_configs: [{ targets: [`127.0.0.1:${PORTS.alertmanager}`] }] }],
    },
    scrape_configs: [
      {
        job_name: 'collaboration',
        // The workload serves kube_pod_labels too, for both demo pods, as kube-state-metrics
        // would: its own namespace and pod labels are kept, as Prometheus is told to keep
        // kube-state-metrics' (the target's pod label renamed collab-1's series to collab-0, with
        // exported_pod, and the adapter's pod list lost it). The app's metrics carry none, so
        // they take the target's.
        honor_labels: true,
        static_configs: [
          {
            targets: [`127.0.0.1:${PORTS.workload}`],
            labels: { namespace: 'platform', pod: 'collab-0', service: 'collaboration' },
          },
        ],
      },
      {
        // ServiceDown fires for a platform service with no target up. The demo runs pods of the
        // collaboration service only; each other service has a target that answers an empty
        // page, so nothing fires (and Alertmanager notifies no placeholder) until one goes down.
        job_name: 'platform-stand-ins',
        metrics_path: '/empty',
        static_configs: PLATFORM_SERVICES.filter((service) => service !== 'collaboration').map(
          (service) => ({
            targets: [`127.0.0.1:${PORTS.workload}`],
            labels: { namespace: 'platform', service },
          }),
        ),
      },
      {
        job_name: 'beacon-tracking-server',
        static_configs: [{ targets: [`127.0.0.1:${PORTS.tracker}`] }],
      },
      {
        job_name: 'beacon-metrics-adapter',
        scheme: 'https',
        tls_config: { insecure_skip_verify: true },
        static_configs: [{ targets: [`127.0.0.1:${PORTS.adapter}`] }],
      },
    ],
  };
  writeFileSync(join(state, 'prometheus.yml'), JSON.stringify(promConfig, null, 2));
  start('prometheus', 'prometheus', [
    `--config.file=${join(state, 'prometheus.yml')}`,
    `--storage.tsdb.path=${join(state, 'prometheus')}`,
    `--web.listen-address=127.0.0.1:${PORTS.prometheus}`,
    '--log.level=warn',
  ]);
  await waitFor(`http://127.0.0.1:${PORTS.prometheus}/-/ready`, 'Prometheus');
  // The adapter discovers series when it starts and then every relist interval: with the workload
  // scraped first, the command printed below answers as soon as the stack says it is up.
  await waitForScrape('collaboration');

  start('metrics-adapter', 'node', [
    'packages/metrics-adapter/dist/cli.js',
    `--prometheus-url=http://127.0.0.1:${PORTS.prometheus}`,
    `--secure-port=${PORTS.adapter}`,
    '--bind-address=127.0.0.1',
    `--cert-dir=${join(state, 'adapter-certs')}`,
    // Local only: no cluster to authenticate against, so every request is served as anonymous.
    '--insecure-serve-anonymous',
    '--metrics-relist-interval=15s',
  ]);
  await waitFor(`https://127.0.0.1:${PORTS.adapter}/healthz`, 'the metrics adapter');
  await waitFor(
    `https://127.0.0.1:${PORTS.adapter}/apis/custom.metrics.k8s.io/v1beta2/namespaces/platform/pods/%2A/websocket_connections`,
    'websocket_connections in the metrics adapter',
    45,
  );

  console.log(`
Beacon's local stack is up (Ctrl-C stops it; state in .beacon/).

  tracking server   http://localhost:${PORTS.tracker}      Sentry DSN: ${projects.dsn}
                    REST API: curl -H "Authorization: Bearer $(cat .beacon/tracking/api-token)" http://localhost:${PORTS.tracker}/api/v1/issues
  Prometheus        http://localhost:${PORTS.prometheus}      (scraping the demo workload, the tracker and the adapter; Beacon's alert rules loaded)
  Alertmanager      http://localhost:${PORTS.alertmanager}/api/v2/alerts   (routing what Prometheus fires; its receivers are placeholders at example.invalid)
  metrics adapter   https://localhost:${PORTS.adapter}
                    curl -k https://localhost:${PORTS.adapter}/apis/custom.metrics.k8s.io/v1beta2/namespaces/platform/pods/%2A/websocket_connections
  dashboards        .beacon/out/dashboards/*.json, for Grafana's /var/lib/grafana/dashboards/beacon
                    (the folder .beacon/out/provisioning/dashboards/beacon.yaml provisions)
  alerting          .beacon/out/prometheus, .beacon/out/alertmanager/alertmanager.yml, .beacon/out/grafana/alert-rules.yaml
`);
} catch (err) {
  // A signal during startup stops the stack with 0 and ends the waits: nothing to report.
  if (!stopping) console.error(`start: ${err instanceof Error ? err.message : String(err)}`);
  stop(1);
}
