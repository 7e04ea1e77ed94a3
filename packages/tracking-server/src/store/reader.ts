// Where the REST API's reads are made. A read can take a while — a search few sessions match
// reads the sessions table whole: 75–144 ms at 500,000 sessions — and made on the thread that
// receives requests it held every ingest request behind it that long. workerReader() reads on
// a worker thread with its own connection (WAL: reads see every commit before them and never
// wait for a writer), so the main thread goes on receiving while it reads. inlineReader()
// reads on the calling thread (tests, fakes, embedding).
import { CursorError, SearchError } from './issue-reads';
import type { Repository } from './repository';
import { SessionCursorError } from './session-reads';
import {
  Handover,
  serveCalls,
  startStoreThread,
  type StoreThread,
  type ThreadReply,
} from './store-thread';

/** The reads the REST API and /metrics make (the repository's, as it declares them). */
export type ReadCalls = Pick<
  Repository,
  | 'listIssues'
  | 'getIssue'
  | 'issueEvents'
  | 'issueFeedback'
  | 'listFeedback'
  | 'attachment'
  | 'feedbackAttachment'
  | 'stats'
  | 'listSessions'
  | 'getSession'
  | 'openIssueCounts'
>;

/**
 * The reads whose answers the REST API sends as they are, as JSON. Their JSON is written where
 * they are read, and reaches the caller as its UTF-8 bytes (undefined for an answer of
 * undefined): from the reader thread, handed over rather than copied (store-thread.ts Handover).
 * Answered as objects, a 90 MB page of events was copied into the main thread — the thread that
 * receives every ingest request — and written out as JSON there, stalling its event loop 0.5 s.
 */
export type JsonCall = Exclude<ReaderCall, 'attachment' | 'feedbackAttachment' | 'openIssueCounts'>;
export type JsonReads = {
  readonly [K in JsonCall]: (
    ...args: Parameters<ReadCalls[K]>
  ) => Promise<undefined extends ReturnType<ReadCalls[K]> ? Uint8Array | undefined : Uint8Array>;
};

export type StoreReader = {
  readonly [K in keyof ReadCalls]: (
    ...args: Parameters<ReadCalls[K]>
  ) => Promise<ReturnType<ReadCalls[K]>>;
} & {
  /** The same reads, answered as the JSON text of what they answer. */
  readonly json: JsonReads;
  /** Why reads fail (the reader thread died), or undefined while they can be made. */
  failure(): Error | undefined;
  close(): Promise<void>;
};

/**
 * The reader thread's nice value: where ingest keeps every core busy, a search reading the
 * sessions table whole took its CPU from the ingest requests behind it (SDKs waiting for their
 * 200s), a read's user waiting less than an SDK's queue can. At 10 the scheduler gives it a
 * tenth of a core another thread wants, and every core no other thread does.
 */
export const READER_NICE = 10;

type ReaderCall = keyof ReadCalls;
const CALLS: readonly ReaderCall[] = [
  'listIssues',
  'getIssue',
  'issueEvents',
  'issueFeedback',
  'listFeedback',
  'attachment',
  'feedbackAttachment',
  'stats',
  'listSessions',
  'getSession',
  'openIssueCounts',
];

const JSON_CALLS: readonly JsonCall[] = [
  'listIssues',
  'getIssue',
  'issueEvents',
  'issueFeedback',
  'listFeedback',
  'stats',
  'listSessions',
  'getSession',
];

/** What `read` answers, as the UTF-8 bytes of its JSON (in an ArrayBuffer of their own). */
function jsonOf(read: (...a: unknown[]) => unknown, args: unknown[]) {
  const answer = read(...args);
  return answer === undefined ? undefined : new TextEncoder().encode(JSON.stringify(answer));
}

/** Reads on this thread, through `repo`. */
export function inlineReader(repo: ReadCalls): StoreReader {
  const read = (name: ReaderCall) => repo[name] as (...a: unknown[]) => unknown;
  const reads = Object.fromEntries(
    CALLS.map((name) => [name, async (...args: unknown[]) => read(name)(...args)]),
  ) as Pick<StoreReader, ReaderCall>;
  const json = Object.fromEntries(
    JSON_CALLS.map((name) => [name, async (...args: unknown[]) => jsonOf(read(name), args)]),
  ) as JsonReads;
  return { ...reads, json, failure: () => undefined, close: async () => undefined };
}

/**
 * The reader thread: makes the main thread's reads on `repo`, one at a time, in order, and answers
 * `ready` (nothing read) once its connection is open.
 */
export function serveReads(
  repo: ReadCalls & Pick<Repository, 'close'>,
  main: Parameters<typeof serveCalls>[1],
): void {
  const calls: Record<string, (...args: never[]) => unknown> = {
    close: () => repo.close(),
    ready: () => true,
    json: (name: JsonCall, ...args: unknown[]) => {
      if (!JSON_CALLS.includes(name)) throw new Error(`no JSON read ${String(name)}`);
      const bytes = jsonOf(calls[name] as (...a: unknown[]) => unknown, args);
      return bytes && new Handover(bytes);
    },
  };
  for (const name of CALLS) calls[name] = (repo[name] as (...a: never[]) => unknown).bind(repo);
  serveCalls(calls, main);
}

/** What the reads throw for a bad request (a 400), rebuilt on this side of the thread. */
const REQUEST_ERRORS: Readonly<Record<string, new (message: string) => Error>> = {
  CursorError,
  SearchError,
  SessionCursorError,
};

const errorOf = ({ error, errorClass }: ThreadReply & { error: string }): Error => {
  const RequestError = errorClass === undefined ? undefined : REQUEST_ERRORS[errorClass];
  return RequestError ? new RequestError(error) : new Error(`store read failed: ${error}`);
};

export interface WorkerReaderOptions {
  /** Hears each death of a thread, and how long until the next one starts. */
  readonly onFailure?: (error: Error, restartInMs: number) => void;
  /**
   * Hears that a thread started after deaths has opened its connection: reads are made again.
   * `deaths`: the threads that died since one last answered; `downMs`: since the first of them.
   */
  readonly onRestart?: (info: { deaths: number; downMs: number }) => void;
  /**
   * The wait before a new thread starts: `firstMs` after a thread that had answered dies, twice
   * the last wait (at most `maxMs`) after one that died before answering. 1 s to 30 s.
   */
  readonly restartDelay?: { readonly firstMs: number; readonly maxMs: number };
  /** The thread's module, named from this folder (tests give one they can make die). */
  readonly threadModule?: string;
}

const RESTART_DELAY = { firstMs: 1_000, maxMs: 30_000 };

/**
 * Reads on a worker thread with its own connection to `dbFile`. Should the thread die, the reads
 * it was making fail with why, and a new thread is started after a wait (options.restartDelay)
 * that doubles while each new one dies before it could answer: ingest, on the writer thread, goes
 * on meanwhile, and a read thread is no reason to restart the process. From a death until a new
 * thread has opened its connection, `failure()` says why, and reads made while none runs fail
 * with it; those made while one starts wait for it.
 */
export function workerReader(dbFile: string, options: WorkerReaderOptions = {}): StoreReader {
  const delays = options.restartDelay ?? RESTART_DELAY;
  /** The thread reads go to; undefined while a new one waits to start, and once closed. */
  let thread: StoreThread<ReaderCall | 'json' | 'ready' | 'close'> | undefined;
  /** Why reads fail: from a thread's death until a thread answers, naming the restart. */
  let down: Error | undefined;
  /** The last thread's death, while `down`. */
  let death: Error | undefined;
  let deaths = 0;
  let downSince = 0;
  let delay = delays.firstMs;
  let restart: NodeJS.Timeout | undefined;
  let closed = false;

  const start = () => {
    restart = undefined;
    const started: typeof thread = startStoreThread<ReaderCall | 'json' | 'ready'>(
      options.threadModule ?? 'reader-thread',
      { dbFile },
      { what: 'the store reader thread', errorOf, onFailure: (err) => died(started, err) },
    );
    thread = started;
    if (death) down = new Error(`${death.message}; restarting it now`, { cause: death });
    started.call('ready').then(
      () => answered(started),
      () => undefined, // its death is heard through onFailure
    );
  };
  const died = (which: typeof thread, err: Error) => {
    if (which !== thread || closed) return;
    thread = undefined;
    if (deaths++ === 0) downSince = Date.now();
    const wait = delay;
    delay = Math.min(delay * 2, delays.maxMs);
    death = err;
    down = new Error(`${err.message}; restarting it in ${wait} ms`, { cause: err });
    options.onFailure?.(err, wait);
    restart = setTimeout(start, wait);
  };
  const answered = (which: typeof thread) => {
    if (which !== thread || closed) return;
    delay = delays.firstMs;
    if (deaths > 0) options.onRestart?.({ deaths, downMs: Date.now() - downSince });
    deaths = 0;
    down = death = undefined;
  };
  start();

  const call = (name: ReaderCall | 'json', ...args: unknown[]) => {
    if (thread) return thread.call(name, ...args);
    return Promise.reject(closed ? new Error('the store reader is closed') : down);
  };
  const reads = Object.fromEntries(
    CALLS.map((name) => [name, (...args: unknown[]) => call(name, ...args)]),
  ) as Pick<StoreReader, ReaderCall>;
  const json = Object.fromEntries(
    JSON_CALLS.map((name) => [name, (...args: unknown[]) => call('json', name, ...args)]),
  ) as JsonReads;
  return {
    ...reads,
    json,
    failure: () => down,
    close: async () => {
      closed = true;
      clearTimeout(restart);
      const last = thread;
      thread = undefined;
      await last?.close();
    },
  };
}
