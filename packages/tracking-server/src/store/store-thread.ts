// A store thread — the writer (writer-thread.ts) or the reader (reader-thread.ts): a worker with
// its own connection to the database, which makes the main thread's calls on it one at a time,
// in order, and answers each. What crosses between the two, and both ends of it.
import { startWorkerScript } from '../worker-script';

/** What the main thread sends: a call and its arguments. */
export type ThreadRequest<Call extends string = string> = {
  id: number;
  call: Call;
  args: unknown[];
};
/** The call's answer, or what it threw: its message and the name of its class. */
export type ThreadReply = { id: number; result?: unknown; error?: string; errorClass?: string };

/**
 * An answer handed over rather than copied: its bytes' ArrayBuffer is moved to the main thread
 * (postMessage's transfer list), which receives the bytes as a Uint8Array, and this thread's
 * view of them is left empty. Any other answer is copied (structured clone), and unpacked on the
 * main thread.
 */
export class Handover {
  constructor(readonly bytes: Uint8Array<ArrayBuffer>) {}
}

/** The thread's end: makes each call on `calls`, one at a time, in order. */
export function serveCalls(
  calls: Readonly<Record<string, (...args: never[]) => unknown>>,
  main: {
    on(event: 'message', listener: (m: ThreadRequest) => void): unknown;
    postMessage(m: ThreadReply, transfer?: readonly ArrayBuffer[]): void;
  },
): void {
  main.on('message', (m) => {
    try {
      const result = (calls[m.call] as (...a: unknown[]) => unknown)(...m.args);
      if (result instanceof Handover)
        main.postMessage({ id: m.id, result: result.bytes }, [result.bytes.buffer]);
      else main.postMessage({ id: m.id, result });
    } catch (err) {
      main.postMessage(
        err instanceof Error
          ? { id: m.id, error: err.message, errorClass: err.constructor.name }
          : { id: m.id, error: String(err) },
      );
    }
  });
}

export interface StoreThread<Call extends string> {
  call<R>(name: Call, ...args: unknown[]): Promise<R>;
  /**
   * Why the thread died (every call after fails with this), or undefined while it runs or when
   * it ended because close() asked.
   */
  failure(): Error | undefined;
  /** Waits for `before` (what must be done first), makes the `close` call, ends the thread. */
  close(before?: () => Promise<void>): Promise<void>;
}

/**
 * The main thread's end of the thread `name` (a module next to this one). Should the thread die,
 * `onFailure` hears why, once. A call's error becomes `errorOf(reply)`.
 */
export function startStoreThread<Call extends string>(
  name: string,
  workerData: object,
  options: {
    /** What the thread is, for the errors its death gives: "the store writer thread". */
    readonly what: string;
    readonly errorOf: (reply: ThreadReply & { error: string }) => Error;
    readonly onFailure?: (err: Error) => void;
  },
): StoreThread<Call | 'close'> {
  const worker = startWorkerScript(__dirname, name, { workerData });
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  let next = 0;
  let failed: Error | undefined;
  /** `failed`, unless it was the thread's end that close() asked for. */
  let died: Error | undefined;
  let closing: Promise<void> | undefined;
  const failAll = (err: Error) => {
    if (!failed && !closing) options.onFailure?.((died = err));
    failed ??= err;
    for (const p of pending.values()) p.reject(err);
    pending.clear();
  };
  worker.on('message', (reply: ThreadReply) => {
    const p = pending.get(reply.id);
    if (!p) return;
    pending.delete(reply.id);
    if (reply.error !== undefined) p.reject(options.errorOf({ ...reply, error: reply.error }));
    else p.resolve(reply.result);
  });
  worker.on('error', (err) =>
    failAll(new Error(`${options.what} failed: ${err.message}`, { cause: err })),
  );
  worker.on('exit', (code) => failAll(new Error(`${options.what} exited (${code})`)));

  const call = <R>(name: Call | 'close', ...args: unknown[]): Promise<R> => {
    if (failed) return Promise.reject(failed);
    const id = next++;
    return new Promise<R>((resolve, reject) => {
      pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      worker.postMessage({ id, call: name, args } satisfies ThreadRequest);
    });
  };
  return {
    call,
    failure: () => died,
    close(before = async () => {}) {
      closing ??= (async () => {
        await before();
        if (!failed) await call('close').catch(() => undefined);
        await worker.terminate();
      })();
      return closing;
    },
  };
}
