// LZ4's block and frame formats, decoded from fixtures github.com/pierrec/lz4/v4 (the
// Collector's encoder) and the lz4 CLI wrote (testdata/lz4/README.md), and from hand-made bodies
// that break each rule of lz4_Block_format.md and lz4_Frame_format.md. Header checksums of
// hand-made frames are the second byte of what `xxh32sum` printed for their descriptor.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { LIMITS } from './body';
import { Lz4Decompress, Lz4Error, Lz4LimitError } from './lz4';
import { decodeLz4Block, measureLz4Block } from './lz4-block';
import { Xxh32, xxh32 } from './lz4-xxh32';
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

const fixture = (name: string) => readFileSync(join(__dirname, 'testdata', 'lz4', name));
const u32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n >>> 0);
  return b;
};
const MAX = LIMITS.decompressed;
const MAGIC = Buffer.from('04224d18', 'hex');
/** Independent 64 KB blocks, no checksums: FLG 0x60, BD 0x40, HC 0x82 (xxh32sum 301a8268). */
const HEADER_64K = bytes(MAGIC, 0x60, 0x40, 0x82);
const END = u32(0);

// What testdata/lz4/README.md gives for the plain bodies not kept.
const BATCH = {
  bytes: 389585,
  sha256: '5d29984d124c224fb8c837b4d1b00e54cf6aea400690d807003b86c8bad60aac',
};

/** Decodes `parts` as a stream, one write each: the output, or the error it stopped with. */
function decode(
  parts: readonly Uint8Array[],
  bounds: { maxOutput: number; take?: (bytes: number) => boolean } = { maxOutput: MAX },
): Promise<Buffer | Error> {
  return decodeParts(new Lz4Decompress(bounds), parts);
}

const failure = (got: Buffer | Error) =>
  got instanceof Error ? [got.name, got.message] : ['decoded', got.toString('latin1')];

/** A block decoded alone (measured, then decoded), or the error it stopped with. */
const block = (src: Buffer, max = 65536, history?: Buffer) => {
  try {
    const dst = Buffer.alloc(measureLz4Block(src, max, history?.length ?? 0));
    decodeLz4Block(src, dst, history);
    return dst.toString('latin1');
  } catch (err) {
    return [(err as Error).name, (err as Error).message];
  }
};

describe('XXH32', () => {
  it("gives xxHash's own vectors and what xxh32sum printed for the fixtures", () => {
    expect(xxh32(new Uint8Array())).toBe(0x02cc5d05);
    expect(xxh32(Buffer.from('a'))).toBe(0x550d7456);
    expect(xxh32(Buffer.from('ab'))).toBe(0x4999fc53);
    expect(xxh32(Buffer.from('hello'))).toBe(0xfb0077f9);
    expect(xxh32(plainFixture('traces.json'))).toBe(0x04309384);
  });

  it('is the same fed in pieces of any size', () => {
    const body = plainFixture('traces.json');
    fc.assert(
      fc.property(fc.array(fc.nat(), { maxLength: 12 }), (cuts) => {
        const hash = new Xxh32();
        for (const part of split(body, cuts)) hash.update(part);
        expect(hash.digest()).toBe(0x04309384);
      }),
      { numRuns: 200 },
    );
  });
});

describe('the block format', () => {
  it('reads literals, matches and both kinds of length extension', () => {
    expect(block(bytes(0x30, 'abc'))).toBe('abc');
    // 1 literal, then a match of 4 + 5 reaching 1 back (a run), then an empty last sequence.
    expect(block(bytes(0x15, 'a', 1, 0, 0x00))).toBe('a'.repeat(10));
    // 15 + 5 literals; 15 + 255 + 1 literals.
    expect(block(bytes(0xf0, 5, 'x'.repeat(20)))).toBe('x'.repeat(20));
    expect(block(bytes(0xf0, 255, 1, 'y'.repeat(271)))).toBe('y'.repeat(271));
    // A match of 4 + 15 + 10 bytes, then 2 literals.
    expect(block(bytes(0x2f, 'ab', 2, 0, 10, 0x20, 'cd'))).toBe(`${'ab'.repeat(15)}acd`);
    // A linked block reaching into the history before it: "xyz", then its own "x".
    expect(block(bytes(0x00, 3, 0, 0x00), 65536, Buffer.from('xyz'))).toBe('xyzx');
  });

  it('refuses offsets of 0 or reaching before the output, naming the sequence', () => {
    expect(block(bytes(0x10, 'a', 0, 0, 0x00))).toEqual([
      'Lz4Error',
      'the sequence at byte 0 has offset 0',
    ]);
    expect(block(bytes(0x10, 'a', 2, 0, 0x00))).toEqual([
      'Lz4Error',
      'the sequence at byte 0 reaches 2 bytes back, before the start of the output (1 bytes)',
    ]);
    expect(block(bytes(0x00, 4, 0, 0x00), 65536, Buffer.from('xyz'))).toEqual([
      'Lz4Error',
      'the sequence at byte 0 reaches 4 bytes back, before the start of the output (3 bytes)',
    ]);
  });

  it('refuses literals and matches past the input or the maximum size, and bad endings', () => {
    expect(block(bytes(0x50, 'abc'))).toEqual([
      'Lz4Error',
      'the 5 literals of the sequence at byte 0 run past the end of the block (3 bytes left)',
    ]);
    expect(block(bytes(0x30, 'abc'), 2)).toEqual([
      'Lz4Error',
      "the 3 literals of the sequence at byte 0 run past the block's maximum size (2 bytes)",
    ]);
    expect(block(bytes(0x1f, 'a', 1, 0, 255, 255, 0, 0x00), 500)).toEqual([
      'Lz4Error',
      "the match of 529 bytes of the sequence at byte 0 runs past the block's maximum size (500 bytes)",
    ]);
    expect(block(bytes(0x10, 'a', 1))).toEqual([
      'Lz4Error',
      'the block ends inside the offset of the sequence at byte 0',
    ]);
    expect(block(bytes(0x10, 'a', 1, 0))).toEqual([
      'Lz4Error',
      'the block ends after the match of the sequence at byte 0; its last sequence has literals only',
    ]);
    expect(block(bytes(0xf0, 255))).toEqual([
      'Lz4Error',
      'the block ends inside the literal length of the sequence at byte 0',
    ]);
    expect(block(bytes(0x1f, 'a', 1, 0))).toEqual([
      'Lz4Error',
      'the block ends inside the match length of the sequence at byte 0',
    ]);
    expect(block(Buffer.alloc(0))).toEqual([
      'Lz4Error',
      'the block is empty: it has at least one token',
    ]);
  });
});

describe('the frame format', () => {
  it('decodes each fixture to the bytes it was made from, however split', async () => {
    const cases: [string, { bytes: number; sha256: string }][] = [
      ['traces.json.lz4', fingerprint(plainFixture('traces.json'))],
      ['traces.pb.lz4', fingerprint(plainFixture('traces.pb'))],
      ['batch.json.lz4', BATCH],
      ['batch.json.64k-checksums.lz4', BATCH],
      ['batch.json.linked.lz4', BATCH],
      ['noise.bin.lz4', NOISE],
    ];
    // The sha256 of the plain fixtures, as testdata/zstd/README.md gives them.
    expect(cases.slice(0, 2).map(([, c]) => c.sha256)).toEqual([
      'd2a57b305cd5dc23ece2c33a1db0a9472ebe26d17f230bd3704db4c0d691b18e',
      'dce720fb3c28d24ce8ece49449ed376acd9adeb70d0ad192bf7f9e2f343a53b2',
    ]);
    for (const [name, want] of cases) {
      const got = await decode([fixture(name)]);
      expect([name, got instanceof Error ? got.message : fingerprint(got)]).toEqual([name, want]);
    }
    await fc.assert(
      fc.asyncProperty(
        fc.nat(cases.length - 1),
        fc.array(fc.nat(), { maxLength: 40 }),
        async (i, cuts) => {
          const [name, want] = cases[i]!;
          const got = await decode(split(fixture(name), cuts));
          expect([name, got instanceof Error ? got.message : fingerprint(got)]).toEqual([
            name,
            want,
          ]);
        },
      ),
      { numRuns: 40 },
    );
  });

  it('reads the descriptors the fixtures have: what pierrec/lz4 and the CLI set', () => {
    // FLG and BD: 0x64 0x70 (independent, content checksum, 4 MB: the Collector's),
    // 0x7c 0x40 (block checksums, content size, 64 KB), 0x4c 0x40 (linked blocks),
    // 0x74 0x40 (block checksums; noise stored uncompressed: size 0x80010000).
    expect(
      ['traces.json.lz4', 'batch.json.64k-checksums.lz4', 'batch.json.linked.lz4', 'noise.bin.lz4']
        .map(fixture)
        .map((b) => b.subarray(4, 6).toString('hex')),
    ).toEqual(['6470', '7c40', '4c40', '7440']);
    expect(fixture('noise.bin.lz4').readUInt32LE(7)).toBe(0x80010000);
    // Content checksums as stored match what xxh32sum printed for the plain bodies.
    for (const [name, want] of [
      ['traces.json.lz4', 0x04309384],
      ['batch.json.lz4', 0x8d0f5307],
      ['noise.bin.lz4', 0xc754b3d0],
    ] as const) {
      const b = fixture(name);
      expect([name, b.readUInt32LE(b.length - 4)]).toEqual([name, want]);
    }
  });

  it('needs the history for linked blocks: read as independent, they fail', async () => {
    // FLG 0x4c -> 0x6c, with the header checksum xxh32sum gives that descriptor (0x52).
    const body = Buffer.from(fixture('batch.json.linked.lz4'));
    body[4] = 0x6c;
    body[14] = 0x52;
    const got = await decode([body]);
    expect(got).toBeInstanceOf(Lz4Error);
    expect((got as Error).message).toMatch(
      /^block 2 of frame 1 \(at byte 7,463\): the sequence at byte \d+ reaches [\d,]+ bytes back, before the start of the output/,
    );
  });

  it('reads stored blocks, skippable frames and frames one after another', async () => {
    const skippable = bytes(u32(0x184d2a5f), u32(3), 'xyz');
    const stored = bytes(HEADER_64K, u32(0x80000005), 'hello', END);
    const pb = fixture('traces.pb.lz4');
    const got = await decode(split(bytes(skippable, stored, pb, skippable, pb), [3, 9, 30]));
    expect(got).toEqual(bytes('hello', plainFixture('traces.pb'), plainFixture('traces.pb')));
    expect(failure(await decode([skippable]))).toEqual([
      'Lz4Error',
      'the body holds skippable frames only, no LZ4 frame',
    ]);
  });

  it('checks block and content checksums, and a declared content size', async () => {
    // batch.json.64k-checksums.lz4's first block (7,087 bytes at 19) ends in its checksum.
    const body = Buffer.from(fixture('batch.json.64k-checksums.lz4'));
    expect(body.readUInt32LE(19 + 7087)).toBe(0xc4db69bf);
    body[19 + 7087]! ^= 0x01;
    expect(failure(await decode([body]))).toEqual([
      'Lz4Error',
      "block 1 of frame 1 (at byte 15) stores the block checksum 0xc4db69be, but its data's is 0xc4db69bf",
    ]);
    const json = Buffer.from(fixture('traces.json.lz4'));
    json[json.length - 4]! ^= 0x01;
    expect(failure(await decode([json]))).toEqual([
      'Lz4Error',
      "frame 1 stores the content checksum 0x04309385, but its content's is 0x04309384",
    ]);
    // FLG 0x68 (content size), BD 0x70, size 5, HC 0xe7 (xxh32sum 0d9ce7f4).
    const sized = bytes(MAGIC, 0x68, 0x70, 5, 0, 0, 0, 0, 0, 0, 0, 0xe7);
    expect(failure(await decode([bytes(sized, u32(5), 0x40, 'hell', END)]))).toEqual([
      'Lz4Error',
      'frame 1 decodes to 4 bytes, but declares 5',
    ]);
    expect(failure(await decode([bytes(sized, u32(7), 0x60, 'hello!', END)]))).toEqual([
      'Lz4Error',
      'block 1 of frame 1 (at byte 15) takes the frame past the 5 bytes it declares',
    ]);
    expect(failure(await decode([bytes(sized, u32(6), 0x50, 'hello', END)]))).toEqual([
      'decoded',
      'hello',
    ]);
  });

  it('refuses descriptors it cannot read, naming why', async () => {
    const cases: [Buffer, string][] = [
      [
        bytes(0x04, 0x22, 0x4d, 0x19, 0x64, 0x70),
        "starts with 0x194d2204, not LZ4's magic number 0x184d2204",
      ],
      [bytes(MAGIC, 0xa0, 0x70, 0x5d), 'has the frame version 2; only version 01 is read'],
      [bytes(MAGIC, 0x62, 0x70, 0x2d), "sets FLG's reserved bit 1"],
      [
        bytes(MAGIC, 0x61, 0x70, 0, 0, 0, 0, 0x49),
        'names a dictionary (FLG bit 0); no dictionary is agreed on over HTTP',
      ],
      [bytes(MAGIC, 0x60, 0xf0, 0xc2), "sets BD's reserved bits (0xf0)"],
      [
        bytes(MAGIC, 0x60, 0x30, 0xd4),
        'has the block maximum size id 3; the ids are 4-7 (64 KB to 4 MB)',
      ],
      [
        bytes(MAGIC, 0x64, 0x70, 0xb8),
        "stores the header checksum 0xb8, but its descriptor's is 0xb9",
      ],
    ];
    for (const [body, message] of cases)
      expect(failure(await decode([body]))).toEqual(['Lz4Error', `frame 1 (at byte 0) ${message}`]);
  });

  it('refuses a block over the maximum size from its size alone, and truncated bodies', async () => {
    expect(failure(await decode([bytes(HEADER_64K, u32(65537))]))).toEqual([
      'Lz4Error',
      "block 1 of frame 1 (at byte 7) has 65,537 bytes; the frame's blocks hold at most 65,536",
    ]);
    const json = fixture('traces.json.lz4');
    for (const cut of [3, 6, 7, 100, json.length - 4, json.length - 1])
      expect([cut, ...failure(await decode([json.subarray(0, cut)]))]).toEqual([
        cut,
        'Lz4Error',
        `the body ends inside frame 1, after ${cut} bytes`,
      ]);
    expect(failure(await decode([]))).toEqual([
      'Lz4Error',
      'the body is empty: an LZ4 frame starts with its magic number',
    ]);
  });

  it('refuses a declared content size past the limit from the header alone', async () => {
    // The header the lz4 CLI wrote for 104,857,601 zeros (--content-size, -B7): HC 0x75.
    const header = Buffer.from('04224d186c70010040060000000075', 'hex');
    expect(failure(await decode([header]))).toEqual([
      'Lz4LimitError',
      'frame 1 (at byte 0) declares 104,857,601 bytes, past the limit of 104,857,600 decoded bytes',
    ]);
  });

  it('stops at the limit, and takes each block from the body budget before decoding it', async () => {
    // zeros-4mib.lz4: a 7-byte header, one block of 16,459 bytes (4 MiB of zeros), the EndMark.
    const zeros = fixture('zeros-4mib.lz4');
    const one = zeros.subarray(7, zeros.length - 4);
    const body = bytes(zeros.subarray(0, 7), one, one, one, END);
    const got = await decode([body], { maxOutput: 8 * 1024 * 1024 });
    expect(failure(got)).toEqual([
      'Lz4LimitError',
      'block 3 of frame 1 (at byte 32,933) takes the body past the limit of 8,388,608 decoded bytes',
    ]);
    expect((got as Lz4LimitError).limit).toBe('decompressed');
    const taken: number[] = [];
    const all = await decode([fixture('batch.json.64k-checksums.lz4')], {
      maxOutput: MAX,
      take: (n) => (taken.push(n), true),
    });
    expect(fingerprint(all as Buffer)).toEqual(BATCH);
    expect(taken).toEqual([65536, 65536, 65536, 65536, 65536, 61905]);
    const refused = await decode([body], { maxOutput: MAX, take: () => false });
    expect(failure(refused)).toEqual([
      'Lz4LimitError',
      "block 1 of frame 1 (at byte 7)'s 4,194,304 bytes cannot be held now",
    ]);
    expect((refused as Lz4LimitError).limit).toBe('held');
  });

  it('takes a block not yet whole from the body budget as it is held', async () => {
    // zeros-4mib.lz4 (16,474 bytes) in 1,000-byte writes: the header is bytes 0-6, and the
    // block (a 4-byte size, 16,459 bytes) ends at 16,470. Writes 1-16 hold its bytes 7-15,999
    // (993, then 1,000 a write); write 17 completes it, and the EndMark.
    const body = fixture('zeros-4mib.lz4');
    const writes = Array.from({ length: 17 }, (_, i) => body.subarray(i * 1000, (i + 1) * 1000));
    const taken: number[] = [];
    const all = await decode(writes, { maxOutput: MAX, take: (n) => (taken.push(n), true) });
    expect(all instanceof Error ? all : all.length).toBe(4 * 1024 * 1024);
    expect(taken).toEqual([993, ...Array<number>(15).fill(1000), 4 * 1024 * 1024]);
    // Refused past 8,000 bytes: at write 9, holding 8,993. Before, nothing held counted, and
    // the refusal came only for the block's output.
    let total = 0;
    const refused = await decode(writes, {
      maxOutput: MAX,
      take: (n) => (total += n) <= 8000,
    });
    expect(failure(refused)).toEqual([
      'Lz4LimitError',
      'frame 1 (at byte 7): the 8,993 bytes of a header or block not yet whole cannot be held now',
    ]);
    expect((refused as Lz4LimitError).limit).toBe('held');
  });
});

describe('a mutated body', () => {
  // Every message the decoder writes, by its start: anything else is a fault of the decoder.
  const KNOWN = [
    /^the body (is empty|ends inside|holds skippable)/,
    /^frame \d[\d,]* (\(at byte \d[\d,]*\) |stores|decodes)/,
    /^block \d[\d,]* of frame \d[\d,]* \(at byte \d[\d,]*\)/,
  ];

  it('is read, or refused naming why, in bounded time (1k mutations)', async () => {
    const bodies = [
      'traces.json.lz4',
      'traces.pb.lz4',
      'batch.json.lz4',
      'batch.json.64k-checksums.lz4',
      'batch.json.linked.lz4',
      'noise.bin.lz4',
    ].map(fixture);
    const maxOutput = 4 * 1024 * 1024;
    await fc.assert(
      fc.asyncProperty(
        fc.nat(bodies.length - 1),
        fc.array(bodyMutation, { minLength: 1, maxLength: 4 }),
        fc.array(fc.nat(), { maxLength: 5 }),
        async (i, mutations, cuts) => {
          const body = mutated(bodies[i]!, mutations);
          const started = Date.now();
          const got = await decode(split(body, cuts), { maxOutput });
          // A few ms alone; CI runs several times slower than alone.
          expect(Date.now() - started).toBeLessThan(1_000);
          expectOutputOrKnownError(got, maxOutput, {
            format: 'Lz4Error',
            limit: Lz4LimitError,
            known: KNOWN,
          });
        },
      ),
      { numRuns: 1_000 },
    );
  });
});
