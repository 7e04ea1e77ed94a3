// Snappy's framed format (google/snappy framing_format.txt, revised 2013-10-25), read chunk by
// chunk as the body arrives: a 4-byte header (type, 3-byte little-endian length), the stream
// identifier first, then compressed (0x00) and uncompressed (0x01) data chunks of at most
// 65,536 decoded bytes, each behind the masked CRC-32C of its decoded data, which is checked.
// Padding (0xfe) and reserved skippable chunks (0x80-0xfd) are skipped as they stream past,
// never held; reserved unskippable ones (0x02-0x7f) are refused, as the spec (and golang/snappy's
// reader) have it. A 2022 revision of the text names 0x02 and 0x03 as data chunks without a
// checksum; no encoder the Collector uses writes them, so they stay refused here.
import {
  blockLength,
  decodeElements,
  type SnappyBounds,
  SnappyError,
  SnappyLimitError,
} from './snappy-block';
import { crc32c, maskCrc32c } from './snappy-crc32c';
import { PendingInput } from './pending-input';

/** The stream identifier chunk every framed body starts with: 0xff, length 6, "sNaPpY". */
export const STREAM_IDENTIFIER = Buffer.from([
  0xff, 0x06, 0x00, 0x00, 0x73, 0x4e, 0x61, 0x50, 0x70, 0x59,
]);

/** Decoded bytes a data chunk holds at most (framing_format.txt 4.2, 4.3). */
export const CHUNK_DATA_MAX = 65536;
/** What 65,536 bytes compress to at most (golang/snappy MaxEncodedLen: 32 + n + n/6). */
const COMPRESSED_MAX = 32 + CHUNK_DATA_MAX + Math.floor(CHUNK_DATA_MAX / 6);
const CHECKSUM = 4;

const fmt = (n: number) => n.toLocaleString('en-US');
const hex = (n: number, digits: number) => `0x${n.toString(16).padStart(digits, '0')}`;

/** A framed body decoded as it arrives; its errors are SnappyError and SnappyLimitError. */
export class SnappyFramedReader {
  /** Bytes of a chunk not whole yet (at most a data chunk: 76,494 bytes). */
  private readonly input: PendingInput;
  /** Bytes of a skippable chunk still to pass. */
  private skipping = 0;
  /** Chunks read whole (or being skipped). */
  private chunks = 0;
  private made = 0;

  constructor(private readonly bounds: SnappyBounds) {
    this.input = new PendingInput(
      bounds.take,
      (bytes) =>
        new SnappyLimitError(
          'held',
          `chunk ${this.chunks + 1} (at byte ${fmt(this.input.at)}): the ${fmt(bytes)} bytes of it not yet whole cannot be held now`,
        ),
    );
  }

  /** Decodes the chunks `data` completes, and keeps the rest for the next call. */
  write(data: Uint8Array): Buffer[] {
    const out: Buffer[] = [];
    const buf = this.input.add(data);
    if (!buf) return out;
    let p = 0;
    let need = 0;
    for (;;) {
      if (this.skipping > 0) {
        const passed = Math.min(this.skipping, buf.length - p);
        this.skipping -= passed;
        p += passed;
        if (this.skipping > 0) break;
      }
      if (buf.length - p < 4) {
        need = 4;
        break;
      }
      const type = buf[p]!;
      const length = buf[p + 1]! | (buf[p + 2]! << 8) | (buf[p + 3]! << 16);
      const where = `chunk ${this.chunks + 1} (at byte ${fmt(this.input.at + p)})`;
      this.checkHeader(type, length, where);
      if (type >= 0x80 && type !== 0xff) {
        // Padding or reserved skippable: passed over without being held.
        this.chunks++;
        this.skipping = length;
        p += 4;
        continue;
      }
      if (buf.length - p - 4 < length) {
        need = 4 + length;
        break;
      }
      const body = buf.subarray(p + 4, p + 4 + length);
      if (type === 0xff) {
        if (!body.equals(STREAM_IDENTIFIER.subarray(4)))
          throw new SnappyError(`${where} is a stream identifier that does not read "sNaPpY"`);
      } else out.push(this.data(type, body, where));
      this.chunks++;
      p += 4 + length;
    }
    this.input.keep(buf, p, need);
    return out;
  }

  /** The body's end: throws unless it ended between chunks, after the stream identifier. */
  end(): void {
    if (this.chunks === 0 && this.input.length === 0)
      throw new SnappyError(
        'the body is empty: the framed format starts with its stream identifier',
      );
    if (this.skipping > 0 || this.input.length > 0)
      throw new SnappyError(
        `the body ends inside chunk ${this.chunks + (this.skipping > 0 ? 0 : 1)}, after ${fmt(this.input.at + this.input.length)} bytes`,
      );
  }

  /** Refuses, from its header alone, a chunk no valid body has. */
  private checkHeader(type: number, length: number, where: string): void {
    if (this.chunks === 0 && type !== 0xff)
      throw new SnappyError(
        `the body does not start with the framed format's stream identifier (chunk type 0xff, "sNaPpY") but with chunk type ${hex(type, 2)}`,
      );
    if (type === 0xff && length !== 6)
      throw new SnappyError(
        `${where} is a stream identifier of ${fmt(length)} bytes; it has 6 ("sNaPpY")`,
      );
    if (type >= 0x02 && type <= 0x7f)
      throw new SnappyError(
        `${where} has the reserved type ${hex(type, 2)}, which a reader must not skip`,
      );
    if ((type === 0x00 || type === 0x01) && length < CHECKSUM)
      throw new SnappyError(
        `${where} has ${length} bytes, too few for the checksum its data starts with`,
      );
    if (type === 0x00 && length > CHECKSUM + COMPRESSED_MAX)
      throw new SnappyError(
        `${where} has ${fmt(length - CHECKSUM)} bytes of compressed data; ${fmt(CHUNK_DATA_MAX)} bytes (a chunk's most) compress to at most ${fmt(COMPRESSED_MAX)}`,
      );
    if (type === 0x01 && length > CHECKSUM + CHUNK_DATA_MAX)
      throw new SnappyError(
        `${where} has ${fmt(length - CHECKSUM)} bytes of uncompressed data; a chunk holds at most ${fmt(CHUNK_DATA_MAX)}`,
      );
  }

  /** A data chunk's decoded bytes, within the body's bounds and checked against its CRC. */
  private data(type: number, body: Buffer, where: string): Buffer {
    const stored = body.readUInt32LE(0);
    const payload = body.subarray(CHECKSUM);
    let length: number;
    let preamble = 0;
    if (type === 0x00) {
      try {
        ({ length, preamble } = blockLength(payload));
      } catch (err) {
        throw new SnappyError(`${where}: ${(err as Error).message}`);
      }
      if (length > CHUNK_DATA_MAX)
        throw new SnappyError(
          `${where} declares ${fmt(length)} decoded bytes; a chunk holds at most ${fmt(CHUNK_DATA_MAX)}`,
        );
    } else length = payload.length;
    if (this.made + length > this.bounds.maxOutput)
      throw new SnappyLimitError(
        'decompressed',
        `${where} takes the body past the limit of ${fmt(this.bounds.maxOutput)} decoded bytes`,
      );
    if (this.bounds.take && !this.bounds.take(length))
      throw new SnappyLimitError('held', `${where}'s ${fmt(length)} bytes cannot be held now`);
    let decoded: Buffer;
    if (type === 0x00) {
      decoded = Buffer.allocUnsafe(length);
      try {
        decodeElements(payload, preamble, decoded);
      } catch (err) {
        throw new SnappyError(`${where}: ${(err as Error).message}`);
      }
    } else decoded = Buffer.from(payload);
    const actual = maskCrc32c(crc32c(decoded));
    if (actual !== stored)
      throw new SnappyError(
        `${where} stores the checksum ${hex(stored, 8)}, but its data's is ${hex(actual, 8)}`,
      );
    this.made += length;
    return decoded;
  }
}
