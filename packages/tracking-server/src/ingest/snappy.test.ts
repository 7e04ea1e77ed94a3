// Snappy's block and framed formats, decoded from fixtures golang/snappy wrote (the Collector's
// encoder: testdata/snappy/README.md) and from hand-made bodies that break each rule of
// google/snappy's format_description.txt and framing_format.txt.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { LIMITS } from './body';
import {
  SnappyDecompress,
  SnappyError,
  type SnappyFraming,
  SnappyLimitError,
  STREAM_IDENTIFIER,
} from './snappy';
import { decodeSnappyBlock } from './snappy-block';
import { crc32c, maskCrc32c } from './snappy-crc32c';
import { SnappyFramedReader } from './snappy-framed';
import {
  bodyMutation,
  bytes,
  decodeParts,
  expectOutputOrKnownError,
  fingerprint,
  mutated,
  NOISE,
  plainFixture,
  split,
} from './testdata/coded-bodies';

const fixture = (name: string) => readFileSync(join(__dirname, 'testdata', 'snappy', name));
const MAX = LIMITS.decompressed;

// What testdata/snappy/README.md gives for the plain bodies not kept.
const BATCH = {
  bytes: 392588,
  sha256: 'f546e5351323881aeeee40b495c43411eb93aeb9b60f256e7b5b2b2ea2c7e690',
};

/** Decodes `parts` as a stream, one write each: the output, or the error it stopped with. */
function decode(
  parts: readonly Uint8Array[],
  framing: SnappyFraming,
  bounds: { maxOutput: number; take?: (bytes: number) => boolean } = { maxOutput: MAX },
): Promise<Buffer | Error> {
  return decodeParts(new SnappyDecompress(bounds, framing), parts);
}

/** The message decodeSnappyBlock throws for `block`, or undefined. */
const blockError = (block: Buffer, maxOutput = MAX) => {
  try {
    decodeSnappyBlock(block, { maxOutput });
    return undefined;
  } catch (err) {
    return [(err as Error).name, (err as Error).message];
  }
};

describe('CRC-32C', () => {
  it('gives the check values of RFC 3720 (B.4) and of the CRC catalogue', () => {
    const of = (b: Uint8Array) => crc32c(b).toString(16).padStart(8, '0');
    expect([
      of(new Uint8Array(32)),
      of(new Uint8Array(32).fill(0xff)),
      of(Uint8Array.from({ length: 32 }, (_, i) => i)),
      of(Uint8Array.from({ length: 32 }, (_, i) => 31 - i)),
      of(Buffer.from('123456789')),
      of(new Uint8Array(0)),
      // Lengths that are no multiple of 8 go through the tail loop too.
      of(Buffer.from('12345678')),
    ]).toEqual([
      '8a9136aa',
      '62a8ab43',
      '46dd794e',
      '113fdb5c',
      'e3069283',
      '00000000',
      // Go's hash/crc32 with the Castagnoli table.
      '6087809a',
    ]);
  });

  it('is masked as the framed format stores it, as golang/snappy wrote it', () => {
    // zeros-64kib.sz stores 59 d0 cb 2b for 65,536 zero bytes, whose CRC-32C Go gives as 72c0c4a4.
    expect(fixture('zeros-64kib.sz').readUInt32LE(14)).toBe(0x2bcbd059);
    expect(crc32c(new Uint8Array(65536))).toBe(0x72c0c4a4);
    expect(maskCrc32c(0x72c0c4a4)).toBe(0x2bcbd059);
    // Rotated by 15 bits, plus 0xa282ead8, worked by hand.
    expect(maskCrc32c(0)).toBe(0xa282ead8);
    expect(maskCrc32c(0x00008000)).toBe((0x00000001 + 0xa282ead8) >>> 0);
  });
});

describe('the block format', () => {
  it('decodes each fixture golang/snappy encoded to the bytes it was given', () => {
    expect(
      ['traces.json', 'traces.pb'].map((name) =>
        fingerprint(decodeSnappyBlock(fixture(`${name}.snappy`), { maxOutput: MAX })),
      ),
    ).toEqual([fingerprint(plainFixture('traces.json')), fingerprint(plainFixture('traces.pb'))]);
    expect(
      fingerprint(decodeSnappyBlock(fixture('batch.json.snappy'), { maxOutput: MAX })),
    ).toEqual(BATCH);
  });

  it('reads every kind of element as format_description.txt describes it', () => {
    const long = 'q'.repeat(300);
    expect(
      [
        // Its own example: "xababab" as a literal "xab" and a copy of 4 at offset 2 (1-byte
        // offset: tag 0b000_000_01).
        bytes(7, 0x08, 'xab', 0x01, 2),
        // A literal of 300 bytes, its length-1 in 2 bytes after tag 61 << 2.
        bytes(0xac, 0x02, 61 << 2, 0x2b, 0x01, long),
        // A copy with a 2-byte offset (20 back, 20 long: no overlap, past 16 bytes) and one
        // with a 4-byte offset (3 back, 5 long).
        bytes(45, 19 << 2, 'abcdefghijklmnopqrst', (19 << 2) | 2, 20, 0, (4 << 2) | 3, 3, 0, 0, 0),
        // A run: one byte, then 64 more at offset 1 and 40 at offset 2.
        bytes(105, 0x00, 'z', (63 << 2) | 2, 1, 0, (39 << 2) | 2, 2, 0),
        // Nothing at all.
        bytes(0),
      ].map((b) => decodeSnappyBlock(b, { maxOutput: MAX }).toString('latin1')),
    ).toEqual([
      'xababab',
      long,
      'abcdefghijklmnopqrstabcdefghijklmnopqrstrstrs',
      'z'.repeat(105),
      '',
    ]);
  });

  it('refuses a copy at offset 0, or reaching before the output, naming it', () => {
    expect(blockError(bytes(5, 0x00, 'a', (3 << 2) | 2, 0, 0))).toEqual([
      'SnappyError',
      'the copy at byte 3 has offset 0',
    ]);
    expect(blockError(bytes(6, 0x04, 'ab', 0x01, 3))).toEqual([
      'SnappyError',
      'the copy at byte 4 reaches 3 bytes back, before the start of the output (2 bytes decoded)',
    ]);
    // A 4-byte offset of 2^32 - 1, read unsigned.
    expect(blockError(bytes(6, 0x00, 'a', (4 << 2) | 3, 0xff, 0xff, 0xff, 0xff))).toEqual([
      'SnappyError',
      'the copy at byte 3 reaches 4,294,967,295 bytes back, before the start of the output (1 bytes decoded)',
    ]);
  });

  it('refuses literals and copies running past the body or the declared length', () => {
    expect(
      [
        bytes(10, 9 << 2, 'abc'),
        bytes(2, 2 << 2, 'abc'),
        bytes(5, 0x00, 'a', (7 << 2) | 2, 1, 0),
        bytes(5, 0x00, 'a', (3 << 2) | 2, 1),
        bytes(100, 60 << 2),
        bytes(5, 0x04, 'ab'),
      ].map((b) => blockError(b)),
    ).toEqual([
      [
        'SnappyError',
        'the literal of 10 bytes at byte 1 runs past the end of the block (3 bytes left)',
      ],
      ['SnappyError', 'the literal of 3 bytes at byte 1 runs past the 2 bytes the block declares'],
      ['SnappyError', 'the copy of 8 bytes at byte 3 runs past the 5 bytes the block declares'],
      ['SnappyError', 'the block ends inside the copy at byte 3'],
      ['SnappyError', 'the block ends inside the length of the literal at byte 1'],
      ['SnappyError', 'the block decodes to 2 bytes, but its preamble declares 5'],
    ]);
  });

  it('refuses a preamble that is missing, unended or past 2^32 - 1', () => {
    expect(
      [bytes(), bytes(0x80), bytes(0xff, 0xff, 0xff, 0xff, 0x10)].map((b) => blockError(b)),
    ).toEqual([
      ['SnappyError', 'the block is empty: no length preamble'],
      ['SnappyError', 'the block ends inside its length preamble'],
      ['SnappyError', 'the length preamble declares 2^32 bytes or more (at most 2^32 - 1)'],
    ]);
  });

  it('refuses a declared length past the limit, or not held, before allocating it', () => {
    // 2^32 - 1 declared in 5 bytes, and nothing else; 104,857,601 (one past the limit); and
    // 524,288, within it. Made before watching Buffer.allocUnsafe, which Buffer.concat calls.
    const huge = bytes(0xff, 0xff, 0xff, 0xff, 0x0f);
    const onePast = bytes(0x81, 0x80, 0x80, 0x32);
    const halfMiB = bytes(0x80, 0x80, 0x20, 0x00, 'a');
    const allocated = jest.spyOn(Buffer, 'allocUnsafe');
    try {
      const take = jest.fn(() => true);
      const refused = jest.fn(() => false);
      const errors = [
        [huge, take],
        [onePast, take],
        [halfMiB, refused],
      ].map(([block, take]) => {
        try {
          decodeSnappyBlock(block as Buffer, { maxOutput: MAX, take: take as () => boolean });
          return undefined;
        } catch (err) {
          return [err instanceof SnappyLimitError && err.limit, (err as Error).message];
        }
      });
      expect(errors).toEqual([
        ['decompressed', 'the block declares 4,294,967,295 bytes, over the limit of 104,857,600'],
        ['decompressed', 'the block declares 104,857,601 bytes, over the limit of 104,857,600'],
        ['held', "the block's 524,288 bytes cannot be held now"],
      ]);
      expect([take.mock.calls, refused.mock.calls]).toEqual([[], [[524288]]]);
      expect(allocated).not.toHaveBeenCalled();
    } finally {
      allocated.mockRestore();
    }
  });
});

describe('the framed format', () => {
  it('decodes each fixture golang/snappy framed to the bytes it was given, however split', async () => {
    const bodies = ['traces.json.sz', 'traces.pb.sz', 'batch.json.sz', 'noise.bin.sz'].map(fixture);
    const expected = [
      fingerprint(plainFixture('traces.json')),
      fingerprint(plainFixture('traces.pb')),
      BATCH,
      NOISE,
    ];
    for (const framing of ['framed', 'auto'] as const) {
      const whole = await Promise.all(bodies.map((b) => decode([b], framing)));
      expect(whole.map((b) => (b instanceof Error ? b.message : fingerprint(b)))).toEqual(expected);
    }
    // Byte by byte: every header, checksum and chunk cut everywhere.
    const bytewise = await decode(
      [...fixture('traces.pb.sz')].map((b) => Buffer.of(b)),
      'framed',
    );
    expect(bytewise instanceof Error ? bytewise.message : fingerprint(bytewise)).toEqual(
      fingerprint(plainFixture('traces.pb')),
    );
    await fc.assert(
      fc.asyncProperty(fc.nat(3), fc.array(fc.nat(), { maxLength: 40 }), async (i, cuts) => {
        const got = await decode(split(bodies[i]!, cuts), i % 2 ? 'framed' : 'auto');
        expect(got instanceof Error ? got.message : fingerprint(got)).toEqual(expected[i]);
      }),
      { numRuns: 200 },
    );
  });

  it('takes a `snappy` body as a block unless it starts with the stream identifier', async () => {
    for (const name of ['traces.json', 'traces.pb']) {
      const block = await decode(split(fixture(`${name}.snappy`), [1, 5, 9, 11]), 'auto');
      expect(block instanceof Error ? block.message : fingerprint(block)).toEqual(
        fingerprint(plainFixture(name)),
      );
    }
    const batch = await decode([fixture('batch.json.snappy')], 'auto');
    expect(batch instanceof Error ? batch.message : fingerprint(batch)).toEqual(BATCH);
    // x-snappy-framed is framed only: a block is refused.
    const framedOnly = await decode([fixture('traces.pb.snappy')], 'framed');
    expect([framedOnly instanceof SnappyError, (framedOnly as Error).message]).toEqual([
      true,
      'the body does not start with the framed format\'s stream identifier (chunk type 0xff, "sNaPpY") but with chunk type 0x95',
    ]);
    // Shorter than the stream identifier: a block (`snappy`), and no body at all is none.
    const tiny = await decode([bytes(3, 0x08, 'abc')], 'auto');
    expect(tiny instanceof Error ? tiny.message : tiny.toString()).toBe('abc');
    expect(((await decode([], 'auto')) as Error).message).toBe(
      'the block is empty: no length preamble',
    );
  });

  it('skips padding and reserved skippable chunks, and a repeated stream identifier', async () => {
    const chunks = fixture('traces.pb.sz').subarray(STREAM_IDENTIFIER.length);
    const body = Buffer.concat([
      STREAM_IDENTIFIER,
      bytes(0xfe, 3, 0, 0, 0, 0, 0),
      bytes(0x80, 0, 0, 0),
      chunks,
      STREAM_IDENTIFIER,
      bytes(0xfd, 2, 0, 0, 'xy'),
    ]);
    const got = await decode(split(body, [12, 17, 30]), 'framed');
    expect(got instanceof Error ? got.message : fingerprint(got)).toEqual(
      fingerprint(plainFixture('traces.pb')),
    );
  });

  it('refuses a chunk whose data does not match its checksum', async () => {
    // traces.json.sz is one compressed chunk at byte 10, which stores the checksum 5cede6a0.
    const body = Buffer.from(fixture('traces.json.sz'));
    expect(body.readUInt32LE(14)).toBe(0x5cede6a0);
    body[14]! ^= 0x01;
    expect(((await decode([body], 'framed')) as Error).message).toBe(
      "chunk 2 (at byte 10) stores the checksum 0x5cede6a1, but its data's is 0x5cede6a0",
    );
    // A byte of data flipped in noise.bin.sz's second chunk, stored uncompressed at byte
    // 65,554: its checksum no longer matches.
    const noise = Buffer.from(fixture('noise.bin.sz'));
    noise[65554 + 8 + 100]! ^= 0x40;
    expect(((await decode([noise], 'framed')) as Error).message).toMatch(
      /^chunk 3 \(at byte 65,554\) stores the checksum 0x[0-9a-f]{8}, but its data's is 0x[0-9a-f]{8}$/,
    );
  });

  it('refuses a reserved unskippable chunk, naming its type', async () => {
    for (const type of [0x02, 0x03, 0x7f]) {
      const got = await decode([STREAM_IDENTIFIER, bytes(type, 0, 0, 0)], 'framed');
      expect([got instanceof SnappyError, (got as Error).message]).toEqual([
        true,
        `chunk 2 (at byte 10) has the reserved type 0x${type.toString(16).padStart(2, '0')}, which a reader must not skip`,
      ]);
    }
  });

  it('refuses bodies that are truncated, empty, or without a right stream identifier', async () => {
    const json = fixture('traces.json.sz');
    const got = await Promise.all(
      [
        [json.subarray(0, json.length - 1)],
        [json.subarray(0, 12)],
        [],
        [bytes(0xff, 6, 0, 0, 'sNaPpZ')],
        [bytes(0xff, 7, 0, 0, 'sNaPpYY')],
        [json.subarray(STREAM_IDENTIFIER.length)],
        [STREAM_IDENTIFIER, bytes(0xfe, 9, 0, 0, 0)],
      ].map((parts) => decode(parts, 'framed')),
    );
    expect(got.map((e) => (e instanceof SnappyError ? e.message : e))).toEqual([
      'the body ends inside chunk 2, after 679 bytes',
      'the body ends inside chunk 2, after 12 bytes',
      'the body is empty: the framed format starts with its stream identifier',
      'chunk 1 (at byte 0) is a stream identifier that does not read "sNaPpY"',
      'chunk 1 (at byte 0) is a stream identifier of 7 bytes; it has 6 ("sNaPpY")',
      'the body does not start with the framed format\'s stream identifier (chunk type 0xff, "sNaPpY") but with chunk type 0x00',
      'the body ends inside chunk 2, after 15 bytes',
    ]);
  });

  it('refuses a chunk of more than 65,536 bytes, from its header', async () => {
    const got = await Promise.all(
      [
        // Uncompressed: 65,537 bytes of data, and its checksum.
        bytes(0x01, 0x05, 0x00, 0x01),
        // Compressed, and longer than 65,536 bytes compress to.
        bytes(0x00, 0xcf, 0x2a, 0x01),
        // Compressed, declaring 65,537 bytes (preamble 0x81 0x80 0x04) after any checksum.
        bytes(0x00, 7, 0, 0, 0, 0, 0, 0, 0x81, 0x80, 0x04),
        // Too short for its checksum.
        bytes(0x01, 3, 0, 0, 0, 0, 0),
      ].map((chunk) => decode([STREAM_IDENTIFIER, chunk], 'framed')),
    );
    expect(got.map((e) => (e instanceof SnappyError ? e.message : e))).toEqual([
      'chunk 2 (at byte 10) has 65,537 bytes of uncompressed data; a chunk holds at most 65,536',
      "chunk 2 (at byte 10) has 76,491 bytes of compressed data; 65,536 bytes (a chunk's most) compress to at most 76,490",
      'chunk 2 (at byte 10) declares 65,537 decoded bytes; a chunk holds at most 65,536',
      'chunk 2 (at byte 10) has 3 bytes, too few for the checksum its data starts with',
    ]);
  });

  it('stops at the limit: 1,601 chunks of 64 KiB are a SnappyLimitError after 1,600', async () => {
    const chunk = fixture('zeros-64kib.sz').subarray(STREAM_IDENTIFIER.length);
    const reader = new SnappyFramedReader({ maxOutput: MAX });
    let out = 0;
    let err: unknown;
    try {
      // A chunk a write, so that what each gives is counted before the one that throws.
      for (const part of [STREAM_IDENTIFIER, ...Array<Buffer>(1601).fill(chunk)])
        for (const b of reader.write(part)) out += b.length;
    } catch (e) {
      err = e;
    }
    expect([out, err instanceof SnappyLimitError && err.limit, (err as Error).message]).toEqual([
      1600 * 65536,
      'decompressed',
      'chunk 1602 (at byte 4,936,010) takes the body past the limit of 104,857,600 decoded bytes',
    ]);
  });

  it('takes each chunk from the body budget before decoding it, and a block whole', async () => {
    const taken: number[] = [];
    const take = (n: number) => (taken.push(n), true);
    await decode([fixture('batch.json.sz')], 'framed', { maxOutput: MAX, take });
    // Six chunks of 65,536 bytes, the last 392,588 - 5 * 65,536.
    expect(taken).toEqual([65536, 65536, 65536, 65536, 65536, 64908]);
    taken.length = 0;
    await decode(split(fixture('batch.json.snappy'), [10, 20_000]), 'auto', {
      maxOutput: MAX,
      take,
    });
    // The compressed bytes as they came (the first 10 once told apart), then the output.
    expect(taken).toEqual([10, 19_990, 43_907 - 20_000, 392588]);
    let count = 0;
    const refused = await decode([fixture('batch.json.sz')], 'framed', {
      maxOutput: MAX,
      take: () => ++count < 3,
    });
    expect([
      refused instanceof SnappyLimitError && refused.limit,
      (refused as Error).message,
    ]).toEqual(['held', "chunk 4 (at byte 14,734)'s 65,536 bytes cannot be held now"]);
  });

  it('takes a chunk not yet whole from the body budget as it is held', async () => {
    // batch.json.sz in 1,000-byte writes: the stream identifier is bytes 0-9, and chunk 2's
    // header (type 0x00, length 0x001cb7) says it ends at 10 + 4 + 7,351 = 7,365. Writes 1-7
    // hold its bytes 10-6,999 (990, then 1,000 a write), and write 8 completes it.
    const body = fixture('batch.json.sz');
    const writes = Array.from({ length: Math.ceil(body.length / 1000) }, (_, i) =>
      body.subarray(i * 1000, (i + 1) * 1000),
    );
    const taken: number[] = [];
    const all = await decode(writes, 'framed', {
      maxOutput: MAX,
      take: (n) => (taken.push(n), true),
    });
    expect(all instanceof Error ? all : all.length).toBe(392588);
    expect(taken.slice(0, 8)).toEqual([990, 1000, 1000, 1000, 1000, 1000, 1000, 65536]);
    // Refused, the chunk's first 990 bytes are not held: before, nothing held counted, and the
    // refusal came only for the chunk's output.
    const refused = await decode(writes, 'framed', { maxOutput: MAX, take: () => false });
    expect([
      refused instanceof SnappyLimitError && refused.limit,
      (refused as Error).message,
    ]).toEqual([
      'held',
      'chunk 2 (at byte 10): the 990 bytes of it not yet whole cannot be held now',
    ]);
  });
});

describe('a mutated body', () => {
  // Every message the decoders write, by its start: anything else is a fault of the decoder.
  const KNOWN = [
    /^the block (is empty|ends inside|decodes to|declares)/,
    /^the length preamble declares/,
    /^the (literal|copy) (of \d[\d,]* bytes )?at byte \d[\d,]* /,
    /^the body (is empty|ends inside|does not start)/,
    /^chunk \d[\d,]* \(at byte \d[\d,]*\)/,
  ];

  it('is read, or refused naming why, in bounded time (1k mutations)', async () => {
    const bodies = [
      'traces.json.snappy',
      'traces.pb.snappy',
      'batch.json.snappy',
      'traces.json.sz',
      'batch.json.sz',
      'noise.bin.sz',
    ].map(fixture);
    // A smaller limit than ingest's, so that a preamble mutated to declare up to 100 MB does
    // not allocate it a thousand times over; the checks are the same.
    const maxOutput = 4 * 1024 * 1024;
    await fc.assert(
      fc.asyncProperty(
        fc.nat(bodies.length - 1),
        fc.array(bodyMutation, { minLength: 1, maxLength: 4 }),
        fc.array(fc.nat(), { maxLength: 5 }),
        fc.boolean(),
        async (i, mutations, cuts, auto) => {
          const body = mutated(bodies[i]!, mutations);
          const started = Date.now();
          const got = await decode(split(body, cuts), auto ? 'auto' : 'framed', { maxOutput });
          // A few ms alone; CI runs several times slower than alone.
          expect(Date.now() - started).toBeLessThan(1_000);
          expectOutputOrKnownError(got, maxOutput, {
            format: 'SnappyError',
            limit: SnappyLimitError,
            known: KNOWN,
          });
        },
      ),
      { numRuns: 1_000 },
    );
  });
});
