// Sentry envelopes (https://develop.sentry.dev/sdk/envelopes/), parsed from bytes: a JSON header
// line, then items, each a JSON header line and a payload — `length` bytes when the header gives
// a length (the payload may contain newlines), else up to the next newline. Lengths count bytes,
// so the parser works on a Buffer, never on a decoded string.

export class EnvelopeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EnvelopeError';
  }
}

/**
 * An envelope of more items than MAX_ITEMS: refused as soon as the parser reaches the one past it,
 * so a body of millions of empty items costs no more than a thousand.
 */
export class TooManyItemsError extends EnvelopeError {}

/**
 * The items one envelope may hold. SDKs send an event or transaction with its few attachments, or
 * up to 100 session updates (Relay's max_session_count, sentry-python's batch); millions of empty
 * items fit in the 100 MB a body may be, and each is an object on the ingest thread before the
 * request is authorised (a tunnel's envelope names its key only in its header).
 */
export const MAX_ITEMS = 1000;

export interface EnvelopeItem {
  readonly type: string;
  readonly headers: Readonly<Record<string, unknown>>;
  readonly payload: Buffer;
}

export interface Envelope {
  readonly headers: Readonly<Record<string, unknown>>;
  readonly items: readonly EnvelopeItem[];
}

const NEWLINE = 0x0a;
const CARRIAGE_RETURN = 0x0d;
/** The bytes JSON counts as whitespace: space, tab, line feed, carriage return. */
const JSON_SPACE = new Set([0x20, 0x09, 0x0a, 0x0d]);

function jsonObject(bytes: Buffer | string, what: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(typeof bytes === 'string' ? bytes : bytes.toString('utf8'));
  } catch (err) {
    throw new EnvelopeError(`${what} is not JSON: ${(err as Error).message}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new EnvelopeError(`${what} must be a JSON object`);
  }
  return value as Record<string, unknown>;
}

/** The line starting at `from` (without its newline) and where the next one starts. */
function line(buf: Buffer, from: number): { bytes: Buffer; next: number } {
  const nl = buf.indexOf(NEWLINE, from);
  return nl < 0
    ? { bytes: buf.subarray(from), next: buf.length }
    : { bytes: buf.subarray(from, nl), next: nl + 1 };
}

export function parseEnvelope(body: Buffer): Envelope {
  if (body.length === 0) throw new EnvelopeError('empty envelope');
  // Whitespace before the header is skipped, as Relay's JSON reader skips it before every header
  // (envelope.rs, parse_headers), blank lines included.
  let start = 0;
  while (start < body.length && JSON_SPACE.has(body[start] as number)) start += 1;
  if (start === body.length) throw new EnvelopeError('missing envelope header');
  const first = line(body, start);
  const headers = jsonObject(first.bytes, 'envelope header');
  const items: EnvelopeItem[] = [];
  let at = first.next;
  while (at < body.length) {
    const headerLine = line(body, at);
    if (headerLine.bytes.length === 0 || /^\s*$/.test(headerLine.bytes.toString('latin1'))) {
      at = headerLine.next; // blank lines between items (and the final newline) are allowed
      continue;
    }
    const index = items.length + 1;
    if (index > MAX_ITEMS) throw new TooManyItemsError(`more than ${MAX_ITEMS} items`);
    const itemHeaders = jsonObject(headerLine.bytes, `item ${index} header`);
    const type = itemHeaders.type;
    if (typeof type !== 'string' || type === '') {
      throw new EnvelopeError(`item ${index} header has no "type"`);
    }
    const length = itemHeaders.length;
    let payload: Buffer;
    if (length !== undefined && length !== null) {
      if (typeof length !== 'number' || !Number.isSafeInteger(length) || length < 0) {
        throw new EnvelopeError(`item ${index} (${type}): "length" must be a non-negative integer`);
      }
      const start = headerLine.next;
      if (start + length > body.length) {
        throw new EnvelopeError(
          `item ${index} (${type}): "length" is ${length} bytes but only ${body.length - start} remain`,
        );
      }
      payload = body.subarray(start, start + length);
      at = start + length;
      if (at < body.length) {
        if (body[at] !== NEWLINE) {
          // A payload written with Windows line endings: its length is right, its end is not
          // (Relay refuses it too, "missing newline after header or payload").
          throw new EnvelopeError(
            body[at] === CARRIAGE_RETURN && body[at + 1] === NEWLINE
              ? `item ${index} (${type}): payload of "length" ${length} is followed by "\\r\\n", not "\\n"`
              : `item ${index} (${type}): payload is longer than its "length" ${length}`,
          );
        }
        at += 1;
      }
    } else {
      const p = line(body, headerLine.next);
      payload = p.bytes;
      at = p.next;
    }
    items.push({ type, headers: itemHeaders, payload });
  }
  return { headers, items };
}

/** An item payload as a JSON object, or an EnvelopeError naming the item. */
export function itemJson(item: EnvelopeItem, index: number): Record<string, unknown> {
  return jsonObject(item.payload, `item ${index} (${item.type}) payload`);
}
