// Sentry `transaction` items as debug-session operations: the transaction itself (its
// contexts.trace) and each of its spans, joined by trace id and the `correlation_id` tag.
// Dated as Relay's validate_event dates them: one that ends over a minute after its arrival or
// over 30 days before it is moved whole to end at its arrival, its spans with it
// (clock-drift.ts); then one that does not end in the range Relay's metrics take (the last 5
// days up to a minute ahead) is dropped, as Relay drops it ("timestamp is out of the valid range
// for metrics"); so is one with a span Relay finds invalid (validate_span): a span is never
// left out alone.
import { withTimestampInRange } from './clock-drift';
import { exactTimestamp, tagsOf, traceIdText, validMillis } from './event';
import { isObj, jsonText, type Obj } from './json';
import type { Operation } from './otlp';
import { withSpansByArrival } from './span-time';

export const hex = (v: unknown, n: number) =>
  typeof v === 'string' && new RegExp(`^[0-9a-f]{${n}}$`, 'i').test(v)
    ? v.toLowerCase()
    : undefined;
/** A trace id: 32 hex digits, or a UUID's 36 with hyphens, as Relay's TraceId reads it. */
export const traceIdOf = (v: unknown) => hex(typeof v === 'string' ? traceIdText(v) : v, 32);

/**
 * An operation's name: the one sent, else (none, or empty) its op, else `fallback`. An empty
 * name was kept, and the timeline showed a blank row.
 */
export function nameOf(name: unknown, op: unknown, fallback: string): string {
  if (typeof name === 'string' && name !== '') return name;
  const opText = op === undefined || op === null ? '' : jsonText(op);
  return opText !== '' ? opText : fallback;
}

/**
 * A Sentry timestamp in milliseconds to the fraction sent (exactTimestamp); undefined if it is
 * none. Seconds written as text are none: Relay's Timestamp reads a number or date text.
 */
export const seconds = (v: unknown) => {
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return undefined;
  const ms = exactTimestamp(v);
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
 * checks it: whole seconds (UnixTimestamp), `now - 5 days <= end < now + 60 s`. A span item's end
 * is held to it too (span-items.ts), as Relay's validate_span holds it to the same range.
 */
export function inTransactionRange(end: number, now: number): boolean {
  const endS = Math.floor(end / 1000);
  const nowS = Math.floor(now / 1000);
  return endS >= nowS - RANGE_PAST_S && endS < nowS + RANGE_FUTURE_S;
}

/**
 * Relay's SpanStatus (relay-base-schema spans.rs): the names by their gRPC code, as Relay reads
 * an integer status, and the older names it reads as one of them.
 */
const STATUS_NAMES = [
  'ok',
  'cancelled',
  'unknown',
  'invalid_argument',
  'deadline_exceeded',
  'not_found',
  'already_exists',
  'permission_denied',
  'resource_exhausted',
  'failed_precondition',
  'aborted',
  'out_of_range',
  'unimplemented',
  'internal_error',
  'unavailable',
  'data_loss',
  'unauthenticated',
];
const STATUS_ALIASES: Record<string, string> = {
  success: 'ok',
  failure: 'internal_error',
  unknown_error: 'unknown',
};
/**
 * A Sentry span status as an operation's: `ok`; `cancelled` (the caller gave up, a 499) is no
 * error, as Sentry's failure rate counts it (search/events/constants.py NON_FAILURE_STATUS), and
 * stays `unset` with its name; any other is an error, its name the message, as Relay's span v2
 * status has it (v1_to_v2.rs: all but ok is an error). `unknown` included: Sentry's failure rate
 * leaves it out, but @sentry/node (through @sentry/opentelemetry's mapStatus) sends
 * `unknown_error` for a span that ended in an error it cannot name. A status Relay reads as none
 * (a name it does not know, a code out of range) is `unset`. Before, `cancelled` and a name no
 * SDK sends were errors, `unknown` was not, and an integer was none.
 */
function status(s: unknown): Pick<Operation, 'status' | 'statusMessage'> {
  const name =
    typeof s === 'string'
      ? (STATUS_ALIASES[s] ?? (STATUS_NAMES.includes(s) ? s : undefined))
      : typeof s === 'number' && Number.isInteger(s)
        ? STATUS_NAMES[s]
        : undefined;
  if (name === undefined) return { status: 'unset' };
  if (name === 'ok') return { status: 'ok' };
  return { status: name === 'cancelled' ? 'unset' : 'error', statusMessage: name };
}

/**
 * A `correlation_id` of a transaction or span: its tag, else its data (where @sentry/node 8 puts
 * a span's `setAttribute`), read as an OTLP attribute is (otlp.ts): text, or an integer as its
 * decimal text; an empty one, or any other value, is none.
 */
export function correlationOf(tags: Record<string, string>, data: unknown): string | undefined {
  const tag = tags.correlation_id;
  if (tag) return tag;
  const value = isObj(data) ? data.correlation_id : undefined;
  if (typeof value === 'string') return value || undefined;
  return Number.isSafeInteger(value) ? String(value) : undefined;
}

/**
 * Why Relay drops a transaction, as its outcomes name the reason (DiscardReason): one it finds
 * invalid, or one that ends outside the range its metrics take.
 */
export type DroppedTransaction = 'invalid_transaction' | 'invalid_span' | 'timestamp';

/** A nested value as its JSON text (Relay's attribute_value_from_value), which any depth has. */
const scalar = (v: unknown) => (typeof v === 'object' ? jsonText(v) : v);

/**
 * An operation's attributes as Relay makes a span's (relay-spans v1_to_v2.rs, span_v1_to_span_v2):
 * each of its `data` (a nested value as its JSON text, none left out), then `sentry.op` over
 * them, then each measurement's value and each tag where no such key is there yet. Only
 * `sentry.op` was kept: a span's `db.system`, `http.response.status_code` or tags were lost.
 */
function attributesOf(
  op: unknown,
  data: unknown,
  tags: Record<string, string>,
  measurements?: unknown,
): Record<string, unknown> {
  // A map, then its entries: a key `__proto__` stays a key (assigned, it set the prototype).
  const out = new Map<string, unknown>();
  if (isObj(data))
    for (const [k, v] of Object.entries(data))
      if (v !== null && v !== undefined) out.set(k, scalar(v));
  out.set('sentry.op', op === undefined || op === null ? null : scalar(op));
  if (isObj(measurements))
    for (const [k, m] of Object.entries(measurements))
      if (!out.has(k) && isObj(m) && typeof m.value === 'number') out.set(k, m.value);
  for (const [k, v] of Object.entries(tags)) if (!out.has(k)) out.set(k, v);
  return Object.fromEntries(out);
}

/** A transaction's operations, or why Relay would drop it. */
export type TransactionRead =
  { readonly operations: Operation[] } | { readonly dropped: DroppedTransaction };

const dropped = (reason: DroppedTransaction): TransactionRead => ({ dropped: reason });

/** The transaction's operations, or why Relay would drop it. */
export function readTransaction(
  sent: Obj,
  receivedAt: number,
  maxPastMs?: number,
): TransactionRead {
  const tx = withTimestampInRange(sent, receivedAt, maxPastMs);
  const contexts = isObj(tx.contexts) ? tx.contexts : {};
  const trace = isObj(contexts.trace) ? contexts.trace : {};
  const traceId = traceIdOf(trace.trace_id);
  const spanId = hex(trace.span_id, 16);
  const start = seconds(tx.start_timestamp);
  const end = seconds(tx.timestamp);
  // Relay's validate_transaction: a trace context and both times are required, the end not
  // before the start; validate_timestamps then drops one that ends out of the range.
  if (!traceId || !spanId || start === undefined || end === undefined || end < start)
    return dropped('invalid_transaction');
  if (!inTransactionRange(end, receivedAt)) return dropped('timestamp');
  const tags = tagsOf(tx);
  const service = tags.service ?? (typeof tx.server_name === 'string' ? tx.server_name : 'unknown');
  const correlationId = correlationOf(tags, trace.data);
  const ops: Operation[] = [
    {
      traceId,
      spanId,
      ...(hex(trace.parent_span_id, 16)
        ? { parentSpanId: hex(trace.parent_span_id, 16) as string }
        : {}),
      name: nameOf(tx.transaction, trace.op, 'transaction'),
      service,
      start,
      end,
      ...status(trace.status),
      ...(correlationId ? { correlationId } : {}),
      attributes: attributesOf(trace.op, trace.data, tags, tx.measurements),
    },
  ];
  for (const span of Array.isArray(tx.spans) ? tx.spans : []) {
    const op = spanOperation(span, end, service, correlationId);
    // Relay's validate_spans: one invalid span makes the whole transaction invalid.
    if (!op) return dropped('invalid_transaction');
    ops.push(op);
  }
  // A span that ends over a minute ahead of its arrival is moved back to end then, as an OTLP
  // span is (span-time.ts; the transaction itself is in range by now): left as sent, a span a
  // year ahead held its session at the head of the list, and past retention, for that year.
  return {
    operations: withSpansByArrival({ operations: ops, memory: [], rejectedSpans: 0 }, receivedAt)
      .operations,
  };
}

/**
 * A span as Relay's validate_span takes it, after end_all_spans ended one with no end its
 * transaction's way (deadline_exceeded); an end Relay cannot read is none, so it is ended too.
 * Undefined when Relay finds it invalid: not an object, no start, trace id or span id (one that
 * is not hex is none), or an end before its start.
 */
export function spanOperation(
  span: unknown,
  txEnd: number,
  service: string,
  correlationId: string | undefined,
): Operation | undefined {
  if (!isObj(span)) return undefined;
  const traceId = traceIdOf(span.trace_id);
  const spanId = hex(span.span_id, 16);
  const start = seconds(span.start_timestamp);
  const sentEnd = seconds(span.timestamp);
  const end = sentEnd ?? txEnd;
  if (!traceId || !spanId || start === undefined || end < start) return undefined;
  const parentSpanId = hex(span.parent_span_id, 16);
  // A span's own correlation id, else its transaction's.
  const tags = tagsOf(span);
  const own = correlationOf(tags, span.data) ?? correlationId;
  return {
    traceId,
    spanId,
    ...(parentSpanId ? { parentSpanId } : {}),
    name: nameOf(span.description, span.op, 'span'),
    service,
    start,
    end,
    ...status(sentEnd === undefined ? 'deadline_exceeded' : span.status),
    ...(own ? { correlationId: own } : {}),
    attributes: attributesOf(span.op, span.data, tags),
  };
}
