// XXH32 (xxHash spec, "xxHash fast digest algorithm", v0.1.1), table-free: the LZ4 frame format
// checks its header with (xxh32 >> 8) & 0xff, and may check each block and the whole content
// with it (lz4_Frame_format.md). Fed in pieces, since a frame's content arrives block by block.

const P1 = 0x9e3779b1;
const P2 = 0x85ebca77;
const P3 = 0xc2b2ae3d;
const P4 = 0x27d4eb2f;
const P5 = 0x165667b1;

// Held here, not looked up on the global object each step (slow in jest's vm context).
const imul = Math.imul;

const rotl = (x: number, r: number) => (x << r) | (x >>> (32 - r));
const round = (acc: number, lane: number) => imul(rotl((acc + imul(lane, P2)) | 0, 13), P1);
const le32 = (b: Uint8Array, i: number) =>
  b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16) | (b[i + 3]! << 24);

/** XXH32 of data given in pieces (`update`), read out by `digest`. */
export class Xxh32 {
  private v1: number;
  private v2: number;
  private v3: number;
  private v4: number;
  private total = 0;
  /** The bytes of a 16-byte stripe not whole yet. */
  private readonly tail = new Uint8Array(16);
  private held = 0;

  constructor(private readonly seed = 0) {
    this.v1 = (seed + P1 + P2) | 0;
    this.v2 = (seed + P2) | 0;
    this.v3 = seed | 0;
    this.v4 = (seed - P1) | 0;
  }

  update(data: Uint8Array): this {
    let i = 0;
    this.total += data.length;
    if (this.held > 0) {
      const n = Math.min(16 - this.held, data.length);
      this.tail.set(data.subarray(0, n), this.held);
      this.held += n;
      i = n;
      if (this.held < 16) return this;
      this.stripe(this.tail, 0);
      this.held = 0;
    }
    let { v1, v2, v3, v4 } = this;
    for (; i + 16 <= data.length; i += 16) {
      v1 = round(v1, le32(data, i));
      v2 = round(v2, le32(data, i + 4));
      v3 = round(v3, le32(data, i + 8));
      v4 = round(v4, le32(data, i + 12));
    }
    Object.assign(this, { v1, v2, v3, v4 });
    if (i < data.length) {
      this.tail.set(data.subarray(i), 0);
      this.held = data.length - i;
    }
    return this;
  }

  /** The hash of all given so far, as an unsigned 32-bit number. */
  digest(): number {
    let h =
      this.total >= 16
        ? rotl(this.v1, 1) + rotl(this.v2, 7) + rotl(this.v3, 12) + rotl(this.v4, 18)
        : this.seed + P5;
    // The length mod 2^32, as the spec adds it.
    h = (h + (this.total >>> 0)) | 0;
    let i = 0;
    for (; i + 4 <= this.held; i += 4)
      h = imul(rotl((h + imul(le32(this.tail, i), P3)) | 0, 17), P4);
    for (; i < this.held; i++) h = imul(rotl((h + imul(this.tail[i]!, P5)) | 0, 11), P1);
    h = imul(h ^ (h >>> 15), P2);
    h = imul(h ^ (h >>> 13), P3);
    return (h ^ (h >>> 16)) >>> 0;
  }

  private stripe(b: Uint8Array, i: number): void {
    this.v1 = round(this.v1, le32(b, i));
    this.v2 = round(this.v2, le32(b, i + 4));
    this.v3 = round(this.v3, le32(b, i + 8));
    this.v4 = round(this.v4, le32(b, i + 12));
  }
}

/** XXH32 of `data` with `seed` (0 unless given). */
export function xxh32(data: Uint8Array, seed = 0): number {
  return new Xxh32(seed).update(data).digest();
}
