// Following zstd frames from their headers (RFC 8878), checked against what the zstd CLI wrote
// (testdata/zstd/README.md; the expected windows and sizes are those `zstd -lv` prints).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { type ZstdFrame, ZstdFormatError, ZstdFrameScanner } from './zstd-frames';

const fixture = (name: string) => readFileSync(join(__dirname, 'testdata', 'zstd', name));

/** The frames `chunks` hold, fed in that order; throws what the scanner throws. */
function framesOf(...chunks: Uint8Array[]): ZstdFrame[] {
  const scanner = new ZstdFrameScanner();
  const frames: ZstdFrame[] = [];
  for (const c of chunks) scanner.feed(c, { frame: (f) => frames.push(f) });
  scanner.end();
  return frames;
}

const bytes = (...b: number[]) => Uint8Array.from(b);
const MAGIC = [0x28, 0xb5, 0x2f, 0xfd];
/** A last raw block of `n` bytes (header: size << 3 | type 0 << 1 | last). */
const lastRawBlock = (n: number) => [
  (n << 3) | 1,
  (n << 3) >> 8,
  (n << 3) >> 16,
  ...Array(n).fill(0x61),
];

describe('zstd frames', () => {
  it('reads the window and declared size of each frame the zstd CLI wrote', () => {
    expect(framesOf(fixture('traces.json.zst'))).toEqual([
      { window: 1810, contentSize: 1810, dictionaryId: 0, checksum: true },
    ]);
    expect(framesOf(fixture('traces.pb.zst'))).toEqual([
      { window: 2097152, dictionaryId: 0, checksum: true },
    ]);
    expect(framesOf(fixture('batch.json.zst'))).toEqual([
      { window: 8388608, dictionaryId: 0, checksum: true },
    ]);
    expect(framesOf(fixture('window-16mib.zst'))).toEqual([
      { window: 16777216, dictionaryId: 0, checksum: true },
    ]);
    expect(framesOf(fixture('zeros-1gib.zst'))).toEqual([
      { window: 2097152, dictionaryId: 0, checksum: true },
    ]);
  });

  it('tells each block and the checksum the CLI stored (`zstd -lv`: Check: XXH64 …)', () => {
    const told: (string | number)[] = [];
    const scanner = new ZstdFrameScanner();
    scanner.feed(Buffer.concat([fixture('batch.json.zst'), fixture('traces.json.zst')]), {
      frame: (f) => told.push(`frame ${f.window}`),
      block: (last) => told.push(last ? 'last block' : 'block'),
      checksum: (value) => told.push(value),
    });
    scanner.end();
    expect(told).toEqual([
      'frame 8388608',
      'block',
      'block',
      'last block',
      0xb60eee9c,
      'frame 1810',
      'last block',
      0xb908d658,
    ]);
  });

  it('follows frames one after another, skippable frames among them', () => {
    // A skippable frame: magic 0x184D2A53, 5 bytes of its own.
    const skippable = bytes(0x53, 0x2a, 0x4d, 0x18, 5, 0, 0, 0, 1, 2, 3, 4, 5);
    expect(
      framesOf(Buffer.concat([fixture('traces.pb.zst'), skippable, fixture('traces.json.zst')])),
    ).toEqual([
      { window: 2097152, dictionaryId: 0, checksum: true },
      { window: 1810, contentSize: 1810, dictionaryId: 0, checksum: true },
    ]);
  });

  it('reads every size of the header fields as the format lays them out', () => {
    // Descriptor 0x40: a 2-byte content size, stored less 256; window descriptor 0x5b is
    // 2^(10+11) + 3 * 2^21 / 8 = 2,883,584 bytes.
    expect(framesOf(bytes(...MAGIC, 0x40, 0x5b, 0x34, 0x12, ...lastRawBlock(0)))).toEqual([
      { window: 2883584, contentSize: 0x1234 + 256, dictionaryId: 0, checksum: false },
    ]);
    // 0xe3: an 8-byte content size, a single segment (its window is that size), a 4-byte
    // dictionary id.
    expect(
      framesOf(bytes(...MAGIC, 0xe3, 4, 3, 2, 1, 0x10, 0, 0, 0, 0, 0, 0, 0, ...lastRawBlock(0))),
    ).toEqual([{ window: 16, contentSize: 16, dictionaryId: 0x01020304, checksum: false }]);
    // 0xc0 and an 8-byte size past 2^53: no number holds it.
    expect(
      framesOf(bytes(...MAGIC, 0xc0, 0x58, 0, 0, 0, 0, 0, 0, 0, 0x80, ...lastRawBlock(0))),
    ).toEqual([{ window: 2097152, contentSize: Infinity, dictionaryId: 0, checksum: false }]);
  });

  it('reads a frame the same however its bytes are split (1k splits of each fixture)', () => {
    const whole = ['traces.json.zst', 'traces.pb.zst', 'batch.json.zst'].map((name) => ({
      body: fixture(name),
      frames: framesOf(fixture(name)),
    }));
    fc.assert(
      fc.property(
        fc.constantFrom(...whole),
        fc.array(fc.nat(), { maxLength: 30 }),
        ({ body, frames }, cuts) => {
          const at = [...new Set(cuts.map((c) => c % body.length))].sort((a, b) => a - b);
          const pieces = [0, ...at].map((from, i) => body.subarray(from, at[i] ?? body.length));
          expect(framesOf(...pieces)).toEqual(frames);
        },
      ),
      { numRuns: 1_000 },
    );
  });

  it('refuses a body that is not zstd, naming its first bytes', () => {
    expect(() => framesOf(gzipSync('x'))).toThrow(
      new ZstdFormatError('not a zstd frame: it begins 1f8b0800, not 28b52ffd'),
    );
  });

  it('refuses a frame header with its reserved bit set', () => {
    expect(() => framesOf(bytes(...MAGIC, 0x28, 5, ...lastRawBlock(0)))).toThrow(
      'a zstd frame header sets its reserved bit',
    );
  });

  it('refuses the reserved block type and a block over 128 KiB', () => {
    // Block header 0x07: last, type 3.
    expect(() => framesOf(bytes(...MAGIC, 0x00, 0x58, 0x07, 0, 0))).toThrow(
      'a zstd block has the reserved block type 3',
    );
    // An RLE block (type 1) that would repeat its byte 131,073 times: (131073 << 3) | 2 | 1.
    const rle = (131073 << 3) | 3;
    expect(() =>
      framesOf(bytes(...MAGIC, 0x00, 0x58, rle & 0xff, (rle >> 8) & 0xff, rle >> 16, 0x61)),
    ).toThrow("a zstd block of 131073 bytes, over the format's 128 KiB");
  });

  it('refuses a body that ends inside a frame, or holds none', () => {
    const body = fixture('traces.json.zst');
    for (let n = 1; n < body.length; n++)
      expect(() => framesOf(body.subarray(0, n))).toThrow('the body ends inside a zstd frame');
    expect(() => framesOf()).toThrow('the body holds no zstd frame');
    expect(() => framesOf(new Uint8Array(0))).toThrow('the body holds no zstd frame');
  });
});
