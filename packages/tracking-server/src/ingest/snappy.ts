// Content-Encoding `snappy` and `x-snappy-framed` (OTLP only), as the OpenTelemetry Collector's
// otlphttp exporter sends them (confighttp). It compresses with github.com/golang/snappy:
// - `x-snappy-framed`: the framed format (snappy.NewBufferedWriter), the name
//   framing_format.txt recommends for HTTP.
// - `snappy`: the block format (snappy.Encode of the whole body, confighttp's rawSnappyWriter)
//   since the feature gate `confighttp.framedSnappy` (registered in v0.125.0, changelog of
//   v0.126.0) went to beta, on by default, in v0.131.0 (removed as stable in v0.155.0); before,
//   `snappy` bodies were framed (compressor.go: NewBufferedWriter for TypeSnappy). The
//   Collector's own receiver tells them apart by the first 10 bytes (compression.go,
//   snappyHandler: framed when they are the stream identifier, else a block), and so does this
//   one. No block starts with them: 0xff 0x06 declares 895 bytes, then a 1-byte literal, and
//   0x73 is a copy whose 4-byte offset (0x7050614e) reaches before the start.
// Both decoders are ours (snappy-block.ts, snappy-framed.ts; no pure-JS package reads both with
// bounds). Decoding is synchronous, on the thread that reads requests, and linear in input and
// output: unlike zstd's (zstd-worker.ts), no body can make it run on. Measured here (CPU time,
// 2026-12-03, on a machine under other tests' load) on what a 20 MB body (the compressed limit)
// can hold: 10 M 1-byte literals (20 MB, the most elements) 37-40 ms; 7 M 1-byte copies
// 31-32 ms; a block that decodes to the 100 MB limit, the longest: of span JSON (15.8 MB as
// golang/snappy wrote it) 175-195 ms, of 64-byte copies (4.9 MB) 150-210 ms. A block is decoded
// once its body has ended, in one go; framed, the same 100 MB of JSON (1,526 chunks, each
// CRC-32C checked) took 270-305 ms, a chunk at a time as the body arrives. JSON.parse of those
// 100 MB, which follows on the same thread, took 1.2-1.4 s.
import { Transform, type TransformCallback } from 'node:stream';
import { decodeSnappyBlock, type SnappyBounds, SnappyLimitError } from './snappy-block';
import { SnappyFramedReader, STREAM_IDENTIFIER } from './snappy-framed';

export { SnappyError, SnappyLimitError, type SnappyBounds } from './snappy-block';
export { STREAM_IDENTIFIER } from './snappy-framed';

/** How a body is read: `framed` (x-snappy-framed), or `auto` (snappy: framed or a block). */
export type SnappyFraming = 'framed' | 'auto';

const fmt = (n: number) => n.toLocaleString('en-US');

/**
 * A stream decoding a snappy body within `bounds`, whose `take` it calls for all it holds: a
 * block's compressed bytes as they arrive and its output before allocating it, each framed
 * chunk's output before decoding it. Its errors: SnappyLimitError for a bound, SnappyError
 * naming what is wrong with the body.
 */
export class SnappyDecompress extends Transform {
  private mode: 'undecided' | 'framed' | 'block';
  private readonly framed: SnappyFramedReader;
  /** The bytes of a block, or the first few of an `auto` body (before it is told apart). */
  private parts: Buffer[] = [];
  private held = 0;

  constructor(
    private readonly bounds: SnappyBounds,
    framing: SnappyFraming,
  ) {
    super();
    this.mode = framing === 'framed' ? 'framed' : 'undecided';
    this.framed = new SnappyFramedReader(bounds);
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    try {
      this.accept(chunk);
      done();
    } catch (err) {
      done(err as Error);
    }
  }

  override _flush(done: TransformCallback): void {
    try {
      if (this.mode === 'undecided') this.decide();
      if (this.mode === 'framed') this.framed.end();
      else {
        const block = this.parts.length === 1 ? this.parts[0]! : Buffer.concat(this.parts);
        this.parts = [];
        const out = decodeSnappyBlock(block, this.bounds);
        if (out.length > 0) this.push(out);
      }
      done();
    } catch (err) {
      done(err as Error);
    }
  }

  private accept(chunk: Buffer): void {
    if (this.mode === 'framed') {
      for (const out of this.framed.write(chunk)) this.push(out);
      return;
    }
    if (this.mode === 'block' && this.bounds.take && !this.bounds.take(chunk.length))
      throw new SnappyLimitError(
        'held',
        `the block's ${fmt(this.held + chunk.length)} compressed bytes cannot be held now`,
      );
    this.held += chunk.length;
    this.parts.push(chunk);
    if (this.mode === 'undecided' && this.held >= STREAM_IDENTIFIER.length) this.decide();
  }

  /** Framed when the body starts with the stream identifier, else a block (as the Collector). */
  private decide(): void {
    const head = Buffer.concat(this.parts);
    this.parts = [];
    this.held = 0;
    const framed =
      head.length >= STREAM_IDENTIFIER.length &&
      head.subarray(0, STREAM_IDENTIFIER.length).equals(STREAM_IDENTIFIER);
    this.mode = framed ? 'framed' : 'block';
    this.accept(head);
  }
}
