// LZ4's block format (lz4_Block_format.md): sequences of a token (literal length in the high
// nibble, match length - 4 in the low one, each 15 meaning "add the bytes that follow, while
// they read 255"), the literals, a 2-byte little-endian offset and the match; the last sequence
// has literals only. Decoded in two passes: `measure` walks the sequences to learn the output's
// length, checking every literal against the input, every offset against the output (and the
// history of linked blocks) and the total against the block's maximum size, so no output is
// allocated before it is known to fit; `decodeLz4Block` then writes it.

/** The body is not LZ4 as the format describes it: a 400 naming the problem. */
export class Lz4Error extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'Lz4Error';
  }
}

/** A bound the body crossed: its decompressed size (a 413), or the bytes held at once (a 503). */
export class Lz4LimitError extends Error {
  constructor(
    readonly limit: 'decompressed' | 'held',
    message: string,
  ) {
    super(message);
    this.name = 'Lz4LimitError';
  }
}

export interface Lz4Bounds {
  /** Bytes decompressed at most, from all of the body. */
  readonly maxOutput: number;
  /** Takes bytes from the body's share of memory before they are allocated; false refuses it. */
  readonly take?: (bytes: number) => boolean;
}

/** How far back a match may reach: the window linked blocks keep of those before. */
export const WINDOW = 65536;
const MIN_MATCH = 4;

const fmt = (n: number) => n.toLocaleString('en-US');

/** Reads a length's extension bytes from `ip`: the sum, and where they end. */
function extend(src: Uint8Array, ip: number, at: number, what: string): [number, number] {
  let sum = 0;
  for (;;) {
    const byte = src[ip++];
    if (byte === undefined)
      throw new Lz4Error(`the block ends inside the ${what} length of the sequence at byte ${at}`);
    sum += byte;
    if (byte !== 255) return [sum, ip];
  }
}

/**
 * Walks `src`'s sequences, checking them, and returns the length they decode to: at most
 * `max`, with matches reaching back at most `history` bytes before the block's own output.
 * Positions in messages count from the block's first byte.
 */
export function measureLz4Block(src: Uint8Array, max: number, history = 0): number {
  const end = src.length;
  if (end === 0) throw new Lz4Error('the block is empty: it has at least one token');
  let ip = 0;
  let op = 0;
  for (;;) {
    const at = ip;
    const token = src[ip++]!;
    let literals = token >>> 4;
    if (literals === 15) {
      let more: number;
      [more, ip] = extend(src, ip, at, 'literal');
      literals += more;
    }
    if (literals > end - ip)
      throw new Lz4Error(
        `the ${fmt(literals)} literals of the sequence at byte ${at} run past the end of the block (${fmt(end - ip)} bytes left)`,
      );
    if (literals > max - op)
      throw new Lz4Error(
        `the ${fmt(literals)} literals of the sequence at byte ${at} run past the block's maximum size (${fmt(max)} bytes)`,
      );
    ip += literals;
    op += literals;
    // The last sequence: literals only.
    if (ip === end) return op;
    if (end - ip < 2)
      throw new Lz4Error(`the block ends inside the offset of the sequence at byte ${at}`);
    const offset = src[ip]! | (src[ip + 1]! << 8);
    ip += 2;
    if (offset === 0) throw new Lz4Error(`the sequence at byte ${at} has offset 0`);
    if (offset > op + history)
      throw new Lz4Error(
        `the sequence at byte ${at} reaches ${fmt(offset)} bytes back, before the start of the output (${fmt(op + history)} bytes)`,
      );
    let match = (token & 15) + MIN_MATCH;
    if (match === 15 + MIN_MATCH) {
      let more: number;
      [more, ip] = extend(src, ip, at, 'match');
      match += more;
    }
    if (match > max - op)
      throw new Lz4Error(
        `the match of ${fmt(match)} bytes of the sequence at byte ${at} runs past the block's maximum size (${fmt(max)} bytes)`,
      );
    op += match;
    if (ip === end)
      throw new Lz4Error(
        `the block ends after the match of the sequence at byte ${at}; its last sequence has literals only`,
      );
  }
}

/**
 * Decodes `src`, already measured (measureLz4Block) to `dst.length` bytes, into `dst`; matches
 * may reach into `history`, the output before this block (linked blocks). Throws Lz4Error
 * unless the block fills `dst` exactly.
 */
export function decodeLz4Block(src: Uint8Array, dst: Uint8Array, history?: Uint8Array): void {
  const end = src.length;
  const size = dst.length;
  const past = history?.length ?? 0;
  let ip = 0;
  let op = 0;
  while (ip < end) {
    const at = ip;
    const token = src[ip++]!;
    let literals = token >>> 4;
    if (literals === 15) {
      let more: number;
      [more, ip] = extend(src, ip, at, 'literal');
      literals += more;
    }
    if (literals > end - ip || literals > size - op)
      throw new Lz4Error(`the literals of the sequence at byte ${at} run past the block`);
    if (literals < 16) for (let k = 0; k < literals; k++) dst[op + k] = src[ip + k]!;
    else dst.set(src.subarray(ip, ip + literals), op);
    ip += literals;
    op += literals;
    if (ip === end) break;
    if (end - ip < 2)
      throw new Lz4Error(`the block ends inside the offset of the sequence at byte ${at}`);
    const offset = src[ip]! | (src[ip + 1]! << 8);
    ip += 2;
    let match = (token & 15) + MIN_MATCH;
    if (match === 15 + MIN_MATCH) {
      let more: number;
      [more, ip] = extend(src, ip, at, 'match');
      match += more;
    }
    if (offset === 0 || offset > op + past || match > size - op)
      throw new Lz4Error(`the match of the sequence at byte ${at} reaches outside the output`);
    let from = op - offset;
    // Reaching into the blocks before: their bytes first, then this block's.
    while (from < 0 && match > 0) {
      dst[op++] = history![past + from]!;
      from++;
      match--;
    }
    // Past 16 bytes, a call beats a loop when the copy does not overlap what it writes, and
    // for a run of one byte; an overlapping copy (a repeated run) goes byte by byte.
    if (match > 16 && op - from >= match) dst.copyWithin(op, from, from + match);
    else if (match > 16 && op - from === 1) dst.fill(dst[from]!, op, op + match);
    else for (let k = 0; k < match; k++) dst[op + k] = dst[from + k]!;
    op += match;
  }
  if (op !== size)
    throw new Lz4Error(`the block decodes to ${fmt(op)} bytes, not the ${fmt(size)} measured`);
}
