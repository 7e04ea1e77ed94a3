// What the compressed-body decoders' tests (zstd, snappy, lz4) do to a fixture: cut it into the
// pieces a socket may deliver, and mutate it as a corrupted or hostile body would be; and how they
// build bodies by hand, run a decoder over them and name what came out.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import fc from 'fast-check';

/** A fixture in testdata/<coding>. */
export const codedFixture = (coding: string, name: string) =>
  readFileSync(join(__dirname, coding, name));

/** A plain body kept in testdata/zstd (traces.json, traces.pb), which lz4's and snappy's share. */
export const plainFixture = (name: string) => codedFixture('zstd', name);

/** Bytes written out by hand: a number is one byte, a string its latin1 bytes. */
export const bytes = (...parts: (number | string | Uint8Array)[]) =>
  Buffer.concat(
    parts.map((p) =>
      typeof p === 'string' ? Buffer.from(p, 'latin1') : typeof p === 'number' ? Buffer.of(p) : p,
    ),
  );

/** A body as the fixtures' READMEs name it: its length and sha256. */
export const fingerprint = (b: Uint8Array) => ({
  bytes: b.length,
  sha256: createHash('sha256').update(b).digest('hex'),
});

/**
 * A zstd time budget no test body comes near (a minute a block and a body), for the tests of what
 * bodies decode to: the budget is wall time, and with other tests running a valid body's first
 * block on a fresh thread took 393 ms (53 ms of CPU), past its 250.
 */
export const LIFTED_BUDGET = { baseMs: 60_000, perMbMs: 0, blockMs: 60_000 } as const;

/**
 * The refusal of a body whose time ran out while the machine gave its decoding thread little of
 * it (zstd.ts's STARVED_SHARE): a 503 to send again, not a 400.
 */
export const STARVED = /^the machine is busy: decoding ran \d+ ms of the \d+ ms it took; send it again$/;

/**
 * A zstd body fzstd runs for seconds, which the reference decoder refuses: one compressed block
 * (type 2) of 10 bytes behind a 1 MiB window: raw literals of size 0; 10,000 sequences (0x80 |
 * 0x27, 0x10); every symbol mode RLE (0x54): literal length code 0, offset code 2, match length
 * code 52 (65,539 bytes or more each); bitstream end marker. 655 MB of copies into a 128 KiB
 * block took fzstd 2 s.
 */
export function slowZstdBlock(): Buffer {
  const block = [0x00, 0xa7, 0x10, 0x54, 0x00, 0x02, 0x34, 0x01];
  const header = (block.length << 3) | (2 << 1) | 1;
  return bytes(0x28, 0xb5, 0x2f, 0xfd, 0x00, 0x50, header & 0xff, header >> 8, 0, ...block);
}

/**
 * noise.bin, as testdata/lz4 and testdata/snappy's READMEs give it (66,000 bytes from xorshift32,
 * seed 1; not kept in the tree).
 */
export const NOISE = {
  bytes: 66000,
  sha256: '9e59c7183f127e660ef9546cb6b62bb6fd28b35d860f816bf04c3882b0600e36',
};

/** Runs `parts` through `decoder` as a stream, one write each: the output, or its error. */
export async function decodeParts(
  decoder: NodeJS.ReadWriteStream,
  parts: readonly Uint8Array[],
): Promise<Buffer | Error> {
  const out: Buffer[] = [];
  decoder.on('data', (b: Buffer) => out.push(b));
  try {
    await pipeline(Readable.from(parts.map((p) => Buffer.from(p))), decoder);
    return Buffer.concat(out);
  } catch (err) {
    return err as Error;
  }
}

/**
 * What a decoder made of a mutated body: output within `maxOutput`, or an error of its own (its
 * `limit` class, or named `format`) with a message `known` lists; never an error from inside.
 */
export function expectOutputOrKnownError(
  got: Buffer | Error,
  maxOutput: number,
  own: { format: string; limit: abstract new (...args: never[]) => Error; known: RegExp[] },
): void {
  if (!(got instanceof Error)) return expect(got.length).toBeLessThanOrEqual(maxOutput);
  const { name, message } = got;
  expect([name, message, own.known.some((k) => k.test(message))]).toEqual([
    got instanceof own.limit ? own.limit.name : own.format,
    message,
    true,
  ]);
}

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
