// OTLP/HTTP trace requests (JSON or protobuf) read into operations and memory snapshots.
// JSON follows the OTLP JSON mapping: ids as hex strings, 64-bit numbers as strings or numbers,
// attribute values as {stringValue|intValue|doubleValue|boolValue|arrayValue|kvlistValue}.
// A span event named `memory` with `process.memory.rss` / `process.memory.heap_used` is a
// memory snapshot; `correlation_id` (span, else resource attribute) names the debug session.
// Protobuf is read into the same shape; proto3 leaves zero values off the wire, so a zero here
// means what an absent field does (a time of 0 is no time, a key of "" no key).
import { isObj, jsonText, type Obj } from './json';
import { parseJsonInSteps } from './json-steps';
import { quoteLongInts } from './json-int64';
import type protobuf from 'protobufjs';
import { checkWireFormat, lengthDelimited, Resource, Span } from './otlp-proto';

export class OtlpError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OtlpError';
  }
}

export interface Operation {
  readonly traceId: string;
  readonly spanId: string;
  readonly parentSpanId?: string;
  readonly name: string;
  readonly service: string;
  /** Unix milliseconds (fractional). */
  readonly start: number;
  readonly end: number;
  readonly status: 'unset' | 'ok' | 'error';
  readonly statusMessage?: string;
  readonly correlationId?: string;
  readonly attributes: Readonly<Record<string, unknown>>;
}

export interface MemorySnapshot {
  readonly traceId: string;
  readonly spanId: string;
  /**
   * Its place among its span's `memory` events (0 first, those left out counted): with the
   * span's ids and the project, what a retry's copy is known by. Not its time, which a span
   * moved back to its arrival changes on each retry, and which two events may share.
   */
  readonly seq: number;
  readonly service: string;
  readonly correlationId?: string;
  readonly time: number;
  readonly rss?: number;
  readonly heapUsed?: number;
}

export interface TraceBatch {
  readonly operations: Operation[];
  readonly memory: MemorySnapshot[];
  /**
   * Spans left out for what is wrong with them alone (OTLP's partial success: the rest of the
   * request is stored), and the first problem found, a left-out memory event's included.
   */
  readonly rejectedSpans: number;
  readonly problem?: string;
}

/**
 * A field by its JSON name (lowerCamelCase), else by its proto name (`trace_id`), which protobuf
 * JSON parsers accept too, as the Collector's OTLP receiver does: a request written with the
 * proto names is read, not answered as a success with nothing in it.
 */
const PROTO_NAMES = new Map<string, string>();
function field(o: Obj, name: string): unknown {
  const v = o[name];
  if (v !== undefined) return v;
  let proto = PROTO_NAMES.get(name);
  if (proto === undefined)
    PROTO_NAMES.set(name, (proto = name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)));
  return proto === name ? undefined : o[proto];
}
const list = (v: unknown, what: string): unknown[] => {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw new OtlpError(`${what} must be a list`);
  return v;
};

/** How deep a value nests in an attribute: deeper is cut, to a marker, and named (cut()). */
const MAX_ATTRIBUTE_DEPTH = 16;
const CUT_VALUE = `[nested deeper than ${MAX_ATTRIBUTE_DEPTH} levels]`;

/** Told of a value cut for nesting too deep. */
type OnCut = () => void;

function anyValue(v: unknown, depth: number, cut: OnCut): unknown {
  if (v === undefined || v === null) return undefined;
  if (depth > MAX_ATTRIBUTE_DEPTH) {
    cut();
    return CUT_VALUE;
  }
  if (!isObj(v))
    throw new OtlpError(`an attribute's value must be an AnyValue object, got ${quoted(v)}`);
  let x: unknown;
  if ((x = field(v, 'stringValue')) !== undefined) return stringValue(x);
  if ((x = field(v, 'boolValue')) !== undefined) return boolValue(x);
  if ((x = field(v, 'intValue')) !== undefined) return intValue(x);
  if ((x = field(v, 'doubleValue')) !== undefined) return doubleValue(x);
  if ((x = field(v, 'bytesValue')) !== undefined) return bytesValue(x);
  if ((x = field(v, 'arrayValue')) !== undefined)
    return list(isObj(x) ? x.values : undefined, 'arrayValue.values').map((y) =>
      anyValue(y, depth + 1, cut),
    );
  if ((x = field(v, 'kvlistValue')) !== undefined)
    return attributes(isObj(x) ? x.values : undefined, cut, depth + 1);
  return undefined;
}

// An AnyValue's scalars as the protobuf JSON mapping writes them; anything else is an error
// naming it (as the Collector's receiver refuses it), never read as something else: "false" is
// no true, "0x10" no 16 and "" no 0. null, the mapping's default, is no value (a double's is
// null, kept: it is how JSON.stringify writes NaN and ±Infinity).

/** A string; null is no value, and `5` or `true` no string, but an error naming it. */
function stringValue(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (v === null) return undefined;
  throw new OtlpError(`stringValue must be a string, got ${quoted(v)}`);
}

/** A span's string field: absent and null are "", anything but a string an error naming it. */
function optionalText(v: unknown, what: string): string {
  if (v === undefined || v === null) return '';
  if (typeof v === 'string') return v;
  throw new OtlpError(`${what} must be a string, got ${quoted(v)}`);
}

const STATUS_CODES: Readonly<Record<string, number>> = {
  STATUS_CODE_UNSET: 0,
  STATUS_CODE_OK: 1,
  STATUS_CODE_ERROR: 2,
};

/**
 * A status code as the JSON mapping writes an enum: its number (one this reader does not know is
 * unset, as proto3 enums are open) or its name; absent or null is unset. `"2"` or `"OK"` is
 * neither, and an error naming it, as the Collector refuses it.
 */
function statusCode(v: unknown, what: string): number {
  if (v === undefined || v === null) return 0;
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  if (typeof v === 'string' && Object.hasOwn(STATUS_CODES, v)) return STATUS_CODES[v] as number;
  throw new OtlpError(`${what} must be a status code's number or name, got ${quoted(v)}`);
}

/** A bool: true or false. */
function boolValue(v: unknown): boolean | undefined {
  if (typeof v === 'boolean') return v;
  if (v === null) return undefined;
  throw new OtlpError(`boolValue must be true or false, got ${quoted(v)}`);
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/**
 * A 64-bit integer (a string in OTLP JSON and as protobuf is read here, or a JSON number): a
 * number while it is exact as one, else its decimal text, which keeps every digit.
 */
function intValue(v: unknown): number | string | undefined {
  if (v === null) return undefined;
  // One past 2^53 written as a number reaches here only in an exponent's form (1e17,
  // quoteLongInts quoting the digits of the rest), whose value is exact: its text, as above.
  if (typeof v === 'number' && Number.isInteger(v) && v >= -(2 ** 63) && v < 2 ** 63)
    return Number.isSafeInteger(v) ? v : BigInt(v).toString();
  // Up to 19 digits (an int64's), so BigInt's cost stays bounded.
  if (typeof v === 'string' && /^-?\d{1,19}$/.test(v)) {
    const n = Number(v);
    if (Number.isSafeInteger(n)) return n;
    const big = BigInt(v);
    if (big >= INT64_MIN && big <= INT64_MAX) return big.toString();
  }
  throw new OtlpError(`intValue must be a 64-bit integer, got ${quoted(v)}`);
}

/**
 * A double: a number, its decimal text, or "NaN", "Infinity", "-Infinity". Those three are kept as
 * that text, as the protobuf JSON mapping writes them: the attributes are stored and served as
 * JSON, which has no such numbers, and they were null there, one with no value and one another.
 * A JavaScript exporter's JSON has them as null already (JSON.stringify), and they stay null.
 */
function doubleValue(v: unknown): number | string | null {
  if (v === null) return null;
  let n: number;
  if (typeof v === 'number') n = v;
  else if (
    typeof v === 'string' &&
    (/^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/.test(v) ||
      v === 'NaN' ||
      v === 'Infinity' ||
      v === '-Infinity')
  )
    n = Number(v);
  else throw new OtlpError(`doubleValue must be a number, got ${quoted(v)}`);
  // String() writes the mapping's names; a text past a double's range (1e999) is Infinity too.
  return Number.isFinite(n) ? n : String(n);
}

/**
 * Bytes, kept as standard base64 with its padding, which is how protobufjs renders a protobuf
 * body's (TO_OBJECT); a JSON body's as its base64 reads, standard or URL-safe, padded or not (as
 * protobuf-go's JSON parser takes it).
 */
function bytesValue(v: unknown): string | undefined {
  if (v === null) return undefined;
  if (typeof v === 'string') {
    const bare = v.endsWith('==') ? v.slice(0, -2) : v.endsWith('=') ? v.slice(0, -1) : v;
    const paddingFits = bare === v || v.length % 4 === 0;
    if (paddingFits && bare.length % 4 !== 1 && /^(?:[A-Za-z0-9+/]*|[A-Za-z0-9_-]*)$/.test(bare))
      return Buffer.from(bare, 'base64').toString('base64');
  }
  throw new OtlpError(`bytesValue must be base64, got ${quoted(v)}`);
}

/** A KeyValue's key; proto3 leaves "" off the wire, so an absent key (or null) is "". */
function attributeKey(kv: unknown): string {
  if (isObj(kv) && (kv.key === undefined || kv.key === null || typeof kv.key === 'string'))
    return kv.key ?? '';
  throw new OtlpError('every attribute needs a string "key"');
}

/**
 * Attributes as an object. At the top level (depth 0) one with an empty key is left out, as
 * SDKs do (the spec has attribute keys non-empty); in a kvlistValue, "" is a key like any other.
 */
function attributes(v: unknown, cut: OnCut, depth = 0): Record<string, unknown> {
  // Through a Map: an attribute named `__proto__` is kept as one, not taken for the prototype.
  const out = new Map<string, unknown>();
  for (const kv of list(v, 'attributes')) {
    const key = attributeKey(kv);
    // Read whatever its key: a value of the wrong form is an error under an empty key too.
    const value = anyValue((kv as Obj).value, depth, cut);
    if (key !== '' || depth > 0) out.set(key, value);
  }
  return Object.fromEntries(out);
}

/**
 * A resource's attributes; one that cannot be read is left out (and reported), never the
 * request or the resource's spans: they are read apart from every span.
 */
function resourceAttributes(
  v: unknown,
  report: (message: string) => void,
): Record<string, unknown> {
  try {
    return attributes(v, () =>
      report(`resource: a value nested deeper than ${MAX_ATTRIBUTE_DEPTH} levels is cut there`),
    );
  } catch (err) {
    if (!(err instanceof OtlpError)) throw err;
    report(`resource: ${err.message}`);
  }
  const out = new Map<string, unknown>();
  if (Array.isArray(v))
    for (const kv of v) {
      try {
        Object.entries(attributes([kv], () => {})).forEach(([key, value]) => out.set(key, value));
      } catch (err) {
        if (!(err instanceof OtlpError)) throw err;
      }
    }
  return Object.fromEntries(out);
}

/**
 * A correlation id as Sentry tags carry it, text: a string as it is, an integer as its decimal
 * text; anything else (empty, fractional, a list) is none.
 */
function correlationText(v: unknown): string | undefined {
  if (typeof v === 'string') return v || undefined;
  return Number.isSafeInteger(v) ? String(v) : undefined;
}

/**
 * A value as a problem quotes it: as JSON, at most 200 characters of it. Never JSON.stringify
 * alone, which throws on a value nested thousands deep (a 500 for a body's mistake) and would
 * copy a megabyte-long id whole into the answer.
 */
function quoted(v: unknown): string {
  const text =
    v === undefined ? 'undefined' : typeof v === 'string' ? JSON.stringify(v) : jsonText(v);
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}

/** Ids: hex strings in JSON, bytes in protobuf (already hex here). */
function id(v: unknown, what: string, length: number, required: boolean): string | undefined {
  if (v === undefined || v === null || v === '') {
    if (required) throw new OtlpError(`${what} is required`);
    return undefined;
  }
  if (typeof v !== 'string' || !new RegExp(`^[0-9a-fA-F]{${length}}$`).test(v)) {
    throw new OtlpError(`${what} must be ${length} hex digits, got ${quoted(v)}`);
  }
  if (/^0+$/.test(v)) {
    if (required) throw new OtlpError(`${what} must not be all zeros`);
    return undefined;
  }
  return v.toLowerCase();
}

/**
 * A time in unix nanoseconds as milliseconds. 0 is refused as absence is: OTLP has span and
 * event times required, and proto3 cannot tell 0 from absent, so both encodings read alike.
 */
function nanosToMillis(v: unknown, what: string): number {
  let ns: bigint | undefined;
  if (typeof v === 'number' && Number.isInteger(v) && v > 0 && v < 2 ** 64) ns = BigInt(v);
  else if (typeof v === 'string' && /^\d{1,20}$/.test(v)) ns = BigInt(v);
  // A fixed64 on the wire: 2^64 ns and past are no time (the Collector refuses them too).
  const ms = ns !== undefined && ns > 0n && ns < 2n ** 64n ? Number(ns / 1000n) / 1000 : NaN;
  // Up to the last millisecond a Date can hold, so every stored time can be shown.
  if (Number.isFinite(ms) && ms <= 8.64e15) return ms;
  throw new OtlpError(`${what} must be unix nanoseconds, got ${quoted(v)}`);
}

/**
 * A memory event's byte count under `key`: a whole or fractional number of bytes, not below
 * zero (an intValue past 2^53 arrives as its decimal text, and a stringValue of digits is read
 * too). Anything else is left out and named through `report`: `"512MB"` stored as nothing
 * would show a snapshot without saying why.
 */
function memoryBytes(
  attrs: Readonly<Record<string, unknown>>,
  key: string,
  at: string,
  report: (problem: string) => void,
): number | undefined {
  const v = attrs[key];
  if (v === undefined) return undefined;
  const n = typeof v === 'string' && /^\d{1,19}$/.test(v) ? Number(v) : v;
  if (typeof n === 'number' && Number.isFinite(n) && n >= 0) return n;
  report(`${at} ${key} must be a number of bytes, got ${quoted(v)}`);
  return undefined;
}

/** Spans read between two turns of the event loop when a request is read in steps. */
export const READ_STEP = 512;

/**
 * A request as far as it is read before its spans: the JSON shape, whose spans `span` renders in
 * the JSON shape as each is read (protobuf's are messages until then; JSON's already are).
 */
export interface OtlpBody {
  readonly request: unknown;
  span(raw: unknown): unknown;
}

const asIs = (v: unknown) => v;

/**
 * The spans a request lists, before any is read (what admission by work counts, span-backlog.ts):
 * a shape readTraces would refuse counts what it lists, its reading refuses it.
 */
export function countSpans({ request }: OtlpBody): number {
  const items = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
  let spans = 0;
  if (isObj(request))
    for (const rs of items(field(request, 'resourceSpans')))
      if (isObj(rs))
        for (const ss of items(field(rs, 'scopeSpans') ?? field(rs, 'instrumentationLibrarySpans')))
          if (isObj(ss)) spans += items(ss.spans).length;
  return spans;
}

/** Reads an ExportTraceServiceRequest already in the JSON shape. */
export function readTraces(request: unknown): TraceBatch {
  return readWhole({ request, span: asIs });
}

/** Reads a request's spans all at once. */
function readWhole(body: OtlpBody): TraceBatch {
  const reading = readingTraces(body, Infinity);
  for (let r = reading.next(); ; r = reading.next()) if (r.done) return r.value;
}

/**
 * readTraces, `step` spans at a time with `pause()` awaited between: a collector's batch of
 * thousands of spans does not hold every other request for all of its reading.
 */
export async function readTracesInSteps(
  body: OtlpBody,
  pause: () => Promise<void>,
  step = READ_STEP,
): Promise<TraceBatch> {
  const reading = readingTraces(body, step);
  for (let r = reading.next(); ; r = reading.next()) {
    if (r.done) return r.value;
    await pause();
  }
}

/** Reads the request, yielding after every `step` spans; returns what readTraces does. */
function* readingTraces(
  { request: body, span }: OtlpBody,
  step: number,
): Generator<void, TraceBatch> {
  if (!isObj(body)) throw new OtlpError('body must be a JSON object');
  const operations: Operation[] = [];
  const memory: MemorySnapshot[] = [];
  let rejectedSpans = 0;
  let problem: string | undefined;
  let read = 0;
  for (const [i, rs] of list(field(body, 'resourceSpans'), 'resourceSpans').entries()) {
    if (!isObj(rs)) throw new OtlpError(`resourceSpans[${i}] must be an object`);
    const resource = resourceAttributes(
      isObj(rs.resource) ? rs.resource.attributes : undefined,
      (message) => (problem ??= `resourceSpans[${i}].${message}`),
    );
    const resourceCorrelation = correlationText(resource.correlation_id);
    const service =
      typeof resource['service.name'] === 'string'
        ? (resource['service.name'] as string)
        : 'unknown_service';
    // One span, its operation and memory snapshots; throws an OtlpError when it is not one.
    const readSpan = (sp: unknown, where: string): void => {
      if (!isObj(sp)) throw new OtlpError(`${where} must be an object`);
      const traceId = id(field(sp, 'traceId'), `${where}.traceId`, 32, true) as string;
      const spanId = id(field(sp, 'spanId'), `${where}.spanId`, 16, true) as string;
      const parentSpanId = id(field(sp, 'parentSpanId'), `${where}.parentSpanId`, 16, false);
      const attrs = attributes(
        sp.attributes,
        () =>
          (problem ??= `${where}.attributes: a value nested deeper than ${MAX_ATTRIBUTE_DEPTH} levels is cut there`),
      );
      const start = nanosToMillis(field(sp, 'startTimeUnixNano'), `${where}.startTimeUnixNano`);
      const end = nanosToMillis(field(sp, 'endTimeUnixNano'), `${where}.endTimeUnixNano`);
      if (end < start) throw new OtlpError(`${where} ends before it starts`);
      const correlationId = correlationText(attrs.correlation_id) ?? resourceCorrelation;
      if (sp.status !== undefined && sp.status !== null && !isObj(sp.status))
        throw new OtlpError(`${where}.status must be an object, got ${quoted(sp.status)}`);
      const status = isObj(sp.status) ? sp.status : {};
      const name = optionalText(sp.name, `${where}.name`);
      const message = optionalText(status.message, `${where}.status.message`);
      const code = statusCode(status.code, `${where}.status.code`);
      const operation: Operation = {
        traceId,
        spanId,
        ...(parentSpanId ? { parentSpanId } : {}),
        name: name || '<unnamed>',
        service,
        start,
        end,
        status: code === 2 ? 'error' : code === 1 ? 'ok' : 'unset',
        ...(message ? { statusMessage: message } : {}),
        ...(correlationId ? { correlationId } : {}),
        attributes: attrs,
      };
      const snapshots: MemorySnapshot[] = [];
      let seq = 0;
      list(sp.events, `${where}.events`).forEach((ev, e) => {
        if (!isObj(ev) || ev.name !== 'memory') return;
        const place = seq++;
        const a = attributes(ev.attributes, () => {}); // only its byte counts are read
        const at = `${where}.events[${e}]`;
        let time: number;
        try {
          time = nanosToMillis(field(ev, 'timeUnixNano'), `${at}.timeUnixNano`);
        } catch (err) {
          // The span is stored; only this snapshot, which has no time to be shown at, is not.
          problem ??= (err as Error).message;
          return;
        }
        const rss = memoryBytes(a, 'process.memory.rss', at, (m) => (problem ??= m));
        const heapUsed = memoryBytes(a, 'process.memory.heap_used', at, (m) => (problem ??= m));
        if (rss === undefined && heapUsed === undefined) {
          // Nothing to show either: the span is stored, this snapshot is not.
          problem ??= `${at} (memory) has no process.memory.rss or process.memory.heap_used in bytes`;
          return;
        }
        snapshots.push({
          traceId,
          spanId,
          seq: place,
          service,
          ...(correlationId ? { correlationId } : {}),
          time,
          ...(rss !== undefined ? { rss } : {}),
          ...(heapUsed !== undefined ? { heapUsed } : {}),
        });
      });
      operations.push(operation);
      memory.push(...snapshots);
    };
    // OTLP before 0.15 (exporters of 2021 and early 2022) named it instrumentationLibrarySpans,
    // of the same fields (in protobuf the same field number too), as the Collector read it then.
    const scopes = field(rs, 'scopeSpans') ?? field(rs, 'instrumentationLibrarySpans');
    for (const [j, ss] of list(scopes, `resourceSpans[${i}].scopeSpans`).entries()) {
      if (!isObj(ss)) throw new OtlpError(`resourceSpans[${i}].scopeSpans[${j}] must be an object`);
      for (const [k, sp] of list(
        ss.spans,
        `resourceSpans[${i}].scopeSpans[${j}].spans`,
      ).entries()) {
        const where = `resourceSpans[${i}].scopeSpans[${j}].spans[${k}]`;
        try {
          readSpan(span(sp), where);
        } catch (err) {
          if (!(err instanceof OtlpError)) throw err;
          rejectedSpans++;
          // Each problem names the span it left out (an attribute's does not know its span).
          problem ??= err.message.startsWith(where) ? err.message : `${where}: ${err.message}`;
        }
        if (++read % step === 0) yield;
      }
    }
  }
  return { operations, memory, rejectedSpans, ...(problem ? { problem } : {}) };
}

export function parseOtlpJson(body: Buffer): TraceBatch {
  let request: unknown;
  try {
    request = JSON.parse(quoteLongInts(body.toString('utf8')));
  } catch (err) {
    throw notJson(err);
  }
  return readTraces(request);
}

export function parseOtlpProtobuf(body: Buffer): TraceBatch {
  return readWhole(decodeProtobuf(body));
}

/**
 * A request body read as far as its spans (OtlpBody), `pause()` awaited between the slices of a
 * long JSON body (json-steps.ts). Rejects with an OtlpError when it is no request.
 */
export async function decodeOtlp(
  body: Buffer,
  protobuf: boolean,
  pause: () => Promise<void>,
): Promise<OtlpBody> {
  if (protobuf) return decodeProtobuf(body);
  const text = quoteLongInts(body.toString('utf8'));
  let request: unknown;
  try {
    request = await parseJsonInSteps(text, pause);
  } catch (err) {
    throw notJson(err);
  }
  return { request, span: asIs };
}

const notJson = (err: unknown) => new OtlpError(`body is not JSON: ${(err as Error).message}`);

/** How protobufjs renders a message in the JSON shape (64-bit numbers as text, bytes as base64). */
const TO_OBJECT: protobuf.IConversionOptions = {
  longs: String,
  bytes: String,
  defaults: false,
  oneofs: false,
};

/**
 * Protobuf, its wire format checked whole, then read as far as readTraces reads it: each
 * resource's attributes (the last resource a ResourceSpans names, as protobufjs reads a message
 * field written twice), and its scopes' spans, each decoded and rendered in the JSON shape (ids
 * in hex) as it is read. Decoded and rendered whole, 8,192 spans held every other request for
 * 40–95 ms here (decode 10–20, toObject 30–75); the check alone takes ~5 ms a MB.
 */
function decodeProtobuf(body: Buffer): OtlpBody {
  try {
    checkWireFormat(body);
  } catch (err) {
    throw new OtlpError(`body is not an OTLP ExportTraceServiceRequest: ${(err as Error).message}`);
  }
  const resourceSpans = [];
  for (const [n, start, end] of lengthDelimited(body, 0, body.length)) {
    if (n !== 1) continue;
    let resource: Buffer | undefined;
    const scopeSpans = [];
    for (const [m, from, to] of lengthDelimited(body, start, end)) {
      if (m === 1) resource = body.subarray(from, to);
      else if (m === 2) {
        const spans = [];
        for (const [k, s, e] of lengthDelimited(body, from, to))
          if (k === 2) spans.push(body.subarray(s, e));
        scopeSpans.push({ spans });
      }
    }
    resourceSpans.push({
      ...(resource ? { resource: decoded(Resource, resource) } : {}),
      scopeSpans,
    });
  }
  return { request: { resourceSpans }, span: (raw) => withHexIds(decoded(Span, raw as Buffer)) };
}

/**
 * A message's bytes in the JSON shape. One protobufjs cannot decode or render (nested deeper
 * than it recurses) is an OtlpError: a span is then left out and the rest read, a resource
 * refuses the request.
 */
function decoded(type: protobuf.Type, bytes: Buffer): Obj {
  try {
    return type.toObject(type.decode(bytes), TO_OBJECT);
  } catch (err) {
    throw new OtlpError(`${type.name} cannot be read: ${(err as Error).message}`);
  }
}

/** protobufjs renders bytes as base64; OTLP's JSON mapping has ids in hex. */
function withHexIds(span: Obj): Obj {
  for (const key of ['traceId', 'spanId', 'parentSpanId'])
    if (typeof span[key] === 'string') span[key] = Buffer.from(span[key], 'base64').toString('hex');
  return span;
}
