// Error events join their sessions a generation at a time under load (session-index.ts): between
// touching a session's row and joining it, spans may link their traces to correlation ids, claim
// a trace whose id is a correlation id, and merge rows. For random records, whatever step the
// index had reached when the spans came, the sessions — listed, filtered and in detail — are
// those of the same records stored with every event joined before the spans came.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import type { Operation } from '../ingest/otlp';
import { storeRecords, type SessionRecord } from '../testing/session-records';
import type { Repository } from './repository';
import { openSqlite } from './sqlite';

const T0 = Date.UTC(2026, 11, 3, 12);
const traceId = (n: number) => (n + 10).toString(16).padStart(32, '0');
const SERVICES = ['api', 'billing', 'web'];

const record = fc.record({
  // One correlation id is the very id of a trace, which another correlation id may claim.
  session: fc.constantFrom('req-a', 'req-b', traceId(0), traceId(1), undefined),
  trace: fc.integer({ min: 0, max: 3 }),
  kind: fc.constantFrom('operation', 'event', 'memory'),
  at: fc.integer({ min: 0, max: 600_000 }),
  duration: fc.integer({ min: 0, max: 2_000 }),
  status: fc.constantFrom('ok', 'error'),
  service: fc.constantFrom(...SERVICES),
  project: fc.constantFrom(1, 2),
});

/** Everything a reader sees of the sessions: the list, its row filters, each detail. */
function sessionsOf(repo: Repository) {
  const ids = (filter: Parameters<Repository['listSessions']>[0]) =>
    repo
      .listSessions(filter)
      .items.map((s) => s.id)
      .sort();
  const listed = [...repo.listSessions({ limit: 200 }).items].sort((a, b) =>
    a.id < b.id ? -1 : 1,
  );
  return {
    listed,
    details: listed.map((s) => repo.getSession(s.id)),
    withErrors: ids({ hasErrors: true, limit: 200 }),
    withoutErrors: ids({ hasErrors: false, limit: 200 }),
    byService: SERVICES.map((service) => ids({ service, limit: 200 })),
    byProject: [1, 2].map((p) => ids({ project: [p], limit: 200 })),
    longer: [100, 1_000, 100_000].map((minDurationMs) => ids({ minDurationMs, limit: 200 })),
  };
}

it('joins each waiting event to the session it joins when nothing waits, whatever step the index reached', () => {
  fc.assert(
    fc.property(fc.array(record, { minLength: 1, maxLength: 30 }), fc.nat(), (generated, pick) => {
      const records: SessionRecord[] = generated.map((r) => ({
        ...r,
        traceId: traceId(r.trace),
        time: T0 + r.at,
        status: r.status as Operation['status'],
      }));
      const events = records.filter((r) => r.kind === 'event');
      // Past the events' links (made before the spans', as when every event joined first):
      // some touched, some joined, some neither.
      const links = events.filter((r) => r.session).length;
      const steps = links + (pick % (2 * events.length + 1));
      const dir = mkdtempSync(join(tmpdir(), 'beacon-waiting-'));
      try {
        const seen = [Infinity, steps].map((eventsFirst, i) => {
          const repo = openSqlite(join(dir, `tracker-${i}.db`));
          try {
            storeRecords(repo, records, eventsFirst);
            return sessionsOf(repo);
          } finally {
            repo.close();
          }
        });
        expect(seen[1]).toEqual(seen[0]);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }),
    { numRuns: 100 },
  );
});
