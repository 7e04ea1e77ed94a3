// Sentry `transaction` items as debug-session operations: the transaction itself (its
// contexts.trace) and each of its spans, joined by trace id and the `correlation_id` tag.
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

export function transactionOperations(tx: Obj): Operation[] {
  const contexts = isObj(tx.contexts) ? tx.contexts : {};
  const trace = isObj(contexts.trace) ? contexts.trace : {};
  const traceId = hex(trace.trace_id, 32);
  const spanId = hex(trace.span_id, 16);
  const start = seconds(tx.start_timestamp);
  const end = seconds(tx.timestamp);
  if (!traceId || !spanId || start === undefined || end === undefined) return [];
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
    const e = seconds(span.timestamp);
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
      status: status(span.status),
      ...(correlationId ? { correlationId } : {}),
      attributes: { 'sentry.op': span.op ?? null },
    });
  }
  return ops;
}
