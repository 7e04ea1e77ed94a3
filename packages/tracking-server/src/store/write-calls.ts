// What crosses between the main thread and the store's writer thread (writer-thread.ts): the
// store's write calls, each one transaction (store-thread.ts carries them).
import type { EventFacts } from '../ingest/sent-events';
import type { IngestResult, Repository } from './repository';
import { serveCalls } from './store-thread';

/** The writes a store performs (the repository's, as it declares them); each is one transaction. */
export type WriteCalls = Pick<
  Repository,
  | 'ingest'
  | 'ingestTraces'
  | 'linkTraces'
  | 'ingestFeedback'
  | 'indexSessions'
  | 'deleteEventsBefore'
  | 'deleteSessionsBefore'
  | 'takeRetentionDeletes'
  | 'close'
>;

/** One request's events, committed. */
export interface Stored {
  /** Every event of the request (what it is answered with). */
  readonly events: readonly EventFacts[];
  /**
   * Those of them stored by this request: not an event stored already (an SDK's second sending
   * within the hour), nor one sent again in the same batch (IngestResult.duplicates).
   */
  readonly stored: readonly EventFacts[];
  /** What the transaction did; every request of one group commit shares the same object. */
  readonly result: IngestResult;
}

/** The writer thread: makes the main thread's calls on `repo`, one at a time, in order. */
export function serveWrites(repo: WriteCalls, main: Parameters<typeof serveCalls>[1]): void {
  serveCalls(
    {
      ingest: repo.ingest.bind(repo),
      ingestTraces: repo.ingestTraces.bind(repo),
      linkTraces: repo.linkTraces.bind(repo),
      ingestFeedback: repo.ingestFeedback.bind(repo),
      indexSessions: repo.indexSessions.bind(repo),
      deleteEventsBefore: repo.deleteEventsBefore.bind(repo),
      deleteSessionsBefore: repo.deleteSessionsBefore.bind(repo),
      takeRetentionDeletes: repo.takeRetentionDeletes.bind(repo),
      close: repo.close.bind(repo),
    } satisfies Record<keyof WriteCalls, unknown>,
    main,
  );
}
