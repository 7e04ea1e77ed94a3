// Content-Encoding `lz4` (OTLP only), as the OpenTelemetry Collector's otlphttp exporter sends
// it with `compression: lz4`: confighttp (compressor.go) compresses with
// github.com/pierrec/lz4/v4's Writer, lz4.NewWriter(nil) with ConcurrencyOption(1), which
// writes the LZ4 frame format (lz4-frame.ts) in independent 4 MB blocks with a content checksum;
// the Collector's own receiver reads it with lz4.NewReader (compression.go). The decoder is ours
// (lz4-block.ts, lz4-frame.ts, lz4-xxh32.ts): no pure-JS package reads frames with bounds.
// Decoding is synchronous, on the thread that reads requests, a block at a time as the body
// arrives, and linear in input and output: each block is measured before its output is
// allocated, and matches reach back at most 64 KB.
import { Transform, type TransformCallback } from 'node:stream';
import type { Lz4Bounds } from './lz4-block';
import { Lz4FrameReader } from './lz4-frame';

export { Lz4Error, Lz4LimitError, type Lz4Bounds } from './lz4-block';

/**
 * A stream decoding an LZ4 body within `bounds`, whose `take` it calls for each block's output
 * before allocating it. Its errors: Lz4LimitError for a bound, Lz4Error naming what is wrong.
 */
export class Lz4Decompress extends Transform {
  private readonly reader: Lz4FrameReader;

  constructor(bounds: Lz4Bounds) {
    super();
    this.reader = new Lz4FrameReader(bounds);
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    try {
      for (const out of this.reader.write(chunk)) this.push(out);
      done();
    } catch (err) {
      done(err as Error);
    }
  }

  override _flush(done: TransformCallback): void {
    try {
      this.reader.end();
      done();
    } catch (err) {
      done(err as Error);
    }
  }
}
