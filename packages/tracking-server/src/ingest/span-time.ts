// Spans dated ahead of their arrival. An event over a minute ahead is dated by its arrival
// (event.ts, as Relay's max_secs_in_future); a span is a duration, so one that ends over a minute
// ahead is moved back whole to end at its arrival, with its memory snapshots, keeping its length
// and their spacing. Left as sent, a clock years fast would head the session list and outlive
// retention (operations expire by their end) until that date.
import type { MemorySnapshot, Operation, TraceBatch } from './otlp';

/** How far ahead of its arrival a span may end: the same minute events are allowed. */
export const MAX_AHEAD_MS = 60_000;

const spanKey = (traceId: string, spanId: string) => `${traceId}/${spanId}`;

/** The batch with each span that ends over a minute after `receivedAt` moved to end then. */
export function withSpansByArrival(batch: TraceBatch, receivedAt: number): TraceBatch {
  const shifts = new Map<string, number>();
  for (const o of batch.operations)
    if (o.end > receivedAt + MAX_AHEAD_MS)
      shifts.set(spanKey(o.traceId, o.spanId), o.end - receivedAt);
  if (shifts.size === 0) return batch;
  const operations = batch.operations.map((o): Operation => {
    const by = shifts.get(spanKey(o.traceId, o.spanId));
    return by === undefined ? o : { ...o, start: o.start - by, end: o.end - by };
  });
  const memory = batch.memory.map((m): MemorySnapshot => {
    const by = shifts.get(spanKey(m.traceId, m.spanId));
    return by === undefined ? m : { ...m, time: m.time - by };
  });
  return { ...batch, operations, memory };
}
