// A listed session's summary is counted by SQL (session-reads.ts, summary) and a session's
// detail from its records read whole (read): for random sessions — operations of random
// durations, statuses and services, error events and memory snapshots, joined by correlation id
// or by trace id alone, sent to random projects — the list says of each what its detail says,
// and the list filtered by a project holds the sessions whose records were sent to it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import type { Operation } from '../ingest/otlp';
import { recordingConnection } from '../testing/query-plans';
import { storeRecords } from '../testing/session-records';
import { sessionReads } from './session-reads';
import { openSqlite } from './sqlite';

const T0 = Date.UTC(2026, 11, 3, 12);

const traceId = (n: number) => (n + 10).toString(16).padStart(32, '0');

/**
 * One record: which session (correlation id — three of them 32 hex digits, the very ids of
 * traces, so claims chain and go round — or none: its trace's), which trace, what.
 */
const record = fc.record({
  session: fc.constantFrom('req-a', 'req-b', 'ÿ-c', traceId(0), traceId(1), traceId(2), undefined),
  trace: fc.integer({ min: 0, max: 3 }),
  kind: fc.constantFrom('operation', 'event', 'memory'),
  at: fc.integer({ min: 0, max: 600_000 }),
  duration: fc.oneof(fc.integer({ min: 0, max: 2_000 }), fc.constantFrom(100, 150, 500)),
  status: fc.constantFrom('ok', 'error', 'unset'),
  // Past ASCII too, where UTF-16 and UTF-8 order differ (U+FF46 and an astral character).
  service: fc.constantFrom('api', 'billing', 'Ωmega', 'ｆull', '😀-edge'),
  // 1 and 11: one id's digits inside another's.
  project: fc.constantFrom(1, 2, 11),
});
const PROJECTS = [1, 2, 11];

it('lists each session as its detail describes it', () => {
  fc.assert(
    fc.property(fc.array(record, { minLength: 1, maxLength: 40 }), (records) => {
      const dir = mkdtempSync(join(tmpdir(), 'beacon-summary-'));
      try {
        const repo = openSqlite(join(dir, 'tracker.db'));
        storeRecords(
          repo,
          records.map((r) => ({
            ...r,
            traceId: traceId(r.trace),
            time: T0 + r.at,
            status: r.status as Operation['status'],
          })),
        );
        const listed = repo.listSessions({ limit: 200 }).items;
        expect(listed.length).toBeGreaterThan(0);
        for (const item of listed) {
          const detail = repo.getSession(item.id);
          if (!detail) throw new Error(`${item.id} is listed but has no detail`);
          const { traceIds: _t, timeline: _o, errorEvents: _e, memory: _m, ...summary } = detail;
          expect(item).toEqual(summary);
        }
        // The list filtered by a project is the sessions with its records (a correlation id that
        // is the id of a trace another correlation id claimed among them).
        for (const p of PROJECTS) {
          const filtered = repo.listSessions({ project: [p], limit: 200 }).items;
          expect(filtered).toEqual(listed.filter((s) => s.projectIds.includes(p)));
          // A record naming a correlation id is in that session, whatever its trace.
          const named = records.filter((r) => r.project === p && r.session).map((r) => r.session);
          expect(filtered.map((f) => f.id)).toEqual(expect.arrayContaining([...new Set(named)]));
        }
        const either = repo.listSessions({ project: [2, 11], limit: 200 }).items.map((s) => s.id);
        const each = [2, 11].flatMap((p) =>
          repo.listSessions({ project: [p], limit: 200 }).items.map((s) => s.id),
        );
        expect(new Set(either)).toEqual(new Set(each));
        repo.close();
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }),
    { numRuns: 60 },
  );
});

it('lists a session without reading any of its records whole', () => {
  const dir = mkdtempSync(join(tmpdir(), 'beacon-summary-'));
  const repo = openSqlite(join(dir, 'tracker.db'));
  const raw = recordingConnection(join(dir, 'tracker.db'));
  try {
    repo.ingestTraces(
      1,
      Array.from({ length: 3 }, (_, n) => ({
        traceId: traceId(n),
        spanId: n.toString(16).padStart(16, '0'),
        name: 'GET /',
        service: 'api',
        start: T0 + n,
        end: T0 + n + 120,
        status: 'ok' as const,
        correlationId: 'req-a',
        attributes: { 'http.route': '/' },
      })),
      [],
    );
    raw.take();
    const page = sessionReads(raw.db).list({ limit: 10 });
    expect(page.items).toEqual([
      {
        id: 'req-a',
        correlationId: 'req-a',
        services: ['api'],
        projectIds: [1],
        start: new Date(T0).toISOString(),
        end: new Date(T0 + 122).toISOString(),
        durationMs: 122,
        operations: 3,
        errors: 0,
        slowOperations: 0,
      },
    ]);
    // No statement of the list reads every column of a record (attributes, payloads).
    expect(raw.take().filter((sql) => /SELECT \*|payload/.test(sql))).toEqual([]);
  } finally {
    raw.db.close();
    repo.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
