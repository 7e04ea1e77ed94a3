// Debug-session records of the property tests (session-summary, session-retention,
// session-waiting), stored as the ingest paths store them: spans and memory snapshots a project
// at a time, error events in one batch, then the events' sessions indexed — or the events first,
// under load, so that they wait to join their sessions while the spans come.
import { readEvent } from '../ingest/event';
import type { MemorySnapshot, Operation } from '../ingest/otlp';
import { createScrubber } from '../scrub/scrub';
import type { Repository } from '../store/repository';

export interface SessionRecord {
  /** Its correlation id; none: it joins its trace's session. */
  readonly session?: string;
  readonly traceId: string;
  readonly kind: 'operation' | 'event' | 'memory';
  /** When it began (ms); an event is received then too. */
  readonly time: number;
  /** An operation's length (ms). */
  readonly duration: number;
  readonly status: Operation['status'];
  readonly service: string;
  readonly project: number;
}

const scrub = createScrubber({ enabled: true });

/**
 * Stores the records, record i (counted from `firstId`, for records stored by an earlier call)
 * as span id i, operation `op i`, event id i + 1 and a memory snapshot of i + 1 bytes. With
 * `eventsFirst`, the events come first, under load (a burst of events naming no session before
 * them), and that many steps of their index (session-index.ts: links, then touches, then joins)
 * are worked before the spans and snapshots come; the rest after.
 */
export function storeRecords(
  repo: Repository,
  records: readonly SessionRecord[],
  eventsFirst?: number,
  firstId = 0,
): void {
  const traces = new Map<number, { operations: Operation[]; memory: MemorySnapshot[] }>();
  const of = (project: number) => {
    let t = traces.get(project);
    if (!t) traces.set(project, (t = { operations: [], memory: [] }));
    return t;
  };
  const events = [];
  for (const [n, r] of records.entries()) {
    const i = firstId + n;
    const ids = { traceId: r.traceId, spanId: i.toString(16).padStart(16, '0') };
    const correlation = r.session ? { correlationId: r.session } : {};
    if (r.kind === 'operation')
      of(r.project).operations.push({
        ...ids,
        ...correlation,
        name: `op ${i}`,
        service: r.service,
        start: r.time,
        end: r.time + r.duration,
        status: r.status,
        attributes: {},
      });
    else if (r.kind === 'memory')
      of(r.project).memory.push({
        ...ids,
        seq: 0, // each record its own span
        ...correlation,
        service: r.service,
        time: r.time,
        rss: i + 1,
      });
    else
      events.push(
        readEvent(
          {
            event_id: (i + 1).toString(16).padStart(32, '0'),
            timestamp: r.time / 1000,
            message: `failure ${i}`,
            tags: { service: r.service, ...(r.session ? { correlation_id: r.session } : {}) },
            contexts: { trace: { trace_id: r.traceId } },
          },
          r.project,
          scrub,
          r.time,
        ),
      );
  }
  if (eventsFirst !== undefined) {
    repo.ingest(Array.from({ length: 100 }, (_, n) => loadEvent(firstId * 100 + n)));
    if (events.length > 0) repo.ingest(events);
    repo.indexSessions(eventsFirst);
  }
  for (const [project, t] of [...traces].sort(([a], [b]) => a - b))
    repo.ingestTraces(project, t.operations, t.memory);
  if (eventsFirst === undefined && events.length > 0) repo.ingest(events);
  repo.indexSessions();
}

/** An event of the burst that makes the events after it wait: it names no session. */
const loadEvent = (n: number) =>
  readEvent(
    { event_id: `f${n.toString(16).padStart(31, '0')}`, message: 'load' },
    1,
    scrub,
    Date.UTC(2026, 11, 1),
  );

/** A span of 10 ms from `start`, span id n, of api-gateway, ok unless `extra` says otherwise. */
export const operation = (
  n: number,
  traceId: string,
  start: number,
  extra: Partial<Operation> = {},
): Operation => ({
  traceId,
  spanId: n.toString(16).padStart(16, 'b'),
  name: `op ${n}`,
  service: 'api-gateway',
  start,
  end: start + 10,
  status: 'ok',
  attributes: {},
  ...extra,
});
