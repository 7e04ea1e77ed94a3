// threadCpuMs is the calling thread's own CPU time: it grows while the thread computes, not
// while it waits, and not while another thread of the process computes (as process.cpuUsage()
// would).
import { once } from 'node:events';
import type { Worker } from 'node:worker_threads';
import { startWorkerScript } from '../worker-script';
import { threadCpuMs } from './thread-cpu';

/** This thread's clock, which must answer on Linux (where the tracker runs). */
const clock = (): number => {
  const ms = threadCpuMs();
  if (ms === undefined) throw new Error('threadCpuMs() gave no time: /proc/thread-self/schedstat');
  return ms;
};

/** Computes until this thread's clock has gained `ms` (10 s of wall time at most). */
function burn(ms: number): void {
  const from = clock();
  for (const deadline = Date.now() + 10_000; clock() - from < ms;) {
    if (Date.now() > deadline) throw new Error(`the clock did not gain ${ms} ms in 10 s`);
    for (let i = 0, x = 0; i < 100_000; i++) x += Math.sqrt(i + x);
  }
}

it('grows while the thread computes, and hardly while it waits', () => {
  const start = clock();
  burn(50);
  const burnt = clock();
  // Blocks the thread for 200 ms without running it.
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 200);
  const waited = clock() - burnt;
  expect(burnt - start).toBeGreaterThanOrEqual(50);
  expect(waited).toBeGreaterThanOrEqual(0);
  expect(waited).toBeLessThan(25);
});

describe('on a worker thread', () => {
  let worker: Worker;
  beforeAll(async () => {
    worker = startWorkerScript(__dirname, 'testdata/thread-cpu-probe');
    await ask(); // loaded
  });
  afterAll(() => worker.terminate());

  async function ask(): Promise<number> {
    worker.postMessage('time');
    const [ms] = (await once(worker, 'message')) as [number | undefined];
    if (ms === undefined) throw new Error('the worker’s threadCpuMs() gave no time');
    return ms;
  }

  it('counts that thread alone: not the CPU the main thread runs meanwhile', async () => {
    const before = await ask();
    burn(100);
    const after = await ask();
    // The worker answered one message in between: a millisecond or two of its own.
    expect(after - before).toBeGreaterThanOrEqual(0);
    expect(after - before).toBeLessThan(25);
  });
});
