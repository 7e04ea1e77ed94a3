// A zstd body's time budget is wall time (vm's timeout stops a block); when it runs out while the
// decoding thread had a CPU for under a quarter of it, the machine was too busy, not the body too
// slow: the body is to be sent again (a 503, as for a thread that stopped), not refused with the
// 400 an OTLP exporter drops. The thread's CPU clock is given here: one that gains nothing (a
// thread that never ran) and one that keeps to wall time (a thread that ran throughout).
import type { FromZstdThread, ToZstdThread } from './zstd-worker-protocol';
import { serveZstd } from './zstd-worker-thread';
import { refusal } from './zstd-worker';
import { createZstdDecoder, ZstdLimitError, ZstdStarvedError } from './zstd';
import { codedFixture, slowZstdBlock } from './testdata/coded-bodies';

const MB = 1024 * 1024;
const neverRan = () => 0;
const ranThroughout = () => performance.now();
/** Each block 100 ms at most; the body 60 s. */
const BLOCK_100MS = { baseMs: 60_000, perMbMs: 0, blockMs: 100 };

/** What decoding `body` whole ends in: its error, or the bytes it made. */
function outcome(body: Uint8Array, bounds: Parameters<typeof createZstdDecoder>[0]) {
  const decoder = createZstdDecoder(bounds);
  try {
    let bytes = 0;
    for (const made of decoder.write(body)) for (const b of made) bytes += b.length;
    for (const b of decoder.end()) bytes += b.length;
    return bytes;
  } catch (err) {
    return err as Error;
  }
}

describe('a block past its time', () => {
  it('is the machine’s when the thread hardly ran: ZstdStarvedError, naming both times', () => {
    const err = outcome(slowZstdBlock(), {
      maxOutput: MB,
      budget: BLOCK_100MS,
      cpuClock: neverRan,
    });
    expect(err).toBeInstanceOf(ZstdStarvedError);
    expect((err as Error).message).toMatch(
      /^the machine is busy: decoding ran 0 ms of the \d{3,} ms it took; send it again$/,
    );
  });

  it('is the body’s when the thread ran throughout: refused as ever', () => {
    const err = outcome(slowZstdBlock(), {
      maxOutput: MB,
      budget: BLOCK_100MS,
      cpuClock: ranThroughout,
    });
    expect(err).not.toBeInstanceOf(ZstdStarvedError);
    expect((err as Error).message).toBe(
      'decoding one block took over 100 ms, the time a block is allowed',
    );
  });

  it('is the body’s where no CPU clock answers (not Linux): wall time alone, as before', () => {
    const err = outcome(slowZstdBlock(), {
      maxOutput: MB,
      budget: BLOCK_100MS,
      cpuClock: () => undefined,
    });
    expect((err as Error).message).toBe(
      'decoding one block took over 100 ms, the time a block is allowed',
    );
  });
});

describe('a body past its time, a few ms a block', () => {
  // 2,000 raw blocks of one byte behind an 8 MiB window: fzstd shifts the window for each.
  const blocks = Buffer.alloc(2_000 * 4);
  for (let i = 0; i < 2_000; i++) blocks.set([0x08 | (i === 1_999 ? 1 : 0), 0, 0, 0x61], i * 4);
  const body = Buffer.concat([Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0x00, 0x68]), blocks]);
  const BODY_20MS = { baseMs: 20, perMbMs: 0, blockMs: 60_000 };

  it('is the machine’s when the thread hardly ran', () => {
    const err = outcome(body, { maxOutput: MB, budget: BODY_20MS, cpuClock: neverRan });
    expect(err).toBeInstanceOf(ZstdStarvedError);
  });

  it('is the body’s when the thread ran throughout', () => {
    const err = outcome(body, { maxOutput: MB, budget: BODY_20MS, cpuClock: ranThroughout });
    expect((err as Error).message).toMatch(
      /^decoding took over 20 ms, the time \d+ bytes out are allowed$/,
    );
  });
});

it('decodes a body within its time whatever the clock says', () => {
  const pb = codedFixture('zstd', 'traces.pb.zst');
  const plain = codedFixture('zstd', 'traces.pb');
  for (const cpuClock of [neverRan, ranThroughout])
    expect(outcome(pb, { maxOutput: 100 * MB, cpuClock })).toBe(plain.length);
});

describe('on the decoding thread', () => {
  /** What the thread, its CPU clock `cpuClock`, refuses the slow block with. */
  async function refused(cpuClock: () => number) {
    const sent: FromZstdThread[] = [];
    let listener: ((m: ToZstdThread) => void) | undefined;
    serveZstd(
      { on: (_event, l) => (listener = l), postMessage: (m) => void sent.push(m) },
      cpuClock,
    );
    listener?.({ t: 'start', id: 7, maxOutput: MB, budget: BLOCK_100MS });
    listener?.({ t: 'chunk', id: 7, data: slowZstdBlock() });
    listener?.({ t: 'end', id: 7 });
    for (const deadline = Date.now() + 20_000; !sent.some((m) => m.t === 'error');) {
      if (Date.now() > deadline) throw new Error(`no refusal in 20 s: ${JSON.stringify(sent)}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    return sent.find((m) => m.t === 'error') as Extract<FromZstdThread, { t: 'error' }>;
  }

  it('says a starved body is to be sent again, and the main thread makes it a ZstdStarvedError', async () => {
    const m = await refused(neverRan);
    expect(m).toEqual({
      t: 'error',
      id: 7,
      message: expect.stringMatching(/^the machine is busy: decoding ran 0 ms of the \d+ ms/),
      starved: true,
    });
    // body.ts answers it 503 with Retry-After; the OTLP route counts it an overload, as it does a
    // full body budget, and logs no failure (a stopped thread is one: ZstdThreadError).
    const err = refusal(m);
    expect([err.constructor, err.message]).toEqual([ZstdStarvedError, m.message]);
  });

  it('refuses a body that had the CPU as before: a plain Error naming it', async () => {
    const m = await refused(ranThroughout);
    expect(m).toEqual({
      t: 'error',
      id: 7,
      message: 'decoding one block took over 100 ms, the time a block is allowed',
    });
    const err = refusal(m);
    expect([err.constructor, err.message]).toEqual([Error, m.message]);
  });

  it('keeps a limit a limit', () => {
    const err = refusal({ t: 'error', id: 1, message: 'over', limit: 'decompressed' });
    expect(err).toBeInstanceOf(ZstdLimitError);
  });
});
