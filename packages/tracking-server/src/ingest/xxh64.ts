// XXH64 (seed 0), fed in pieces: a zstd frame's Content_Checksum is the low 32 bits of it over
// the frame's content (RFC 8878, 3.1.1). fzstd skips the checksum, so zstd.ts checks it. 64-bit
// words are kept as two unsigned 32-bit halves; products are taken exactly from 16-bit parts.

const P1 = [0x9e3779b1, 0x85ebca87] as const;
const P2 = [0xc2b2ae3d, 0x27d4eb4f] as const;
const P3 = [0x165667b1, 0x9e3779f9] as const;
const P4 = [0x85ebca77, 0xc2b2ae63] as const;
const P5 = [0x27d4eb2f, 0x165667c5] as const;

// Held here, not looked up on the global object in every step: in a vm context (jest's) each
// lookup of a global goes through an interceptor, which made hashing 100 times slower.
const imul = Math.imul;

// The result of the last operation: its high and low halves.
let rh = 0;
let rl = 0;

function add(ah: number, al: number, bh: number, bl: number): void {
  const lo = al + bl;
  rl = lo >>> 0;
  rh = (ah + bh + (lo > 0xffffffff ? 1 : 0)) >>> 0;
}

function mul(ah: number, al: number, bh: number, bl: number): void {
  rl = imul(al, bl) >>> 0;
  rh = (mulHigh(al, bl >>> 16, bl & 0xffff) + imul(ah, bl) + imul(al, bh)) >>> 0;
}

/** Rotates left by 0 < r < 32. */
function rotl(h: number, l: number, r: number): void {
  rh = ((h << r) | (l >>> (32 - r))) >>> 0;
  rl = ((l << r) | (h >>> (32 - r))) >>> 0;
}

/** acc + lane * P2, rotated left 31, times P1. */
function round(acch: number, accl: number, laneh: number, lanel: number): void {
  mul(laneh, lanel, P2[0], P2[1]);
  add(acch, accl, rh, rl);
  rotl(rh, rl, 31);
  mul(rh, rl, P1[0], P1[1]);
}

const u32 = (b: Uint8Array, at: number) =>
  (b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16) | (b[at + 3]! << 24)) >>> 0;

export class Xxh64 {
  // The four accumulators, high and low halves: seed 0 + P1 + P2, P2, 0, 0 - P1.
  private readonly v = new Uint32Array([
    0x60ea27ee, 0xadc0b5d6, 0xc2b2ae3d, 0x27d4eb4f, 0, 0, 0x61c8864e, 0x7a143579,
  ]);
  private readonly pending = new Uint8Array(32);
  private held = 0;
  private total = 0;

  update(data: Uint8Array): this {
    this.total += data.length;
    let at = 0;
    if (this.held > 0) {
      const n = Math.min(32 - this.held, data.length);
      this.pending.set(data.subarray(0, n), this.held);
      this.held += n;
      at = n;
      if (this.held < 32) return this;
      this.stripe(this.pending, 0);
      this.held = 0;
    }
    for (; at + 32 <= data.length; at += 32) this.stripe(data, at);
    this.pending.set(data.subarray(at), 0);
    this.held = data.length - at;
    return this;
  }

  /** The low 32 bits of the hash of all bytes given: what a zstd frame stores. */
  low32(): number {
    return this.digest()[1];
  }

  /** The hash, as its high and low 32 bits. */
  digest(): [number, number] {
    const v = this.v;
    let h: number;
    let l: number;
    if (this.total >= 32) {
      rotl(v[0]!, v[1]!, 1);
      let sh = rh;
      let sl = rl;
      for (const [i, r] of [
        [2, 7],
        [4, 12],
        [6, 18],
      ] as const) {
        rotl(v[i]!, v[i + 1]!, r);
        add(sh, sl, rh, rl);
        sh = rh;
        sl = rl;
      }
      for (let i = 0; i < 8; i += 2) {
        round(0, 0, v[i]!, v[i + 1]!);
        mul((sh ^ rh) >>> 0, (sl ^ rl) >>> 0, P1[0], P1[1]);
        add(rh, rl, P4[0], P4[1]);
        sh = rh;
        sl = rl;
      }
      h = sh;
      l = sl;
    } else {
      h = P5[0];
      l = P5[1];
    }
    add(h, l, Math.floor(this.total / 2 ** 32), this.total >>> 0);
    h = rh;
    l = rl;
    const p = this.pending;
    let at = 0;
    for (; at + 8 <= this.held; at += 8) {
      round(0, 0, u32(p, at + 4), u32(p, at));
      rotl((h ^ rh) >>> 0, (l ^ rl) >>> 0, 27);
      mul(rh, rl, P1[0], P1[1]);
      add(rh, rl, P4[0], P4[1]);
      h = rh;
      l = rl;
    }
    if (at + 4 <= this.held) {
      mul(0, u32(p, at), P1[0], P1[1]);
      rotl((h ^ rh) >>> 0, (l ^ rl) >>> 0, 23);
      mul(rh, rl, P2[0], P2[1]);
      add(rh, rl, P3[0], P3[1]);
      h = rh;
      l = rl;
      at += 4;
    }
    for (; at < this.held; at++) {
      mul(0, p[at]!, P5[0], P5[1]);
      rotl((h ^ rh) >>> 0, (l ^ rl) >>> 0, 11);
      mul(rh, rl, P1[0], P1[1]);
      h = rh;
      l = rl;
    }
    // Avalanche: h ^= h >> 33; h *= P2; h ^= h >> 29; h *= P3; h ^= h >> 32.
    l = (l ^ (h >>> 1)) >>> 0;
    mul(h, l, P2[0], P2[1]);
    h = rh;
    l = (rl ^ ((rl >>> 29) | (rh << 3))) >>> 0;
    h = (h ^ (h >>> 29)) >>> 0;
    mul(h, l, P3[0], P3[1]);
    return [rh, (rl ^ rh) >>> 0];
  }

  /** round() on each accumulator, written out: the loop every byte of a body goes through. */
  private stripe(b: Uint8Array, at: number): void {
    const v = this.v;
    for (let i = 0; i < 8; i += 2, at += 8) {
      const lh = (b[at + 4]! | (b[at + 5]! << 8) | (b[at + 6]! << 16) | (b[at + 7]! << 24)) >>> 0;
      const ll = (b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16) | (b[at + 3]! << 24)) >>> 0;
      // lane * P2
      let h = (mulHigh(ll, 0x27d4, 0xeb4f) + imul(lh, 0x27d4eb4f) + imul(ll, 0xc2b2ae3d)) >>> 0;
      let l = imul(ll, 0x27d4eb4f) >>> 0;
      // + acc
      const sum = v[i + 1]! + l;
      l = sum >>> 0;
      h = (v[i]! + h + (sum > 0xffffffff ? 1 : 0)) >>> 0;
      // rotl 31
      const rotH = ((h << 31) | (l >>> 1)) >>> 0;
      const rotL = ((l << 31) | (h >>> 1)) >>> 0;
      // * P1
      v[i] = mulHigh(rotL, 0x85eb, 0xca87) + imul(rotH, 0x85ebca87) + imul(rotL, 0x9e3779b1);
      v[i + 1] = imul(rotL, 0x85ebca87);
    }
  }
}

/** The high 32 bits of a * b, b given as its 16-bit halves, from products under 2^32. */
function mulHigh(a: number, b1: number, b0: number): number {
  const a1 = a >>> 16;
  const a0 = a & 0xffff;
  const p01 = a0 * b1;
  const p10 = a1 * b0;
  const mid = ((a0 * b0) >>> 16) + (p01 & 0xffff) + (p10 & 0xffff);
  return a1 * b1 + (p01 >>> 16) + (p10 >>> 16) + (mid >>> 16);
}
