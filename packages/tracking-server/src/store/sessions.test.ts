// The sessions table: one row per debug session, kept at write time, read by the list.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { readEvent } from '../ingest/event';
import type { MemorySnapshot, Operation } from '../ingest/otlp';
import { createScrubber } from '../scrub/scrub';
import type { Repository } from './repository';
import { sessionStore } from './sessions';
import { openSqlite } from './sqlite';

const T0 = Date.UTC(2026, 10, 22, 12);
const scrub = createScrubber({ enabled: true });
const trace = (n: number) => n.toString(16).padStart(32, 'a');
const span = (n: number) => n.toString(16).padStart(16, 'b');

const op = (
  n: number,
  traceId: string,
  start: number,
  end: number,
  extra: Partial<Operation> = {},
): Operation => ({
  traceId,
  spanId: span(n),
  name: `op ${n}`,
  service: 'api-gateway',
  start,
  end,
  status: 'ok',
  attributes: {},
  ...extra,
});

const errorEvent = (n: number, tags: Record<string, string>, traceId?: string, projectId = 1) =>
  readEvent(
    {
      event_id: n.toString(16).padStart(32, '0'),
      timestamp: (T0 + n) / 1000,
      message: `failure ${n}`,
      tags,
      ...(traceId ? { contexts: { trace: { trace_id: traceId } } } : {}),
    },
    projectId,
    scrub,
    T0 + n,
  );

let dir: string;
let repo: Repository;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'beacon-sessions-table-'));
  repo = openSqlite(join(dir, 'tracker.db'));
});
afterEach(() => {
  repo.close();
  rmSync(dir, { recursive: true, force: true });
});

const ids = (filter: Partial<Parameters<Repository['listSessions']>[0]> = {}) =>
  repo.listSessions({ limit: 50, ...filter }).items.map((s) => s.id);

it('lists sessions by their last record, newest first, and pages through ties on that time', () => {
  // Five sessions; b, c and d end at the same millisecond.
  repo.ingestTraces(
    1,
    [
      op(1, trace(1), T0, T0 + 100, { correlationId: 'a' }),
      op(2, trace(2), T0, T0 + 300, { correlationId: 'b' }),
      op(3, trace(3), T0 + 50, T0 + 300, { correlationId: 'c' }),
      op(4, trace(4), T0 + 10, T0 + 300, { correlationId: 'd' }),
      op(5, trace(5), T0, T0 + 500, { correlationId: 'e' }),
    ],
    [],
  );
  expect(ids()).toEqual(['e', 'd', 'c', 'b', 'a']);
  const seen: string[] = [];
  let cursor: string | undefined;
  let pages = 0;
  do {
    const page = repo.listSessions({ limit: 2, ...(cursor ? { cursor } : {}) });
    seen.push(...page.items.map((s) => s.id));
    cursor = page.nextCursor ?? undefined;
    pages++;
  } while (cursor);
  expect(seen).toEqual(['e', 'd', 'c', 'b', 'a']);
  expect(pages).toBe(3);
});

it('refuses a cursor it did not make', () => {
  expect(() => repo.listSessions({ limit: 2, cursor: 'bm9wZQ' })).toThrow(
    'invalid cursor "bm9wZQ"',
  );
  const issueCursor = Buffer.from(JSON.stringify([1, 2])).toString('base64url');
  expect(() => repo.listSessions({ limit: 2, cursor: issueCursor })).toThrow(/invalid cursor/);
});

it('filters in the table: service by exact name, minimum duration, errors', () => {
  repo.ingestTraces(
    1,
    [
      op(1, trace(1), T0, T0 + 2_000, { correlationId: 'slow' }),
      op(2, trace(2), T0, T0 + 20, { correlationId: 'quick', service: 'api' }),
      op(3, trace(3), T0, T0 + 30, { correlationId: 'failed', status: 'error' }),
    ],
    [],
  );
  repo.ingest([errorEvent(1, { correlation_id: 'quick', service: 'billing' })]);
  expect(ids({ service: 'api' })).toEqual(['quick']);
  expect(ids({ service: 'billing' })).toEqual(['quick']);
  expect(ids({ service: 'api-gateway' }).sort()).toEqual(['failed', 'slow']);
  expect(ids({ minDurationMs: 1_000 })).toEqual(['slow']);
  expect(ids({ hasErrors: true }).sort()).toEqual(['failed', 'quick']);
  expect(ids({ hasErrors: false })).toEqual(['slow']);
  expect(ids({ q: 'ui' })).toEqual(['quick']);
});

it('finds by a whole trace id, any case, the session the trace is part of', () => {
  // The sessions page's search says "Correlation id or trace id": a trace claimed by a
  // correlation id was found by neither (its id is in no session's).
  repo.ingestTraces(
    1,
    [
      op(1, trace(41), T0, T0 + 20, { correlationId: 'checkout-41' }),
      op(2, trace(42), T0, T0 + 20),
    ],
    [],
  );
  expect(ids({ q: trace(41) })).toEqual(['checkout-41']);
  expect(ids({ q: trace(41).toUpperCase() })).toEqual(['checkout-41']);
  expect(ids({ q: trace(42) })).toEqual([trace(42)]); // a trace that is its own session
  expect(ids({ q: trace(41).slice(1) })).toEqual([]); // a part of one is no trace id
});

it('lists every project a session’s records were sent to, and filters by any of them', () => {
  // A browser's project (2) and its API's (1) share the checkout's correlation id.
  repo.ingestTraces(1, [op(1, trace(1), T0, T0 + 100, { correlationId: 'checkout' })], []);
  repo.ingestTraces(2, [op(2, trace(2), T0 + 5, T0 + 50, { correlationId: 'checkout' })], []);
  // Project 11's trace, later linked by a span of project 1 naming a correlation id.
  repo.ingestTraces(11, [op(3, trace(3), T0, T0 + 200, { service: 'worker' })], []);
  repo.ingestTraces(1, [op(4, trace(3), T0 + 200, T0 + 300, { correlationId: 'import' })], []);
  // Project 3's error knows only the trace id of the API's span.
  repo.ingest([errorEvent(5, { service: 'billing' }, trace(1), 3)]);
  // Project 12's memory snapshot, alone in its session.
  repo.ingestTraces(
    12,
    [],
    [{ traceId: trace(6), spanId: span(6), seq: 0, service: 'api', time: T0 + 1 }],
  );

  const listed = repo.listSessions({ limit: 10 }).items.map((s) => [s.id, s.projectIds]);
  expect(listed).toEqual([
    ['import', [1, 11]],
    ['checkout', [1, 2, 3]],
    [trace(6), [12]],
  ]);
  expect(repo.getSession('checkout')?.projectIds).toEqual([1, 2, 3]);
  expect(repo.getSession(trace(3))?.projectIds).toEqual([1, 11]);
  expect(ids({ project: [2] })).toEqual(['checkout']);
  expect(ids({ project: [3] })).toEqual(['checkout']);
  expect(ids({ project: [11] })).toEqual(['import']);
  expect(ids({ project: [1] })).toEqual(['import', 'checkout']); // not 11's or 12's digits
  expect(ids({ project: [12, 2] })).toEqual(['checkout', trace(6)]);
  expect(ids({ project: [4] })).toEqual([]);
  // With the other filters, which all hold.
  expect(ids({ project: [11], service: 'worker', minDurationMs: 250 })).toEqual(['import']);
  expect(ids({ project: [2], hasErrors: false })).toEqual([]);
});

it('merges a session keyed by trace id into the correlation id’s once a span links them, events included', () => {
  const t = trace(9);
  repo.ingestTraces(1, [op(1, t, T0, T0 + 100, { service: 'worker' })], []);
  repo.ingest([errorEvent(2, { service: 'inventory' }, t)]);
  expect(ids()).toEqual([t]);
  expect(repo.getSession(t)?.errors).toBe(1);

  // A later span of the same trace names the correlation id.
  repo.ingestTraces(1, [op(2, t, T0 + 100, T0 + 400, { correlationId: 'req-9' })], []);
  expect(ids()).toEqual(['req-9']);
  // And an error that only knows the trace id is listed under the correlation id too.
  repo.ingest([errorEvent(3, { service: 'payments' }, t)]);
  expect(ids()).toEqual(['req-9']);

  const [listed] = repo.listSessions({ limit: 5 }).items;
  expect(listed).toMatchObject({
    id: 'req-9',
    correlationId: 'req-9',
    services: ['api-gateway', 'inventory', 'payments', 'worker'],
    operations: 2,
    errors: 2,
  });
  expect(repo.getSession('req-9')?.errorEvents.map((e) => e.eventId)).toEqual([
    (2).toString(16).padStart(32, '0'),
    (3).toString(16).padStart(32, '0'),
  ]);
  expect(ids({ service: 'worker' })).toEqual(['req-9']);
});

it('answers a trace id merged into a correlation id with the correlation id’s whole session', () => {
  const t = trace(10);
  repo.ingestTraces(1, [op(1, t, T0, T0 + 100, { service: 'worker' })], []);
  repo.ingest([errorEvent(2, { service: 'inventory' }, t)]);
  repo.ingestTraces(1, [op(2, t, T0 + 100, T0 + 400, { correlationId: 'req-10' })], []);

  expect(repo.getSession(t)).toMatchObject({
    id: 'req-10',
    correlationId: 'req-10',
    services: ['api-gateway', 'inventory', 'worker'],
    operations: 2,
    errors: 1,
    traceIds: [t],
  });
  expect(repo.getSession(t)?.timeline.map((o) => o.name)).toEqual(['op 1', 'op 2']);
  expect(repo.getSession(t)?.errorEvents.map((e) => e.eventId)).toEqual([
    (2).toString(16).padStart(32, '0'),
  ]);
});

it('answers a trace linked from its first span, never listed itself, with its correlation id’s session', () => {
  const [t, own] = [trace(11), trace(12)];
  repo.ingestTraces(
    1,
    [
      op(1, t, T0, T0 + 50, { correlationId: 'req-11' }),
      op(2, t, T0 + 50, T0 + 80),
      op(3, own, T0, T0 + 60),
    ],
    [],
  );
  expect(ids()).toEqual(['req-11', own]);
  expect(repo.getSession(t)).toMatchObject({ id: 'req-11', operations: 2, traceIds: [t] });
  // A trace linked to nothing is still its own session, and an unknown id none.
  expect(repo.getSession(own)).toMatchObject({ id: own, operations: 1, traceIds: [own] });
  expect(repo.getSession(own)?.correlationId).toBeUndefined();
  expect(repo.getSession(trace(13))).toBeUndefined();
});

it('lists a span without a correlation id under the one a Sentry event gave its trace, in either order', () => {
  const [t1, t2] = [trace(21), trace(22)];
  // The event first: its trace is linked, and the span that only knows the trace joins req-21.
  repo.ingest([errorEvent(1, { service: 'checkout', correlation_id: 'req-21' }, t1)]);
  repo.ingestTraces(1, [op(1, t1, T0, T0 + 50, { service: 'worker' })], []);
  // The span first: listed under its trace until the event links it to req-22.
  repo.ingestTraces(1, [op(2, t2, T0 + 100, T0 + 150, { service: 'worker' })], []);
  expect(ids()).toEqual([t2, 'req-21']);
  repo.ingest([errorEvent(2, { service: 'checkout', correlation_id: 'req-22' }, t2)]);

  expect(ids()).toEqual(['req-22', 'req-21']);
  for (const id of ['req-21', 'req-22']) {
    expect(repo.getSession(id)).toMatchObject({ operations: 1, errors: 1 });
    expect(repo.getSession(id)?.services).toEqual(['checkout', 'worker']);
  }
  expect(ids({ service: 'worker' })).toEqual(['req-22', 'req-21']);
});

it('deletes sessions with their records past retention', () => {
  const DAY = 86_400_000;
  repo.ingestTraces(
    1,
    [
      op(1, trace(1), T0 - 10 * DAY, T0 - 10 * DAY + 5, { correlationId: 'old' }),
      op(2, trace(2), T0, T0 + 5, { correlationId: 'new' }),
    ],
    [],
  );
  // The operation, its trace's link to the correlation id, and its session.
  expect(repo.deleteSessionsBefore(T0 - 7 * DAY, 500)).toBe(3);
  expect(repo.deleteSessionsBefore(T0 - 7 * DAY, 500)).toBe(0);
  expect(ids()).toEqual(['new']);
  expect(repo.getSession('old')).toBeUndefined();
  // The link went with its session: a new span of that trace is a session of its own.
  repo.ingestTraces(1, [op(3, trace(1), T0 + 10, T0 + 20)], []);
  expect(ids()).toEqual([trace(1), 'new']);
});

it('moves the start of a session partly past retention to its earliest record left', () => {
  const DAY = 86_400_000;
  repo.ingestTraces(
    1,
    [
      op(1, trace(1), T0 - 10 * DAY, T0 - 10 * DAY + 5, { correlationId: 'long' }),
      op(2, trace(2), T0, T0 + 5, { correlationId: 'long' }),
      op(3, trace(3), T0 - 8 * DAY, T0 + 50, { correlationId: 'straddles' }),
    ],
    [],
  );
  expect(ids({ minDurationMs: DAY })).toEqual(['straddles', 'long']);
  while (repo.deleteSessionsBefore(T0 - 7 * DAY, 500) > 0);
  // 'long' is now its one operation of 5 ms; 'straddles' keeps the operation that began before.
  expect(ids({ minDurationMs: DAY })).toEqual(['straddles']);
  expect(ids({ minDurationMs: 5 })).toEqual(['straddles', 'long']);
  expect(ids({ minDurationMs: 6 })).toEqual(['straddles']);
  expect(repo.getSession('long')?.durationMs).toBe(5);
});

it('upgrades a database from before the sessions table, listing what it holds', () => {
  const file = join(dir, 'before.db');
  const t = trace(7);
  const before = openSqlite(file);
  before.ingestTraces(
    1,
    [
      op(1, t, T0, T0 + 800, { correlationId: 'req-7' }),
      op(2, trace(8), T0 + 1_000, T0 + 1_100, { service: 'video-processing' }),
    ],
    [{ traceId: t, spanId: span(1), seq: 0, service: 'api-gateway', time: T0 + 5, rss: 1 }],
  );
  before.ingest([
    errorEvent(1, { service: 'inventory' }, t), // stored under the trace id, linked to req-7
    errorEvent(2, { correlation_id: 'req-only-event', service: 'billing' }),
  ]);
  before.close();
  const old = new Database(file);
  // The shape of the database this package wrote before the sessions table: each event's
  // session key (correlation id, else trace id) in an indexed column, no session rows.
  old.exec(`DROP TABLE sessions; DROP TRIGGER event_sessions_gone; DROP TABLE event_sessions; DROP TABLE indexed;
      ALTER TABLE events DROP COLUMN session_sid;
    UPDATE events SET session_key = COALESCE(correlation_id, trace_id);
    CREATE INDEX events_session ON events (session_key) WHERE session_key IS NOT NULL;`);
  old.close();

  const upgraded = openSqlite(file);
  try {
    expect(upgraded.listSessions({ limit: 10 }).items.map((s) => [s.id, s.services])).toEqual([
      [trace(8), ['video-processing']], // ends at T0 + 1100 ms
      ['req-7', ['api-gateway', 'inventory']], // T0 + 800 ms
      ['req-only-event', ['billing']], // T0 + 2 ms
    ]);
    expect(upgraded.getSession('req-7')).toMatchObject({ errors: 1, operations: 1 });
    expect(upgraded.getSession('req-7')?.memory).toHaveLength(1);
    expect(upgraded.listSessions({ limit: 10, hasErrors: true }).items.map((s) => s.id)).toEqual([
      'req-7',
      'req-only-event',
    ]);
    // New writes after the upgrade join the migrated rows.
    upgraded.ingest([errorEvent(3, { service: 'search' }, t)]);
    expect(upgraded.getSession('req-7')?.errors).toBe(2);
    expect(upgraded.listSessions({ limit: 10 }).items).toHaveLength(3);
  } finally {
    upgraded.close();
  }
});

it('upgrades sessions from before they named their projects, from the records they hold', () => {
  const file = join(dir, 'projects.db');
  const before = openSqlite(file);
  const t = trace(70);
  before.ingestTraces(1, [op(1, t, T0, T0 + 100, { correlationId: 'req-70' })], []);
  before.ingestTraces(
    2,
    [op(2, trace(71), T0, T0 + 50, { correlationId: 'req-71' })],
    [{ traceId: t, spanId: span(3), seq: 0, service: 'api', time: T0 + 7 }],
  );
  // An error of project 3 that knows the trace alone, and one of project 4 of no other record.
  before.ingest([
    errorEvent(4, { service: 'billing' }, t, 3),
    errorEvent(5, { correlation_id: 'req-72' }, undefined, 4),
  ]);
  before.indexSessions();
  before.close();
  const old = new Database(file);
  old.exec('ALTER TABLE sessions DROP COLUMN projects');
  old.close();

  const upgraded = openSqlite(file);
  try {
    expect(upgraded.listSessions({ limit: 10 }).items.map((s) => [s.id, s.projectIds])).toEqual([
      ['req-70', [1, 2, 3]],
      ['req-71', [2]],
      ['req-72', [4]],
    ]);
    const found = (project: number) =>
      upgraded.listSessions({ limit: 10, project: [project] }).items.map((s) => s.id);
    expect(found(3)).toEqual(['req-70']);
    expect(found(2)).toEqual(['req-70', 'req-71']);
    expect(found(4)).toEqual(['req-72']);
    // New writes after the upgrade add their projects to the upgraded rows.
    upgraded.ingestTraces(5, [op(6, trace(71), T0 + 60, T0 + 70, { correlationId: 'req-71' })], []);
    expect(found(5)).toEqual(['req-71']);
    expect(upgraded.getSession('req-71')?.projectIds).toEqual([2, 5]);
  } finally {
    upgraded.close();
  }
});

it('upgrades session rows keyed by id alone, keeping every row and its id, and keys them apart', () => {
  const file = join(dir, 'keyed.db');
  const before = openSqlite(file);
  const t = trace(75);
  // Trace t listed on its own, its error joined to it, then claimed by req-75 (an alias).
  before.ingestTraces(1, [op(1, t, T0, T0 + 10, { service: 'worker' })], []);
  before.ingest([errorEvent(2, { service: 'inventory' }, t)]);
  before.indexSessions();
  before.ingestTraces(1, [op(3, t, T0 + 20, T0 + 30, { correlationId: 'req-75' })], []);
  before.close();
  const old = new Database(file);
  const rows = () => old.prepare('SELECT * FROM sessions ORDER BY sid').all();
  const written = rows();
  expect(written).toEqual([
    expect.objectContaining({ id: t, alias_of: 'req-75' }),
    expect.objectContaining({ id: 'req-75', alias_of: null }),
  ]);
  old.exec(`CREATE TABLE kept AS SELECT * FROM sessions; DROP TABLE sessions;
    CREATE TABLE sessions (
      sid INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, project_id INTEGER NOT NULL,
      start REAL NOT NULL, end REAL NOT NULL, services TEXT NOT NULL,
      errors INTEGER NOT NULL DEFAULT 0, alias_of TEXT, projects TEXT NOT NULL DEFAULT '');
    CREATE INDEX sessions_end ON sessions (end DESC, sid DESC);
    INSERT INTO sessions SELECT * FROM kept; DROP TABLE kept;`);
  old.close();

  const upgraded = openSqlite(file);
  try {
    const after = new Database(file, { readonly: true });
    expect(after.prepare('SELECT * FROM sessions ORDER BY sid').all()).toEqual(written);
    expect(
      after
        .prepare("SELECT name FROM sqlite_master WHERE tbl_name = 'sessions' ORDER BY name")
        .pluck()
        .all(),
    ).toEqual(['sessions', 'sessions_end', 'sessions_key']);
    after.close();
    expect(upgraded.getSession('req-75')?.errorEvents.map((e) => e.eventId)).toEqual([
      (2).toString(16).padStart(32, '0'),
    ]);
    // t named as a correlation id now is a session of its own beside req-75.
    upgraded.ingestTraces(2, [op(4, trace(76), T0 + 40, T0 + 50, { correlationId: t })], []);
    expect(upgraded.listSessions({ limit: 10 }).items.map((s) => [s.id, s.operations])).toEqual([
      [t, 1],
      ['req-75', 2],
    ]);
  } finally {
    upgraded.close();
  }
});

it('upgrades trace links from before they had a time, and deletes them by it', () => {
  const DAY = 86_400_000;
  const file = join(dir, 'links.db');
  const t = trace(31);
  const before = openSqlite(file);
  before.ingestTraces(
    1,
    [op(1, t, T0 - 10 * DAY, T0 - 10 * DAY + 5, { correlationId: 'req-31' })],
    [],
  );
  before.close();
  const old = new Database(file);
  // The links as this package wrote them before: no project or time, an index by correlation id.
  old.exec(`CREATE TABLE kept AS SELECT trace_id, correlation_id FROM trace_links;
    DROP TABLE trace_links;
    CREATE TABLE trace_links (trace_id TEXT PRIMARY KEY, correlation_id TEXT NOT NULL) WITHOUT ROWID;
    INSERT INTO trace_links SELECT trace_id, correlation_id FROM kept; DROP TABLE kept;
    CREATE INDEX trace_links_correlation ON trace_links (correlation_id);`);
  old.close();

  const upgraded = openSqlite(file);
  try {
    const db = new Database(file, { readonly: true });
    const indexes = db
      .prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'trace_links'")
      .pluck()
      .all();
    expect(
      db.prepare('SELECT trace_id, correlation_id, project_id, seen FROM trace_links').all(),
    ).toEqual([{ trace_id: t, correlation_id: 'req-31', project_id: 1, seen: T0 - 10 * DAY + 5 }]);
    db.close();
    // The index by correlation id is gone; the one of shared links alone takes no other link.
    expect(indexes).toEqual(['trace_links_seen', 'trace_links_shared']);
    // The link still joins: a span that only knows the trace is listed under req-31.
    upgraded.ingestTraces(1, [op(2, t, T0 - 10 * DAY + 5, T0 - 10 * DAY + 9)], []);
    expect(upgraded.listSessions({ limit: 5 }).items.map((s) => s.id)).toEqual(['req-31']);
    expect(upgraded.getSession('req-31')?.operations).toBe(2);
    // Past retention: both operations, the link and the session.
    expect(upgraded.deleteSessionsBefore(T0 - 7 * DAY, 500)).toBe(4);
    upgraded.ingestTraces(1, [op(3, t, T0, T0 + 5)], []);
    expect(upgraded.listSessions({ limit: 5 }).items.map((s) => s.id)).toEqual([t]);
  } finally {
    upgraded.close();
  }
});

it('keeps a link while its records are within retention, for the span that comes later', () => {
  const DAY = 86_400_000;
  const t = trace(41);
  repo.ingest([errorEvent(1, { service: 'checkout', correlation_id: 'req-41' }, t)]);
  // A sweep for older data leaves the link made at T0.
  expect(repo.deleteSessionsBefore(T0 - DAY, 500)).toBe(0);
  repo.ingestTraces(1, [op(1, t, T0 + 10, T0 + 20, { service: 'worker' })], []);
  expect(ids()).toEqual(['req-41']);
  expect(repo.getSession('req-41')).toMatchObject({ operations: 1, errors: 1 });
});

it('keeps a record in the session its correlation id names, though its trace has another', () => {
  // One trace, two correlation ids: corr-a names the trace first, so a span of the trace without
  // a correlation id joins corr-a; corr-b keeps its own span and nothing else.
  const t = trace(7);
  repo.ingestTraces(1, [op(1, t, T0, T0 + 10, { correlationId: 'corr-a' })], []);
  repo.ingestTraces(
    1,
    [op(2, t, T0 + 20, T0 + 30, { correlationId: 'corr-b' }), op(3, t, T0 + 40, T0 + 50)],
    [],
  );
  const names = (id: string) => repo.getSession(id)?.timeline.map((o) => o.name);
  expect(names('corr-a')).toEqual(['op 1', 'op 3']);
  expect(names('corr-b')).toEqual(['op 2']);
  expect(repo.listSessions({ limit: 10 }).items.map((s) => [s.id, s.operations])).toEqual([
    ['corr-a', 2],
    ['corr-b', 1],
  ]);
});

// A correlation id may be the very id of a trace (an SDK that names its session by its first
// trace), and that trace may be claimed by another correlation id: the two are distinct sessions.
describe('a correlation id that is the id of a trace another correlation id claims', () => {
  const t = trace(31);
  const other = trace(32);
  const eventId = (n: number) => n.toString(16).padStart(32, '0');
  const names = (id: string) => repo.getSession(id)?.timeline.map((o) => o.name);
  const events = (id: string) => repo.getSession(id)?.errorEvents.map((e) => e.eventId);
  // Records of the trace alone (no correlation id), and records naming the correlation id t.
  const traceOnly = () => {
    repo.ingestTraces(1, [op(1, t, T0, T0 + 10, { service: 'worker' })], []);
    repo.ingest([errorEvent(2, { service: 'inventory' }, t)]);
  };
  const namingT = () => {
    repo.ingestTraces(
      2,
      [op(3, other, T0 + 20, T0 + 30, { correlationId: t, service: 'billing' })],
      [],
    );
    repo.ingest([errorEvent(4, { service: 'checkout', correlation_id: t }, other, 2)]);
  };
  const claim = () =>
    repo.ingestTraces(1, [op(5, t, T0 + 40, T0 + 50, { correlationId: 'req-31' })], []);
  const expectTwoSessions = () => {
    expect(ids().sort()).toEqual(['req-31', t].sort());
    expect(names('req-31')).toEqual(['op 1', 'op 5']);
    expect(events('req-31')).toEqual([eventId(2)]);
    expect(names(t)).toEqual(['op 3']);
    expect(events(t)).toEqual([eventId(4)]);
    expect(repo.getSession(t)).toMatchObject({
      id: t,
      correlationId: t,
      services: ['billing', 'checkout'],
      projectIds: [2],
    });
    // The filters read the rows: each says what its own session holds.
    expect(ids({ service: 'worker' })).toEqual(['req-31']);
    expect(ids({ service: 'billing' })).toEqual([t]);
    expect(ids({ project: [2] })).toEqual([t]);
    expect(ids({ project: [1] })).toEqual(['req-31']);
  };

  it('keeps them apart when the trace is claimed after both were listed', () => {
    traceOnly();
    namingT();
    claim();
    expectTwoSessions();
  });

  it('keeps them apart when the trace was claimed before either came', () => {
    claim();
    namingT();
    traceOnly();
    expectTwoSessions();
  });

  it('keeps them apart when the trace was claimed between them', () => {
    traceOnly();
    claim();
    namingT();
    expectTwoSessions();
  });

  it('keeps a session named by its own trace’s id, once another claims the trace', () => {
    // The trace is t's own: a span names t as its correlation id in trace t, and records of t
    // alone join it (a link of a trace to its own id is none).
    repo.ingestTraces(
      2,
      [op(3, t, T0 + 20, T0 + 30, { correlationId: t, service: 'billing' })],
      [],
    );
    repo.ingest([errorEvent(4, { service: 'checkout', correlation_id: t }, t, 2)]);
    traceOnly();
    expect(ids()).toEqual([t]);
    expect(names(t)).toEqual(['op 1', 'op 3']);
    // req-31 claims the trace: what knows only the trace goes to it, what names t stays.
    claim();
    expectTwoSessions();
  });
});

it('claims a trace again once its link is gone, the alias it had taking the new one’s place', () => {
  const t = trace(41);
  repo.ingestTraces(1, [op(1, t, T0, T0 + 10, { service: 'worker' })], []);
  repo.ingest([errorEvent(2, { service: 'inventory' }, t)]);
  repo.indexSessions();
  repo.ingestTraces(1, [op(3, t, T0 + 20, T0 + 30, { correlationId: 'req-41' })], []);
  // The link gone, as retention took it before a record that knows only the trace held it.
  const db = new Database(join(dir, 'tracker.db'));
  db.exec('DELETE FROM trace_links');
  db.close();
  repo.ingestTraces(1, [op(4, t, T0 + 40, T0 + 50, { service: 'worker' })], []);
  expect(ids()).toEqual([t, 'req-41']);
  repo.ingestTraces(1, [op(5, t, T0 + 60, T0 + 70, { correlationId: 'req-42' })], []);

  expect(ids()).toEqual(['req-42', 'req-41']);
  expect(repo.getSession('req-42')?.timeline.map((o) => o.name)).toEqual(['op 1', 'op 4', 'op 5']);
  expect(repo.getSession('req-42')?.errorEvents.map((e) => e.eventId)).toEqual([
    (2).toString(16).padStart(32, '0'),
  ]);
  expect(repo.getSession('req-41')?.timeline.map((o) => o.name)).toEqual(['op 3']);
  const rows = new Database(join(dir, 'tracker.db'), { readonly: true });
  expect(rows.prepare('SELECT alias_of FROM sessions WHERE id = ?').pluck().all(t)).toEqual([
    'req-42',
  ]);
  rows.close();
});

it('stores links that make a cycle, each trace claimed by the other’s id, as two sessions', () => {
  const a = trace(51);
  const b = trace(52);
  const names = (id: string) => repo.getSession(id)?.timeline.map((o) => o.name);
  repo.ingestTraces(1, [op(1, a, T0, T0 + 10, { service: 'worker' })], []);
  repo.ingestTraces(1, [op(2, b, T0 + 20, T0 + 30, { service: 'billing' })], []);
  // a is claimed by b, then b by a: each session takes what knows only the other's trace.
  repo.ingestTraces(1, [op(3, a, T0 + 40, T0 + 50, { correlationId: b })], []);
  repo.ingestTraces(1, [op(4, b, T0 + 60, T0 + 70, { correlationId: a })], []);
  expect(ids().sort()).toEqual([a, b].sort());
  expect(names(b)).toEqual(['op 1', 'op 3']);
  expect(names(a)).toEqual(['op 2', 'op 4']);
  expect(ids({ service: 'worker' })).toEqual([b]);
  expect(ids({ service: 'billing' })).toEqual([a]);
});

/**
 * A chain of claims: trace i's own span, then a span of trace i naming trace i + 1's id as its
 * correlation id (an SDK naming each session by the trace before it), the last link first.
 */
const chainSpans = (n: number) => ({
  own: Array.from({ length: n + 1 }, (_, i) => op(i + 1, trace(i), T0 + i * 100, T0 + i * 100 + 5)),
  links: Array.from({ length: n }, (_, k) => {
    const i = n - 1 - k;
    return op(1_000 + i, trace(i), T0 + i * 100 + 50, T0 + i * 100 + 55, {
      correlationId: trace(i + 1),
    });
  }),
});

describe('a chain of claims', () => {
  it('is the same sessions whichever end its links come from', () => {
    const { own, links } = chainSpans(4);
    const names = (r: Repository, id: string) => r.getSession(id)?.timeline.map((o) => o.name);
    const other = openSqlite(join(dir, 'forward.db'));
    try {
      for (const [r, ordered] of [
        [repo, links],
        [other, [...links].reverse()],
      ] as const) {
        r.ingestTraces(1, own, []);
        r.ingestTraces(1, ordered, []);
        // Session i: the span naming it and what knows only the trace it claimed (i - 1);
        // trace 4, claimed by none, keeps its own span.
        expect(names(r, trace(1))).toEqual(['op 1', 'op 1000']);
        expect(names(r, trace(2))).toEqual(['op 2', 'op 1001']);
        expect(names(r, trace(3))).toEqual(['op 3', 'op 1002']);
        expect(names(r, trace(4))).toEqual(['op 4', 'op 1003', 'op 5']);
        // Trace 0 is no session: asked for by its id, it answers the one that claimed it.
        expect(r.getSession(trace(0))?.id).toBe(trace(1));
        expect(r.listSessions({ limit: 10 }).items.map((s) => [s.id, s.operations])).toEqual([
          [trace(4), 3],
          [trace(3), 2],
          [trace(2), 2],
          [trace(1), 2],
        ]);
      }
    } finally {
      other.close();
    }
  });

  /** SQL statements the store runs writing the `n` links of a chain in one batch. */
  const linkStatements = (n: number) => {
    const file = join(dir, `chain-${n}.db`);
    openSqlite(file).close(); // every table made, event_sessions included
    let statements = 0;
    const db = new Database(file, { verbose: () => statements++ });
    try {
      const store = sessionStore(db);
      const { own, links } = chainSpans(n);
      store.write(1, own, []);
      statements = 0;
      store.write(1, links, []);
      return statements;
    } finally {
      db.close();
    }
  };

  it('arriving from its end back is written in work that grows with its length, not its square', () => {
    // Until 2026-12-07 each link merged into every session after it: 3.97× the statements for
    // twice the links (800 links took 11 s of the writer's time in one transaction).
    const [short, long] = [linkStatements(40), linkStatements(80)];
    expect(short).toBeGreaterThan(40);
    expect(long / short).toBeLessThan(2.5);
  });
});

it('reads and lists a session of more spans than a call can take as arguments', () => {
  const t = trace(8);
  const spans = Array.from({ length: 70_000 }, (_, i) =>
    op(i + 1, t, T0 + i, T0 + i + 5, {
      correlationId: 'job-1',
      spanId: (i + 1).toString(16).padStart(16, '0'),
    }),
  );
  repo.ingestTraces(1, spans, []);
  expect(repo.getSession('job-1')).toMatchObject({ operations: 70_000, durationMs: 70_004 });
  expect(repo.listSessions({ limit: 10 }).items.map((s) => s.id)).toEqual(['job-1']);
});

const snapshot = (
  n: number,
  traceId: string,
  time: number,
  extra: Partial<MemorySnapshot> = {},
) => ({
  traceId,
  spanId: span(n),
  seq: 0,
  service: 'api-gateway',
  time,
  rss: 1_000 + n,
  ...extra,
});

it('stores a memory snapshot once when its request is sent again (an exporter’s retry)', () => {
  const t = trace(51);
  const send = () =>
    repo.ingestTraces(
      1,
      [op(1, t, T0, T0 + 10, { correlationId: 'req-51' })],
      [
        snapshot(1, t, T0 + 5, { correlationId: 'req-51' }),
        snapshot(1, t, T0 + 6, { correlationId: 'req-51', seq: 1 }),
      ],
    );
  send();
  send();
  expect(repo.getSession('req-51')).toMatchObject({ operations: 1 });
  expect(repo.getSession('req-51')?.memory.map((m) => [m.offsetMs, m.rss])).toEqual([
    [5, 1_001],
    [6, 1_001],
  ]);
  // Another project's snapshot at the same span and time is its own.
  repo.ingestTraces(2, [], [snapshot(1, t, T0 + 5, { correlationId: 'req-51', rss: 7 })]);
  expect(
    repo
      .getSession('req-51')
      ?.memory.map((m) => m.rss ?? 0)
      .sort((a, b) => a - b),
  ).toEqual([7, 1_001, 1_001]);
});

it('keeps each project’s span when two projects send the same trace and span ids', () => {
  const t = trace(52);
  const first = op(1, t, T0, T0 + 10, { correlationId: 'p1', name: 'first' });
  // Each write answers which of its operations were there already (sent before, or twice in it).
  expect(repo.ingestTraces(1, [first, op(2, t, T0, T0 + 5), first], [])).toEqual([2]);
  expect(
    repo.ingestTraces(
      2,
      [op(1, t, T0, T0 + 10, { correlationId: 'p2', name: 'other project' })],
      [],
    ),
  ).toEqual([]);
  // A project's retry still replaces its own row.
  expect(
    repo.ingestTraces(
      1,
      [
        op(3, t, T0, T0 + 5),
        op(1, t, T0, T0 + 20, { correlationId: 'p1', name: 'first, sent again' }),
      ],
      [],
    ),
  ).toEqual([1]);
  const names = (id: string) => repo.getSession(id)?.timeline.map((o) => [o.name, o.durationMs]);
  expect(names('p1')).toEqual([
    ['first, sent again', 20],
    ['op 2', 5],
    ['op 3', 5],
  ]);
  expect(names('p2')).toEqual([['other project', 10]]);
});

it('upgrades operations keyed without their project and snapshots stored twice, keeping every row once', () => {
  const file = join(dir, 'keys.db');
  const [t1, t2] = [trace(61), trace(62)];
  const before = openSqlite(file);
  before.ingestTraces(
    1,
    [
      op(1, t1, T0, T0 + 10, { correlationId: 'req-61' }),
      op(2, t1, T0 + 10, T0 + 30, { correlationId: 'req-61' }),
    ],
    [snapshot(1, t1, T0 + 5, { correlationId: 'req-61' })],
  );
  before.ingestTraces(2, [op(1, t2, T0, T0 + 40)], [snapshot(1, t2, T0 + 7)]);
  before.close();
  const old = new Database(file);
  // The tables as this package wrote them before: operations keyed by trace and span id, no key
  // on snapshots (here a retry's copies of two of them).
  old.exec(`CREATE TABLE kept AS SELECT * FROM operations; DROP TABLE operations;
    CREATE TABLE operations (
      project_id INTEGER NOT NULL, trace_id TEXT NOT NULL, span_id TEXT NOT NULL, parent_span_id TEXT,
      name TEXT NOT NULL, service TEXT NOT NULL, start REAL NOT NULL, end REAL NOT NULL,
      status TEXT NOT NULL, status_message TEXT, correlation_id TEXT, attributes TEXT NOT NULL,
      PRIMARY KEY (trace_id, span_id));
    INSERT INTO operations SELECT * FROM kept; DROP TABLE kept;
    DROP INDEX memory_seq_once;
    ALTER TABLE memory_snapshots DROP COLUMN seq;
    CREATE INDEX memory_trace ON memory_snapshots (trace_id);
    INSERT INTO memory_snapshots SELECT * FROM memory_snapshots;`);
  expect(old.prepare('SELECT COUNT(*) FROM memory_snapshots').pluck().get()).toBe(4);
  old.close();

  const upgraded = openSqlite(file);
  try {
    const db = new Database(file, { readonly: true });
    expect(
      db.prepare('SELECT project_id, span_id, name FROM operations ORDER BY rowid').all(),
    ).toEqual([
      { project_id: 1, span_id: span(1), name: 'op 1' },
      { project_id: 1, span_id: span(2), name: 'op 2' },
      { project_id: 2, span_id: span(1), name: 'op 1' },
    ]);
    expect(
      db.prepare('SELECT project_id, trace_id, time FROM memory_snapshots ORDER BY rowid').all(),
    ).toEqual([
      { project_id: 1, trace_id: t1, time: T0 + 5 },
      { project_id: 2, trace_id: t2, time: T0 + 7 },
    ]);
    expect(
      db
        .prepare(
          "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name IN ('operations', 'memory_snapshots') ORDER BY name",
        )
        .pluck()
        .all(),
    ).toEqual([
      'memory_correlation',
      'memory_seq_once',
      'memory_time',
      'operations_correlation',
      'operations_end',
      'operations_start',
      'sqlite_autoindex_operations_1',
    ]);
    db.close();
    expect(upgraded.getSession('req-61')).toMatchObject({ operations: 2, durationMs: 30 });
    expect(upgraded.getSession('req-61')?.memory).toHaveLength(1);
    // New writes after the upgrade: another project's span with the same ids is its own row.
    upgraded.ingestTraces(3, [op(1, t1, T0, T0 + 50, { correlationId: 'req-63' })], []);
    expect(upgraded.getSession('req-61')?.operations).toBe(2);
    expect(upgraded.getSession('req-63')?.operations).toBe(1);
  } finally {
    upgraded.close();
  }
});

it('keeps two snapshots of one span at one time, each known by its place among the span’s memory events', () => {
  const t = trace(55);
  const send = (time: number) =>
    repo.ingestTraces(
      1,
      [],
      [
        snapshot(1, t, time, { correlationId: 'req-55' }),
        snapshot(1, t, time, { correlationId: 'req-55', seq: 1, rss: 2 }),
      ],
    );
  send(T0 + 5);
  // Sent again and dated anew (a span moved back to its arrival): the same two snapshots.
  send(T0 + 1_200);
  expect(repo.getSession('req-55')?.memory.map((m) => [m.offsetMs, m.rss])).toEqual([
    [0, 1_001],
    [0, 2],
  ]);
});

it('numbers the snapshots of a database keyed by their time in the order of their times', () => {
  const file = join(dir, 'seq.db');
  const t = trace(65);
  const before = openSqlite(file);
  before.ingestTraces(
    1,
    [],
    [
      snapshot(1, t, T0 + 9, { correlationId: 'req-65', rss: 9 }),
      snapshot(1, t, T0 + 5, { correlationId: 'req-65', seq: 1, rss: 5 }),
      snapshot(2, t, T0 + 7, { correlationId: 'req-65', rss: 7 }),
    ],
  );
  before.close();
  const old = new Database(file);
  // The table as this package wrote it before: no seq, each snapshot keyed by its time.
  old.exec(`DROP INDEX memory_seq_once;
    ALTER TABLE memory_snapshots DROP COLUMN seq;
    CREATE UNIQUE INDEX memory_once ON memory_snapshots (trace_id, span_id, time, project_id);`);
  old.close();

  const upgraded = openSqlite(file);
  try {
    const db = new Database(file, { readonly: true });
    expect(
      db.prepare('SELECT span_id, seq, rss FROM memory_snapshots ORDER BY rowid').all(),
    ).toEqual([
      { span_id: span(1), seq: 1, rss: 9 },
      { span_id: span(1), seq: 0, rss: 5 },
      { span_id: span(2), seq: 0, rss: 7 },
    ]);
    expect(
      db
        .prepare(
          "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'memory_snapshots' ORDER BY name",
        )
        .pluck()
        .all(),
    ).toEqual(['memory_correlation', 'memory_seq_once', 'memory_time']);
    db.close();
    // After it, a retry's copy of the second is known by its place; a third is its own.
    upgraded.ingestTraces(
      1,
      [],
      [
        snapshot(1, t, T0 + 60_009, { correlationId: 'req-65', seq: 1, rss: 9 }),
        snapshot(1, t, T0 + 11, { correlationId: 'req-65', seq: 2, rss: 11 }),
      ],
    );
    expect(upgraded.getSession('req-65')?.memory.map((m) => m.rss)).toEqual([5, 7, 9, 11]);
  } finally {
    upgraded.close();
  }
});

it('refreshes starts once the events are gone, a bounded number of sessions a call, reading no payload', () => {
  const DAY = 86_400_000;
  const before = T0 - 7 * DAY;
  const old = (n: number) =>
    readEvent(
      {
        event_id: (0x01d000 + n).toString(16).padStart(32, '0'),
        timestamp: (before - DAY + n) / 1000,
        message: `old failure ${n}`,
        tags: { correlation_id: 'crowd' },
      },
      1,
      scrub,
      before - DAY + n,
    );
  // 'crowd': 30 events past retention and one within; 150 sessions of an operation past
  // retention and one within it.
  repo.ingest([
    ...Array.from({ length: 30 }, (_, i) => old(i)),
    errorEvent(100, { correlation_id: 'crowd' }),
  ]);
  repo.ingestTraces(
    1,
    Array.from({ length: 150 }, (_, i) => [
      op(2 * i, trace(i), before - DAY, before - DAY + 5, { correlationId: `s${i}` }),
      op(2 * i + 1, trace(i), T0 + i, T0 + i + 5, { correlationId: `s${i}` }),
    ]).flat(),
    [],
  );
  repo.indexSessions();
  const reader = new Database(join(dir, 'tracker.db'), { readonly: true });
  const starts = () =>
    new Map(
      (
        reader.prepare('SELECT id, start FROM sessions').all() as { id: string; start: number }[]
      ).map((r) => [r.id, r.start]),
    );
  const prepared = jest.spyOn(Database.prototype, 'prepare');
  try {
    // sweepRetention's calls, in batches of 10: 15 for the operations, 3 for the events.
    const moved: number[] = [];
    for (let last = starts(); ;) {
      const n = repo.deleteEventsBefore(before, 10) + repo.deleteSessionsBefore(before, 10);
      const now = starts();
      moved.push([...now].filter(([id, start]) => last.has(id) && last.get(id) !== start).length);
      last = now;
      if (n === 0) break;
    }
    // Every start moved once, 100 sessions a call at most, and only after the last old event went.
    expect(moved.filter((m) => m > 0)).toEqual([100, 51]);
    expect(moved.length).toBeGreaterThanOrEqual(18);
    const sql = prepared.mock.calls.map(([text]) => String(text));
    expect(sql.filter((text) => /payload|SELECT \*/i.test(text))).toEqual([]);
  } finally {
    prepared.mockRestore();
  }
  const after = starts();
  expect(after.get('crowd')).toBe(T0 + 100);
  expect(after.get('s0')).toBe(T0);
  expect(after.get('s149')).toBe(T0 + 149);
  reader.close();
});
