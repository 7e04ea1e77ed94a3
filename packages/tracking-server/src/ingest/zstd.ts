// Content-Encoding zstd, decoded by fzstd (pure JavaScript, streaming) within bounds it does not
// keep itself. Its streaming decoder allocates whatever window a frame header names (up to
// 2 GB), shifts that whole window once a block (one-byte blocks at an 8 MiB window cost 0.1 ms
// each here), runs a corrupt block's sequences past the block's end without stopping (a 17-byte
// block ran 2 s), and skips the content checksum. So the frames are followed from their headers
// first (zstd-frames.ts): a window over RFC 9659's 8 MiB, a dictionary, or a declared size past
// the limit is refused before fzstd sees it, and the window is taken from the body's share of
// memory. fzstd is then given a block at a time, each call timed (vm's timeout stops it), its
// output stops at the limit inside the block that crosses it, and each frame's checksum is
// checked (xxh64.ts). Ingest runs this decoder on a worker thread (zstd-worker.ts), never on the
// thread that reads every request.
import { Transform, type TransformCallback } from 'node:stream';
import { createContext, Script } from 'node:vm';
import { Decompress } from 'fzstd';
import { threadCpuMs } from './thread-cpu';
import { Xxh64 } from './xxh64';
import { type ZstdEvents, type ZstdFrame, ZstdFrameScanner } from './zstd-frames';

/** The largest window the zstd content coding allows (RFC 9659): 8 MiB. */
export const WINDOW_MAX = 8 * 1024 * 1024;

/**
 * Time a body's decoding may take on its thread: 1 s, and 30 ms more for each MB it has
 * decompressed; a block at most 250 ms. Checked here, 100 MB of span JSON took 1.0 s (a 2 MiB
 * window, zstd -3) to 1.3 s (8 MiB, zstd -19, the Collector's window) with its checksum, about
 * 0.2 s of it the first 4 MB before the JIT warms; a block of 128 KiB takes a few ms.
 */
export const DECODE_BUDGET = { baseMs: 1000, perMbMs: 30, blockMs: 250 } as const;

/**
 * The budget is kept in wall time, which vm's timeout can stop. A budget that ran out while the
 * thread had a CPU for under this share of it was the machine's (loaded several times over), not
 * the body's: on 2 cores at a load of 9-18 a valid body's first block on a fresh thread took over
 * its 250 ms, and a 400 is a body an OTLP exporter drops. A body that had the CPU for its budget
 * is refused as before.
 */
export const STARVED_SHARE = 0.25;

/** The time budget ran out while the decoding thread hardly ran: nothing wrong with the body. */
export class ZstdStarvedError extends Error {
  override readonly name = 'ZstdStarvedError';
  /** `message` as `ran` writes it, or as it crossed from the decoding thread. */
  constructor(message: string) {
    super(message);
  }
  static ran(ranMs: number, wallMs: number): ZstdStarvedError {
    return new ZstdStarvedError(
      `the machine is busy: decoding ran ${Math.round(ranMs)} ms of the ${Math.round(wallMs)} ms it took; send it again`,
    );
  }
}

/** A bound the body crossed: its decompressed size, or the bytes held for bodies at once. */
export class ZstdLimitError extends Error {
  constructor(readonly limit: 'decompressed' | 'held') {
    super(limit === 'decompressed' ? 'over the decompressed limit' : 'over the bytes held at once');
    this.name = 'ZstdLimitError';
  }
}

export interface ZstdBounds {
  /** Bytes decompressed at most; the decoder stops inside the block that crosses it. */
  readonly maxOutput: number;
  /** Takes a frame's window from the body's share of memory; false refuses the body. */
  readonly takeWindow?: (bytes: number) => boolean;
  /** DECODE_BUDGET unless given (tests give less). */
  readonly budget?: { readonly baseMs: number; readonly perMbMs: number; readonly blockMs: number };
  /** CPU ms the decoding thread has run (threadCpuMs unless given: tests give their own). */
  readonly cpuClock?: () => number | undefined;
}

// One context, and one compiled call, for every body: runInContext's timeout stops whatever
// JavaScript runs inside the call, fzstd's loops included, and throws here.
const guard = createContext({ run: undefined as (() => void) | undefined });
const callRun = new Script('run()');

function timed(run: () => void, ms: number): void {
  guard.run = run;
  try {
    callRun.runInContext(guard, { timeout: Math.max(1, Math.floor(ms)) });
  } finally {
    guard.run = undefined;
  }
}

const isTimeout = (err: unknown) =>
  (err as { code?: unknown } | null)?.code === 'ERR_SCRIPT_EXECUTION_TIMEOUT';

/** fzstd's own errors carry a numeric code (ZstdErrorCode); anything else it threw is corrupt data. */
const fzstdError = (err: unknown): Error =>
  err instanceof Error && typeof (err as { code?: unknown }).code === 'number'
    ? err
    : new Error('invalid zstd data', { cause: err });

const mib = (bytes: number) =>
  Number.isFinite(bytes) ? `${+(bytes / 1048576).toFixed(2)} MiB` : 'over 2^53 bytes';

/** What was decoded of a frame, and the checksum it stores, to be compared once both are known. */
interface FrameContent {
  /** 1 for the body's first frame. */
  readonly n: number;
  /** Undefined for a frame that stores no checksum. */
  readonly hash: Xxh64 | undefined;
  blocks: number;
  ended: boolean;
  decoded: number;
  stored?: number;
  made?: number;
}

/** A frame whose content does not hash to the checksum it stores. */
class ChecksumMismatch extends Error {}

const hex32 = (v: number) => v.toString(16).padStart(8, '0');

/**
 * Checks each frame header against `bounds` before any of the frame is decoded: its window (RFC
 * 9659's 8 MiB), a dictionary, the sizes the frames declare together, and the window taken from
 * the body's share of memory (`takeWindow`). Throws what it refuses.
 */
export function createFrameCheck(bounds: ZstdBounds): (frame: ZstdFrame) => void {
  let declared = 0;
  let windowHeld = 0;
  return (frame) => {
    if (frame.window > WINDOW_MAX)
      throw new Error(
        `a frame needs a window of ${mib(frame.window)}; the zstd content coding allows at most 8 MiB (RFC 9659)`,
      );
    if (frame.dictionaryId !== 0)
      throw new Error(
        `a frame needs zstd dictionary ${frame.dictionaryId}, which is not known here`,
      );
    declared += frame.contentSize ?? 0;
    if (declared > bounds.maxOutput) throw new ZstdLimitError('decompressed');
    // fzstd keeps one window at a time: the largest is what the body holds.
    if (frame.window > windowHeld) {
      if (bounds.takeWindow && !bounds.takeWindow(frame.window - windowHeld))
        throw new ZstdLimitError('held');
      windowHeld = frame.window;
    }
  };
}

/** A zstd body decoded as it arrives, in the thread that calls it. */
export interface ZstdDecoder {
  /**
   * Decodes `chunk`: every frame and block header in it is read (and checked) first, then fzstd
   * is given a block at a time, and each step yields what that block made. A caller may stop
   * between steps (the body refused meanwhile) or wait (its reader full).
   */
  write(chunk: Uint8Array): Generator<Uint8Array[], void, void>;
  /** The body's end: throws if it stopped inside a frame; gives what fzstd still held. */
  end(): Uint8Array[];
}

/**
 * A zstd decoder within `bounds`. Its errors: ZstdLimitError for a bound of `bounds`; any other
 * Error names what is wrong with the body (a broken frame, a window or dictionary not read, a
 * checksum that does not match, a decoding that ran past its time).
 */
export function createZstdDecoder(bounds: ZstdBounds): ZstdDecoder {
  const scanner = new ZstdFrameScanner();
  const budget = bounds.budget ?? DECODE_BUDGET;
  const cpuClock = bounds.cpuClock ?? threadCpuMs;
  const check = createFrameCheck(bounds);
  let out = 0;
  let spentMs = 0;
  /** CPU ms of spentMs the thread ran; undefined once the clock did not answer. */
  let ranMs: number | undefined = 0;
  let frames = 0;
  let blocks: Uint8Array[] = [];
  /** Frames read by the scanner that fzstd has not finished, oldest at `head`. */
  const decoding: FrameContent[] = [];
  let head = 0;
  /** The frame the scanner read last: its blocks and checksum come next. */
  let tail: FrameContent | undefined;

  const compare = (f: FrameContent) => {
    if (f.stored !== undefined && f.made !== undefined && f.stored !== f.made)
      throw new ChecksumMismatch(
        `frame ${f.n} stores the checksum ${hex32(f.stored)}, but its content hashes to ${hex32(f.made)}`,
      );
  };

  const decoder = new Decompress((block, final) => {
    if (final) return; // the stream's end, not a block
    out += block.length;
    // Thrown out of fzstd's push: the rest of the block, and of the body, is never made.
    if (out > bounds.maxOutput) throw new ZstdLimitError('decompressed');
    // fzstd calls this once a block, in the order the scanner read them.
    const f = decoding[head];
    if (!f) throw new Error('invalid zstd data');
    f.hash?.update(block);
    // Its last block's header was read before fzstd had that block's bytes.
    if (++f.decoded === f.blocks && f.ended) {
      f.made = f.hash?.low32();
      compare(f);
      if (++head === decoding.length) decoding.length = head = 0;
    }
    blocks.push(block);
  });

  /** Where the blocks of the chunk being read end. */
  const blockEnds: number[] = [];
  const events: ZstdEvents = {
    frame(frame: ZstdFrame) {
      check(frame);
      tail = {
        n: ++frames,
        hash: frame.checksum ? new Xxh64() : undefined,
        blocks: 0,
        ended: false,
        decoded: 0,
      };
      decoding.push(tail);
    },
    block(last) {
      tail!.blocks++;
      if (last) tail!.ended = true;
    },
    blockEnd(offset) {
      blockEnds.push(offset);
    },
    checksum(value) {
      tail!.stored = value;
      compare(tail!);
    },
  };

  /** The CPU ms the thread ran since `from`, when the clock answers both times. */
  const ranSince = (from: number | undefined) => {
    const now = from === undefined ? undefined : cpuClock();
    return now === undefined || from === undefined ? undefined : now - from;
  };
  /** A budget spent (`wallMs`) with the thread running `ran` of it: whose fault it was. */
  const outOfTime = (ran: number | undefined, wallMs: number, refusal: string) =>
    ran !== undefined && ran < wallMs * STARVED_SHARE
      ? ZstdStarvedError.ran(ran, wallMs)
      : new Error(refusal);

  /** Gives fzstd `chunk`, which completes one block at most: each call is timed alone. */
  const decode = (chunk: Uint8Array, final: boolean): Uint8Array[] => {
    const allowedMs = budget.baseMs + (budget.perMbMs * out) / 1e6;
    const bodyRefusal = () =>
      `decoding took over ${Math.round(allowedMs)} ms, the time ${out} bytes out are allowed`;
    if (spentMs >= allowedMs) throw outOfTime(ranMs, spentMs, bodyRefusal());
    const timeout = Math.min(budget.blockMs, allowedMs - spentMs);
    const cpuAtStart = cpuClock();
    const started = performance.now();
    let failed = false;
    let failure: unknown;
    try {
      timed(() => decoder.push(chunk, final), timeout);
    } catch (err) {
      [failed, failure] = [true, err];
    }
    const wallMs = performance.now() - started;
    const callRanMs = ranSince(cpuAtStart);
    spentMs += wallMs;
    ranMs = ranMs === undefined || callRanMs === undefined ? undefined : ranMs + callRanMs;
    if (failed) {
      if (failure instanceof ZstdLimitError || failure instanceof ChecksumMismatch) throw failure;
      if (!isTimeout(failure)) throw fzstdError(failure);
      // A block's own time, or what was left of the body's.
      throw timeout === budget.blockMs
        ? outOfTime(
            callRanMs,
            wallMs,
            `decoding one block took over ${timeout} ms, the time a block is allowed`,
          )
        : outOfTime(ranMs, spentMs, bodyRefusal());
    }
    const made = blocks;
    blocks = [];
    return made;
  };

  return {
    *write(chunk) {
      // Every header in the chunk is read before fzstd is given any of it, and then it is
      // given a block at a time.
      blockEnds.length = 0;
      scanner.feed(chunk, events);
      const ends = blockEnds.slice();
      let from = 0;
      for (const at of ends) {
        yield decode(chunk.subarray(from, at), false);
        from = at;
      }
      if (from < chunk.length) yield decode(chunk.subarray(from), false);
    },
    end() {
      scanner.end();
      return decode(new Uint8Array(0), true);
    },
  };
}

/**
 * A stream that decompresses zstd on the thread that reads it (ingest decodes on a worker
 * thread: zstd-worker.ts); its errors are createZstdDecoder's.
 */
export function createZstdDecompress(bounds: ZstdBounds): Transform {
  const decoder = createZstdDecoder(bounds);

  function emit(stream: Transform, made: Uint8Array[]) {
    for (const b of made)
      if (b.length > 0) stream.push(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
  }

  return new Transform({
    transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback) {
      try {
        for (const made of decoder.write(chunk)) {
          emit(this, made);
          // Refused by the reader meanwhile (the bodies held at once): decode no further.
          if (this.destroyed) return done();
        }
        done();
      } catch (err) {
        done(err as Error);
      }
    },
    flush(done: TransformCallback) {
      try {
        emit(this, decoder.end());
        done();
      } catch (err) {
        done(err as Error);
      }
    },
  });
}
