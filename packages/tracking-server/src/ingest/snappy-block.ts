// Snappy's block format (google/snappy format_description.txt, revised 2020-10-13): a varint
// preamble with the decoded length, then literals and back-references (copies). Decoded here
// within bounds that no decoder keeps by itself: the declared length is checked against the
// body's limit, and taken from its share of memory, before any output is allocated; every
// literal and copy must stay inside the input, the output decoded so far and the declared
// length; and the output must end exactly at that length, so no byte of it is left unwritten.

/** The body is not snappy as the format describes it: a 400 naming the problem. */
export class SnappyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SnappyError';
  }
}

/** A bound the body crossed: its decompressed size (a 413), or the bytes held at once (a 503). */
export class SnappyLimitError extends Error {
  constructor(
    readonly limit: 'decompressed' | 'held',
    message: string,
  ) {
    super(message);
    this.name = 'SnappyLimitError';
  }
}

export interface SnappyBounds {
  /** Bytes decompressed at most, from all of the body. */
  readonly maxOutput: number;
  /** Takes bytes from the body's share of memory before they are allocated; false refuses it. */
  readonly take?: (bytes: number) => boolean;
}

/** The length a block declares, and how many bytes its preamble takes. */
export function blockLength(block: Uint8Array): { length: number; preamble: number } {
  let length = 0;
  // At most 2^32 - 1: five bytes of 7 bits, the fifth at most 0x0f.
  for (let i = 0; i < 5; i++) {
    const byte = block[i];
    if (byte === undefined)
      throw new SnappyError(
        i === 0
          ? 'the block is empty: no length preamble'
          : 'the block ends inside its length preamble',
      );
    if (i === 4 && byte > 0x0f)
      throw new SnappyError('the length preamble declares 2^32 bytes or more (at most 2^32 - 1)');
    length += (byte & 0x7f) * 2 ** (7 * i);
    if (byte < 0x80) return { length, preamble: i + 1 };
  }
  throw new SnappyError('the length preamble is longer than 5 bytes'); // not reached: see above
}

const fmt = (n: number) => n.toLocaleString('en-US');

/** Copies up to this length go byte by byte; longer ones through copyWithin. */
const SHORT = 16;

/**
 * Decodes a whole block within `bounds`. Throws SnappyLimitError for a declared length past
 * `maxOutput` or not taken, before allocating it; SnappyError naming what is wrong otherwise.
 */
export function decodeSnappyBlock(block: Uint8Array, bounds: SnappyBounds): Buffer {
  const { length, preamble } = blockLength(block);
  if (length > bounds.maxOutput)
    throw new SnappyLimitError(
      'decompressed',
      `the block declares ${fmt(length)} bytes, over the limit of ${fmt(bounds.maxOutput)}`,
    );
  if (bounds.take && !bounds.take(length))
    throw new SnappyLimitError('held', `the block's ${fmt(length)} bytes cannot be held now`);
  // Unsafe (not zero-filled) is safe here: decodeElements fails unless it wrote every byte.
  const out = Buffer.allocUnsafe(length);
  decodeElements(block, preamble, out);
  return out;
}

/**
 * Decodes the elements of `src` from `ip` into `dst`, whose length is the one the block
 * declares; throws SnappyError unless they fill it exactly. Positions in messages count from
 * the block's first byte, preamble included.
 */
export function decodeElements(src: Uint8Array, ip: number, dst: Uint8Array): void {
  const end = src.length;
  const size = dst.length;
  let op = 0;
  while (ip < end) {
    const at = ip;
    const tag = src[ip++]!;
    let length: number;
    if ((tag & 3) === 0) {
      // Literal: len-1 in the tag's upper six bits up to 60 bytes; past that, in the 1-4
      // little-endian bytes after it (tag values 60-63).
      length = (tag >>> 2) + 1;
      if (length > 60) {
        const bytes = length - 60;
        if (bytes > end - ip)
          throw new SnappyError(`the block ends inside the length of the literal at byte ${at}`);
        length = 1;
        for (let k = 0, scale = 1; k < bytes; k++, scale *= 256) length += src[ip + k]! * scale;
        ip += bytes;
      }
      if (length > end - ip)
        throw new SnappyError(
          `the literal of ${fmt(length)} bytes at byte ${at} runs past the end of the block (${fmt(end - ip)} bytes left)`,
        );
      if (length > size - op)
        throw new SnappyError(
          `the literal of ${fmt(length)} bytes at byte ${at} runs past the ${fmt(size)} bytes the block declares`,
        );
      if (length < 16) for (let k = 0; k < length; k++) dst[op + k] = src[ip + k]!;
      else dst.set(src.subarray(ip, ip + length), op);
      ip += length;
      op += length;
      continue;
    }
    let offset: number;
    const kind = tag & 3;
    const need = kind === 1 ? 1 : kind === 2 ? 2 : 4;
    if (need > end - ip) throw new SnappyError(`the block ends inside the copy at byte ${at}`);
    if (kind === 1) {
      // 1-byte offset: length 4-11 in bits 2-4, offset's upper 3 bits in bits 5-7.
      length = 4 + ((tag >>> 2) & 7);
      offset = ((tag >>> 5) << 8) | src[ip]!;
    } else {
      // 2- or 4-byte little-endian offset: length 1-64 in the upper six bits.
      length = (tag >>> 2) + 1;
      offset = src[ip]! | (src[ip + 1]! << 8);
      if (kind === 3) offset = (offset | (src[ip + 2]! << 16) | (src[ip + 3]! << 24)) >>> 0;
    }
    ip += need;
    if (offset === 0) throw new SnappyError(`the copy at byte ${at} has offset 0`);
    if (offset > op)
      throw new SnappyError(
        `the copy at byte ${at} reaches ${fmt(offset)} bytes back, before the start of the output (${fmt(op)} bytes decoded)`,
      );
    if (length > size - op)
      throw new SnappyError(
        `the copy of ${length} bytes at byte ${at} runs past the ${fmt(size)} bytes the block declares`,
      );
    const from = op - offset;
    // Past SHORT bytes, a call beats a loop: copyWithin when the copy does not overlap what it
    // writes, fill for a run of one byte (offset 1). Otherwise byte by byte, as an overlapping
    // copy (offset < length: a repeated run) needs.
    if (length > SHORT && offset >= length) dst.copyWithin(op, from, from + length);
    else if (length > SHORT && offset === 1) dst.fill(dst[from]!, op, op + length);
    else for (let k = 0; k < length; k++) dst[op + k] = dst[from + k]!;
    op += length;
  }
  if (op !== size)
    throw new SnappyError(
      `the block decodes to ${fmt(op)} bytes, but its preamble declares ${fmt(size)}`,
    );
}
