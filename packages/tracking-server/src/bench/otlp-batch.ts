// npm run bench:otlp-batch: how long Sentry events wait while a collector's batch of spans is
// stored. A second process (this one) keeps 8 connections of Sentry envelopes going to the
// tracker and, every few seconds, posts one OTLP batch of 8,192 spans (the Collector's batch
// processor's default send_batch_size), as JSON and as protobuf. It prints the envelopes'
// latency while a batch was being stored next to their latency between batches, in the same
// run, and the batch's own time. Prints numbers; asserts nothing.
import { randomBytes } from 'node:crypto';
import { benchTracker, runWithDeployedEnv } from './processes';
import { spanBatch } from './otlp-spans';
import { RawHttpConnection } from './raw-http';

const SPANS = 8_192;
const CONNECTIONS = 8;
const WARMUP_BATCHES = 2;
const BATCHES = Number(process.env.BENCH_BATCHES ?? 5);
/** Quiet time between batches, whose envelopes are the baseline. */
const GAP_MS = 2_000;

const hex = (bytes: number) => randomBytes(bytes).toString('hex');

/** A small error event of its own, in an envelope. */
function envelope(): Buffer {
  const id = hex(16);
  const event = JSON.stringify({
    event_id: id,
    timestamp: Date.now() / 1000,
    level: 'error',
    platform: 'node',
    exception: { values: [{ type: 'TypeError', value: `x is undefined (${hex(4)})` }] },
    tags: { correlation_id: `req-${hex(8)}` },
  });
  return Buffer.from(`{"event_id":"${id}"}\n{"type":"event"}\n${event}\n`);
}

type Answer = { start: number; end: number };

const quantile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)] ?? NaN;
const ms = (n: number) => n.toFixed(1).padStart(7);

async function main() {
  const { port, project, stop } = await benchTracker('otlp');
  try {
    const sentryPath = `/api/${project.id}/envelope/`;
    const sentryAuth = [`X-Sentry-Auth: Sentry sentry_key=${project.key}, sentry_version=7`];
    const answers: Answer[] = [];
    let sending = true;
    let failed = 0;
    const senders = Array.from({ length: CONNECTIONS }, async () => {
      const connection = new RawHttpConnection(port);
      while (sending) {
        const start = performance.now();
        const status = await connection.post(
          sentryPath,
          'application/x-sentry-envelope',
          envelope(),
          sentryAuth,
        );
        if (status === 200) answers.push({ start, end: performance.now() });
        else failed++;
      }
      connection.close();
    });

    const otlp = new RawHttpConnection(port);
    const post = async (body: Buffer, type: string) => {
      const start = performance.now();
      const status = await otlp.post('/v1/traces', type, body, [
        `Authorization: Bearer ${project.key}`,
      ]);
      if (status !== 200) throw new Error(`the tracker answered a batch with ${status}`);
      return { start, end: performance.now() };
    };
    const pause = () => new Promise((r) => setTimeout(r, GAP_MS));

    const rows: string[] = [];
    for (const [kind, type] of [
      ['json', 'application/json'],
      ['protobuf', 'application/x-protobuf'],
    ] as const) {
      const bodies = Array.from({ length: WARMUP_BATCHES + BATCHES }, () => spanBatch(SPANS)[kind]);
      const during: number[] = [];
      const between: number[] = [];
      const own: number[] = [];
      for (const [i, body] of bodies.entries()) {
        await pause();
        const quiet = performance.now() - GAP_MS;
        const posted = await post(body, type);
        const answered = answers.splice(0);
        if (i < WARMUP_BATCHES) continue; // code generated and compiled on first use
        own.push(posted.end - posted.start);
        for (const a of answered) {
          if (a.end >= posted.start && a.start <= posted.end) during.push(a.end - a.start);
          else if (a.start >= quiet + 200 && a.end < posted.start) between.push(a.end - a.start);
        }
      }
      for (const list of [during, between, own]) list.sort((a, b) => a - b);
      const mb = ((bodies[0]?.length ?? 0) / 1e6).toFixed(1);
      rows.push(
        `${kind.padEnd(9)}${mb.padStart(5)} MB ${ms(quantile(own, 0.5))} ${ms(own.at(-1) ?? NaN)}   ` +
          `${ms(quantile(between, 0.5))} ${ms(quantile(between, 0.99))} ${ms(between.at(-1) ?? NaN)}   ` +
          `${ms(quantile(during, 0.5))} ${ms(quantile(during, 0.99))} ${ms(during.at(-1) ?? NaN)}   ` +
          `${(quantile(during, 0.99) / quantile(between, 0.99)).toFixed(1).padStart(5)}×  ` +
          `${String(between.length).padStart(6)} ${String(during.length).padStart(6)}`,
      );
    }
    sending = false;
    await Promise.all(senders);
    otlp.close();

    console.log(
      `${BATCHES} batches of ${SPANS} spans of each encoding (after ${WARMUP_BATCHES} not measured), ` +
        `${CONNECTIONS} connections of Sentry envelopes throughout; ms`,
    );
    console.log(
      '                   batch p50     max   envelopes between batches   while a batch is stored   p99 ratio  answered between / during',
    );
    console.log(
      '                                              p50     p99     max       p50     p99     max',
    );
    for (const row of rows) console.log(row);
    if (failed > 0) console.log(`envelopes not answered 200: ${failed}`);
  } finally {
    await stop();
  }
}

runWithDeployedEnv(main);
