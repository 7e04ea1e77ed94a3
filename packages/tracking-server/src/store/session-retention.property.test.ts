// Retention against the sessions table: for random sessions of random projects over ten days
// — operations, error events and memory snapshots, joined by correlation id or by trace id
// alone — swept by random per-project rules in random batch sizes, the filters kept on the
// session rows (project, service, errors, duration) list what the sessions' details say, and
// every session a record of which retention keeps (by an independent reckoning of each record's
// age against its project's rule) is still listed.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import type { Operation } from '../ingest/otlp';
import { retentionRules } from '../retention';
import { storeRecords } from '../testing/session-records';
import type { SessionSummary } from './sessions';
import { openSqlite } from './sqlite';

const NOW = Date.UTC(2026, 11, 6, 12);
const DAY = 86_400_000;
const traceId = (n: number) => (n + 10).toString(16).padStart(32, '0');

const PROJECTS = [1, 2, 11];
const SERVICES = ['api', 'billing', 'web'];
const record = fc.record({
  // One correlation id is the very id of a trace, which another correlation id may claim.
  session: fc.constantFrom('req-a', 'req-b', 'req-c', traceId(0), undefined),
  trace: fc.integer({ min: 0, max: 3 }),
  kind: fc.constantFrom('operation', 'event', 'memory'),
  daysAgo: fc.integer({ min: 0, max: 9 }),
  at: fc.integer({ min: 0, max: DAY - 1 }),
  duration: fc.integer({ min: 0, max: 3_600_000 }),
  status: fc.constantFrom('ok', 'error'),
  service: fc.constantFrom(...SERVICES),
  project: fc.constantFrom(...PROJECTS),
});
type Rec = typeof record extends fc.Arbitrary<infer R> ? R : never;

/** When a record was made: its time, and an operation's end (retention goes by that). */
const timeOf = (r: Rec) => NOW - r.daysAgo * DAY - r.at;
const agedBy = (r: Rec) => timeOf(r) + (r.kind === 'operation' ? r.duration : 0);

it('keeps each session row saying what its records left say, and every session with one', () => {
  fc.assert(
    fc.property(
      fc.array(record, { minLength: 1, maxLength: 30 }),
      fc.record({
        one: fc.integer({ min: 0, max: 10 }),
        eleven: fc.integer({ min: 0, max: 10 }),
        others: fc.integer({ min: 0, max: 10 }),
      }),
      fc.constantFrom(1, 3, 500),
      (records, days, batch) => {
        const dir = mkdtempSync(join(tmpdir(), 'beacon-retention-property-'));
        const repo = openSqlite(join(dir, 'tracker.db'));
        try {
          storeRecords(
            repo,
            records.map((r) => ({
              ...r,
              traceId: traceId(r.trace),
              time: timeOf(r),
              status: r.status as Operation['status'],
            })),
          );
          const projects = [
            { id: 1, retentionDays: days.one },
            { id: 11, retentionDays: days.eleven },
          ];
          const rules = retentionRules(projects, { retentionDays: days.others }, NOW);
          for (const { scope, before } of rules)
            while (
              repo.deleteEventsBefore(before, batch, scope) +
                repo.deleteSessionsBefore(before, batch, scope) >
              0
            );

          const listed = repo.listSessions({ limit: 200 }).items;
          for (const item of listed) {
            const detail = repo.getSession(item.id);
            if (!detail) throw new Error(`${item.id} is listed but has no detail`);
            const { traceIds: _t, timeline: _o, errorEvents: _e, memory: _m, ...summary } = detail;
            expect(item).toEqual(summary);
          }

          // Every session with a record left is listed (a correlation id that is the id of a trace
          // another correlation id claimed among them), and each filter lists what the details say.
          // Kept by the rule of its project, reckoned here from the record's own age.
          const keptFor = (p: number) => ({ 1: days.one, 11: days.eleven })[p] ?? days.others;
          const kept = (r: Rec) =>
            keptFor(r.project) === 0 || agedBy(r) >= NOW - keptFor(r.project) * DAY;
          const ids = listed.map((s) => s.id);
          const named = records.filter((r) => r.session && kept(r)).map((r) => r.session);
          expect(ids).toEqual(expect.arrayContaining([...new Set(named)]));

          const list = (filter: object) =>
            repo.listSessions({ limit: 200, ...filter }).items.map((s) => s.id);
          const where = (test: (s: SessionSummary) => boolean) =>
            listed.filter(test).map((s) => s.id);
          for (const p of PROJECTS)
            expect(list({ project: [p] })).toEqual(where((s) => s.projectIds.includes(p)));
          for (const service of SERVICES)
            expect(list({ service })).toEqual(where((s) => s.services.includes(service)));
          expect(list({ hasErrors: true })).toEqual(where((s) => s.errors > 0));
          expect(list({ hasErrors: false })).toEqual(where((s) => s.errors === 0));
          for (const ms of [DAY, 2 * DAY, 5 * DAY])
            expect(list({ minDurationMs: ms })).toEqual(where((s) => s.durationMs >= ms));
        } finally {
          repo.close();
          rmSync(dir, { recursive: true, force: true });
        }
      },
    ),
    { numRuns: 80 },
  );
});
