// Debug sessions against a model of what makes one (the rule, written out here apart
// from the store): a record is in the session its correlation id names; one that names none is in
// the session of the correlation id its trace was named with, else its trace's own. Traces are
// claimed by correlation ids that are other traces' ids, so claims chain (a claimed by b's id, b
// by c's) and go round (a by b's, b by a's). For random claims and random records sent in random
// batches, error events waiting to join under load, the list holds exactly the sessions the model
// makes, and each session's detail exactly the records and traces the model gives it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import type { Operation } from '../ingest/otlp';
import { storeRecords, type SessionRecord } from '../testing/session-records';
import type { Repository } from './repository';
import { openSqlite } from './sqlite';

const T0 = Date.UTC(2026, 11, 7, 12);
const TRACES = 5;
const traceId = (n: number) => (n + 10).toString(16).padStart(32, '0');

/** Who claims each trace: no one, a plain correlation id, or a trace's id (its own too). */
const claims = fc.array(
  fc.oneof(
    fc.constant(undefined),
    fc.constantFrom('req-a', 'req-b'),
    fc.integer({ min: 0, max: TRACES - 1 }).map(traceId),
  ),
  { minLength: TRACES, maxLength: TRACES },
);

/** A record of a trace that names the trace's claim, or no correlation id. */
const record = fc.record({
  trace: fc.integer({ min: 0, max: TRACES - 1 }),
  named: fc.boolean(),
  kind: fc.constantFrom('operation', 'event', 'memory'),
  at: fc.integer({ min: 0, max: 600_000 }),
  duration: fc.integer({ min: 0, max: 2_000 }),
  status: fc.constantFrom('ok', 'error'),
  service: fc.constantFrom('api', 'billing'),
  project: fc.constantFrom(1, 2),
  batch: fc.integer({ min: 0, max: 2 }),
});

/** Each record's label, as its detail shows it: an operation's name, an event's id, a snapshot's bytes. */
const label = (r: SessionRecord, id: number) =>
  r.kind === 'operation' ? `op ${id}` : r.kind === 'event' ? `event ${id}` : `memory ${id}`;

interface Session {
  /** Its records' labels, sorted. */
  records: string[];
  /** Its traces: those it claimed, and its own id where that is a trace no one claimed. */
  traces: string[];
}

/** The model: each session by its id. */
function modelSessions(records: readonly SessionRecord[], ids: readonly number[]) {
  // A trace is claimed once a record names its claim (and a claim of its own id claims nothing).
  const claimed = new Map<string, string>();
  for (const r of records)
    if (r.session !== undefined && r.session !== r.traceId) claimed.set(r.traceId, r.session);
  const tracesOf = (key: string) => {
    const traces = [...claimed].flatMap(([trace, by]) => (by === key ? [trace] : []));
    if (/^[0-9a-f]{32}$/.test(key) && !claimed.has(key)) traces.push(key);
    return [...new Set(traces)].sort();
  };
  const sessions = new Map<string, Session>();
  for (const [n, r] of records.entries()) {
    const key = r.session ?? claimed.get(r.traceId) ?? r.traceId;
    const session = sessions.get(key) ?? { records: [], traces: tracesOf(key) };
    session.records.push(label(r, ids[n] as number));
    sessions.set(key, session);
  }
  for (const session of sessions.values()) session.records.sort();
  return sessions;
}

/** What the store shows: each listed session by its id. */
function storedSessions(repo: Repository) {
  const sessions = new Map<string, Session>();
  for (const { id } of repo.listSessions({ limit: 200 }).items) {
    const detail = repo.getSession(id);
    if (!detail) throw new Error(`${id} is listed but has no detail`);
    sessions.set(id, {
      records: [
        ...detail.timeline.map((o) => o.name),
        ...detail.errorEvents.map((e) => `event ${parseInt(e.eventId, 16) - 1}`),
        ...detail.memory.map((m) => `memory ${(m.rss as number) - 1}`),
      ].sort(),
      traces: [...detail.traceIds].sort(),
    });
  }
  return sessions;
}

it('groups records into the sessions their correlation ids and their traces’ claims make', () => {
  fc.assert(
    fc.property(
      claims,
      fc.array(record, { minLength: 1, maxLength: 40 }),
      fc.array(fc.oneof(fc.constant(undefined), fc.nat(30)), { minLength: 3, maxLength: 3 }),
      (claimedBy, generated, eventsFirst) => {
        const records: SessionRecord[] = generated.map((g) => {
          const claim = claimedBy[g.trace];
          return {
            ...g,
            session: g.named ? claim : undefined,
            traceId: traceId(g.trace),
            time: T0 + g.at,
            status: g.status as Operation['status'],
          };
        });
        const ids: number[] = []; // each record's id, given by the batch it is stored in
        const dir = mkdtempSync(join(tmpdir(), 'beacon-claims-'));
        const repo = openSqlite(join(dir, 'tracker.db'));
        try {
          // The batches in turn, each record of one in the order generated.
          for (let batch = 0; batch < 3; batch++) {
            const of = generated.flatMap((g, n) => (g.batch === batch ? [n] : []));
            for (const [k, n] of of.entries()) ids[n] = 1_000 * batch + k;
            storeRecords(
              repo,
              of.map((n) => records[n] as SessionRecord),
              eventsFirst[batch],
              1_000 * batch,
            );
          }
          expect(storedSessions(repo)).toEqual(modelSessions(records, ids));
        } finally {
          repo.close();
          rmSync(dir, { recursive: true, force: true });
        }
      },
    ),
    { numRuns: 60 },
  );
});
