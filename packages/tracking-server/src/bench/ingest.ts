// npm run bench: durable ingest throughput and latency of the tracker (a 200 only after the
// SQLite commit, synchronous=FULL) for realistic ~5 KB Sentry events over 64 keep-alive
// connections, next to a bare node:http server that answers the same requests without storing
// anything — each server in its own process, the load from this one, all three with the
// environment deploy/ gives the tracker's container. Prints numbers; asserts nothing.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { addProject } from '../projects';
import { deployedEnv, freePort, runWithDeployedEnv, waitUp } from './processes';
import { RawHttpConnection } from './raw-http';

const CONNECTIONS = 64;
// 30 s: long enough for the database to grow and for checkpoints to reach their full pause, which
// a 10 s run understated (README, Benchmark).
const SECONDS = Number(process.env.BENCH_SECONDS ?? 30);
/** Load sent to each server before it is measured (not measured). */
const WARMUP_SECONDS = Number(process.env.BENCH_WARMUP_SECONDS ?? 5);
/**
 * BENCH_SEARCH_MS=1000: while the tracker is measured, a REST client also searches the sessions
 * for a service none has, a search every that many milliseconds (or as soon as the one before
 * is answered), as Grafana users filtering the session list would: each reads the sessions
 * table whole, every bench event being a session of its own.
 */
const SEARCH_MS = Number(process.env.BENCH_SEARCH_MS ?? 0);

/** A realistic event: an exception with 14 frames, breadcrumbs, tags, contexts — about 5 KB. */
function event(n: number): string {
  const frames = Array.from({ length: 14 }, (_, i) => ({
    filename:
      i < 12
        ? `/app/node_modules/express/lib/router/layer${i}.js`
        : `/app/src/services/checkout/step${i}.ts`,
    function: i < 8 ? `Layer.handle [as handle_request]` : `CheckoutService.step${i}`,
    lineno: 100 + i,
    colno: 17,
    in_app: i >= 8,
    context_line:
      '    const total = cart.items.reduce((sum, item) => sum + item.price * item.qty, 0);',
  }));
  const breadcrumbs = Array.from({ length: 8 }, (_, i) => ({
    timestamp: 1_700_000_000 + i,
    category: 'http',
    message: `GET https://inventory.internal/api/v2/items/${n + i}`,
    data: {
      method: 'GET',
      status_code: 200,
      url: `https://inventory.internal/api/v2/items/${n + i}`,
    },
  }));
  const json = JSON.stringify({
    event_id: eventId(n),
    timestamp: 0,
    platform: 'node',
    level: 'error',
    release: 'checkout@2.3.1',
    environment: 'production',
    server_name: 'checkout-7d9f8b6c5d-x2x4z',
    tags: { service: 'checkout', correlation_id: correlationId(n) },
    user: { id: `user-${n % 500}` },
    contexts: {
      trace: { trace_id: traceId(n), span_id: 'b'.repeat(16) },
      runtime: { name: 'node', version: 'v20.20.2' },
    },
    exception: {
      values: [
        {
          type: 'TypeError',
          value: `Cannot read properties of undefined (reading 'price') for cart ${n}`,
          stacktrace: { frames },
          mechanism: { type: 'onunhandledrejection', handled: true },
        },
      ],
    },
    breadcrumbs: { values: breadcrumbs },
  });
  return json.replace('"timestamp":0', `"timestamp":${stamp()}`);
}

/** Now in seconds, as SDKs send it, with three decimals: a fixed width to write over. */
const stamp = () => (Date.now() / 1000).toFixed(3);

/**
 * 32 hex digits that look random, as SDKs' ids are (uuid4 for event ids, random trace ids, and
 * request ids for correlation): each index keyed by one takes its inserts all over its pages, not
 * at one end as counting ids would. A function of (n, salt), so it costs the load generator little
 * and every run sends the same ids; 128 bits from four 32-bit mixes (murmur3's finaliser).
 */
function scrambled(n: number, salt: number): string {
  let out = '';
  for (let k = 0; k < 4; k++) {
    let h = Math.imul(n + 1, 0x9e3779b1) ^ Math.imul(salt * 4 + k + 1, 0x85ebca77);
    h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
    h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
    out += ((h ^ (h >>> 16)) >>> 0).toString(16).padStart(8, '0');
  }
  return out;
}

// The ids of event n, each of a fixed width so that they can be written over another event's.
const eventId = (n: number) => scrambled(n, 1);
const traceId = (n: number) => scrambled(n, 2);
const correlationId = (n: number) => `req-${scrambled(n, 3)}`;

function envelope(n: number): Buffer {
  const e = event(n);
  return Buffer.from(
    `{"event_id":"${eventId(n)}"}\n{"type":"event","length":${Buffer.byteLength(e)}}\n${e}\n`,
  );
}

/**
 * The envelopes to send: a pool of distinct ones built once, and for each request a copy of one
 * with that request's own ids and time written over the pool entry's, so every event is new to the
 * server (as an SDK's are) while the load generator, which shares the two cores with the
 * server, spends its CPU on sending rather than on JSON.stringify.
 */
function envelopeSource(first: number, size = 1024): (n: number) => Buffer {
  const pool = Array.from({ length: size }, (_, i) => {
    const n = first + i;
    const body = envelope(n);
    const at = (text: string) => {
      const offsets: number[] = [];
      for (let o = body.indexOf(text); o >= 0; o = body.indexOf(text, o + text.length))
        offsets.push(o);
      return offsets;
    };
    return {
      body,
      ids: at(eventId(n)),
      trace: at(traceId(n)),
      correlation: at(correlationId(n)),
      time: at(`"timestamp":${/"timestamp":([0-9.]+)/.exec(body.toString())?.[1]}`),
    };
  });
  return (n) => {
    const entry = pool[(n - first) % size] as (typeof pool)[number];
    const body = Buffer.from(entry.body);
    for (const o of entry.ids) body.write(eventId(n), o, 'latin1');
    for (const o of entry.trace) body.write(traceId(n), o, 'latin1');
    for (const o of entry.correlation) body.write(correlationId(n), o, 'latin1');
    // Sent now: sessions are kept in the order of their records' times, as they come.
    for (const o of entry.time) body.write(`"timestamp":${stamp()}`, o, 'latin1');
    return body;
  };
}

/**
 * CPU seconds a process has used (all its threads), from /proc: the machine is shared, so
 * CPU per event is the figure that other work on it disturbs least.
 */
function cpuSeconds(pid: number | undefined, thread?: 'main'): number {
  try {
    // A process's main thread is its task whose id is the process id.
    const stat = thread === 'main' ? `/proc/${pid}/task/${pid}/stat` : `/proc/${pid}/stat`;
    const fields = readFileSync(stat, 'utf8').split(') ')[1]?.split(' ') ?? [];
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime + stime, in USER_HZ
  } catch {
    return NaN;
  }
}

/**
 * CPU seconds of the whole machine so far, from /proc/stat's first line: `busy`, everything but
 * idle and iowait (steal included, as this bench has always counted it), and `stolen`, steal:
 * time this VM had work for a CPU and the hypervisor ran something else. A run with much stolen
 * is slow for a reason outside the code.
 */
function machineSeconds(): { busy: number; stolen: number } {
  const [, ...ticks] = readFileSync('/proc/stat', 'utf8').split('\n')[0]?.split(/\s+/) ?? [];
  const n = ticks.map(Number);
  const busy = n.reduce((a, b) => a + b, 0) - (n[3] ?? 0) - (n[4] ?? 0); // minus idle, iowait
  return { busy: busy / 100, stolen: (n[7] ?? NaN) / 100 };
}

interface Result {
  rate: number;
  p50: number;
  p99: number;
  errors: number;
  sizeKb: number;
  /** Server CPU microseconds per answered event. */
  serverUs: number;
  /** Of those, the server's main thread's (which reads and answers every request). */
  mainUs: number;
  /** Events answered 200. */
  answered: number;
  /** Load generator CPU microseconds per answered event. */
  clientUs: number;
  /** Cores busy on the whole machine during the run, everything included. */
  machineCores: number;
  /** Of the machine's CPU time during the run, the share the hypervisor took (steal). */
  stolenShare: number;
}

async function load(
  port: number,
  path: string,
  server: ChildProcess,
  seconds = SECONDS,
): Promise<Result> {
  const latencies: number[] = [];
  let errors = 0;
  let n = Math.floor(Math.random() * 1e9);
  const envelopeFor = envelopeSource(n);
  const deadline = performance.now() + seconds * 1000;
  const connections = Array.from({ length: CONNECTIONS }, () => new RawHttpConnection(port));
  const worker = async (connection: RawHttpConnection) => {
    while (performance.now() < deadline) {
      const body = envelopeFor(n++);
      const t = performance.now();
      const status = await connection.post(path, 'application/x-sentry-envelope', body);
      if (status === 200) latencies.push(performance.now() - t);
      else errors++;
    }
  };
  const started = performance.now();
  const cpu0 = {
    server: cpuSeconds(server.pid),
    main: cpuSeconds(server.pid, 'main'),
    client: process.cpuUsage(),
    machine: machineSeconds(),
  };
  await Promise.all(connections.map(worker));
  const elapsed = (performance.now() - started) / 1000;
  const serverCpu = cpuSeconds(server.pid) - cpu0.server;
  const mainCpu = cpuSeconds(server.pid, 'main') - cpu0.main;
  const clientCpu = process.cpuUsage(cpu0.client);
  const machine = machineSeconds();
  for (const c of connections) c.close();
  latencies.sort((a, b) => a - b);
  const q = (p: number) =>
    latencies[Math.min(latencies.length - 1, Math.ceil(p * latencies.length) - 1)] ?? NaN;
  return {
    rate: latencies.length / elapsed,
    p50: q(0.5),
    p99: q(0.99),
    errors,
    sizeKb: envelope(1).length / 1024,
    serverUs: (serverCpu / latencies.length) * 1e6,
    mainUs: (mainCpu / latencies.length) * 1e6,
    answered: latencies.length,
    clientUs: (clientCpu.user + clientCpu.system) / latencies.length,
    machineCores: (machine.busy - cpu0.machine.busy) / elapsed,
    stolenShare: (machine.stolen - cpu0.machine.stolen) / (elapsed * cpus().length),
  };
}

function start(args: string[]): ChildProcess {
  return spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'inherit'] });
}

/**
 * Seconds the tracker's main thread has spent in garbage collection (prom-client's
 * nodejs_gc_duration_seconds, from its /metrics), all kinds together.
 */
async function gcSeconds(port: number): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  let sum = 0;
  for (const m of text.matchAll(/^nodejs_gc_duration_seconds_sum\{[^}]*\} (\S+)$/gm))
    sum += Number(m[1]);
  return sum;
}

/** Searches the tracker's sessions every `everyMs` until `stop()`; their times in ms. */
function searchSessions(port: number, everyMs: number): { stop(): Promise<number[]> } {
  let searching = true;
  const times: number[] = [];
  const loop = (async () => {
    for (let next = performance.now(); searching; next += everyMs) {
      await new Promise((r) => setTimeout(r, Math.max(0, next - performance.now())));
      if (!searching) break;
      const t = performance.now();
      const res = await fetch(`http://127.0.0.1:${port}/api/v1/sessions?service=none&limit=50`, {
        headers: { authorization: 'Bearer bench' },
      });
      if (res.status !== 200) throw new Error(`session search answered ${res.status}`);
      await res.arrayBuffer();
      times.push(performance.now() - t);
    }
  })();
  return {
    async stop() {
      searching = false;
      await loop;
      return times.sort((a, b) => a - b);
    },
  };
}

const BARE = `
const http = require('node:http');
http.createServer({ keepAliveTimeout: 65000 }, (req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const body = Buffer.concat(chunks);
    const id = JSON.parse(body.subarray(0, body.indexOf(10)).toString()).event_id;
    const answer = JSON.stringify({ id });
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(answer) });
    res.end(answer);
  });
}).listen(Number(process.argv[1]), '127.0.0.1');
`;

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'beacon-tracker-bench-'));
  const project = addProject(dir, 'bench');
  const trackerPort = await freePort();
  const barePort = await freePort();
  const children = [
    start([
      // BENCH_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" profiles the tracker under load.
      ...(process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean),
      join(__dirname, '..', 'cli.js'),
      'serve',
      '--port',
      String(trackerPort),
      '--data-dir',
      dir,
      '--api-token',
      'bench',
    ]),
    start(['-e', BARE, String(barePort)]),
  ];
  try {
    await waitUp(trackerPort);
    await new Promise((r) => setTimeout(r, 200));
    const path = `/api/${project.id}/envelope/?sentry_key=${project.key}&sentry_version=7`;
    // Each server is measured warm, as it runs: its first seconds under load (V8 compiling the
    // paths each request takes) are sent and not measured.
    await load(barePort, path, children[1] as ChildProcess, WARMUP_SECONDS);
    const bare = await load(barePort, path, children[1] as ChildProcess);
    await load(trackerPort, path, children[0] as ChildProcess, WARMUP_SECONDS);
    const gc0 = await gcSeconds(trackerPort);
    const searches = SEARCH_MS > 0 ? searchSessions(trackerPort, SEARCH_MS) : undefined;
    const tracker = await load(trackerPort, path, children[0] as ChildProcess);
    const searchMs = await searches?.stop();
    const gcUs = (((await gcSeconds(trackerPort)) - gc0) / tracker.answered) * 1e6;
    const row = (name: string, r: Result) =>
      `${name.padEnd(44)}${r.rate.toFixed(0).padStart(10)}${r.p50.toFixed(2).padStart(9)}${r.p99.toFixed(2).padStart(9)}${String(r.errors).padStart(8)}${r.serverUs.toFixed(0).padStart(11)}${r.mainUs.toFixed(0).padStart(9)}${r.clientUs.toFixed(0).padStart(11)}${r.machineCores.toFixed(2).padStart(9)}${`${(r.stolenShare * 100).toFixed(0)} %`.padStart(9)}`;
    console.log(
      `\ntracking-server ingest bench — ${CONNECTIONS} keep-alive connections, ${SECONDS} s each after ${WARMUP_SECONDS} s of warm-up, ${bare.sizeKb.toFixed(1)} KB envelopes, Node ${process.version}\nall processes with deploy/statefulset.yaml's environment: ${Object.entries(
        deployedEnv(),
      )
        .map(([k, v]) => `${k}=${v}`)
        .join(' ')}\n`,
    );
    console.log(
      `${'server'.padEnd(44)}${'events/s'.padStart(10)}${'p50 ms'.padStart(9)}${'p99 ms'.padStart(9)}${'non-200'.padStart(8)}${'server µs'.padStart(11)}${'main µs'.padStart(9)}${'client µs'.padStart(11)}${'cores'.padStart(9)}${'stolen'.padStart(9)}`,
    );
    console.log(row('bare node:http (reads body, answers id)', bare));
    console.log(row('tracker (durable: SQLite WAL, synchronous=FULL)', tracker));
    console.log(
      '\nserver µs / client µs: CPU time per answered event of the server process (all threads)' +
        '\nand of this load generator; main µs: of the server µs, its main thread’s; cores: the whole machine’s busy cores during the run,' +
        '\nother work on it included (it has 2); stolen: of the machine’s CPU time, the share the hypervisor' +
        '\ngave to something else while this VM had work (/proc/stat steal).',
    );
    console.log(
      `\ntracker main thread: ${gcUs.toFixed(1)} µs of garbage collection an event (its nodejs_gc_duration_seconds)`,
    );
    if (searchMs)
      console.log(
        `sessions searched meanwhile (BENCH_SEARCH_MS=${SEARCH_MS}): ${searchMs.length}, p50 ${(searchMs[Math.floor(searchMs.length / 2)] ?? NaN).toFixed(1)} ms, slowest ${(searchMs.at(-1) ?? NaN).toFixed(1)} ms`,
      );
    console.log(`tracker / bare throughput: ${(tracker.rate / bare.rate).toFixed(2)}×`);
    console.log(
      `floor ≥ 5,000 events/s: ${tracker.rate.toFixed(0)}  ${tracker.rate >= 5000 ? 'met' : 'NOT met'}`,
    );
    console.log(
      `floor p99 ≤ 50 ms:      ${tracker.p99.toFixed(2)}  ${tracker.p99 <= 50 ? 'met' : 'NOT met'}`,
    );
  } finally {
    for (const c of children) c.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 300));
    rmSync(dir, { recursive: true, force: true });
  }
}

runWithDeployedEnv(main);
