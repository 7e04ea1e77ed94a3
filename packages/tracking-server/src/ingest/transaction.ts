// Sentry `transaction` items as debug-session operations: the transaction itself (its
// contexts.trace) and each of its spans, joined by trace id and the `correlation_id` tag.
// Dated as Relay's validate_event dates them: one that ends over a minute after its arrival or
// over 30 days before it is moved whole to end at its arrival, its spans with it
// (clock-drift.ts); then one that does not end in the range Relay's metrics take (the last 5
// days up to a minute ahead) is dropped, as Relay drops it ("timestamp is out of the valid range
// for metrics").
import { withTimestampInRange } from './clock-drift';
import { tagsOf, validMillis } from './event';
import { jsonText } from './json';
import type { Operation } from './otlp';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const hex = (v: unknown, n: number) =>
  typeof v === 'string' && new RegExp(`^[0-9a-f]{${n}}$`, 'i').test(v)
    ? v.toLowerCase()
    : undefined;
/** A Sentry timestamp (seconds, or RFC 3339 text) in milliseconds; undefined if it is none. */
const seconds = (v: unknown) => {
  const ms = typeof v === 'number' ? v * 1000 : typeof v === 'string' ? Date.parse(v) : NaN;
  return validMillis(ms) ? ms : undefined;
};

/**
 * Relay's transaction_timestamp_range, the transactions' metrics aggregator's timestamp_range
 * with relay-metrics' AggregatorConfig defaults: max_secs_in_past 5 days, max_secs_in_future 60.
 */
const RANGE_PAST_S = 5 * 86_400;
const RANGE_FUTURE_S = 60;

/**
 * Whether a transaction that ends at `end` is in Relay's range at `now`, as validate_timestamps
 * checks it: whole seconds (UnixTimestamp), `now - 5 days <= end < now + 60 s`.
 */
export function inTransactionRange(end: number, now: number): boolean {
  const endS = Math.floor(end / 1000);
  const nowS = Math.floor(now / 1000);
  return endS >= nowS - RANGE_PAST_S && endS < nowS + RANGE_FUTURE_S;
}

/** The transaction's operations, none when it is not one or Relay would drop it. */
export function transactionOperations(
  sent: Obj,
  receivedAt: number,
  maxPastMs?: number,
): Operation[] {
  const tx = withTimestampInRange(sent, receivedAt, maxPastMs);
  const contexts = isObj(tx.contexts) ? tx.contexts : {};
  const trace = isObj(contexts.trace) ? contexts.trace : {};
  const traceId = hex(trace.trace_id, 32);
  const spanId = hex(trace.span_id, 16);
  const start = seconds(tx.start_timestamp);
  const end = seconds(tx.timestamp);
  if (!traceId || !spanId || start === undefined || end === undefined) return [];
  // Relay's validate_timestamps: an end before the start, or out of the range, is no transaction.
  if (end < start || !inTransactionRange(end, receivedAt)) return [];
  const tags = tagsOf(tx);
  const service = tags.service ?? (typeof tx.server_name === 'string' ? tx.server_name : 'unknown');
  const correlationId = tags.correlation_id;
  const status = (s: unknown) =>
    s === 'ok' ? 'ok' : typeof s === 'string' && s !== 'unknown' ? 'error' : 'unset';
  const ops: Operation[] = [
    {
      traceId,
      spanId,
      ...(hex(trace.parent_span_id, 16)
        ? { parentSpanId: hex(trace.parent_span_id, 16) as string }
        : {}),
      name:
        typeof tx.transaction === 'string' ? tx.transaction : jsonText(trace.op ?? 'transaction'),
      service,
      start,
      end,
      status: status(trace.status),
      ...(correlationId ? { correlationId } : {}),
      attributes: { 'sentry.op': trace.op ?? null },
    },
  ];
  for (const span of Array.isArray(tx.spans) ? tx.spans : []) {
    if (!isObj(span)) continue;
    const id = hex(span.span_id, 16);
    const s = seconds(span.start_timestamp);
    // Relay's end_all_spans: a span sent unfinished ends with its transaction, deadline_exceeded.
    const unfinished = span.timestamp === undefined || span.timestamp === null;
    const e = unfinished ? end : seconds(span.timestamp);
    // Relay drops the whole transaction for any span it finds invalid (validate_span); this one
    // only for a span that ends before it starts, the one of those that misdates the timeline,
    // and leaves out a span with no id or start, keeping the rest.
    if (s !== undefined && e !== undefined && e < s) return [];
    if (!id || s === undefined || e === undefined) continue;
    ops.push({
      traceId: hex(span.trace_id, 32) ?? traceId,
      spanId: id,
      ...(hex(span.parent_span_id, 16)
        ? { parentSpanId: hex(span.parent_span_id, 16) as string }
        : {}),
      name: typeof span.description === 'string' ? span.description : jsonText(span.op ?? 'span'),
      service,
      start: s,
      end: e,
      status: status(unfinished ? 'deadline_exceeded' : span.status),
      ...(correlationId ? { correlationId } : {}),
      attributes: { 'sentry.op': span.op ?? null },
    });
  }
  return ops;
}
