// A large trace batch committed in steps. The writer thread commits one call at a time, so one
// transaction of a collector's 8,192 spans held every Sentry commit queued behind it for all
// of its inserts (README, Ingest). A batch over TRACE_STEP records is written as its links
// first, then its records a step at a time, each step its own call and transaction: the group
// commits of Sentry events waiting meanwhile go between them.
//
// The end state is the one a single transaction leaves: every link the batch makes exists
// before any of its records is written, as ingestTraces makes its links first, and the records
// are written in their order. Only atomicity is given up, which nothing needs: the exporter
// gets its 200 after the last step, and a batch sent again after a failed step is stored once
// (operations replace their own row, a snapshot already there is kept, a session's times,
// services and errors only widen).
import type { MemorySnapshot, Operation } from '../ingest/otlp';
import type { TraceLink } from './repository';

/** The most operations and memory snapshots one transaction of a trace batch writes. */
export const TRACE_STEP = 512;

/** The calls a batch is written with: the store's ingestTraces and linkTraces for one project. */
export interface TraceCalls {
  /** Resolves with the indices of `operations` stored already (Repository.ingestTraces). */
  write(operations: readonly Operation[], memory: readonly MemorySnapshot[]): Promise<number[]>;
  link(links: readonly TraceLink[]): Promise<void>;
}

/**
 * The links a batch's records make, as ingestTraces makes them (operations at their end, then
 * memory snapshots at their time): each trace and correlation id once, in the order first
 * named, at the latest time a record names them (a link is only ever moved later).
 */
export function linksOf(
  operations: readonly Operation[],
  memory: readonly MemorySnapshot[],
): TraceLink[] {
  const links = new Map<string, TraceLink>();
  const add = (traceId: string, correlationId: string | undefined, time: number) => {
    if (correlationId === undefined) return;
    // A trace id's length first: no two pairs of ids run together into the same key.
    const key = `${traceId.length}:${traceId}${correlationId}`;
    const seen = links.get(key);
    if (!seen || time > seen.time) links.set(key, { traceId, correlationId, time });
  };
  for (const o of operations) add(o.traceId, o.correlationId, o.end);
  for (const m of memory) add(m.traceId, m.correlationId, m.time);
  return [...links.values()];
}

/**
 * Writes a batch as one ingestTraces would: in one call when it holds at most `step` records,
 * else its links, then its operations and then its memory snapshots, `step` records a call.
 * Resolves with the indices of `operations` that were stored already, as ingestTraces answers.
 */
export async function writeTraceSteps(
  calls: TraceCalls,
  operations: readonly Operation[],
  memory: readonly MemorySnapshot[],
  step = TRACE_STEP,
): Promise<number[]> {
  if (operations.length + memory.length <= step) return calls.write(operations, memory);
  const links = linksOf(operations, memory);
  if (links.length > 0) await calls.link(links);
  const repeated: number[] = [];
  for (let i = 0; i < operations.length; i += step)
    for (const r of await calls.write(operations.slice(i, i + step), [])) repeated.push(i + r);
  for (let i = 0; i < memory.length; i += step) await calls.write([], memory.slice(i, i + step));
  return repeated;
}
