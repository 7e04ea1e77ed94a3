// Sentry attachments (envelope items of type `attachment`), kept with the event they came with:
// read as Relay reads their item headers, and scrubbed before they are stored, as everything is.
import type { ScrubReport, Scrubber } from '../scrub/scrub';
import { EnvelopeError, type EnvelopeItem } from './envelope';

/** An attachment as it was sent. */
export interface SentAttachment {
  readonly filename: string;
  readonly contentType: string;
  /** Relay's attachment_type: `event.attachment`, `event.minidump`, `event.view_hierarchy`, …. */
  readonly type: string;
  readonly data: Uint8Array;
}

/** An attachment as it is stored: its bytes scrubbed. */
export interface KeptAttachment {
  readonly filename: string;
  readonly contentType: string;
  readonly type: string;
  /** The bytes sent. */
  readonly size: number;
  readonly data: Uint8Array;
}

/** What Relay names an attachment sent without a filename (constants.rs, UNNAMED_ATTACHMENT). */
export const UNNAMED_ATTACHMENT = 'Unnamed Attachment';
export const DEFAULT_ATTACHMENT_TYPE = 'event.attachment';
export const DEFAULT_CONTENT_TYPE = 'application/octet-stream';
/** Longer header values are cut: a filename is shown, not parsed, and some SDKs send paths. */
const MAX_HEADER_CHARS = 256;

/**
 * The attachment of envelope item `index` (1-based). Its headers are optional strings, as
 * Relay's item headers take them: one of another kind makes the envelope invalid.
 */
export function readAttachment(item: EnvelopeItem, index: number): SentAttachment {
  const header = (name: string, fallback: string): string => {
    const value = item.headers[name];
    if (value === undefined || value === null) return fallback;
    if (typeof value !== 'string')
      throw new EnvelopeError(`item ${index} (attachment) header ${name} is not a string`);
    return value === '' ? fallback : value.slice(0, MAX_HEADER_CHARS);
  };
  return {
    filename: header('filename', UNNAMED_ATTACHMENT),
    contentType: header('content_type', DEFAULT_CONTENT_TYPE),
    type: header('attachment_type', DEFAULT_ATTACHMENT_TYPE),
    data: item.payload,
  };
}

/**
 * The bytes as a Buffer, not copied. What crosses to another thread (the writer's, the reader's)
 * arrives as a plain Uint8Array, which better-sqlite3 does not bind and express sends as JSON.
 */
export const bufferOf = (data: Uint8Array): Buffer =>
  Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * The attachment as it may be stored under `scrub`, the project's scrubber. Text (UTF-8) is
 * scrubbed as an event is: JSON by its keys and values, other text by the sensitive shapes and
 * secret parameters in it. Bytes that are not text cannot have a value cut out of them without
 * breaking the file (a minidump, an image): what the scrubber finds in them is masked in place
 * (maskBytes). What the scrubber leaves as it was is stored byte for byte.
 */
export function scrubAttachment(sent: SentAttachment, scrub: Scrubber): KeptAttachment {
  const kept = { filename: sent.filename, contentType: sent.contentType, type: sent.type };
  const bytes = bufferOf(sent.data);
  const stored = (data: Uint8Array) => ({ ...kept, size: bytes.length, data });
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    return stored(maskBytes(bytes, scrub));
  }
  const json = jsonContainer(text);
  let scrubbed: string;
  if (json === undefined) scrubbed = scrub.text(text);
  else {
    const report: ScrubReport = { changed: false };
    const out = scrub(json, report, text); // in place
    scrubbed = report.changed ? JSON.stringify(out) : text;
  }
  return stored(scrubbed === text ? bytes : Buffer.from(scrubbed, 'utf8'));
}

/** `*` in either reading of maskBytes. */
const STAR = 0x2a;

/**
 * Binary bytes with what the scrubber finds in the text they hold masked in place, as Relay masks
 * attachments: each character of it made `*`, so the file keeps its length and every other byte.
 * The text is read three ways: as Latin-1, one character a byte (the ASCII and UTF-8 text in a
 * file), and as UTF-16LE, two bytes a character, from the first byte on and from the second (the
 * strings a Windows minidump holds, which Relay reads so too; a packed record can put one at an
 * odd offset). Unchanged, the bytes themselves.
 */
function maskBytes(bytes: Buffer, scrub: Scrubber): Buffer {
  let out = bytes;
  for (const [encoding, from] of [
    ['latin1', 0],
    ['utf16le', 0],
    ['utf16le', 1],
  ] as const) {
    const text = out.toString(encoding, from);
    const masked = scrub.mask(text);
    if (masked === text) continue;
    if (out === bytes) out = Buffer.from(bytes); // the bytes sent are never written
    for (let i = 0; i < text.length; i++)
      if (masked.charCodeAt(i) !== text.charCodeAt(i))
        if (encoding === 'latin1') out[i] = STAR;
        else out.writeUInt16LE(STAR, from + i * 2);
  }
  return out;
}

/** The JSON object or array `text` is, else undefined (a string or number is text). */
function jsonContainer(text: string): object | undefined {
  const first = text.trimStart()[0];
  if (first !== '{' && first !== '[') return undefined;
  try {
    return JSON.parse(text) as object;
  } catch {
    return undefined;
  }
}
