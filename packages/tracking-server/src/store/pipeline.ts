// The steps a Sentry request's events go through after the main thread has read the request:
// read them (parse, scrub, group), then commit them with the concurrent requests' events in one
// transaction. inlineWriter() runs both on the calling thread, workerWriter() on the writer
// thread (writer-thread.ts).
import { EventError, type TrackedEvent } from '../ingest/event';
import type { MemorySnapshot, Operation } from '../ingest/otlp';
import { factsOf, type EventFacts, type SentEvents } from '../ingest/sent-events';
import type { IngestResult, RetentionScope } from './repository';

/** The writes a store performs; each is one transaction. */
export interface WriteCalls {
  ingest(events: readonly TrackedEvent[]): IngestResult;
  ingestTraces(
    projectId: number,
    operations: readonly Operation[],
    memory: readonly MemorySnapshot[],
  ): void;
  deleteEventsBefore(before: number, batch: number, scope?: RetentionScope): number;
  deleteSessionsBefore(before: number, batch: number, scope?: RetentionScope): number;
  close(): void;
}

/** One request's events, committed. */
export interface Stored {
  readonly events: readonly EventFacts[];
  /** What the transaction did; every request of one group commit shares the same object. */
  readonly result: IngestResult;
}

/** A request's events once read: to be committed, refused (400), or failed to read (500). */
export type ReadOutcome =
  | { readonly events: readonly EventFacts[] }
  | { readonly refused: string }
  | { readonly failed: string };

/** A request's outcome once its batch committed. */
export type Outcome = Stored | Exclude<ReadOutcome, { events: unknown }>;

const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

/** Reads each request's events; one that is not an event refuses its request only. */
function readRequests(
  read: (sent: SentEvents) => TrackedEvent[],
  requests: readonly SentEvents[],
): { events: TrackedEvent[]; outcomes: ReadOutcome[] } {
  const events: TrackedEvent[] = [];
  const outcomes = requests.map((sent): ReadOutcome => {
    try {
      const mine = read(sent);
      events.push(...mine);
      return { events: mine.map(factsOf) };
    } catch (err) {
      if (err instanceof EventError) return { refused: err.message };
      return { failed: message(err) };
    }
  });
  return { events, outcomes };
}

const NOTHING: IngestResult = { newIssues: 0, opened: [] };

/**
 * Reads a group commit's requests and commits their events in one transaction; returns each
 * request's outcome, in order.
 */
export function readAndCommit(
  repo: Pick<WriteCalls, 'ingest'>,
  read: (sent: SentEvents) => TrackedEvent[],
  requests: readonly SentEvents[],
): Outcome[] {
  const { events, outcomes } = readRequests(read, requests);
  const result = events.length > 0 ? repo.ingest(events) : NOTHING;
  return outcomes.map((o) => ('events' in o ? { ...o, result } : o));
}

/** A request's outcome as its write resolves or rejects. */
export function settle(outcome: Outcome): Stored {
  if ('refused' in outcome) throw new EventError(outcome.refused);
  if ('failed' in outcome) throw new Error(`reading an event failed: ${outcome.failed}`);
  return outcome;
}

/** What the main thread sends the writer thread: a call, or a batch of requests' events. */
export type WriterCall = Exclude<keyof WriteCalls, 'ingest'>;
export type WriterRequest =
  { id: number; call: WriterCall; args: unknown[] } | { id: number; requests: SentEvents[] };
/** The answer to a call or, for a batch, each request's outcome. */
export type WriterReply = { id: number; result?: unknown; error?: string };

/**
 * The writer thread: answers the main thread's calls, and reads and commits each batch of
 * requests it sends (its group commit) in one transaction.
 */
export function serveWrites(
  repo: WriteCalls,
  read: (sent: SentEvents) => TrackedEvent[],
  main: {
    on(event: 'message', listener: (m: WriterRequest) => void): unknown;
    postMessage(m: WriterReply): void;
  },
): void {
  const calls: Record<WriterCall, (...args: never[]) => unknown> = {
    ingestTraces: repo.ingestTraces.bind(repo),
    deleteEventsBefore: repo.deleteEventsBefore.bind(repo),
    deleteSessionsBefore: repo.deleteSessionsBefore.bind(repo),
    close: repo.close.bind(repo),
  };
  main.on('message', (m) => {
    try {
      const result =
        'requests' in m
          ? readAndCommit(repo, read, m.requests)
          : (calls[m.call] as (...a: unknown[]) => unknown)(...m.args);
      main.postMessage({ id: m.id, result });
    } catch (err) {
      main.postMessage({ id: m.id, error: message(err) });
    }
  });
}
