// zstd bodies decoded on a thread (zstd-worker.ts): the output comes back no faster than it is
// read, bodies share the thread rather than wait for each other, a thread that does not answer
// is stopped, and an idle one ends.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';
import { ZstdLimitError } from './zstd';
import { ZstdThreadError, ZstdThreads } from './zstd-worker';
import { LIFTED_BUDGET, slowZstdBlock } from './testdata/coded-bodies';

const fixture = (name: string) => readFileSync(join(__dirname, 'testdata', 'zstd', name));
const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const MB = 1024 * 1024;
/**
 * Bounds of `maxOutput` bytes, the time budget lifted (zstd.test.ts tests it; these tests decode
 * bodies for their bytes, flow and threads, and the stop of a thread that holds its block).
 */
const upTo = (maxOutput: number) => ({ maxOutput, budget: LIFTED_BUDGET });

const threads: ZstdThreads[] = [];
const pool = (options: ConstructorParameters<typeof ZstdThreads>[0] = {}) => {
  const p = new ZstdThreads(options);
  threads.push(p);
  return p;
};

afterAll(() => Promise.all(threads.map((p) => p.close())));

/** Everything `stream` gives, or its error, once `chunks` are written to it. */
function decode(stream: Duplex, chunks: Buffer[], end = true): Promise<Buffer | Error> {
  const out: Buffer[] = [];
  const result = new Promise<Buffer | Error>((resolve) => {
    stream.on('data', (b: Buffer) => out.push(b));
    stream.on('end', () => resolve(Buffer.concat(out)));
    stream.on('error', resolve);
  });
  for (const c of chunks) stream.write(c);
  if (end) stream.end();
  return result;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Waits until `met()`, 20 s at most (a loaded machine needs seconds): unbounded, a wait the
 * test's timeout ended went on polling, and jest never exited.
 */
const until = async (met: () => boolean) => {
  for (const deadline = Date.now() + 20_000; !met(); await sleep(50))
    if (Date.now() > deadline) throw new Error('not met within 20 s');
};

/** `value()` once it has not changed for three looks 200 ms apart. */
const settle = async (value: () => number) => {
  let [last, same] = [value(), 0];
  while (same < 3) {
    await sleep(200);
    same = value() === last ? same + 1 : 0;
    last = value();
  }
  return last;
};

it('reads a body to the bytes the zstd CLI compressed, on a thread', async () => {
  const zstd = pool();
  const got = await decode(zstd.decompress(upTo(100 * MB)), [fixture('batch.json.zst')]);
  // Its length and sha256 as testdata/zstd/README.md gives them.
  expect(got instanceof Error ? got : [got.length, sha256(got)]).toEqual([
    390586,
    '6295c05b8553bd448cccc820be07118953c5812376c99e09d7705d8666896ccc',
  ]);
  expect(zstd.workers).toHaveLength(1);
  expect(zstd.bodies).toBe(0);
});

it('sends output no faster than it is read: 1 MiB and a block ahead of the reader at most', async () => {
  const zstd = pool();
  const stream = zstd.decompress(upTo(10 * MB + 1));
  const failed = new Promise<Error>((resolve) => stream.on('error', resolve));
  stream.write(fixture('zeros-1gib.zst'));
  stream.end();
  // Not read: what the thread sent waits in the stream.
  await until(() => stream.readableLength > 0);
  expect(await settle(() => stream.readableLength)).toBeLessThanOrEqual(MB + 128 * 1024);
  // Read, the rest comes: 80 blocks of 128 KiB are 10 MiB; the 81st crosses the limit.
  let out = 0;
  stream.on('data', (b: Buffer) => (out += b.length));
  expect([await failed, out]).toEqual([new ZstdLimitError('decompressed'), 10 * MB]);
});

it('decodes a body while another one’s client has sent only part of it', async () => {
  const zstd = pool();
  const pb = fixture('traces.pb.zst');
  const waiting = zstd.decompress(upTo(100 * MB));
  const first = decode(waiting, [pb.subarray(0, 100)], false);
  const second = await decode(zstd.decompress(upTo(100 * MB)), [fixture('traces.json.zst')]);
  expect(second instanceof Error ? second : sha256(second)).toBe(sha256(fixture('traces.json')));
  expect([zstd.workers.length, zstd.bodies]).toEqual([1, 1]);
  waiting.end(pb.subarray(100));
  const got = await first;
  expect(got instanceof Error ? got : sha256(got)).toBe(sha256(fixture('traces.pb')));
});

it('stops a thread that does not answer, failing its body, and decodes the next on a new one', async () => {
  // The block whose sequences fzstd runs for 2 s. Its time budget is lifted here, so
  // the thread runs it through and goes silent; the thread is allowed 500 ms of silence.
  const slow = slowZstdBlock();
  const zstd = pool({ stallMs: 500 });
  await decode(zstd.decompress(upTo(MB)), [fixture('traces.pb.zst')]);
  const [stalled] = zstd.workers;
  const err = await decode(zstd.decompress(upTo(MB)), [slow]);
  expect(err).toBeInstanceOf(ZstdThreadError);
  expect((err as Error).message).toMatch(
    /^the zstd decoding thread did not answer for \d+ ms and was stopped before the body was read; send it again$/,
  );
  expect(zstd.workers).not.toContain(stalled);
  // The new thread's start, however slow, is not silence.
  const next = await decode(zstd.decompress(upTo(MB)), [fixture('traces.json.zst')]);
  expect(next instanceof Error ? next : sha256(next)).toBe(sha256(fixture('traces.json')));
});

it('ends a thread left idle, and starts another for the next body', async () => {
  const zstd = pool({ idleMs: 50 });
  await decode(zstd.decompress(upTo(MB)), [fixture('traces.pb.zst')]);
  expect(zstd.workers).toHaveLength(1);
  await until(() => zstd.workers.length === 0);
  const next = await decode(zstd.decompress(upTo(MB)), [fixture('traces.pb.zst')]);
  expect(next instanceof Error ? next : sha256(next)).toBe(sha256(fixture('traces.pb')));
});
