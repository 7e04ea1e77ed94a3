// npm run bench: the adapter's latency and footprint against a real Prometheus holding 1,500
// pods' series, side by side with the same PromQL sent to Prometheus directly and with the
// pod-name regex query prometheus-adapter would send for the same request. Prints numbers; it
// is not a test and asserts nothing.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { Agent, request } from 'node:https';
import { join } from 'node:path';
import { freePort, startPrometheus, waitFor } from '../testing/prometheus';

const PODS = 1500;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 400);
const WARMUP = 30;
const NAMESPACE = 'platform';
const pods = Array.from({ length: PODS }, (_, i) => `collab-${String(i).padStart(5, '0')}`);

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

const quantile = (sorted: number[], q: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] as number;

async function measure(run: () => Promise<void>): Promise<{ p50: number; p99: number }> {
  for (let i = 0; i < WARMUP; i++) await run();
  const times: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const t = performance.now();
    await run();
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return { p50: quantile(times, 0.5), p99: quantile(times, 0.99) };
}

/**
 * GET, keeping only the answer's last 1 KiB: the measuring client should not allocate a copy
 * of every 250 KB body (its garbage collection would be timed as the server's latency).
 */
function httpsGet(agent: Agent, url: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    request(url, { agent }, (res) => {
      let tail: Buffer = Buffer.alloc(0);
      res.on('data', (c: Buffer) => {
        tail =
          c.length >= 1024 ? c.subarray(c.length - 1024) : Buffer.concat([tail, c]).subarray(-1024);
      });
      res.on('end', () => {
        if (res.statusCode === 200) resolve(tail);
        else reject(new Error(`${res.statusCode}: ${tail.toString()}`));
      });
    })
      .on('error', reject)
      .end();
  });
}

async function startAdapterProcess(promUrl: string, certDir: string, extra: string[]) {
  const port = await freePort();
  const child: ChildProcess = spawn(
    process.execPath,
    [
      join(__dirname, '..', 'cli.js'),
      `--prometheus-url=${promUrl}`,
      `--secure-port=${port}`,
      '--bind-address=127.0.0.1',
      `--cert-dir=${certDir}`,
      '--metrics-relist-interval=1m',
      ...extra,
    ],
    { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env } },
  );
  const url = `https://127.0.0.1:${port}`;
  await waitFor(
    async () => {
      const ca = readFileSync(join(certDir, 'apiserver.crt'), 'utf8');
      const agent = new Agent({ ca, keepAlive: true });
      const body = await httpsGet(agent, `${url}/apis/custom.metrics.k8s.io/v1beta2`);
      agent.destroy();
      return body.includes('pods/websocket_connections');
    },
    30_000,
    () => 'the adapter did not come up',
  );
  const rssMiB = () => {
    const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
    return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) / 1024;
  };
  return { url, child, rssMiB, ca: readFileSync(join(certDir, 'apiserver.crt'), 'utf8') };
}

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
  try {
    await waitFor(
      async () => {
        const r = await fetch(`${prom.url}/api/v1/query?query=count(websocket_connections)`);
        const b = (await r.json()) as { data: { result: { value: [number, string] }[] } };
        return b.data.result[0]?.value[1] === String(PODS);
      },
      60_000,
      () => 'Prometheus did not scrape 1,500 pods',
    );
    const certDir = (await import('node:fs')).mkdtempSync(
      join((await import('node:os')).tmpdir(), 'beacon-bench-'),
    );
    const uncached = await startAdapterProcess(prom.url, certDir, ['--value-cache-ttl=0s']);
    const cached = await startAdapterProcess(prom.url, certDir, ['--value-cache-ttl=60s']);
    children.push(uncached.child, cached.child);

    const path = `/apis/custom.metrics.k8s.io/v1beta2/namespaces/${NAMESPACE}/pods/%2A/websocket_connections?labelSelector=app%3Dcollab`;
    // What the adapter sends for this request, and what prometheus-adapter would send.
    const grouped = `sum(websocket_connections{namespace="${NAMESPACE}"}) by (pod)`;
    const regex = `sum(websocket_connections{namespace="${NAMESPACE}",pod=~"${pods.join('|')}"}) by (pod)`;
    const direct =
      (q: string, parse = false) =>
      async () => {
        const r = await fetch(`${prom.url}/api/v1/query`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({ query: q }).toString(),
        });
        if (parse) await r.json();
        else await r.arrayBuffer();
      };
    const viaAdapter = (a: { url: string; ca: string }) => {
      const agent = new Agent({ ca: a.ca, keepAlive: true, maxSockets: 1 });
      return async () => {
        const body = await httpsGet(agent, a.url + path);
        if (!body.includes('collab-01499')) throw new Error('incomplete answer');
      };
    };

    const results: [string, { p50: number; p99: number }][] = [];
    results.push(['Prometheus direct, grouped query (baseline)', await measure(direct(grouped))]);
    results.push(['Prometheus direct, grouped, JSON parsed', await measure(direct(grouped, true))]);
    results.push(['Prometheus direct, pod-name regex query', await measure(direct(regex))]);
    results.push(['adapter, value cache miss', await measure(viaAdapter(uncached))]);
    results.push(['adapter, value cache hit', await measure(viaAdapter(cached))]);

    const base = results[0]?.[1] as { p50: number; p99: number };
    const fmt = (n: number) => n.toFixed(2).padStart(8);
    console.log(
      `\nmetrics-adapter bench — ${PODS} pods, ${ROUNDS} sequential requests each (after ${WARMUP} warm-up), Node ${process.version}\n`,
    );
    console.log(
      `${'path'.padEnd(46)}${'p50 ms'.padStart(8)}${'p99 ms'.padStart(8)}  p99 / baseline`,
    );
    for (const [name, r] of results)
      console.log(
        `${name.padEnd(46)}${fmt(r.p50)}${fmt(r.p99)}  ${(r.p99 / base.p99).toFixed(2)}×`,
      );
    const uncachedP99 = results[3]?.[1].p99 as number;
    const hitP99 = results[4]?.[1].p99 as number;
    console.log('');
    console.log(`query sent by the adapter:        ${Buffer.byteLength(grouped)} bytes`);
    console.log(
      `pod-name regex query (1,500 pods): ${Buffer.byteLength(regex)} bytes (${(Buffer.byteLength(regex) / 1024).toFixed(1)} KiB)`,
    );
    console.log(
      `regex query p99 / grouped p99:    ${((results[2]?.[1].p99 as number) / base.p99).toFixed(1)}×`,
    );
    console.log(
      `adapter RSS: ${uncached.rssMiB().toFixed(0)} MiB (cache off), ${cached.rssMiB().toFixed(0)} MiB (cache on)`,
    );
    console.log('');
    console.log(
      `floor uncached p99 <= 1.10 × direct p99 + 2 ms: ${uncachedP99.toFixed(2)} <= ${(1.1 * base.p99 + 2).toFixed(2)}  ${uncachedP99 <= 1.1 * base.p99 + 2 ? 'met' : 'NOT met'}`,
    );
    console.log(
      `floor cache-hit p99 <= 5 ms:                    ${hitP99.toFixed(2)} <= 5.00  ${hitP99 <= 5 ? 'met' : 'NOT met'}`,
    );
    console.log(
      `floor query <= 2 KB:                            ${Buffer.byteLength(grouped)} <= 2048  ${Buffer.byteLength(grouped) <= 2048 ? 'met' : 'NOT met'}`,
    );
  } finally {
    for (const c of children) c.kill('SIGTERM');
    await prom.stop();
    target.close();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
