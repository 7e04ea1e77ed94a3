// UTF-8 text written straight into a reused scratch buffer, then copied out at its exact size.
// A 1,500-pod MetricValueList is ~290 KB: built by string concatenation it left ~20K cons strings
// that V8 had to flatten before encoding (as costly as everything else together), and as one
// string it would sit in V8's large-object space (old generation, freed only by a mark-compact).
// Here the only large allocation is the body itself, outside the V8 heap.

const utf8 = new TextEncoder();
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
/** A scratch buffer larger than this is dropped after use rather than kept for the next. */
const KEEP = 1 << 20;
let spare: Uint8Array | undefined;

export class Utf8Writer {
  private buf: Uint8Array;
  private n = 0;

  constructor() {
    this.buf = spare ?? new Uint8Array(1 << 16);
    spare = undefined; // a writer made while this one is open gets its own
  }

  /** Bytes written so far; truncate(length) drops what was written after. */
  get length(): number {
    return this.n;
  }

  truncate(length: number): void {
    this.n = length;
  }

  byte(c: number): void {
    this.reserve(1);
    this.buf[this.n++] = c;
  }

  bytes(b: Uint8Array): void {
    this.reserve(b.length);
    this.buf.set(b, this.n);
    this.n += b.length;
  }

  /** `s` as UTF-8, as Buffer.from(s) encodes it. */
  text(s: string): void {
    const len = s.length;
    this.reserve(len);
    const buf = this.buf;
    let n = this.n;
    for (let i = 0; i < len; i++) {
      const c = s.charCodeAt(i);
      if (c >= 0x80) {
        this.n = n;
        this.reserve(3 * (len - i)); // UTF-8 takes at most 3 bytes per UTF-16 unit
        this.n += utf8.encodeInto(s.slice(i), this.buf.subarray(this.n)).written;
        return;
      }
      buf[n++] = c;
    }
    this.n = n;
  }

  /** JSON.stringify(s) as UTF-8; ASCII needing no escapes (names, mostly) is copied directly. */
  jsonString(s: string): void {
    const len = s.length;
    this.reserve(len + 2);
    const buf = this.buf;
    let n = this.n;
    buf[n++] = QUOTE;
    for (let i = 0; i < len; i++) {
      const c = s.charCodeAt(i);
      if (c < 0x20 || c >= 0x80 || c === QUOTE || c === BACKSLASH) {
        this.text(JSON.stringify(s)); // from this.n, over what the loop wrote
        return;
      }
      buf[n++] = c;
    }
    buf[n++] = QUOTE;
    this.n = n;
  }

  /** The bytes written; the writer is done with, and its scratch buffer goes to the next. */
  finish(): Buffer {
    const out = Buffer.allocUnsafe(this.n);
    out.set(this.buf.subarray(0, this.n));
    if (this.buf.length <= KEEP) spare = this.buf;
    this.buf = new Uint8Array(0);
    this.n = 0;
    return out;
  }

  private reserve(k: number): void {
    if (this.n + k <= this.buf.length) return;
    const grown = new Uint8Array(Math.max(2 * this.buf.length, this.n + k));
    grown.set(this.buf.subarray(0, this.n));
    this.buf = grown;
  }
}
