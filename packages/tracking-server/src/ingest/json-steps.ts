// JSON text parsed a slice at a time. One JSON.parse of a collector's 4 MB batch held the thread
// that reads every request for 25–45 ms (README, Ingest). Here any array or object longer than a
// slice is read element by element, runs of whole elements up to a slice long each handed to
// JSON.parse, with `pause()` awaited between slices; anything shorter, and every scalar, is
// JSON.parse's alone. The value is the one JSON.parse gives (property tests compare them), and
// any text this reader would refuse, or cannot split, is given to JSON.parse whole: a bad body
// gets JSON.parse's own error, and a good one is never refused.

/** About how much of the text one JSON.parse reads. */
export const SLICE_CHARS = 128 * 1024;

/** Deeper than this, a long value is parsed whole (JSON.parse needs no stack of ours). */
const MAX_DEPTH = 64;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;

/** A text this reader does not split: JSON.parse reads it whole instead. */
class Unsplit extends Error {}

const isSpace = (c: number) => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;

/** `JSON.parse(text)`, a slice at a time where the text has values longer than `sliceChars`. */
export async function parseJsonInSteps(
  text: string,
  pause: () => Promise<void>,
  sliceChars = SLICE_CHARS,
): Promise<unknown> {
  if (text.length <= sliceChars) return JSON.parse(text);
  try {
    const reader = new SliceReader(text, pause, sliceChars);
    const value = await reader.value(0);
    if (reader.skipSpace(reader.pos) !== text.length) throw new Unsplit();
    return value;
  } catch (err) {
    if (!(err instanceof Unsplit) && !(err instanceof SyntaxError)) throw err;
    return JSON.parse(text);
  }
}

class SliceReader {
  pos = 0;

  constructor(
    private readonly text: string,
    private readonly pause: () => Promise<void>,
    private readonly sliceChars: number,
  ) {}

  skipSpace(at: number): number {
    while (at < this.text.length && isSpace(this.text.charCodeAt(at))) at++;
    return at;
  }

  /** The value starting at `at` (after any space); `pos` is then just past it. */
  async value(at: number, depth = 0): Promise<unknown> {
    const start = this.skipSpace(at);
    const c = this.text.charCodeAt(start);
    if (c !== OPEN_ARRAY && c !== OPEN_OBJECT) {
      this.pos = this.scalarEnd(start);
      return JSON.parse(this.text.slice(start, this.pos));
    }
    const end = this.endWithin(start, this.sliceChars);
    if (end !== undefined || depth >= MAX_DEPTH) {
      this.pos = end ?? this.endWithin(start, Infinity)!;
      return JSON.parse(this.text.slice(start, this.pos));
    }
    return c === OPEN_ARRAY ? this.array(start, depth) : this.object(start, depth);
  }

  /** An array longer than a slice: runs of whole elements of up to a slice each parsed at once. */
  private async array(start: number, depth: number): Promise<unknown[]> {
    const items: unknown[] = [];
    let at = this.skipSpace(start + 1);
    if (this.text.charCodeAt(at) === CLOSE_ARRAY) {
      this.pos = at + 1;
      return items;
    }
    for (;;) {
      // The elements that end within a slice of `at`, cut after the last one that does.
      const cut = this.lastElementEnd(at, this.sliceChars);
      if (cut === undefined) {
        items.push(await this.value(at, depth + 1));
        at = this.pos;
      } else {
        if (cut === at) throw new Unsplit(); // no element before a comma or the close
        for (const item of JSON.parse(`[${this.text.slice(at, cut)}]`) as unknown[])
          items.push(item);
        at = cut;
      }
      if (this.closes(at, CLOSE_ARRAY)) return items;
      at = this.pos;
      await this.pause();
    }
  }

  /** An object longer than a slice: each member's value read on its own. */
  private async object(start: number, depth: number): Promise<Record<string, unknown>> {
    const out: Record<string, unknown> = {};
    let at = this.skipSpace(start + 1);
    if (this.text.charCodeAt(at) === CLOSE_OBJECT) {
      this.pos = at + 1;
      return out;
    }
    for (;;) {
      if (this.text.charCodeAt(at) !== QUOTE) throw new Unsplit();
      const keyEnd = this.stringEnd(at);
      const key = JSON.parse(this.text.slice(at, keyEnd)) as string;
      at = this.skipSpace(keyEnd);
      if (this.text.charCodeAt(at) !== COLON) throw new Unsplit();
      const value = await this.value(at + 1, depth + 1);
      // As JSON.parse defines it: a key named __proto__ is a property, not the prototype.
      if (key === '__proto__')
        Object.defineProperty(out, key, {
          value,
          writable: true,
          enumerable: true,
          configurable: true,
        });
      else out[key] = value;
      if (this.closes(this.pos, CLOSE_OBJECT)) return out;
      at = this.pos;
      await this.pause();
    }
  }

  /**
   * After an element or member, at `at` or the space before it: true at the list's `close` (`pos`
   * then just past it), false at a comma (`pos` then at what follows it, which is no close: JSON
   * has no trailing comma); anything else is not split.
   */
  private closes(at: number, close: number): boolean {
    at = this.skipSpace(at);
    const c = this.text.charCodeAt(at);
    if (c === close) {
      this.pos = at + 1;
      return true;
    }
    if (c !== COMMA) throw new Unsplit();
    this.pos = this.skipSpace(at + 1);
    if (this.text.charCodeAt(this.pos) === close) throw new Unsplit();
    return false;
  }

  /**
   * Where the array or object opening at `start` ends (just past its close), if that is within
   * `limit` characters; undefined when it is not.
   */
  private endWithin(start: number, limit: number): number | undefined {
    const stop = Math.min(this.text.length, start + limit);
    let depth = 0;
    for (let i = start; i < stop; i++) {
      const c = this.text.charCodeAt(i);
      if (c === QUOTE) i = this.stringEnd(i) - 1;
      else if (c === OPEN_ARRAY || c === OPEN_OBJECT) depth++;
      else if (c === CLOSE_ARRAY || c === CLOSE_OBJECT) if (--depth === 0) return i + 1;
    }
    if (stop === this.text.length && limit === Infinity) throw new Unsplit();
    return undefined;
  }

  /**
   * From the first element of a list at `at`: where the last element that ends within `limit`
   * characters ends, or undefined when the first does not.
   */
  private lastElementEnd(at: number, limit: number): number | undefined {
    const stop = Math.min(this.text.length, at + limit);
    let depth = 0;
    let last: number | undefined;
    for (let i = at; i < stop; i++) {
      const c = this.text.charCodeAt(i);
      if (c === QUOTE) i = this.stringEnd(i) - 1;
      else if (c === OPEN_ARRAY || c === OPEN_OBJECT) depth++;
      else if (c === CLOSE_ARRAY || c === CLOSE_OBJECT) {
        if (depth === 0) return i; // the list's own close: every element before it is whole
        depth--;
      } else if (c === COMMA && depth === 0) last = i;
    }
    return last;
  }

  /** Just past the string whose opening quote is at `start`. */
  private stringEnd(start: number): number {
    for (let i = this.text.indexOf('"', start + 1); i >= 0; i = this.text.indexOf('"', i + 1)) {
      let slashes = 0;
      while (this.text.charCodeAt(i - 1 - slashes) === BACKSLASH) slashes++;
      if (slashes % 2 === 0) return i + 1;
    }
    throw new Unsplit();
  }

  /** Just past the scalar (string, number, true, false, null) at `start`. */
  private scalarEnd(start: number): number {
    if (this.text.charCodeAt(start) === QUOTE) return this.stringEnd(start);
    let i = start;
    while (i < this.text.length) {
      const c = this.text.charCodeAt(i);
      if (isSpace(c) || c === COMMA || c === CLOSE_ARRAY || c === CLOSE_OBJECT || c === COLON)
        break;
      i++;
    }
    if (i === start) throw new Unsplit();
    return i;
  }
}
