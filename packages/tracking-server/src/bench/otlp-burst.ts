// npm run bench:otlp-burst: OTLP sent faster than the tracker stores it, by the two kinds of
// sender that reach it, to see that every span acknowledged is stored and what admission costs.
//
// 1. Applications: EXPORTERS processes, each the real OTLPTraceExporter behind a
//    BatchSpanProcessor ending SPANS_PER_EXPORTER spans at once (otlp-exporter.ts). The JS
//    exporter retries a 503 on its own (at most five times, within its 10 s timeout).
// 2. A collector: BATCHES protobuf batches of 8,192 spans (the batch processor's default
//    send_batch_size), sent one at a time (the baseline), then with 4 and 40 in flight (the
//    otlphttp exporter's sending queue, 10 consumers by default, several collectors), each
//    refusal retried after its Retry-After (5 s without one) and each request given 30 s, as the
//    Collector's exporterhelper does. The ratio is spans stored a second against the baseline's.
//
// "Stored" is the tracker's own count, beacon_tracker_spans_ingested_total, read from /metrics
// after each part. Prints numbers; asserts nothing.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import type { ExporterResult } from './otlp-exporter';
import { spanBatch } from './otlp-spans';
import { benchTracker, runWithDeployedEnv } from './processes';

const EXPORTERS = Number(process.env.BENCH_EXPORTERS ?? 4);
const SPANS_PER_EXPORTER = Number(process.env.BENCH_EXPORTER_SPANS ?? 50_000);
const BATCH = 8_192;
const BATCHES = Number(process.env.BENCH_BATCHES ?? 24);
const IN_FLIGHT = [1, 4, 40];
const REQUEST_TIMEOUT_MS = 30_000;
const RETRY_WITHOUT_AFTER_MS = 5_000;

type CollectorRun = {
  inFlight: number;
  seconds: number;
  acknowledged: number;
  refusals: number;
  timeouts: number;
  failed: number;
};

/** Sums a counter's series in a Prometheus text exposition, those with `label` if given. */
function counterSum(exposition: string, name: string, label = ''): number {
  let sum = 0;
  for (const line of exposition.split('\n'))
    if ((line.startsWith(`${name}{`) || line.startsWith(`${name} `)) && line.includes(label))
      sum += Number(line.slice(line.lastIndexOf(' ') + 1));
  return sum;
}

/** The tracker's counts: spans stored, and requests refused as overloaded (503). */
async function counts(port: number): Promise<{ stored: number; overloaded: number }> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  return {
    stored: counterSum(text, 'beacon_tracker_spans_ingested_total'),
    overloaded: counterSum(text, 'beacon_tracker_rejected_requests_total', 'reason="overloaded"'),
  };
}

async function applications(url: string, key: string) {
  const start = performance.now();
  const results = await Promise.all(
    Array.from({ length: EXPORTERS }, (_, i) => {
      const child = spawn(
        process.execPath,
        [join(__dirname, 'otlp-exporter.js'), url, key, `app-${i}`, String(SPANS_PER_EXPORTER)],
        { stdio: ['ignore', 'pipe', 'inherit'] },
      );
      let out = '';
      child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
      return new Promise<ExporterResult>((resolve, reject) =>
        child.once('exit', (code) =>
          code === 0
            ? resolve(JSON.parse(out) as ExporterResult)
            : reject(new Error(`exporter app-${i} exited ${code}`)),
        ),
      );
    }),
  );
  return { results, seconds: (performance.now() - start) / 1000 };
}

/** Sends `bodies`, `inFlight` at a time, as the Collector's otlphttp exporter and its retries do. */
async function collector(
  url: string,
  key: string,
  bodies: Buffer[],
  inFlight: number,
): Promise<CollectorRun> {
  const run: CollectorRun = {
    inFlight,
    seconds: 0,
    acknowledged: 0,
    refusals: 0,
    timeouts: 0,
    failed: 0,
  };
  const queue = [...bodies];
  const start = performance.now();
  const consumer = async () => {
    for (let body = queue.shift(); body; body = queue.shift()) {
      for (;;) {
        let wait = RETRY_WITHOUT_AFTER_MS;
        try {
          const answer = await fetch(url, {
            method: 'POST',
            headers: { 'Content-Type': 'application/x-protobuf', Authorization: `Bearer ${key}` },
            body,
            signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
          });
          await answer.arrayBuffer();
          if (answer.ok) {
            run.acknowledged += BATCH;
            break;
          }
          if (![429, 502, 503, 504].includes(answer.status)) {
            run.failed += BATCH;
            break;
          }
          run.refusals++;
          const after = Number(answer.headers.get('retry-after'));
          if (after > 0) wait = after * 1000;
        } catch {
          run.timeouts++;
        }
        await new Promise((r) => setTimeout(r, wait));
      }
    }
  };
  await Promise.all(Array.from({ length: inFlight }, consumer));
  run.seconds = (performance.now() - start) / 1000;
  return run;
}

const n = (x: number) => Math.round(x).toLocaleString('en-US');

async function main() {
  const { port, project, stop } = await benchTracker('burst');
  const url = `http://127.0.0.1:${port}/v1/traces`;
  try {
    let before = await counts(port);
    const apps = await applications(url, project.key);
    let after = await counts(port);
    const sum = (key: 'spans' | 'acknowledged' | 'refused' | 'exports') =>
      apps.results.reduce((total, r) => total + r[key], 0);
    console.log(
      `${EXPORTERS} OTLPTraceExporters (BatchSpanProcessor, 512-span exports), ` +
        `${n(SPANS_PER_EXPORTER)} spans each, all at once`,
    );
    console.log(
      '     spans  acknowledged   refused    stored   exports  503s retried  seconds  stored/s',
    );
    const stored = after.stored - before.stored;
    console.log(
      `${n(sum('spans')).padStart(10)}${n(sum('acknowledged')).padStart(14)}` +
        `${n(sum('refused')).padStart(10)}${n(stored).padStart(10)}${n(sum('exports')).padStart(10)}` +
        `${n(after.overloaded - before.overloaded).padStart(14)}` +
        `${apps.seconds.toFixed(1).padStart(9)}${n(stored / apps.seconds).padStart(10)}`,
    );
    for (const r of apps.results)
      for (const [why, times] of Object.entries(r.errors))
        console.log(`  ${r.name}: ${times} exports refused for good: ${why}`);

    console.log(
      `\nA collector: ${BATCHES} protobuf batches of ${n(BATCH)} spans, retried after Retry-After`,
    );
    console.log(
      'in flight  acknowledged    stored  seconds  stored/s  ratio  refusals  timeouts  failed',
    );
    let baseline = NaN;
    for (const inFlight of IN_FLIGHT) {
      const bodies = Array.from({ length: BATCHES }, () => spanBatch(BATCH).protobuf);
      before = await counts(port);
      const run = await collector(url, project.key, bodies, inFlight);
      after = await counts(port);
      const stored = after.stored - before.stored;
      const rate = stored / run.seconds;
      if (inFlight === 1) baseline = rate;
      console.log(
        `${String(inFlight).padStart(9)}${n(run.acknowledged).padStart(14)}${n(stored).padStart(10)}` +
          `${run.seconds.toFixed(1).padStart(9)}${n(rate).padStart(10)}` +
          `${(rate / baseline).toFixed(2).padStart(7)}${String(run.refusals).padStart(10)}` +
          `${String(run.timeouts).padStart(10)}${n(run.failed).padStart(8)}`,
      );
    }
  } finally {
    await stop();
  }
}

runWithDeployedEnv(main);
