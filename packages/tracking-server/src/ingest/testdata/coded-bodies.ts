// What the compressed-body decoders' tests (zstd, snappy, lz4) do to a fixture: cut it into the
// pieces a socket may deliver, and mutate it as a corrupted or hostile body would be.
import fc from 'fast-check';

/** `body` cut at `cuts` (positions taken modulo its length), in order. */
export function split(body: Uint8Array, cuts: readonly number[]): Uint8Array[] {
  const at = [...new Set(cuts.map((c) => c % Math.max(body.length, 1)))].sort((a, b) => a - b);
  return [0, ...at].map((from, i) => body.subarray(from, at[i] ?? body.length));
}

/** One change to a body: a byte flipped, the body cut short, or bytes inserted. */
export const bodyMutation = fc.oneof(
  fc.record({ flip: fc.nat(), mask: fc.integer({ min: 1, max: 255 }) }),
  fc.record({ cut: fc.nat() }),
  fc.record({ insert: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }) }),
);

/** A copy of `body` with `mutations` made in order, until it is empty. */
export function mutated(
  body: Uint8Array,
  mutations: readonly BodyMutation[],
): Buffer {
  let out = Buffer.from(body);
  for (const m of mutations) {
    if ('flip' in m) out[m.flip % out.length]! ^= m.mask;
    else if ('cut' in m) out = out.subarray(0, m.cut % out.length);
    else {
      const at = m.insert % (out.length + 1);
      out = Buffer.concat([out.subarray(0, at), m.bytes, out.subarray(at)]);
    }
    if (out.length === 0) break;
  }
  return out;
}

export type BodyMutation = typeof bodyMutation extends fc.Arbitrary<infer M> ? M : never;
