// zstd bodies decoded off the main thread. fzstd is pure JavaScript: on the thread that reads
// every Sentry envelope and OTLP body, one malformed body could hold all ingest for 250 ms a
// block and about a second a body (zstd.ts's time budget). Here the main thread only follows the
// frame and block headers (zstd-frames.ts: it checks each frame's window against the body budget,
// which lives here, and refuses a frame before the thread decodes any of it, as before; 3 bytes a
// block, so even a 64 KiB chunk of one-byte blocks, 16,384 headers, took 2–12 ms here) and moves
// compressed chunks to a decoding thread and decoded ones back, each buffer transferred rather
// than copied.
//
// One thread by default, shared by every zstd body at once, a block of each in turn: on the two
// cores the tracker has, it leaves the other core to the main thread however many zstd bodies
// come, and a body whose client sends slowly holds none of the others up (a queue of bodies would
// wait behind it). The thread keeps the time budget itself (vm's timeout inside it, with the
// answers as before); should it, once started, still not answer pings for STALL_MS, it is
// terminated. A thread that stops (terminated, or crashed) fails the bodies it held with
// ZstdThreadError (a 503 to send again), and the next body starts a new one. An idle thread
// holds no reference on the event loop and ends after IDLE_MS.
import { Duplex } from 'node:stream';
import type { Worker } from 'node:worker_threads';
import { startWorkerScript } from '../worker-script';
import { createFrameCheck, type ZstdBounds, ZstdLimitError, ZstdStarvedError } from './zstd';
import { type ZstdFrame, ZstdFrameScanner } from './zstd-frames';
import type { FromZstdThread, ToZstdThread } from './zstd-worker-protocol';

/** A decoding thread stopped before the body was read: nothing wrong with the body. */
export class ZstdThreadError extends Error {
  override readonly name = 'ZstdThreadError';
}

/** What a thread's refusal of a body is on this side. */
export function refusal(m: Extract<FromZstdThread, { t: 'error' }>): Error {
  if (m.limit) return new ZstdLimitError(m.limit);
  if (m.starved) return new ZstdStarvedError(m.message); // the machine's: to be sent again
  return new Error(m.message); // names what is wrong with the body
}

/** A thread busy decoding answers a ping within a block's time (250 ms); this is far past it. */
export const STALL_MS = 5_000;
/** How long a thread with no body waits for the next before it ends. */
export const IDLE_MS = 30_000;

/** The main thread's end of one body: what the thread says of it. */
interface BodyEnd {
  data(data: Uint8Array): void;
  done(): void;
  ended(): void;
  failed(err: Error): void;
}

class DecodingThread {
  readonly worker = startWorkerScript(__dirname, 'zstd-worker-thread');
  readonly bodies = new Map<number, BodyEnd>();
  /** Why it stopped; undefined while it runs. */
  stopped: Error | undefined;
  /**
   * When it was last heard from; undefined until its first word, once its script is loaded. A
   * thread still starting is not stalled: on a loaded machine its start alone took over 100 ms.
   */
  private heard: number | undefined;
  private watch: NodeJS.Timeout | undefined;
  private idle: NodeJS.Timeout | undefined;

  constructor(
    private readonly options: { readonly stallMs: number; readonly idleMs: number },
    private readonly onStop: (thread: DecodingThread) => void,
  ) {
    this.worker.unref();
    let crash: Error | undefined;
    this.worker.on('message', (m: FromZstdThread) => {
      this.heard = performance.now();
      if (m.t === 'pong') return;
      const body = this.bodies.get(m.id);
      if (!body) return;
      if (m.t === 'data') body.data(m.data);
      else if (m.t === 'done') body.done();
      else if (m.t === 'ended') body.ended();
      else body.failed(refusal(m));
    });
    this.worker.on('error', (err) => (crash = err));
    this.worker.on('exit', () =>
      this.stop(
        new ZstdThreadError(
          `the zstd decoding thread stopped${crash ? ` (${crash.message})` : ''} before the body was read; send it again`,
        ),
      ),
    );
  }

  post(m: ToZstdThread, transfer?: ArrayBuffer[]): void {
    if (!this.stopped) this.worker.postMessage(m, transfer);
  }

  add(id: number, body: BodyEnd): void {
    this.bodies.set(id, body);
    clearTimeout(this.idle);
    if (this.bodies.size > 1) return;
    // Held open while it decodes, as a request's socket is.
    this.worker.ref();
    if (this.heard !== undefined) this.heard = performance.now();
    this.watch = setInterval(
      () => {
        if (this.heard === undefined) return; // starting: a failed start is an 'exit'
        const silent = performance.now() - this.heard;
        if (silent <= this.options.stallMs) return this.post({ t: 'ping' });
        void this.end(
          new ZstdThreadError(
            `the zstd decoding thread did not answer for ${Math.round(silent)} ms and was stopped before the body was read; send it again`,
          ),
        );
      },
      Math.min(1_000, this.options.stallMs / 2),
    );
    this.watch.unref();
  }

  remove(id: number): void {
    if (!this.bodies.delete(id) || this.bodies.size > 0 || this.stopped) return;
    clearInterval(this.watch);
    this.worker.unref();
    this.idle = setTimeout(() => void this.end(new Error('idle')), this.options.idleMs);
    this.idle.unref();
  }

  /** Terminates the thread; the bodies it holds fail with `why`. */
  async end(why: Error): Promise<void> {
    this.stop(why);
    await this.worker.terminate();
  }

  private stop(why: Error): void {
    if (this.stopped) return;
    this.stopped = why;
    clearInterval(this.watch);
    clearTimeout(this.idle);
    this.onStop(this);
    const bodies = [...this.bodies.values()];
    this.bodies.clear();
    for (const body of bodies) body.failed(why);
  }
}

/** One body on its way through a thread: compressed bytes written, decompressed bytes read. */
class ZstdThreadStream extends Duplex {
  private readonly scanner = new ZstdFrameScanner();
  private readonly check: (frame: ZstdFrame) => void;
  /** The write (or the end) the thread has not finished. */
  private waiting: ((err?: Error | null) => void) | undefined;
  /** Output read here and not yet told to the thread: the reader was full. */
  private withheld = 0;
  /** Whether the thread holds nothing more of this body. */
  private over = false;

  constructor(
    private readonly thread: DecodingThread,
    private readonly id: number,
    bounds: ZstdBounds,
  ) {
    super();
    this.check = createFrameCheck(bounds);
    thread.add(id, {
      data: (data) => {
        if (this.push(Buffer.from(data.buffer, data.byteOffset, data.byteLength)))
          thread.post({ t: 'credit', id, bytes: data.byteLength });
        else this.withheld += data.byteLength;
      },
      done: () => this.answered(),
      ended: () => {
        this.over = true;
        this.push(null);
        this.answered();
      },
      failed: (err) => {
        this.over = true;
        this.answered(err);
        if (!this.destroyed) this.destroy(err);
      },
    });
    thread.post({
      t: 'start',
      id,
      maxOutput: bounds.maxOutput,
      ...(bounds.budget ? { budget: bounds.budget } : {}),
    });
  }

  private answered(err?: Error): void {
    const callback = this.waiting;
    this.waiting = undefined;
    callback?.(err);
  }

  override _write(
    chunk: Buffer,
    _encoding: BufferEncoding,
    callback: (err?: Error | null) => void,
  ) {
    try {
      // Headers only: a frame the body may not have is refused before the thread decodes it.
      this.scanner.feed(chunk, { frame: this.check });
    } catch (err) {
      return callback(err as Error);
    }
    // Copied once (a socket's chunk may share its memory with others), then moved.
    const data = new Uint8Array(chunk);
    this.waiting = callback;
    this.thread.post({ t: 'chunk', id: this.id, data }, [data.buffer]);
  }

  override _final(callback: (err?: Error | null) => void) {
    try {
      this.scanner.end();
    } catch (err) {
      return callback(err as Error);
    }
    this.waiting = callback;
    this.thread.post({ t: 'end', id: this.id });
  }

  override _read() {
    if (this.withheld === 0) return;
    this.thread.post({ t: 'credit', id: this.id, bytes: this.withheld });
    this.withheld = 0;
  }

  override _destroy(err: Error | null, callback: (err?: Error | null) => void) {
    if (!this.over) this.thread.post({ t: 'drop', id: this.id });
    this.over = true;
    this.thread.remove(this.id);
    callback(err);
  }
}

/**
 * Up to `threads` decoding threads; each body goes to the one holding the fewest. `stallMs` and
 * `idleMs` are STALL_MS and IDLE_MS unless given (tests give less).
 */
export class ZstdThreads {
  private readonly live: DecodingThread[] = [];
  private next = 0;

  constructor(
    private readonly options: {
      readonly threads?: number;
      readonly stallMs?: number;
      readonly idleMs?: number;
    } = {},
  ) {}

  /** A stream that decompresses zstd on a decoding thread; its errors are createZstdDecoder's, or ZstdThreadError. */
  decompress(bounds: ZstdBounds): Duplex {
    let thread = this.live.reduce<DecodingThread | undefined>(
      (least, t) => (!least || t.bodies.size < least.bodies.size ? t : least),
      undefined,
    );
    if (!thread || (thread.bodies.size > 0 && this.live.length < (this.options.threads ?? 1))) {
      thread = new DecodingThread(
        { stallMs: this.options.stallMs ?? STALL_MS, idleMs: this.options.idleMs ?? IDLE_MS },
        (stopped) => this.live.splice(this.live.indexOf(stopped), 1),
      );
      this.live.push(thread);
    }
    return new ZstdThreadStream(thread, this.next++, bounds);
  }

  /** The running threads (for tests, which stop one as a crash would). */
  get workers(): readonly Worker[] {
    return this.live.map((t) => t.worker);
  }

  /** Bodies being decoded now. */
  get bodies(): number {
    return this.live.reduce((n, t) => n + t.bodies.size, 0);
  }

  /** Ends every thread; the bodies they hold fail with ZstdThreadError. */
  async close(): Promise<void> {
    await Promise.all(
      this.live.map((t) =>
        t.end(
          new ZstdThreadError('the zstd decoding threads were closed before the body was read'),
        ),
      ),
    );
  }
}

/** Ingest's threads (readBody): started with the first zstd body. */
export const zstdThreads = new ZstdThreads();
