// Sentry `span` items. Of the span v2 protocol (content type SPAN_V2, develop.sentry.dev
// sdk/telemetry/spans/span-protocol): @sentry/node 10 takes an LLM call's `gen_ai.*` spans out
// of their transaction and sends them this way beside it, and sends every span so with
// `traceLifecycle: 'stream'`. Of any other content type, one standalone span as a transaction
// holds its spans (@sentry/core's createSpanEnvelope: the browser SDK's web vitals, INP and
// CLS). Both were skipped as an unknown item: the calls were missing from their debug sessions.
// Each span is one operation; one Relay would find invalid is left out alone, as Relay validates
// each span of a v2 container on its own. So is one that ends, once its times are moved by the
// envelope's clock drift, out of the range a transaction must end in (transaction.ts, the last 5
// days up to a minute ahead), as Relay's validate_span checks a span item's end against that
// range (its outcome's reason `timestamp`): a span of 40 days ago, or of 1970, was stored, counted
// and deleted by the next sweep.
import { isObj, jsonText, type Obj } from './json';
import type { Operation } from './otlp';
import { tagsOf } from './event';
import {
  correlationOf,
  hex,
  inTransactionRange,
  nameOf,
  seconds,
  spanOperation,
  traceIdOf,
} from './transaction';

export const SPAN_V2 = 'application/vnd.sentry.items.span.v2+json';

/**
 * The spans of one item as operations, and how many of them were left out: as invalid, and as
 * ending out of range (Relay's reasons `invalid_span` and `timestamp`).
 */
export interface SpanItemRead {
  readonly operations: Operation[];
  readonly invalid: number;
  readonly outOfRange: number;
}

/**
 * A span's attributes, `{ key: { type, value, unit? } }` on the wire, as their values (a list
 * kept a list, as an OTLP array is); one that is no such object is left out.
 */
function attributeValues(attributes: unknown): Record<string, unknown> {
  // A map, then its entries: a key `__proto__` stays a key.
  const out = new Map<string, unknown>();
  if (isObj(attributes))
    for (const [k, a] of Object.entries(attributes))
      if (isObj(a) && a.value !== null && a.value !== undefined)
        out.set(k, isObj(a.value) ? jsonText(a.value) : a.value);
  return Object.fromEntries(out);
}

/**
 * The operations of a span v2 item's `items` (its payload is `{ items: [...] }`). A span's
 * service is its `service` attribute (a scope attribute, as a transaction's `service` tag), else
 * OpenTelemetry's `service.name`, else `serviceOf` its trace (the transaction it was taken out
 * of, in the same envelope), else `unknown`. Its times are moved by `drift` (the envelope's clock
 * drift, clock-drift.ts, as its transaction's are); one that then ends out of range at
 * `receivedAt` (inTransactionRange) is left out.
 */
export function readSpanItem(
  payload: Obj,
  receivedAt: number,
  drift: number,
  serviceOf: (traceId: string) => string | undefined,
): SpanItemRead {
  const items = Array.isArray(payload.items) ? payload.items : [];
  const operations: Operation[] = [];
  let invalid = 0;
  let outOfRange = 0;
  for (const span of items) {
    const op = spanOf(span, drift, serviceOf);
    if (!op) invalid++;
    else if (!inTransactionRange(op.end, receivedAt)) outOfRange++;
    else operations.push(op);
  }
  return { operations, invalid, outOfRange };
}

/**
 * One span, or undefined where Relay's span v2 validation refuses it: not an object, no trace
 * or span id (one not hex is none), no start or end, or an end before its start.
 */
function spanOf(
  span: unknown,
  drift: number,
  serviceOf: (traceId: string) => string | undefined,
): Operation | undefined {
  if (!isObj(span)) return undefined;
  const traceId = traceIdOf(span.trace_id);
  const spanId = hex(span.span_id, 16);
  const start = seconds(span.start_timestamp);
  const end = seconds(span.end_timestamp);
  if (!traceId || !spanId || start === undefined || end === undefined || end < start)
    return undefined;
  const attributes = attributeValues(span.attributes);
  const named = (key: string) =>
    typeof attributes[key] === 'string' && attributes[key] !== '' ? attributes[key] : undefined;
  const service = named('service') ?? named('service.name') ?? serviceOf(traceId) ?? 'unknown';
  const correlationId = correlationOf({}, attributes);
  const parentSpanId = hex(span.parent_span_id, 16);
  return {
    traceId,
    spanId,
    ...(parentSpanId ? { parentSpanId } : {}),
    name: nameOf(span.name, attributes['sentry.op'], 'span'),
    service,
    start: start + drift,
    end: end + drift,
    // The protocol's two statuses; another (none) is unset, as an OTLP span without one.
    ...(span.status === 'ok'
      ? { status: 'ok' as const }
      : span.status === 'error'
        ? { status: 'error' as const }
        : { status: 'unset' as const }),
    ...(correlationId ? { correlationId } : {}),
    attributes,
  };
}

/**
 * A standalone span (a `span` item not of SPAN_V2) as an operation, read as a transaction's span
 * is, but for its end, which it must have (Relay's validate_span for a span with no transaction
 * to end it). Its service is its `service` tag or data, else `serviceOf` its trace, else
 * `unknown`; its times move, and it is left out out of range, as readSpanItem's spans are.
 */
export function readStandaloneSpan(
  span: Obj,
  receivedAt: number,
  drift: number,
  serviceOf: (traceId: string) => string | undefined,
): SpanItemRead {
  const end = seconds(span.timestamp);
  const traceId = traceIdOf(span.trace_id);
  const data = isObj(span.data) ? span.data : {};
  const service =
    tagsOf(span).service ??
    (typeof data.service === 'string' && data.service !== '' ? data.service : undefined) ??
    (traceId ? serviceOf(traceId) : undefined) ??
    'unknown';
  const op = end === undefined ? undefined : spanOperation(span, end, service, undefined);
  if (!op) return { operations: [], invalid: 1, outOfRange: 0 };
  const moved = { ...op, start: op.start + drift, end: op.end + drift };
  if (!inTransactionRange(moved.end, receivedAt))
    return { operations: [], invalid: 0, outOfRange: 1 };
  return { operations: [moved], invalid: 0, outOfRange: 0 };
}

/** Whether an envelope item is a span v2 container, by its content type. */
export const isSpanV2 = (headers: Readonly<Record<string, unknown>>): boolean =>
  headers.content_type === SPAN_V2;
