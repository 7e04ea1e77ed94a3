// Retention of debug sessions against a real store: what a sweep removes, and what it must keep
// for the records still within retention.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { readEvent } from '../ingest/event';
import { createScrubber } from '../scrub/scrub';
import { retentionRules, sweepRetention } from '../retention';
import type { Repository, RetentionScope } from './repository';
import { openSqlite } from './sqlite';
import { operation as op } from '../testing/session-records';

const T0 = Date.UTC(2026, 10, 22, 12);
const DAY = 86_400_000;
const scrub = createScrubber({ enabled: true });
const trace = (n: number) => n.toString(16).padStart(32, 'a');

/** An error event of the project (1 unless named) dated `timestamp`, received at `receivedAt`. */
const errorEvent = (
  n: number,
  correlationId: string,
  timestamp: number,
  receivedAt: number,
  { projectId = 1, service = 'api-gateway' } = {},
) =>
  readEvent(
    {
      event_id: n.toString(16).padStart(32, '0'),
      timestamp: timestamp / 1000,
      message: `failure ${n}`,
      tags: { correlation_id: correlationId, service },
    },
    projectId,
    scrub,
    receivedAt,
  );

let dir: string;
let file: string;
let repo: Repository;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'beacon-session-retention-'));
  file = join(dir, 'tracker.db');
  repo = openSqlite(file);
});
afterEach(() => {
  repo.close();
  rmSync(dir, { recursive: true, force: true });
});

const sweep = (before: number, scope?: RetentionScope) => {
  while (
    repo.deleteEventsBefore(before, 500, scope) + repo.deleteSessionsBefore(before, 500, scope) >
    0
  );
};
const listed = () => repo.listSessions({ limit: 50 }).items.map((s) => [s.id, s.errors]);
const rows = (sql: string) => {
  const db = new Database(file, { readonly: true });
  try {
    return db.prepare(sql).all();
  } finally {
    db.close();
  }
};

it('keeps the session of an event sent late while the event is kept, and never shows it in another', () => {
  repo.ingestTraces(1, [op(1, trace(1), T0, { correlationId: 'fresh' })], []);
  // Dated five days back (an SDK's offline queue), received now: kept by its arrival.
  repo.ingest([errorEvent(1, 'offline', T0 - 5 * DAY, T0)]);
  repo.indexSessions();
  expect(listed()).toEqual([
    ['fresh', 0],
    ['offline', 1],
  ]);

  sweep(T0 - DAY);
  // The event is within retention: its session still shows it.
  expect(listed()).toEqual([
    ['fresh', 0],
    ['offline', 1],
  ]);
  expect(repo.getSession('offline')?.errorEvents.map((e) => e.title)).toEqual(['failure 1']);
  // A new session is a stranger to that event.
  repo.ingestTraces(1, [op(2, trace(2), T0 + 20, { correlationId: 'stranger' })], []);
  expect(repo.getSession('stranger')).toMatchObject({ errors: 0, errorEvents: [] });

  // Once the event is gone, a later sweep takes its session row too, leaving no join behind.
  sweep(T0 + 2 * DAY);
  expect(listed()).toEqual([]);
  sweep(T0 + 3 * DAY);
  expect(rows('SELECT sid FROM sessions')).toEqual([]);
  expect(rows('SELECT event FROM event_sessions')).toEqual([]);
  expect(rows('SELECT trace_id FROM trace_links')).toEqual([]);
  expect(rows('SELECT span_id FROM operations')).toEqual([]);
});

it('joins the events stored after retention took the newest ones to their sessions', () => {
  // Events have no key of their own: once the newest rows are gone, SQLite gives their row ids
  // to the next events, which were taken as joined already (session-index.ts, deleted).
  repo.ingest([
    errorEvent(1, 'kept', T0 - 40 * DAY, T0 - 40 * DAY, { projectId: 2 }),
    errorEvent(2, 'old', T0 - 40 * DAY, T0 - 40 * DAY),
    errorEvent(3, 'older', T0 - 40 * DAY, T0 - 40 * DAY),
  ]);
  repo.indexSessions();
  sweep(T0 - 30 * DAY, 1); // project 1's two events, the newest rows
  repo.ingest([errorEvent(4, 'fresh', T0, T0), errorEvent(5, 'fresher', T0, T0)]);
  repo.indexSessions();
  const errors = (id: string) => repo.getSession(id)?.errorEvents.map((e) => e.title);
  expect(['fresh', 'fresher', 'kept'].map(errors)).toEqual([
    ['failure 4'],
    ['failure 5'],
    ['failure 1'],
  ]);
  // And after every event has gone, the store empty of them.
  sweep(T0 + DAY);
  repo.ingest([errorEvent(6, 'after all', T0 + 2 * DAY, T0 + 2 * DAY)]);
  repo.indexSessions();
  expect(errors('after all')).toEqual(['failure 6']);
});

describe('a trace joined to a correlation id by a record that retention has taken', () => {
  const t = trace(7);
  const names = (id: string) => repo.getSession(id)?.timeline.map((o) => o.name);

  it('keeps a later span that knows only the trace in the session', () => {
    repo.ingestTraces(1, [op(1, t, T0, { correlationId: 'req-7' })], []);
    repo.ingestTraces(1, [op(2, t, T0 + 3 * DAY, { service: 'worker' })], []);
    sweep(T0 + DAY);
    expect(repo.listSessions({ limit: 50 }).items.map((s) => [s.id, s.operations])).toEqual([
      ['req-7', 1],
    ]);
    expect(names('req-7')).toEqual(['op 2']);
    expect(repo.getSession(t)?.id).toBe('req-7');
  });

  it('keeps a span that came first, knowing only the trace, once an older span links the trace', () => {
    repo.ingestTraces(1, [op(2, t, T0 + 3 * DAY, { service: 'worker' })], []);
    // The trace's root span, sent later, dated days before.
    repo.ingestTraces(1, [op(1, t, T0, { correlationId: 'req-7' })], []);
    sweep(T0 + DAY);
    expect(listed()).toEqual([['req-7', 0]]);
    expect(names('req-7')).toEqual(['op 2']);
  });

  it('keeps a later error event that knows only the trace in the session', () => {
    const event = (n: number, tags: Record<string, string>, at: number) =>
      readEvent(
        {
          event_id: n.toString(16).padStart(32, '0'),
          timestamp: at / 1000,
          message: `failure ${n}`,
          tags,
          contexts: { trace: { trace_id: t } },
        },
        1,
        scrub,
        at,
      );
    repo.ingest([event(1, { correlation_id: 'req-7' }, T0)]);
    repo.indexSessions();
    repo.ingest([event(2, {}, T0 + 3 * DAY)]);
    repo.indexSessions();
    sweep(T0 + DAY);
    expect(listed()).toEqual([['req-7', 1]]);
    expect(repo.getSession('req-7')?.errorEvents.map((e) => e.eventId)).toEqual([
      '2'.padStart(32, '0'),
    ]);
  });

  it('still links the trace for a span that comes after the first record naming both has gone', () => {
    repo.ingestTraces(1, [op(1, t, T0, { correlationId: 'req-7' })], []);
    repo.ingestTraces(1, [op(2, t, T0 + 3 * DAY, { correlationId: 'req-7' })], []);
    sweep(T0 + DAY);
    repo.ingestTraces(1, [op(3, t, T0 + 3 * DAY + 100, { service: 'worker' })], []);
    expect(listed()).toEqual([['req-7', 0]]);
    expect(names('req-7')).toEqual(['op 2', 'op 3']);
  });
});

it('sweeps past a batch of session rows it must keep, to the old ones after them and the refresh', async () => {
  const line = T0 - 5 * DAY;
  // Four sessions of events sent late (dated 10 days ago, received now): their rows are the
  // oldest and stay while their events do, two a call at a batch of 2.
  repo.ingest([1, 2, 3, 4].map((n) => errorEvent(n, `late-${n}`, T0 - 10 * DAY + n, T0)));
  repo.indexSessions();
  // After them, a session wholly past the line, and one that straddles it.
  repo.ingestTraces(
    1,
    [
      op(5, trace(5), T0 - 9 * DAY, { correlationId: 'gone' }),
      op(6, trace(6), T0 - 9 * DAY, { correlationId: 'straddle' }),
      op(7, trace(6), T0, { correlationId: 'straddle' }),
    ],
    [],
  );
  const writer = {
    deleteEventsBefore: async (...a: Parameters<Repository['deleteEventsBefore']>) =>
      repo.deleteEventsBefore(...a),
    deleteSessionsBefore: async (...a: Parameters<Repository['deleteSessionsBefore']>) =>
      repo.deleteSessionsBefore(...a),
    takeRetentionDeletes: async () => repo.takeRetentionDeletes(),
  };
  await sweepRetention(writer, [{ scope: { except: [] }, before: line }], 2);
  expect(rows('SELECT id, start FROM sessions WHERE alias_of IS NULL ORDER BY id')).toEqual([
    { id: 'late-1', start: T0 - 10 * DAY + 1 },
    { id: 'late-2', start: T0 - 10 * DAY + 2 },
    { id: 'late-3', start: T0 - 10 * DAY + 3 },
    { id: 'late-4', start: T0 - 10 * DAY + 4 },
    { id: 'straddle', start: T0 },
  ]);
});

it('keeps a trace’s link while a record of a project kept longer joined through it', () => {
  const t = trace(8);
  // Project 1's span knows only the trace; project 2's names req-8 too, and goes after a day.
  repo.ingestTraces(1, [op(1, t, T0 - 2 * DAY, { service: 'web' })], []);
  repo.ingestTraces(2, [op(2, t, T0 - 2 * DAY + 20, { correlationId: 'req-8' })], []);
  for (const { scope, before } of retentionRules(
    [{ id: 1, retentionDays: 0 }],
    { retentionDays: 1 },
    T0,
  ))
    sweep(before, scope);
  // The span left is still in req-8's session, which its row now lists by project 1 alone.
  expect(repo.getSession(t)).toMatchObject({ id: 'req-8', operations: 1, projectIds: [1] });
  expect(repo.listSessions({ limit: 10, project: [1] }).items.map((s) => s.id)).toEqual(['req-8']);
  expect(repo.listSessions({ limit: 10, project: [2] }).items).toEqual([]);
});

it('upgrades trace links from before they were shared, sharing those a record joined through', () => {
  const [joined, alone] = [trace(8), trace(9)];
  const before = openSqlite(file);
  before.ingestTraces(
    1,
    [
      op(1, joined, T0, { correlationId: 'req-8' }),
      op(2, joined, T0 + 3 * DAY, { service: 'worker' }),
      op(3, alone, T0, { correlationId: 'req-9' }),
    ],
    [],
  );
  before.close();
  const old = new Database(file);
  // The links as this package wrote them before: no `shared`, no index but by time, seen when
  // made (op 1's end, rounded up to the hour).
  old.exec(`CREATE TABLE kept AS SELECT trace_id, correlation_id, project_id, ${T0 + 3_600_000} AS seen FROM trace_links;
    DROP TABLE trace_links;
    CREATE TABLE trace_links (trace_id TEXT PRIMARY KEY, correlation_id TEXT NOT NULL,
      project_id INTEGER NOT NULL, seen REAL NOT NULL) WITHOUT ROWID;
    INSERT INTO trace_links SELECT * FROM kept; DROP TABLE kept;
    CREATE INDEX trace_links_seen ON trace_links (seen);`);
  old.close();

  repo.close();
  repo = openSqlite(file);
  // The shared link is seen as late as op 2's end, the other as before.
  expect(rows('SELECT trace_id, shared, seen FROM trace_links ORDER BY trace_id')).toEqual([
    { trace_id: joined, shared: 1, seen: T0 + 3 * DAY + 10 },
    { trace_id: alone, shared: 0, seen: T0 + 3_600_000 },
  ]);
  // Once the span naming both ids has gone, the one that knew only the trace is still req-8's.
  sweep(T0 + DAY);
  expect(repo.getSession('req-8')?.timeline.map((o) => o.name)).toEqual(['op 2']);
});

it('lists a session whose errors retention took as one without errors, as its summary says', () => {
  repo.ingestTraces(
    1,
    [
      op(1, trace(10), T0 - 10 * DAY, { correlationId: 'failed-once', status: 'error' }),
      op(2, trace(11), T0, { correlationId: 'failed-once' }),
      op(3, trace(12), T0 - 10 * DAY, { correlationId: 'still-failing', status: 'error' }),
      op(4, trace(13), T0, { correlationId: 'still-failing', status: 'error' }),
    ],
    [],
  );
  repo.ingest([errorEvent(1, 'event-left', T0 - 10 * DAY, T0 - 10 * DAY)]);
  repo.ingestTraces(1, [op(5, trace(14), T0, { correlationId: 'event-left' })], []);
  repo.indexSessions();
  const errorsOf = (hasErrors: boolean) =>
    repo
      .listSessions({ limit: 50, hasErrors })
      .items.map((s) => [s.id, s.errors])
      .sort();
  expect(errorsOf(true)).toEqual([
    ['event-left', 1],
    ['failed-once', 1],
    ['still-failing', 2],
  ]);
  sweep(T0 - 7 * DAY);
  expect(errorsOf(true)).toEqual([['still-failing', 1]]);
  expect(errorsOf(false)).toEqual([
    ['event-left', 0],
    ['failed-once', 0],
  ]);
});

it('drops, once, the joins that a database from before left to session rows it had deleted', () => {
  repo.ingest([errorEvent(1, 'offline', T0 - 5 * DAY, T0)]);
  repo.indexSessions();
  repo.close();
  // As retention left it before: the session row gone, the event's join kept.
  const old = new Database(file);
  old.exec(`DELETE FROM sessions; DELETE FROM indexed WHERE name = 'orphan_joins_dropped';`);
  old.close();
  expect(rows('SELECT event, sid FROM event_sessions')).toEqual([{ event: 1, sid: 1 }]);

  repo = openSqlite(file);
  expect(rows('SELECT event FROM event_sessions')).toEqual([]);
  // The next new session, given the row id again, is a stranger to the event.
  repo.ingestTraces(1, [op(1, trace(1), T0, { correlationId: 'stranger' })], []);
  expect(rows("SELECT sid FROM sessions WHERE id = 'stranger'")).toEqual([{ sid: 1 }]);
  expect(repo.getSession('stranger')).toMatchObject({ errors: 0, errorEvents: [] });
});

describe('a session of several projects, one of whose retention took its records', () => {
  const sessionsOf = (filter: { project?: number[]; service?: string; minDurationMs?: number }) =>
    repo.listSessions({ limit: 50, ...filter }).items.map((s) => s.id);
  const described = (id: string) => {
    const s = repo.getSession(id);
    return s && { projectIds: s.projectIds, services: s.services, start: s.start, end: s.end };
  };

  it('names and is found by only the projects and services left, whichever project’s rule took them', () => {
    // 'checkout' is listed under project 1 (its first record), 'import' under project 2; each has
    // an old record of the other project, and 'checkout' an old error event of project 3.
    repo.ingestTraces(1, [op(1, trace(1), T0, { correlationId: 'checkout', service: 'api' })], []);
    repo.ingestTraces(
      2,
      [op(2, trace(2), T0 - 10 * DAY, { correlationId: 'checkout', service: 'web' })],
      [],
    );
    repo.ingest([
      errorEvent(3, 'checkout', T0 - 10 * DAY, T0 - 10 * DAY, { projectId: 3, service: 'billing' }),
    ]);
    repo.ingestTraces(
      2,
      [op(4, trace(4), T0 - 10 * DAY, { correlationId: 'import', service: 'web' })],
      [],
    );
    repo.ingestTraces(1, [op(5, trace(5), T0, { correlationId: 'import', service: 'api' })], []);
    repo.indexSessions();
    expect(sessionsOf({ project: [2] })).toEqual(['import', 'checkout']);
    expect(sessionsOf({ service: 'web' })).toEqual(['import', 'checkout']);

    sweep(T0 - 7 * DAY, 2);
    expect(sessionsOf({ project: [2] })).toEqual([]);
    expect(sessionsOf({ service: 'web' })).toEqual([]);
    expect(sessionsOf({ project: [1] })).toEqual(['import', 'checkout']);
    expect(sessionsOf({ project: [3] })).toEqual(['checkout']);
    expect(described('checkout')).toMatchObject({
      projectIds: [1, 3],
      services: ['api', 'billing'],
    });
    expect(described('import')).toMatchObject({ projectIds: [1], services: ['api'] });

    sweep(T0 - 7 * DAY, 3);
    expect(sessionsOf({ project: [3] })).toEqual([]);
    expect(sessionsOf({ service: 'billing' })).toEqual([]);
    expect(described('checkout')).toMatchObject({ projectIds: [1], services: ['api'] });
  });

  it('is kept while another project’s records in it are, and goes with the last of them', () => {
    // Project 1 keeps a day, every other project 30: the session is listed under project 1.
    const rules = (now: number) =>
      retentionRules([{ id: 1, retentionDays: 1 }], { retentionDays: 30 }, now);
    repo.ingestTraces(
      1,
      [op(1, trace(1), T0 - 3 * DAY, { correlationId: 'signup', service: 'api' })],
      [],
    );
    repo.ingestTraces(
      2,
      [op(2, trace(2), T0 - 5 * DAY, { correlationId: 'signup', service: 'web' })],
      [],
    );
    for (const { scope, before } of rules(T0)) sweep(before, scope);
    expect(described('signup')).toEqual({
      projectIds: [2],
      services: ['web'],
      start: new Date(T0 - 5 * DAY).toISOString(),
      end: new Date(T0 - 5 * DAY + 10).toISOString(),
    });
    expect(sessionsOf({ project: [2] })).toEqual(['signup']);
    expect(sessionsOf({ project: [1] })).toEqual([]);

    // 26 days on, project 2's record is 31 days old.
    for (const { scope, before } of rules(T0 + 26 * DAY)) sweep(before, scope);
    expect(described('signup')).toBeUndefined();
    expect(rows('SELECT id FROM sessions')).toEqual([]);
  });

  it('drops a project from the row of another project kept longer, the whole session past its rule', () => {
    // Listed under project 1 (kept for ever); project 2 keeps a day.
    repo.ingestTraces(
      1,
      [op(1, trace(1), T0 - 3 * DAY, { correlationId: 'sync', service: 'api' })],
      [],
    );
    repo.ingestTraces(
      2,
      [op(2, trace(2), T0 - 2 * DAY, { correlationId: 'sync', service: 'web' })],
      [],
    );
    for (const { scope, before } of retentionRules(
      [{ id: 1, retentionDays: 0 }],
      { retentionDays: 1 },
      T0,
    ))
      sweep(before, scope);
    expect(sessionsOf({ project: [2] })).toEqual([]);
    expect(sessionsOf({ service: 'web' })).toEqual([]);
    expect(described('sync')).toEqual({
      projectIds: [1],
      services: ['api'],
      start: new Date(T0 - 3 * DAY).toISOString(),
      end: new Date(T0 - 3 * DAY + 10).toISOString(),
    });
    expect(sessionsOf({ minDurationMs: DAY })).toEqual([]);
  });

  it('goes in the sweep that takes its last record, though found while records were left', () => {
    repo.ingestTraces(2, [op(1, trace(1), T0 - 10 * DAY, { correlationId: 'old' })], []);
    repo.ingestTraces(3, [op(2, trace(2), T0 - 9 * DAY, { correlationId: 'old' })], []);
    repo.ingestTraces(2, [op(3, trace(3), T0, { correlationId: 'new' })], []);
    // A row a call: the session's row is found while its second operation is still there.
    while (repo.deleteSessionsBefore(T0 - 7 * DAY, 1) > 0);
    expect(rows('SELECT id FROM sessions')).toEqual([{ id: 'new' }]);
    expect(repo.getSession('old')).toBeUndefined();
  });
});
