// `npm run bench:lz4`: what it costs the LZ4 frame reader that a body arrives in a socket's
// 64 KiB chunks rather than in one write, on the body that costs it most: 4 MiB blocks that did
// not compress (stored), as pierrec/lz4's Writer sends noise or media. A block is whole only
// after 64 chunks; each write is timed against one write of the whole body, alternated, in one
// run. Before pending-input.ts the bytes not yet whole were joined again at every chunk.
import { randomFillSync } from 'node:crypto';
import { Lz4FrameReader } from '../ingest/lz4-frame';

const BLOCK = 4 * 1024 * 1024;
const BLOCKS = Number(process.env.BENCH_BLOCKS ?? 4);
const CHUNK = 64 * 1024;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 15);

/**
 * One frame: FLG 0x60 BD 0x70 (independent 4 MiB blocks, no checksums; HC 0x73, as the lz4 CLI
 * wrote it), stored blocks, the EndMark.
 */
function body(): Buffer {
  const size = Buffer.alloc(4);
  size.writeUInt32LE((0x80000000 | BLOCK) >>> 0);
  const parts = [Buffer.from('04224d18607073', 'hex')];
  for (let i = 0; i < BLOCKS; i++) parts.push(size, randomFillSync(Buffer.alloc(BLOCK)));
  return Buffer.concat([...parts, Buffer.alloc(4)]);
}

function decodeMs(frame: Buffer, chunk: number): number {
  const reader = new Lz4FrameReader({ maxOutput: 100 * 1024 * 1024 });
  const t0 = process.hrtime.bigint();
  let out = 0;
  for (let at = 0; at < frame.length; at += chunk)
    for (const b of reader.write(frame.subarray(at, at + chunk))) out += b.length;
  reader.end();
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (out !== BLOCKS * BLOCK) throw new Error(`decoded ${out} bytes, not ${BLOCKS * BLOCK}`);
  return ms;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

function main() {
  const frame = body();
  decodeMs(frame, frame.length); // warm-up
  decodeMs(frame, CHUNK);
  const whole: number[] = [];
  const chunked: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    whole.push(decodeMs(frame, frame.length));
    chunked.push(decodeMs(frame, CHUNK));
  }
  const [w, c] = [median(whole), median(chunked)];
  console.log(
    `lz4 frame of ${BLOCKS} stored 4 MiB blocks (${(frame.length / 1e6).toFixed(1)} MB), median of ${ROUNDS} alternated rounds:`,
  );
  console.log(`  one write        ${w.toFixed(2)} ms`);
  console.log(`  64 KiB writes    ${c.toFixed(2)} ms   (${(c / w).toFixed(2)}× one write)`);
}

main();
