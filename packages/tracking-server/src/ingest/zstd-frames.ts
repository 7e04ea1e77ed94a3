// The frames and blocks of a zstd stream (RFC 8878), followed from their headers as the bytes
// arrive, without decoding them: what a frame will take (its window, its declared size, a
// dictionary) is known before the decoder is handed the bytes that make it allocate, and a stream
// that breaks the format's bounds is refused before it is decoded.

/** The largest block the format allows (Block_Maximum_Size), as sent and as regenerated. */
export const BLOCK_MAX = 128 * 1024;

export interface ZstdFrame {
  /** The history the decoder keeps for it, in bytes: the content size for a single segment. */
  readonly window: number;
  /** The content size its header declares, when it declares one. */
  readonly contentSize?: number;
  /** The dictionary it was compressed with; 0 for none. */
  readonly dictionaryId: number;
  /** Whether a Content_Checksum follows its last block. */
  readonly checksum: boolean;
}

/** What the scanner tells as it reads, in stream order. */
export interface ZstdEvents {
  frame(frame: ZstdFrame): void;
  /** Each block of the frame last begun; `last` for its last. */
  block?(last: boolean): void;
  /** Where in the chunk being fed a block's bytes ended (its content, not a checksum after). */
  blockEnd?(offset: number): void;
  /** Its Content_Checksum, once read: the low 32 bits of XXH64 over its content. */
  checksum?(value: number): void;
}

/** A stream that is not zstd, or breaks the format; the message names what is wrong. */
export class ZstdFormatError extends Error {
  override readonly name = 'ZstdFormatError';
}

const FRAME_MAGIC = 0xfd2fb528;
/** Skippable frames: 0x184D2A50 to 0x184D2A5F. */
const SKIPPABLE_MAGIC = 0x184d2a50;
const DICTIONARY_ID_BYTES = [0, 1, 2, 4] as const;

type Expecting = 'magic' | 'descriptor' | 'header' | 'block' | 'checksum' | 'skippable size';

const u32 = (b: Uint8Array, at: number) =>
  (b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16) | (b[at + 3]! << 24)) >>> 0;

/** Little-endian, exact below 2^53 (an 8-byte content size past it reads as Infinity). */
function uint(b: Uint8Array, at: number, bytes: number): number {
  let v = 0;
  for (let i = bytes - 1; i >= 0; i--) v = v * 256 + b[at + i]!;
  return Number.isSafeInteger(v) ? v : Infinity;
}

/**
 * Follows a zstd stream fed in chunks of any size: `feed` tells `events` of each frame header,
 * block header and checksum as soon as all of it has arrived, and throws a ZstdFormatError where
 * the stream breaks the format; `end` throws if the stream stopped inside a frame, or held none.
 */
export class ZstdFrameScanner {
  private expecting: Expecting = 'magic';
  /** The header bytes being gathered: at most 14 (a frame header after its magic). */
  private readonly gathered = new Uint8Array(14);
  private have = 0;
  private need = 4;
  /** Bytes to pass over before the next header: block contents, a checksum, a skippable frame. */
  private skip = 0;
  private descriptor = 0;
  private frames = 0;
  /** Whether `skip` is passing over a block's content. */
  private inBlock = false;

  feed(chunk: Uint8Array, events: ZstdEvents): void {
    let i = 0;
    while (i < chunk.length) {
      if (this.skip > 0) {
        const n = Math.min(this.skip, chunk.length - i);
        this.skip -= n;
        i += n;
        if (this.skip === 0) this.endBlock(i, events);
        continue;
      }
      const n = Math.min(this.need - this.have, chunk.length - i);
      this.gathered.set(chunk.subarray(i, i + n), this.have);
      this.have += n;
      i += n;
      if (this.have === this.need) {
        this.have = 0;
        this.header(events);
        if (this.skip === 0) this.endBlock(i, events);
      }
    }
  }

  private endBlock(offset: number, events: ZstdEvents): void {
    if (!this.inBlock) return;
    this.inBlock = false;
    events.blockEnd?.(offset);
  }

  end(): void {
    if (this.expecting !== 'magic' || this.have > 0 || this.skip > 0)
      throw new ZstdFormatError('the body ends inside a zstd frame');
    if (this.frames === 0) throw new ZstdFormatError('the body holds no zstd frame');
  }

  private expect(next: Expecting, bytes: number): void {
    this.expecting = next;
    this.need = bytes;
  }

  private header(events: ZstdEvents): void {
    const b = this.gathered;
    switch (this.expecting) {
      case 'magic': {
        const magic = u32(b, 0);
        if (magic === FRAME_MAGIC) return this.expect('descriptor', 1);
        if ((magic & 0xfffffff0) >>> 0 === SKIPPABLE_MAGIC) return this.expect('skippable size', 4);
        throw new ZstdFormatError(
          `not a zstd frame: it begins ${Buffer.from(b.subarray(0, 4)).toString('hex')}, not 28b52ffd`,
        );
      }
      case 'skippable size':
        this.frames++;
        this.skip = u32(b, 0);
        return this.expect('magic', 4);
      case 'descriptor': {
        const d = (this.descriptor = b[0]!);
        if (d & 0x08) throw new ZstdFormatError('a zstd frame header sets its reserved bit');
        const single = (d & 0x20) !== 0;
        return this.expect(
          'header',
          (single ? 0 : 1) + DICTIONARY_ID_BYTES[d & 3]! + contentSizeBytes(d),
        );
      }
      case 'header': {
        const d = this.descriptor;
        const single = (d & 0x20) !== 0;
        let at = 0;
        let window = 0;
        if (!single) {
          const exponent = b[0]! >> 3;
          const base = 2 ** (10 + exponent);
          window = base + (base / 8) * (b[0]! & 7);
          at = 1;
        }
        const idBytes = DICTIONARY_ID_BYTES[d & 3]!;
        const dictionaryId = uint(b, at, idBytes);
        at += idBytes;
        const sizeBytes = contentSizeBytes(d);
        const contentSize =
          sizeBytes === 0 ? undefined : uint(b, at, sizeBytes) + (sizeBytes === 2 ? 256 : 0);
        this.frames++;
        events.frame({
          window: single ? contentSize! : window,
          ...(contentSize !== undefined ? { contentSize } : {}),
          dictionaryId,
          checksum: (d & 0x04) !== 0,
        });
        return this.expect('block', 3);
      }
      case 'block': {
        const h = b[0]! | (b[1]! << 8) | (b[2]! << 16);
        const last = (h & 1) === 1;
        const type = (h >> 1) & 3;
        const size = h >>> 3;
        if (type === 3) throw new ZstdFormatError('a zstd block has the reserved block type 3');
        if (size > BLOCK_MAX)
          throw new ZstdFormatError(
            `a zstd block of ${size} bytes, over the format's ${BLOCK_MAX / 1024} KiB`,
          );
        events.block?.(last);
        // An RLE block is one byte repeated `size` times.
        this.skip = type === 1 ? 1 : size;
        this.inBlock = true;
        if (!last) return this.expect('block', 3);
        return this.descriptor & 0x04 ? this.expect('checksum', 4) : this.expect('magic', 4);
      }
      case 'checksum':
        events.checksum?.(u32(b, 0));
        return this.expect('magic', 4);
    }
  }
}

/** Frame_Content_Size's bytes: 0 (1 for a single segment), 2, 4 or 8. */
function contentSizeBytes(descriptor: number): number {
  const flag = descriptor >> 6;
  return flag === 0 ? (descriptor & 0x20 ? 1 : 0) : 1 << flag;
}
