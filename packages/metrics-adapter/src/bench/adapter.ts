// npm run bench: the adapter's latency and footprint against a real Prometheus holding 1,500
// pods' series, side by side with the same PromQL sent to Prometheus directly and with the
// pod-name regex query prometheus-adapter would send for the same request. Every path is measured
// by the same Go client in the same interleaved rounds (measure.ts); then the cache hit and the
// bare server once more, alone. Prints numbers; it is not a test and asserts nothing.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseDocument } from 'yaml';
import { createPki, type Pair } from '../testing/pki';
import { freePort, startPrometheus, waitFor } from '../testing/prometheus';
import { withSampleTime } from '../provider/prometheus/sample-times';
import {
  getter,
  startMeasurer,
  summarise,
  type Case,
  type Getter,
  type Identity,
  type Measurer,
  type Summary,
} from './measure';
import { describeStalls, startStallProbe, type Stalls } from './stall-probe';

const PODS = 1500;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 400);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 30);
const ALONE_ROUNDS = Number(process.env.BENCH_ALONE_ROUNDS ?? 1000);
const NAMESPACE = 'platform';
const pods = Array.from({ length: PODS }, (_, i) => `collab-${String(i).padStart(5, '0')}`);

/**
 * Who calls: the HPA controller through kube-apiserver's aggregator, which sends each request
 * over mTLS with the front proxy's client certificate and the caller in X-Remote-* headers.
 */
interface Caller {
  readonly ca: Pair;
  readonly proxy: Pair;
}
const FRONT_PROXY_CN = 'front-proxy-client';
const CALLER_HEADERS = {
  'X-Remote-User': 'system:serviceaccount:kube-system:horizontal-pod-autoscaler',
  'X-Remote-Group': 'system:serviceaccounts',
};
const identity = (certDir: string, caller: Caller): Identity => ({
  ca: readFileSync(join(certDir, 'apiserver.crt'), 'utf8'),
  cert: caller.proxy.cert,
  key: caller.proxy.key,
  headers: CALLER_HEADERS,
});

/** One target exposing what 1,500 pods and kube-state-metrics would: values and pod labels. */
function exposition(): string {
  const lines = ['# TYPE websocket_connections gauge'];
  pods.forEach((pod, i) =>
    lines.push(`websocket_connections{namespace="${NAMESPACE}",pod="${pod}"} ${i % 50}`),
  );
  lines.push('# TYPE kube_pod_labels gauge');
  for (const pod of pods)
    lines.push(`kube_pod_labels{namespace="${NAMESPACE}",pod="${pod}",label_app="collab"} 1`);
  return lines.join('\n') + '\n';
}

/**
 * The environment deploy/deployment.yaml gives the adapter's container (its allocator settings):
 * the adapters and the bare server run with it, as deployed.
 */
function deployedEnv(): Record<string, string> {
  const doc = parseDocument(
    readFileSync(join(__dirname, '..', '..', 'deploy', 'deployment.yaml'), 'utf8'),
  ).toJS() as {
    spec: { template: { spec: { containers: { env?: { name: string; value: string }[] }[] } } };
  };
  const env = doc.spec.template.spec.containers[0]?.env ?? [];
  return Object.fromEntries(env.map((e) => [e.name, e.value]));
}

interface AdapterProcess {
  readonly url: string;
  readonly client: Getter;
  readonly child: ChildProcess;
  rssMiB(): number;
  /** The adapter's own counters (its /metrics), to show what each measured request cost it. */
  counters(): Promise<Counters>;
}

interface Counters {
  /** User + system CPU time of the adapter process, from /proc (10 ms ticks). */
  readonly cpuMs: number;
  readonly requests: number;
  readonly prometheusQueries: number;
  readonly cache: Readonly<Record<string, number>>;
}

/** USER_HZ, the unit of /proc/<pid>/stat times: 100 on every Linux architecture Node runs on. */
const TICKS_PER_SECOND = 100;

/** User + system CPU time a child process has used, from /proc. */
function cpuMsOf(child: ChildProcess): number {
  const stat = readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return (Number(stat[11]) + Number(stat[12])) * (1000 / TICKS_PER_SECOND);
}
const VALUES_PATH = `/apis/custom.metrics.k8s.io/v1beta2/namespaces/${NAMESPACE}/pods/%2A/websocket_connections?labelSelector=app%3Dcollab`;

async function startAdapterProcess(
  promUrl: string,
  certDir: string,
  caller: Caller,
  extra: string[],
): Promise<AdapterProcess> {
  const port = await freePort();
  const child: ChildProcess = spawn(
    process.execPath,
    [
      // BENCH_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" profiles the adapters under load.
      ...(process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean),
      join(__dirname, '..', 'cli.js'),
      `--prometheus-url=${promUrl}`,
      `--secure-port=${port}`,
      '--bind-address=127.0.0.1',
      `--cert-dir=${certDir}`,
      '--metrics-relist-interval=1m',
      `--requestheader-client-ca-file=${caller.ca.certFile}`,
      `--requestheader-allowed-names=${FRONT_PROXY_CN}`,
      ...extra,
    ],
    { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, ...deployedEnv() } },
  );
  const url = `https://127.0.0.1:${port}`;
  let client: Getter | undefined;
  try {
    await waitFor(
      async () => {
        // A new client each try, its CA read again: the adapter writes its self-signed
        // certificate as it starts, and one read while openssl wrote it (empty, or cut short)
        // failed every later try (a run on 2026-12-05, 12:43, found so).
        const attempt = getter(url, identity(certDir, caller));
        const up = await attempt
          .get('/apis/custom.metrics.k8s.io/v1beta2')
          .then((body) => body.includes('pods/websocket_connections'))
          .catch(() => false);
        if (up) client = attempt;
        else attempt.close();
        return up;
      },
      30_000,
      () => 'the adapter did not come up',
    );
  } catch (error) {
    child.kill(); // not left serving after the run has given up on it
    throw error;
  }
  const get = client as Getter;
  return {
    url,
    client: get,
    child,
    rssMiB: () => {
      const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
      return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) / 1024;
    },
    async counters() {
      const text = (await get.get('/metrics')).toString();
      const sum = (re: RegExp) =>
        [...text.matchAll(re)].reduce((n, m) => n + Number(m[m.length - 1]), 0);
      const cache: Record<string, number> = {};
      for (const m of text.matchAll(
        /^beacon_adapter_cache_requests_total\{result="(\w+)"\} (\S+)$/gm,
      ))
        cache[m[1] as string] = Number(m[2]);
      return {
        cpuMs: cpuMsOf(child),
        requests: sum(
          /^beacon_adapter_requests_total\{path="[^"]*pods\/\*\/\{metric\}",code="200"\} (\S+)$/gm,
        ),
        prometheusQueries: sum(
          /^beacon_adapter_backend_query_duration_seconds_count\{[^}]*\} (\S+)$/gm,
        ),
        cache,
      };
    },
  };
}

/**
 * A bare node:https server in its own process, with the adapter's certificate and environment,
 * asking for the caller's certificate as the adapter does (once a connection, in the handshake),
 * that answers every request with `body`: what this machine gives for sending a cache hit's
 * bytes over TLS and nothing else, the floor under the adapter's cache-hit latency.
 */
async function startBareHttps(
  certDir: string,
  caller: Caller,
  body: Buffer,
): Promise<{ url: string; child: ChildProcess }> {
  const port = await freePort();
  const file = join(certDir, 'answer.json');
  writeFileSync(file, body);
  const script = `
    const fs = require('node:fs');
    const body = fs.readFileSync(${JSON.stringify(file)});
    require('node:https').createServer({
      cert: fs.readFileSync(${JSON.stringify(join(certDir, 'apiserver.crt'))}),
      key: fs.readFileSync(${JSON.stringify(join(certDir, 'apiserver.key'))}),
      ca: fs.readFileSync(${JSON.stringify(caller.ca.certFile)}),
      requestCert: true,
    }, (req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length });
      res.end(body);
    }).listen(${port}, '127.0.0.1');`;
  const child = spawn(process.execPath, ['-e', script], {
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, ...deployedEnv() },
  });
  const url = `https://127.0.0.1:${port}`;
  const client = getter(url, identity(certDir, caller));
  try {
    await waitFor(
      async () => (await client.get('/')).length > 0,
      10_000,
      () => 'the bare https server did not come up',
    );
  } finally {
    client.close();
  }
  return { url, child };
}

const goVersion = () =>
  spawnSync('go', ['env', 'GOVERSION'], { encoding: 'utf8' }).stdout?.trim() || 'Go';

const diff = (a: Counters, b: Counters): Counters => ({
  cpuMs: b.cpuMs - a.cpuMs,
  requests: b.requests - a.requests,
  prometheusQueries: b.prometheusQueries - a.prometheusQueries,
  cache: Object.fromEntries(
    Object.entries(b.cache).map(([k, v]) => [k, v - (a.cache[k] ?? 0)] as const),
  ),
});

function report(
  results: readonly (readonly [string, Summary])[],
  uncached: Counters,
  cached: Counters,
  extra: {
    grouped: string;
    regex: string;
    rss: [number, number];
    load: [number[], number[]];
    /** The bare https server's CPU per request. */
    bareCpuMs: number;
    /** What the stall probe saw during the measured rounds. */
    stalls: Stalls;
    alone: Alone;
  },
) {
  const fmt = (n: number) => n.toFixed(2).padStart(8);
  const byName = new Map(results);
  const base = byName.get(DIRECT) as Summary;
  const baseGz = byName.get(DIRECT_GZ) as Summary;
  const miss = byName.get(MISS) as Summary;
  const missGz = byName.get(MISS_GZ) as Summary;
  const hit = byName.get(HIT) as Summary;
  const hitGz = byName.get(HIT_GZ) as Summary;
  const bare = byName.get(BARE) as Summary;
  const regex = byName.get(REGEX) as Summary;
  const load = (l: number[]) => l.map((n) => n.toFixed(2)).join(' ');
  console.log(
    `\nmetrics-adapter bench — ${PODS} pods, ${ROUNDS} interleaved rounds of one request per path (after ${WARMUP} warm-up rounds), same Go client for all (${goVersion()}), Node ${process.version}, ${cpus().length} CPUs, load average ${load(extra.load[0])} → ${load(extra.load[1])}\nadapters and bare server with deploy/deployment.yaml's environment: ${Object.entries(
      deployedEnv(),
    )
      .map(([k, v]) => `${k}=${v}`)
      .join(' ')}\n`,
  );
  console.log(
    `${'path'.padEnd(46)}${'p50 ms'.padStart(8)}${'p99 ms'.padStart(8)}${'max ms'.padStart(8)}  p99 / baseline`,
  );
  for (const [name, r] of results)
    console.log(
      `${name.padEnd(46)}${fmt(r.p50)}${fmt(r.p99)}${fmt(r.max)}  ${(r.p99 / base.p99).toFixed(2)}×`,
    );
  const perRequest = (c: Counters) =>
    `${(c.prometheusQueries / c.requests).toFixed(3)} Prometheus queries and ${(c.cpuMs / c.requests).toFixed(2)} ms of CPU each`;
  const cacheText = (c: Counters) =>
    Object.entries(c.cache)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ');
  console.log('');
  console.log(
    `adapter, cache off: ${uncached.requests} requests, ${perRequest(uncached)} (value cache: ${cacheText(uncached)})`,
  );
  console.log(
    `adapter, cache on:  ${cached.requests} requests, ${perRequest(cached)} (value cache: ${cacheText(cached)})`,
  );
  const bytes = (q: string) => Buffer.byteLength(q);
  console.log(`query sent by the adapter:        ${bytes(extra.grouped)} bytes`);
  console.log(
    `pod-name regex query (1,500 pods): ${bytes(extra.regex)} bytes (${(bytes(extra.regex) / 1024).toFixed(1)} KiB)`,
  );
  console.log(`regex query p99 / grouped p99:    ${(regex.p99 / base.p99).toFixed(1)}×`);
  console.log(
    `cache hit / bare https, same bytes: p50 ${(hit.p50 / bare.p50).toFixed(2)}×, p99 ${(hit.p99 / bare.p99).toFixed(2)}× (${(hit.p99 - bare.p99).toFixed(2)} ms); bare https: ${extra.bareCpuMs.toFixed(2)} ms of CPU a request`,
  );
  console.log(
    `adapter RSS: ${extra.rss[0].toFixed(0)} MiB (cache off), ${extra.rss[1].toFixed(0)} MiB (cache on)`,
  );
  console.log(`the machine during the rounds (stall-probe.ts): ${describeStalls(extra.stalls)}`);
  const { alone } = extra;
  console.log(
    `alone, after the rounds above: ${alone.rounds} rounds of the hit, the hit with gzip asked and the bare server, nothing else between (not the floors' figures; p50, p99, max ms)`,
  );
  for (const [name, r] of alone.results)
    console.log(`  ${name.padEnd(44)}${fmt(r.p50)}${fmt(r.p99)}${fmt(r.max)}`);
  console.log(
    `  CPU a request: the cache-hit adapter ${alone.hitCpuMs.toFixed(2)} ms, the bare server ${alone.bareCpuMs.toFixed(2)} ms`,
  );
  console.log('');
  const verdict = (ok: boolean) => (ok ? 'met' : 'NOT met');
  const floor = (what: string, value: number, limit: number) =>
    console.log(
      `floor ${what.padEnd(58)}${value.toFixed(2)} <= ${limit.toFixed(2)}  ${verdict(value <= limit)}`,
    );
  // Like with like: each client's adapter path against the same client's direct query.
  floor('uncached p99 <= 1.10 × direct p99 + 2 ms, no compression:', miss.p99, 1.1 * base.p99 + 2);
  floor('uncached p99 <= 1.10 × direct p99 + 2 ms, gzip asked:', missGz.p99, 1.1 * baseGz.p99 + 2);
  floor('cache-hit p99 <= 5 ms, no compression:', hit.p99, 5);
  floor('cache-hit p99 <= 5 ms, gzip asked:', hitGz.p99, 5);
  floor('query <= 2 KB:', bytes(extra.grouped), 2048);
}

/** The hit paths and the bare server, measured once more with nothing else between them. */
interface Alone {
  readonly rounds: number;
  readonly results: readonly (readonly [string, Summary])[];
  readonly hitCpuMs: number;
  readonly bareCpuMs: number;
}

/**
 * What a hit costs the adapter itself, apart from the machine: in the interleaved rounds each
 * request wakes a process that sat idle while Prometheus and the misses ran (the bare server's
 * CPU a request is ~2.5× what it is back to back). Measured after those rounds, by a client of
 * its own, so the floors' figures are as they were.
 */
async function measureAlone(
  cases: readonly Case[],
  identity: Identity,
  cached: AdapterProcess,
  bare: ChildProcess,
): Promise<Alone> {
  const measurer = await startMeasurer({ clients: { cached: identity, bare: identity }, cases });
  try {
    await measurer.rounds(WARMUP);
    const before = await cached.counters();
    const bareBefore = cpuMsOf(bare);
    const times = await measurer.rounds(ALONE_ROUNDS);
    const after = await cached.counters();
    return {
      rounds: ALONE_ROUNDS,
      results: cases.map((c, i) => [c.name, summarise(times[i] as number[])] as const),
      hitCpuMs: (after.cpuMs - before.cpuMs) / (after.requests - before.requests),
      bareCpuMs: (cpuMsOf(bare) - bareBefore) / ALONE_ROUNDS,
    };
  } finally {
    measurer.close();
  }
}

const DIRECT = 'Prometheus direct, grouped query (baseline)';
const PARSED = 'Prometheus direct, grouped, JSON parsed';
const REGEX = 'Prometheus direct, pod-name regex query';
const DIRECT_GZ = 'Prometheus direct, grouped, gzip asked';
const MISS = 'adapter, value cache miss';
const MISS_GZ = 'adapter, value cache miss, gzip asked';
const HIT = 'adapter, value cache hit';
const HIT_GZ = 'adapter, value cache hit, gzip asked';
const BARE = "bare node:https, the cache hit's bytes";

async function main() {
  const text = exposition();
  const target: Server = createServer((_req, res) => res.end(text));
  const targetPort = await freePort();
  await new Promise<void>((r) => target.listen(targetPort, '127.0.0.1', r));
  // A production-like scrape interval, so scrapes of 3,000 series do not land on every sample.
  const prom = await startPrometheus([{ address: `127.0.0.1:${targetPort}` }], {
    scrapeInterval: '15s',
  });
  const children: ChildProcess[] = [];
  const direct = getter(prom.url);
  let measurer: Measurer | undefined;
  let certDir: string | undefined;
  const pki = createPki();
  const proxyCa = pki.ca('front-proxy-ca');
  const caller: Caller = {
    ca: proxyCa,
    proxy: pki.client(proxyCa, 'front-proxy', `/CN=${FRONT_PROXY_CN}`),
  };
  try {
    await waitFor(
      async () => {
        const q = encodeURIComponent('count(websocket_connections)');
        const b = JSON.parse((await direct.get(`/api/v1/query?query=${q}`)).toString()) as {
          data: { result: { value: [number, string] }[] };
        };
        return b.data.result[0]?.value[1] === String(PODS);
      },
      60_000,
      () => 'Prometheus did not scrape 1,500 pods',
    );
    certDir = mkdtempSync(join(tmpdir(), 'beacon-bench-'));
    const uncached = await startAdapterProcess(prom.url, certDir, caller, ['--value-cache-ttl=0s']);
    children.push(uncached.child);
    // Longer than the run, so every measured request of this adapter is a hit (counted below).
    const cached = await startAdapterProcess(prom.url, certDir, caller, ['--value-cache-ttl=1h']);
    children.push(cached.child);
    const bare = await startBareHttps(certDir, caller, await cached.client.get(VALUES_PATH));
    children.push(bare.child);

    // What the adapter sends for this request, and what prometheus-adapter would send; both as
    // GET, the adapter's (and prometheus-adapter's) default --prometheus-verb.
    // The adapter's query asks for its samples' time in the same round trip (sample-times.ts).
    const matchers = [`namespace="${NAMESPACE}"`, 'pod!=""'];
    const grouped = withSampleTime(
      `sum(websocket_connections{${matchers.join(',')}}) by (pod)`,
      'websocket_connections',
      matchers,
    );
    const regex = `sum(websocket_connections{namespace="${NAMESPACE}",pod=~"${pods.join('|')}"}) by (pod)`;
    const query = (q: string) => `${prom.url}/api/v1/query?${new URLSearchParams({ query: q })}`;
    const values = (url: string) => url + VALUES_PATH;
    // Every adapter answer must end with the last pod's item.
    const LAST = 'collab-01499';
    const cases: Case[] = [
      { name: DIRECT, client: 'prometheus', url: query(grouped) },
      { name: DIRECT_GZ, client: 'prometheus', url: query(grouped), gzip: true },
      { name: PARSED, client: 'prometheus', url: query(grouped), parse: true },
      { name: REGEX, client: 'prometheus', url: query(regex) },
      { name: MISS, client: 'uncached', url: values(uncached.url), expect: LAST },
      { name: MISS_GZ, client: 'uncached', url: values(uncached.url), gzip: true, expect: LAST },
      { name: HIT, client: 'cached', url: values(cached.url), expect: LAST },
      { name: HIT_GZ, client: 'cached', url: values(cached.url), gzip: true, expect: LAST },
      { name: BARE, client: 'bare', url: values(bare.url), expect: LAST },
    ];
    const aggregator = identity(certDir, caller);
    measurer = await startMeasurer({
      clients: { prometheus: {}, uncached: aggregator, cached: aggregator, bare: aggregator },
      cases,
    });
    await measurer.rounds(WARMUP); // not recorded: connections, JIT, the first cache fill
    const before = [await uncached.counters(), await cached.counters()] as const;
    const bareCpu = cpuMsOf(bare.child);
    const loadBefore = loadavg();
    const probe = await startStallProbe();
    const times = await measurer.rounds(ROUNDS);
    const stalls = await probe.stop();
    const loadAfter = loadavg();
    const after = [await uncached.counters(), await cached.counters()] as const;
    const bareCpuMs = (cpuMsOf(bare.child) - bareCpu) / ROUNDS;
    const alone = await measureAlone(
      cases.filter((c) => c.client === 'cached' || c.client === 'bare'),
      aggregator,
      cached,
      bare.child,
    );
    report(
      cases.map((c, i) => [c.name, summarise(times[i] as number[])] as const),
      diff(before[0], after[0]),
      diff(before[1], after[1]),
      {
        grouped,
        regex,
        rss: [uncached.rssMiB(), cached.rssMiB()],
        load: [loadBefore, loadAfter],
        bareCpuMs,
        stalls,
        alone,
      },
    );
  } finally {
    measurer?.close();
    direct.close();
    for (const c of children) c.kill('SIGTERM');
    await prom.stop();
    target.close();
    if (certDir) rmSync(certDir, { recursive: true, force: true });
    pki.remove();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
