// Spans dated ahead of their arrival. An event over a minute ahead is dated by its arrival, and a
// Sentry transaction moved whole to end then (clock-drift.ts, as Relay's max_secs_in_future); an
// OTLP span is a duration too, so one that ends over a minute ahead is moved back whole to end at
// its arrival, with its memory snapshots, keeping its length and their spacing. Left as sent, a
// clock years fast would head the session list and outlive retention (operations expire by their
// end) until that date.
import { MAX_AHEAD_MS } from './event';
import type { MemorySnapshot, Operation, TraceBatch } from './otlp';

const spanKey = (traceId: string, spanId: string) => `${traceId}/${spanId}`;

/**
 * The batch with each span that ends over a minute after `receivedAt` moved to end then, its
 * snapshots with it; a snapshot still over a minute ahead after that (one dated past its span's
 * end, or in a span that is not ahead) is dated by its arrival, as an event is. It was left as
 * sent: a span event a year ahead held its session at the head of the list for that year.
 */
export function withSpansByArrival(batch: TraceBatch, receivedAt: number): TraceBatch {
  const latest = receivedAt + MAX_AHEAD_MS;
  const shifts = new Map<string, number>();
  for (const o of batch.operations)
    if (o.end > latest) shifts.set(spanKey(o.traceId, o.spanId), o.end - receivedAt);
  if (shifts.size === 0 && !batch.memory.some((m) => m.time > latest)) return batch;
  const operations = batch.operations.map((o): Operation => {
    const by = shifts.get(spanKey(o.traceId, o.spanId));
    return by === undefined ? o : { ...o, start: o.start - by, end: o.end - by };
  });
  const memory = batch.memory.map((m): MemorySnapshot => {
    const moved = m.time - (shifts.get(spanKey(m.traceId, m.spanId)) ?? 0);
    const time = moved > latest ? receivedAt : moved;
    return time === m.time ? m : { ...m, time };
  });
  return { ...batch, operations, memory };
}

const DAY_MS = 86_400_000;

/**
 * The batch without the spans that ended before the project's retention (`retentionDays`, none
 * when 0), with their memory snapshots: the next sweep would delete them (it deletes by end), so
 * they are refused up front as a partial success (the OTLP spec's `rejected_spans`), which tells
 * the exporter not to send them again, rather than answered as stored. A snapshot dated before
 * the retention in a span that is kept is left out too, and named (a warning, its span stored):
 * the sweep deletes snapshots by their own time, and one answered as stored was gone within the
 * hour.
 */
export function withoutExpiredSpans(
  batch: TraceBatch,
  receivedAt: number,
  retentionDays: number,
): TraceBatch {
  if (retentionDays <= 0) return batch;
  const before = receivedAt - retentionDays * DAY_MS;
  const expired = new Set<string>();
  for (const o of batch.operations) if (o.end < before) expired.add(spanKey(o.traceId, o.spanId));
  const oldSnapshots = batch.memory.filter(
    (m) => m.time < before && !expired.has(spanKey(m.traceId, m.spanId)),
  ).length;
  if (expired.size === 0 && oldSnapshots === 0) return batch;
  const operations = batch.operations.filter((o) => !expired.has(spanKey(o.traceId, o.spanId)));
  const dropped = batch.operations.length - operations.length;
  const problems = [
    ...(dropped > 0
      ? [`${dropped} span(s) ended before the project's retention of ${retentionDays} days`]
      : []),
    ...(oldSnapshots > 0
      ? [
          `${oldSnapshots} memory snapshot(s) dated before the project's retention of ${retentionDays} days were left out`,
        ]
      : []),
  ];
  return {
    operations,
    memory: batch.memory.filter(
      (m) => m.time >= before && !expired.has(spanKey(m.traceId, m.spanId)),
    ),
    rejectedSpans: batch.rejectedSpans + dropped,
    problem: batch.problem ?? problems.join('; '),
  };
}
