// What crosses between the main thread and a zstd decoding thread (zstd-worker.ts and
// zstd-worker-thread.ts), and the figures both ends keep to. Bodies are numbered by the main
// thread; one thread decodes several at once, a block of each in turn.

/** A body's time budget, as ZstdBounds takes it. */
export interface DecodeBudget {
  readonly baseMs: number;
  readonly perMbMs: number;
  readonly blockMs: number;
}

/** The main thread's messages. */
export type ToZstdThread =
  | { t: 'start'; id: number; maxOutput: number; budget?: DecodeBudget }
  /** Compressed bytes, their buffer transferred; answered by `done` once decoded. */
  | { t: 'chunk'; id: number; data: Uint8Array }
  /** The body ended; answered by `ended` once the last output is sent. */
  | { t: 'end'; id: number }
  /** The main thread's reader took `bytes` of the body's output. */
  | { t: 'credit'; id: number; bytes: number }
  /** The body is no longer read (refused, its request gone): decode no more of it. */
  | { t: 'drop'; id: number }
  | { t: 'ping' };

/** The thread's messages. */
export type FromZstdThread =
  /** Decompressed bytes, their buffer transferred. */
  | { t: 'data'; id: number; data: Uint8Array }
  | { t: 'done'; id: number }
  | { t: 'ended'; id: number }
  /**
   * The body is refused: a bound it crossed (`limit`), what is wrong with it, or (`starved`) a
   * time budget that ran out while the thread hardly ran, nothing wrong with the body.
   */
  | { t: 'error'; id: number; message: string; limit?: 'decompressed' | 'held'; starved?: true }
  /** An answer to `ping`; also sent once, unasked, when the thread has started. */
  | { t: 'pong' };

/**
 * Output a body may have on its way to the main thread, not yet read there: the thread waits
 * past it. A few blocks of 128 KiB, so a 100 MB body is never held whole in messages.
 */
export const UNREAD_MAX = 1024 * 1024;

/** Output gathered before it is sent: one block of 128 KiB goes alone, small ones together. */
export const SEND_AT = 64 * 1024;
