// Where the REST API's reads are made. A read can take a while — a search few sessions match
// reads the sessions table whole: 75–144 ms at 500,000 sessions — and made on the thread that
// receives requests it held every ingest request behind it that long. workerReader() reads on
// a worker thread with its own connection (WAL: reads see every commit before them and never
// wait for a writer), so the main thread goes on receiving while it reads. inlineReader()
// reads on the calling thread (tests, fakes, embedding).
import { CursorError, SearchError } from './issue-reads';
import type { Repository } from './repository';
import { SessionCursorError } from './session-reads';
import { serveCalls, startStoreThread } from './store-thread';

/** The reads the REST API and /metrics make (the repository's, as it declares them). */
export type ReadCalls = Pick<
  Repository,
  | 'listIssues'
  | 'getIssue'
  | 'issueEvents'
  | 'stats'
  | 'listSessions'
  | 'getSession'
  | 'openIssueCounts'
>;

export type StoreReader = {
  readonly [K in keyof ReadCalls]: (
    ...args: Parameters<ReadCalls[K]>
  ) => Promise<ReturnType<ReadCalls[K]>>;
} & {
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
  'stats',
  'listSessions',
  'getSession',
  'openIssueCounts',
];

/** Reads on this thread, through `repo`. */
export function inlineReader(repo: ReadCalls): StoreReader {
  const reads = Object.fromEntries(
    CALLS.map((name) => [
      name,
      async (...args: unknown[]) => (repo[name] as (...a: unknown[]) => unknown)(...args),
    ]),
  ) as Pick<StoreReader, ReaderCall>;
  return { ...reads, failure: () => undefined, close: async () => undefined };
}

/** The reader thread: makes the main thread's reads on `repo`, one at a time, in order. */
export function serveReads(
  repo: ReadCalls & Pick<Repository, 'close'>,
  main: Parameters<typeof serveCalls>[1],
): void {
  const calls: Record<string, (...args: never[]) => unknown> = { close: () => repo.close() };
  for (const name of CALLS) calls[name] = (repo[name] as (...a: never[]) => unknown).bind(repo);
  serveCalls(calls, main);
}

/** What the reads throw for a bad request (a 400), rebuilt on this side of the thread. */
const REQUEST_ERRORS: Readonly<Record<string, new (message: string) => Error>> = {
  CursorError,
  SearchError,
  SessionCursorError,
};

/**
 * Reads on a worker thread with its own connection to `dbFile`. Should the thread die,
 * `onFailure` hears why, once; every read then fails, and `failure()` says why.
 */
export function workerReader(
  dbFile: string,
  onFailure: (err: Error) => void = () => {},
): StoreReader {
  const thread = startStoreThread<ReaderCall>(
    'reader-thread',
    { dbFile },
    {
      what: 'the store reader thread',
      errorOf: ({ error, errorClass }) => {
        const RequestError = errorClass === undefined ? undefined : REQUEST_ERRORS[errorClass];
        return RequestError ? new RequestError(error) : new Error(`store read failed: ${error}`);
      },
      onFailure,
    },
  );
  const reads = Object.fromEntries(
    CALLS.map((name) => [name, (...args: unknown[]) => thread.call(name, ...args)]),
  ) as Pick<StoreReader, ReaderCall>;
  return { ...reads, failure: thread.failure, close: () => thread.close() };
}
