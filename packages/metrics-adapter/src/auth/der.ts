// The little of DER that chain verification reads: tag-length-value elements, definite lengths
// only, as DER has them.

export interface Tlv {
  readonly tag: number;
  readonly content: Buffer;
  /** The whole element: tag, length and content. */
  readonly raw: Buffer;
  readonly end: number;
}

/** The element at `offset` of `buf`. */
export function tlv(buf: Buffer, offset: number): Tlv {
  const tag = buf[offset];
  let len = buf[offset + 1];
  if (tag === undefined || len === undefined) throw new Error('truncated DER');
  let start = offset + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 4) throw new Error('unsupported DER length');
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + (buf[start + i] ?? NaN);
    start += n;
  }
  const end = start + len;
  if (!Number.isFinite(end) || end > buf.length) throw new Error('truncated DER');
  return { tag, content: buf.subarray(start, end), raw: buf.subarray(offset, end), end };
}

/** The elements one after another in `buf` (a constructed element's content). */
export function children(buf: Buffer): Tlv[] {
  const out: Tlv[] = [];
  for (let off = 0; off < buf.length;) {
    const t = tlv(buf, off);
    out.push(t);
    off = t.end;
  }
  return out;
}
