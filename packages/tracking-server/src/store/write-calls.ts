// What crosses between the main thread and the store's writer thread (writer-thread.ts): the
// store's write calls, each one transaction, and their answers.
import type { EventFacts } from '../ingest/sent-events';
import type { IngestResult, Repository } from './repository';

/** The writes a store performs (the repository's, as it declares them); each is one transaction. */
export type WriteCalls = Pick<
  Repository,
  | 'ingest'
  | 'ingestTraces'
  | 'indexSessions'
  | 'deleteEventsBefore'
  | 'deleteSessionsBefore'
  | 'close'
>;

/** One request's events, committed. */
export interface Stored {
  readonly events: readonly EventFacts[];
  /** What the transaction did; every request of one group commit shares the same object. */
  readonly result: IngestResult;
}

/** What the main thread sends the writer thread: a call and its arguments. */
export type WriterCall = keyof WriteCalls;
export type WriterRequest = { id: number; call: WriterCall; args: unknown[] };
/** The call's answer, or the message of what it threw. */
export type WriterReply = { id: number; result?: unknown; error?: string };

const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

/** The writer thread: makes the main thread's calls on `repo`, one at a time, in order. */
export function serveWrites(
  repo: WriteCalls,
  main: {
    on(event: 'message', listener: (m: WriterRequest) => void): unknown;
    postMessage(m: WriterReply): void;
  },
): void {
  const calls: Record<WriterCall, (...args: never[]) => unknown> = {
    ingest: repo.ingest.bind(repo),
    ingestTraces: repo.ingestTraces.bind(repo),
    indexSessions: repo.indexSessions.bind(repo),
    deleteEventsBefore: repo.deleteEventsBefore.bind(repo),
    deleteSessionsBefore: repo.deleteSessionsBefore.bind(repo),
    close: repo.close.bind(repo),
  };
  main.on('message', (m) => {
    try {
      const result = (calls[m.call] as (...a: unknown[]) => unknown)(...m.args);
      main.postMessage({ id: m.id, result });
    } catch (err) {
      main.postMessage({ id: m.id, error: message(err) });
    }
  });
}
