// The input a streaming frame reader (lz4-frame.ts, snappy-framed.ts) was given and cannot use
// yet: the start of a header, an LZ4 block or a snappy chunk. Kept as the chunks came, and joined
// once the unit the reader waits for is whole: a 4 MB LZ4 block sent in 64 KB chunks is copied
// twice, where joining at every chunk copied ~130 MB for it. What it holds at its most is
// taken from the body's budget, as the decoded output is.

export class PendingInput {
  private chunks: Buffer[] = [];
  private held = 0;
  /** Bytes the reader waits for before it can go on. */
  private need = 0;
  /** The most held so far, taken from the budget already. */
  private taken = 0;
  /** Where the held bytes start in the body. */
  at = 0;

  /**
   * `take` takes bytes from the body's budget (false: they cannot be held), and `full` makes
   * the error for a refusal, given the bytes that would be held.
   */
  constructor(
    private readonly take: ((bytes: number) => boolean) | undefined,
    private readonly full: (bytes: number) => Error,
  ) {}

  /** Bytes held. */
  get length(): number {
    return this.held;
  }

  /**
   * `data` after the bytes held, to read from offset 0 (at `at` in the body); or undefined,
   * `data` held too, while that is still short of what the reader waits for.
   */
  add(data: Uint8Array): Buffer | undefined {
    const chunk = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    if (this.held + chunk.length < this.need) {
      this.hold(chunk);
      return undefined;
    }
    if (this.chunks.length === 0) return chunk;
    const joined = Buffer.concat([...this.chunks, chunk]);
    this.chunks = [];
    this.held = 0;
    return joined;
  }

  /**
   * After a read of `buf` (add's) that used its first `used` bytes: holds the rest, and waits
   * for `need` bytes from there before the next read (0: any).
   */
  keep(buf: Buffer, used: number, need: number): void {
    this.at += used;
    this.need = need;
    if (used < buf.length) this.hold(buf.subarray(used));
  }

  private hold(bytes: Buffer): void {
    // Copied: a socket's chunk may be a slice of a larger buffer, not to be kept whole.
    this.chunks.push(Buffer.from(bytes));
    this.held += bytes.length;
    if (this.held <= this.taken) return;
    if (this.take && !this.take(this.held - this.taken)) throw this.full(this.held);
    this.taken = this.held;
  }
}
