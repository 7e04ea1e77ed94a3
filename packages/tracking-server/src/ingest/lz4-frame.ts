// LZ4's frame format (lz4_Frame_format.md, v1.6.4), what github.com/pierrec/lz4/v4's Writer
// writes for the OpenTelemetry Collector's `compression: lz4` (confighttp compressor.go:
// lz4.NewWriter, ConcurrencyOption(1): 4 MB independent blocks, a content checksum), read
// block by block as the body arrives. A frame: the magic number 0x184D2204; a descriptor (FLG:
// version 01, block independence, block checksum, content size, content checksum, a reserved
// bit, dictionary id; BD: the block maximum size, 64 KB to 4 MB) with its checksum, the second
// byte of its XXH32; data blocks behind a 4-byte little-endian size whose high bit marks the
// block stored uncompressed, each followed by its XXH32 when the block checksum flag is set;
// the EndMark (a size of 0); the content's XXH32 when that flag is set. Frames may follow one
// another, and skippable frames (magic 0x184D2A50-0x184D2A5F, a 4-byte size) are passed over.
// Linked blocks (independence 0) may reach into the 64 KB before them, kept as history. A
// dictionary id is refused: no dictionary is agreed on over HTTP.
import {
  decodeLz4Block,
  type Lz4Bounds,
  Lz4Error,
  Lz4LimitError,
  measureLz4Block,
  WINDOW,
} from './lz4-block';
import { Xxh32, xxh32 } from './lz4-xxh32';
import { PendingInput } from './pending-input';

export const FRAME_MAGIC = 0x184d2204;
const SKIPPABLE_MASK = 0xfffffff0;
const SKIPPABLE_MAGIC = 0x184d2a50;
const UNCOMPRESSED = 0x80000000;
const EMPTY = Buffer.alloc(0);

const fmt = (n: number) => n.toLocaleString('en-US');
const hex = (n: number, digits: number) => `0x${n.toString(16).padStart(digits, '0')}`;

interface Frame {
  readonly independent: boolean;
  readonly blockChecksum: boolean;
  readonly contentChecksum: boolean;
  readonly contentSize: number | undefined;
  readonly blockMax: number;
  readonly hash: Xxh32;
  made: number;
  blocks: number;
  /** Up to the last 64 KB of output, which a linked block may reach into. */
  history: Buffer;
}

/** An LZ4 body (frames) decoded as it arrives; its errors are Lz4Error and Lz4LimitError. */
export class Lz4FrameReader {
  /** Bytes of a header, block or checksum not whole yet (at most a 4 MB block). */
  private readonly input: PendingInput;
  /** Bytes the header or block being read needs, when it is not whole. */
  private need = 0;
  /** Bytes of a skippable frame still to pass. */
  private skipping = 0;
  private frame: Frame | undefined;
  private frames = 0;
  private made = 0;

  constructor(private readonly bounds: Lz4Bounds) {
    this.input = new PendingInput(
      bounds.take,
      (bytes) =>
        new Lz4LimitError(
          'held',
          `${this.where(0)}: the ${fmt(bytes)} bytes of a header or block not yet whole cannot be held now`,
        ),
    );
  }

  /** Decodes the blocks `data` completes, and keeps the rest for the next call. */
  write(data: Uint8Array): Buffer[] {
    const out: Buffer[] = [];
    const buf = this.input.add(data);
    if (!buf) return out;
    let p = 0;
    this.need = 0;
    for (;;) {
      if (this.skipping > 0) {
        const passed = Math.min(this.skipping, buf.length - p);
        this.skipping -= passed;
        p += passed;
        if (this.skipping > 0) break;
      }
      const used = this.frame ? this.block(buf, p, out) : this.start(buf, p);
      if (used === 0) break;
      p += used;
    }
    this.input.keep(buf, p, this.need);
    return out;
  }

  /** The body's end: throws unless it ended between frames, after at least one. */
  end(): void {
    const read = this.input.at + this.input.length;
    if (read === 0)
      throw new Lz4Error('the body is empty: an LZ4 frame starts with its magic number');
    if (this.frame || this.skipping > 0 || this.input.length > 0)
      throw new Lz4Error(
        `the body ends inside ${this.frame ? `frame ${this.frames}` : `frame ${this.frames + 1}`}, after ${fmt(read)} bytes`,
      );
    if (this.frames === 0) throw new Lz4Error('the body holds skippable frames only, no LZ4 frame');
  }

  private where(p: number): string {
    return `frame ${this.frames + (this.frame ? 0 : 1)} (at byte ${fmt(this.input.at + p)})`;
  }

  /** Not whole: `bytes` from where it starts are needed. */
  private short(bytes: number): 0 {
    this.need = bytes;
    return 0;
  }

  /** Reads a frame's magic number and descriptor, or a skippable frame's; 0 until whole. */
  private start(buf: Buffer, p: number): number {
    if (buf.length - p < 4) return this.short(4);
    const magic = buf.readUInt32LE(p);
    const where = this.where(p);
    if ((magic & SKIPPABLE_MASK) >>> 0 === SKIPPABLE_MAGIC) {
      if (buf.length - p < 8) return this.short(8);
      this.skipping = buf.readUInt32LE(p + 4);
      return 8;
    }
    if (magic !== FRAME_MAGIC)
      throw new Lz4Error(
        `${where} starts with ${hex(magic, 8)}, not LZ4's magic number ${hex(FRAME_MAGIC, 8)}`,
      );
    if (buf.length - p < 6) return this.short(6);
    const flg = buf[p + 4]!;
    const bd = buf[p + 5]!;
    if (flg >>> 6 !== 1)
      throw new Lz4Error(`${where} has the frame version ${flg >>> 6}; only version 01 is read`);
    if (flg & 0x02) throw new Lz4Error(`${where} sets FLG's reserved bit 1`);
    if (flg & 0x01)
      throw new Lz4Error(
        `${where} names a dictionary (FLG bit 0); no dictionary is agreed on over HTTP`,
      );
    if (bd & 0x8f) throw new Lz4Error(`${where} sets BD's reserved bits (${hex(bd, 2)})`);
    const sizeId = (bd >>> 4) & 7;
    if (sizeId < 4)
      throw new Lz4Error(
        `${where} has the block maximum size id ${sizeId}; the ids are 4-7 (64 KB to 4 MB)`,
      );
    const hasSize = (flg & 0x08) !== 0;
    const length = 4 + 2 + (hasSize ? 8 : 0) + 1;
    if (buf.length - p < length) return this.short(length);
    const descriptor = buf.subarray(p + 4, p + length - 1);
    const stored = buf[p + length - 1]!;
    const actual = (xxh32(descriptor) >>> 8) & 0xff;
    if (stored !== actual)
      throw new Lz4Error(
        `${where} stores the header checksum ${hex(stored, 2)}, but its descriptor's is ${hex(actual, 2)}`,
      );
    let contentSize: number | undefined;
    if (hasSize) {
      contentSize = Number(buf.readBigUInt64LE(p + 6));
      if (this.made + contentSize > this.bounds.maxOutput)
        throw new Lz4LimitError(
          'decompressed',
          `${where} declares ${fmt(contentSize)} bytes, past the limit of ${fmt(this.bounds.maxOutput)} decoded bytes`,
        );
    }
    this.frames++;
    this.frame = {
      independent: (flg & 0x20) !== 0,
      blockChecksum: (flg & 0x10) !== 0,
      contentChecksum: (flg & 0x04) !== 0,
      contentSize,
      blockMax: 1 << (2 * sizeId + 8),
      hash: new Xxh32(),
      made: 0,
      blocks: 0,
      history: EMPTY,
    };
    return length;
  }

  /** Reads a block, or the EndMark and content checksum; 0 until whole. */
  private block(buf: Buffer, p: number, out: Buffer[]): number {
    const frame = this.frame!;
    if (buf.length - p < 4) return this.short(4);
    const word = buf.readUInt32LE(p);
    const where = `block ${frame.blocks + 1} of frame ${this.frames} (at byte ${fmt(this.input.at + p)})`;
    if (word === 0) return this.endMark(buf, p);
    const stored = (word & UNCOMPRESSED) !== 0;
    const size = word & ~UNCOMPRESSED;
    if (size > frame.blockMax)
      throw new Lz4Error(
        `${where} has ${fmt(size)} bytes; the frame's blocks hold at most ${fmt(frame.blockMax)}`,
      );
    const length = 4 + size + (frame.blockChecksum ? 4 : 0);
    if (buf.length - p < length) return this.short(length);
    const data = buf.subarray(p + 4, p + 4 + size);
    if (frame.blockChecksum) {
      const want = buf.readUInt32LE(p + 4 + size);
      const actual = xxh32(data);
      if (want !== actual)
        throw new Lz4Error(
          `${where} stores the block checksum ${hex(want, 8)}, but its data's is ${hex(actual, 8)}`,
        );
    }
    const history = frame.independent ? EMPTY : frame.history;
    let decoded: number;
    try {
      decoded = stored ? size : measureLz4Block(data, frame.blockMax, history.length);
    } catch (err) {
      throw new Lz4Error(`${where}: ${(err as Error).message}`);
    }
    if (this.made + decoded > this.bounds.maxOutput)
      throw new Lz4LimitError(
        'decompressed',
        `${where} takes the body past the limit of ${fmt(this.bounds.maxOutput)} decoded bytes`,
      );
    if (frame.contentSize !== undefined && frame.made + decoded > frame.contentSize)
      throw new Lz4Error(
        `${where} takes the frame past the ${fmt(frame.contentSize)} bytes it declares`,
      );
    if (this.bounds.take && !this.bounds.take(decoded))
      throw new Lz4LimitError('held', `${where}'s ${fmt(decoded)} bytes cannot be held now`);
    let block: Buffer;
    if (stored) block = Buffer.from(data);
    else {
      // Unsafe (not zero-filled) is safe here: decodeLz4Block fails unless it wrote every byte.
      block = Buffer.allocUnsafe(decoded);
      try {
        decodeLz4Block(data, block, history);
      } catch (err) {
        throw new Lz4Error(`${where}: ${(err as Error).message}`);
      }
    }
    if (!frame.independent)
      frame.history =
        block.length >= WINDOW
          ? block.subarray(block.length - WINDOW)
          : Buffer.concat([frame.history, block]).subarray(
              Math.max(0, frame.history.length + block.length - WINDOW),
            );
    if (frame.contentChecksum) frame.hash.update(block);
    frame.made += decoded;
    frame.blocks++;
    this.made += decoded;
    if (block.length > 0) out.push(block);
    return length;
  }

  private endMark(buf: Buffer, p: number): number {
    const frame = this.frame!;
    const where = `frame ${this.frames}`;
    const length = 4 + (frame.contentChecksum ? 4 : 0);
    if (buf.length - p < length) return this.short(length);
    if (frame.contentSize !== undefined && frame.made !== frame.contentSize)
      throw new Lz4Error(
        `${where} decodes to ${fmt(frame.made)} bytes, but declares ${fmt(frame.contentSize)}`,
      );
    if (frame.contentChecksum) {
      const want = buf.readUInt32LE(p + 4);
      const actual = frame.hash.digest();
      if (want !== actual)
        throw new Lz4Error(
          `${where} stores the content checksum ${hex(want, 8)}, but its content's is ${hex(actual, 8)}`,
        );
    }
    this.frame = undefined;
    return length;
  }
}
