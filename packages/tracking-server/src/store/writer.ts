// Where ingested data is committed. Every write resolves only after the SQLite transaction
// holding it has committed (synchronous=FULL), and concurrent requests' events share one
// transaction (group commit).
//
// A request's Sentry events are read (parsed, scrubbed, grouped) on the thread that received
// it, and only committed on the store's: workerWriter() commits on a worker thread with its own
// connection, so the main thread reads the next batch while this one is written and synced.
// The commit is the longer of the two: with the random ids SDKs send (uuid4 event ids, random
// trace and request ids), each event writes a page of every index keyed by one (BENCHMARKS.md).
// inlineWriter() commits on the calling thread (tests, fakes, embedding).
import type { TrackedEvent } from '../ingest/event';
import type { SentFeedback } from '../ingest/feedback';
import type { MemorySnapshot, Operation } from '../ingest/otlp';
import { factsOf, sentEventReader, type SentEvents } from '../ingest/sent-events';
import { GroupCommit } from './group-commit';
import { QUIET_STEP } from './session-index';
import { startStoreThread } from './store-thread';
import { writeTraceSteps } from './trace-steps';
import type { Stored, WriteCalls } from './write-calls';
import type { IngestResult, RetentionScope } from './repository';

export type { Stored, WriteCalls } from './write-calls';

type WriterCall = keyof WriteCalls;

export interface EventWriter {
  /**
   * Reads one request's events and resolves once they are committed, in a transaction shared
   * with concurrent writes. Rejects with an EventError, storing none of them, when one is not
   * an event.
   */
  write(sent: SentEvents): Promise<Stored>;
  /**
   * Resolves once a batch's operations and memory snapshots are committed: in one transaction,
   * or a large batch in several, other writes going between (trace-steps.ts). Resolves with the
   * indices of the operations that were stored already (Repository.ingestTraces).
   */
  writeTraces(
    projectId: number,
    operations: readonly Operation[],
    memory: readonly MemorySnapshot[],
  ): Promise<number[]>;
  /**
   * Joins error events still waiting for their sessions to them — up to `budget`, all by
   * default — and resolves with how many still wait. Readers of sessions call it first, a step
   * at a time (catchUpSessions).
   */
  indexSessions(budget?: number): Promise<number>;
  /**
   * Resolves once the feedback is committed, with how many pieces of it are new
   * (Repository.ingestFeedback).
   */
  writeFeedback(
    projectId: number,
    receivedAt: number,
    feedback: readonly SentFeedback[],
  ): Promise<number>;
  deleteEventsBefore(before: number, batch: number, scope?: RetentionScope): Promise<number>;
  deleteSessionsBefore(before: number, batch: number, scope?: RetentionScope): Promise<number>;
  /** Rows the two deletes above deleted since the last call (Repository.takeRetentionDeletes). */
  takeRetentionDeletes(): Promise<number>;
  /**
   * Why nothing can be written any more (the writer thread died, and every write after fails
   * with this), or undefined while writes can be made.
   */
  failure(): Error | undefined;
  close(): Promise<void>;
}

const NOTHING: IngestResult = { newIssues: 0, opened: [] };

/** How often idle indexing looks whether ingest went quiet. */
const IDLE_MS = 250;

/**
 * Reads each request's events here, and commits the events of the requests that arrive together
 * with one `ingest` call. A request one of whose events is not an event is refused before
 * anything of it is committed.
 *
 * Events left waiting for their sessions when a burst ends (session-index.ts) join them here,
 * a step at a time, once a tick passes without a write.
 */
function groupWriter(
  ingest: (events: TrackedEvent[]) => IngestResult | Promise<IngestResult>,
  indexSessions: (budget: number) => number | Promise<number>,
) {
  const read = sentEventReader();
  /** Each request's share of the batch: the result, and which of its events were not stored. */
  type Share = { readonly result: IngestResult; readonly duplicates: ReadonlySet<number> };
  const commit = new GroupCommit<readonly TrackedEvent[], Share>(async (requests) => {
    const events = requests.flat();
    const result = events.length > 0 ? await ingest(events) : NOTHING;
    // The batch's indices of the events not stored, as each request's own.
    const duplicates = requests.map(() => new Set<number>());
    let request = 0;
    let start = 0;
    for (const i of result.duplicates ?? []) {
      while (i >= start + (requests[request] as readonly TrackedEvent[]).length)
        start += (requests[request++] as readonly TrackedEvent[]).length;
      duplicates[request]?.add(i - start);
    }
    return requests.map((_, r) => ({ result, duplicates: duplicates[r] as Set<number> }));
  });
  let wrote = false;
  let waiting = true;
  let indexing = false;
  const idle = setInterval(() => {
    if (wrote) {
      wrote = false;
      waiting = true;
    } else if (waiting && !indexing) {
      indexing = true;
      void (async () => indexSessions(QUIET_STEP))()
        .then(
          (left) => (waiting = left > 0),
          () => (waiting = false),
        )
        .finally(() => (indexing = false));
    }
  }, IDLE_MS);
  idle.unref();
  return {
    commit,
    write: async (sent: SentEvents): Promise<Stored> => {
      const events = read(sent);
      wrote = true;
      const { result, duplicates } = await commit.submit(events);
      const facts = events.map(factsOf);
      return { events: facts, stored: facts.filter((_, i) => !duplicates.has(i)), result };
    },
    stopIndexing: () => clearInterval(idle),
  };
}

/** Budget of one catch-up step a session read asks for: a few milliseconds of the writer's. */
export const READ_CATCH_UP_STEP = 256;
/** How long a session read goes on catching up while ingest keeps adding events to join. */
export const READ_CATCH_UP_MS = 1_000;

/**
 * Before a session read: joins the error events still waiting for their sessions, a step of
 * READ_CATCH_UP_STEP at a time, each step its own call, so the commits of ingest waiting for the
 * writer go between them — until none waits, or READ_CATCH_UP_MS have passed (under load more
 * keep coming; those join within the next generation, session-index.ts). Asked for in one call,
 * the whole backlog (up to a generation, thousands of events under load) held every commit
 * behind it: a search a second put ingest's p99 at 134–175 ms (README, Benchmark).
 */
export async function catchUpSessions(
  writer: Pick<EventWriter, 'indexSessions'>,
  now: () => number = () => performance.now(),
): Promise<void> {
  const deadline = now() + READ_CATCH_UP_MS;
  while ((await writer.indexSessions(READ_CATCH_UP_STEP)) > 0 && now() < deadline);
}

/** Commits on this thread, through `repo`. */
export function inlineWriter(repo: WriteCalls): EventWriter {
  const { write, stopIndexing } = groupWriter(
    (events) => repo.ingest(events),
    (budget) => repo.indexSessions(budget),
  );
  return {
    write,
    writeTraces: (projectId, operations, memory) =>
      writeTraceSteps(
        {
          write: async (o, m) => repo.ingestTraces(projectId, o, m),
          link: async (links) => repo.linkTraces(projectId, links),
        },
        operations,
        memory,
      ),
    indexSessions: async (budget) => repo.indexSessions(budget),
    writeFeedback: async (projectId, receivedAt, feedback) =>
      repo.ingestFeedback(projectId, receivedAt, feedback),
    deleteEventsBefore: async (before, batch, scope) =>
      repo.deleteEventsBefore(before, batch, scope),
    deleteSessionsBefore: async (before, batch, scope) =>
      repo.deleteSessionsBefore(before, batch, scope),
    takeRetentionDeletes: async () => repo.takeRetentionDeletes(),
    failure: () => undefined,
    close: async () => stopIndexing(),
  };
}

/**
 * Commits on a worker thread with its own connection to `dbFile`. Should the thread die,
 * `onFailure` hears why, once; every write then fails, and `failure()` says why.
 */
export function workerWriter(
  dbFile: string,
  onFailure: (err: Error) => void = () => {},
): EventWriter {
  const thread = startStoreThread<WriterCall>(
    'writer-thread',
    { dbFile },
    {
      what: 'the store writer thread',
      errorOf: (reply) => new Error(`store write failed: ${reply.error}`),
      onFailure,
    },
  );
  const call = thread.call;

  const { commit, write, stopIndexing } = groupWriter(
    (events) => call('ingest', events),
    (budget) => call('indexSessions', budget),
  );

  return {
    write,
    writeTraces: (projectId, operations, memory) =>
      writeTraceSteps(
        {
          write: (o, m) => call('ingestTraces', projectId, o, m),
          link: (links) => call('linkTraces', projectId, links),
        },
        operations,
        memory,
      ),
    indexSessions: (budget) => call('indexSessions', budget),
    writeFeedback: (projectId, receivedAt, feedback) =>
      call('ingestFeedback', projectId, receivedAt, feedback),
    deleteEventsBefore: (before, batch, scope) => call('deleteEventsBefore', before, batch, scope),
    deleteSessionsBefore: (before, batch, scope) =>
      call('deleteSessionsBefore', before, batch, scope),
    takeRetentionDeletes: () => call('takeRetentionDeletes'),
    failure: thread.failure,
    close: () =>
      thread.close(async () => {
        stopIndexing();
        await commit.drain();
      }),
  };
}
