// The tables of debug sessions (sessions.ts), and the migrations of databases written by
// earlier versions of the store.
import type Database from 'better-sqlite3';
import { hasColumn, migrateOnce } from './table-columns';

// An operation is a project's span: the same trace and span ids sent by two projects are two
// rows (an exporter's retry replaces its own). The key leads with the trace id, which the
// session reads look operations up by.
const OPERATIONS_TABLE = (name: string) => `CREATE TABLE IF NOT EXISTS ${name} (
  project_id INTEGER NOT NULL, trace_id TEXT NOT NULL, span_id TEXT NOT NULL, parent_span_id TEXT,
  name TEXT NOT NULL, service TEXT NOT NULL, start REAL NOT NULL, end REAL NOT NULL,
  status TEXT NOT NULL, status_message TEXT, correlation_id TEXT, attributes TEXT NOT NULL,
  PRIMARY KEY (trace_id, span_id, project_id));`;
const SESSIONS_SCHEMA = `
${OPERATIONS_TABLE('operations')}
CREATE INDEX IF NOT EXISTS operations_correlation ON operations (correlation_id);
CREATE INDEX IF NOT EXISTS operations_start ON operations (start);
-- Retention deletes by age: by end for operations, by time for snapshots (without these, every
-- sweep read both tables whole, ~0.1 s a million rows, on the writer thread).
CREATE INDEX IF NOT EXISTS operations_end ON operations (end);
CREATE TABLE IF NOT EXISTS memory_snapshots (
  project_id INTEGER NOT NULL, trace_id TEXT NOT NULL, span_id TEXT NOT NULL, service TEXT NOT NULL,
  correlation_id TEXT, time REAL NOT NULL, rss REAL, heap_used REAL, seq INTEGER NOT NULL DEFAULT 0);
CREATE INDEX IF NOT EXISTS memory_correlation ON memory_snapshots (correlation_id);
CREATE INDEX IF NOT EXISTS memory_time ON memory_snapshots (time);
CREATE TABLE IF NOT EXISTS trace_links (
  trace_id TEXT PRIMARY KEY, correlation_id TEXT NOT NULL, project_id INTEGER NOT NULL,
  seen REAL NOT NULL, shared INTEGER NOT NULL DEFAULT 0) WITHOUT ROWID;
DROP INDEX IF EXISTS events_trace;
DROP INDEX IF EXISTS events_correlation;
`;

/**
 * Events carry their session key (correlation id, else trace id) in one indexed column: every
 * index on a random id costs a page write per event, and ingest is bounded by those writes.
 * A database from before the column gets it here.
 */
function migrate(db: Database.Database): void {
  if (hasColumn(db, 'events', 'session_key')) return;
  db.exec(`ALTER TABLE events ADD COLUMN session_key TEXT;
    UPDATE events SET session_key = COALESCE(correlation_id, trace_id);`);
}

/**
 * A row is a listed session (by its correlation id, or a trace's id while the trace is its own)
 * or a trace's alias (`alias_of`: the correlation id that claimed the trace, which its events,
 * joined to the row, went to). The two are keyed apart: a correlation id can be the very id of a
 * trace another correlation id claimed, and is a session of its own.
 */
const SESSIONS_TABLE = (name: string) => `
CREATE TABLE ${name} (
  sid INTEGER PRIMARY KEY, id TEXT NOT NULL, project_id INTEGER NOT NULL,
  start REAL NOT NULL, end REAL NOT NULL, services TEXT NOT NULL,
  errors INTEGER NOT NULL DEFAULT 0, alias_of TEXT, projects TEXT NOT NULL DEFAULT '');`;
const SESSIONS_INDEXES = `
CREATE UNIQUE INDEX sessions_key ON sessions (id, alias_of IS NOT NULL);
CREATE INDEX sessions_end ON sessions (end DESC, sid DESC);`;
/** The conflict target of a row's key (sessions_key). */
export const SESSION_KEY = '(id, alias_of IS NOT NULL)';

/**
 * Trace links are found by trace id only, and go by age. They had an index by correlation id
 * (for a session's traces, and to delete them with their session): a second random key written
 * per linked record, and the most costly write of ingest (BENCHMARKS.md). A session's traces
 * are those of its own records and its shared links (shareLinks); retention goes by the time of
 * the latest record that made or joined through the link, as for the records. A database from
 * before gets the link's project and time from its session.
 */
function linkTimes(db: Database.Database): void {
  const timed = () => hasColumn(db, 'trace_links', 'seen');
  migrateOnce(db, timed, () => {
    db.exec(`ALTER TABLE trace_links ADD COLUMN project_id INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE trace_links ADD COLUMN seen REAL NOT NULL DEFAULT 0;
      UPDATE trace_links SET (project_id, seen) =
        (SELECT s.project_id, s.end FROM sessions s WHERE s.id = trace_links.correlation_id)
      WHERE EXISTS (SELECT 1 FROM sessions s WHERE s.id = trace_links.correlation_id);`);
  });
  db.exec(`DROP INDEX IF EXISTS trace_links_correlation;
    CREATE INDEX IF NOT EXISTS trace_links_seen ON trace_links (seen);`);
}

/**
 * A link is `shared` once a record that does not name the correlation id joins the session
 * through it (a span or event that knows only the trace id): its session then finds the trace by
 * the link itself (an index of those links alone, by correlation id), not only by the records that
 * name both ids, which retention may take first. Links of one record's trace alone (most events)
 * are never in that index, so ingest writes no second random key for them. A database from before
 * marks the links whose traces have such records, seen as late as the latest of them (its links
 * went by the time of the record that made them, and took the later records' session with them).
 */
function shareLinks(db: Database.Database): void {
  const has = () => hasColumn(db, 'trace_links', 'shared');
  migrateOnce(db, has, () => {
    db.exec(`ALTER TABLE trace_links ADD COLUMN shared INTEGER NOT NULL DEFAULT 0;
      UPDATE trace_links SET shared = 1, seen = MAX(seen,
          COALESCE((SELECT MAX(o.end) FROM operations o WHERE o.trace_id = trace_links.trace_id AND o.correlation_id IS NULL), 0),
          COALESCE((SELECT MAX(m.time) FROM memory_snapshots m WHERE m.trace_id = trace_links.trace_id AND m.correlation_id IS NULL), 0),
          COALESCE((SELECT s.end FROM sessions s WHERE s.id = trace_links.trace_id), 0))
      WHERE EXISTS (SELECT 1 FROM operations o WHERE o.trace_id = trace_links.trace_id AND o.correlation_id IS NULL)
        OR EXISTS (SELECT 1 FROM memory_snapshots m WHERE m.trace_id = trace_links.trace_id AND m.correlation_id IS NULL)
        OR EXISTS (SELECT 1 FROM sessions s WHERE s.id = trace_links.trace_id);`);
  });
  db.exec(
    'CREATE INDEX IF NOT EXISTS trace_links_shared ON trace_links (correlation_id) WHERE shared = 1',
  );
}

/** Session key of a record: its correlation id, the one its trace is linked to, or its trace id. */
const KEY = (alias: string) =>
  `COALESCE(${alias}.correlation_id, (SELECT l.correlation_id FROM trace_links l WHERE l.trace_id = ${alias}.trace_id), ${alias}.trace_id)`;

/**
 * Services of a session as stored: each between newlines, so `instr` finds one exactly. Its
 * projects are stored so too (projectsText), by id.
 */
export const servicesText = (services: Iterable<string>) => {
  const list = [...new Set(services)].map((s) => s.replace(/\n/g, ' ')).sort();
  return list.length ? `\n${list.join('\n')}\n` : '\n';
};
export const projectsText = (ids: Iterable<number>) => servicesText([...ids].map(String));
const mergeLines = (a: string, b: string) =>
  servicesText([...a.split('\n'), ...b.split('\n')].filter(Boolean));

/**
 * One listed session, merged into what is there: earliest start, latest end, every service and
 * project. Its `project_id` is its first record's project, whose retention settings it goes by.
 */
export const UPSERT = `INSERT INTO sessions (id, project_id, start, end, services, errors, projects)
  VALUES (?, ?, ?, ?, ?, ?, ?)
  ON CONFLICT ${SESSION_KEY} DO UPDATE SET start = MIN(start, excluded.start), end = MAX(end, excluded.end),
    services = CASE WHEN services = excluded.services THEN services ELSE beacon_merge_lines(services, excluded.services) END,
    errors = MAX(errors, excluded.errors),
    projects = CASE WHEN projects = excluded.projects THEN projects ELSE beacon_merge_lines(projects, excluded.projects) END
  RETURNING sid`;

/**
 * A database from before the sessions table gets it here, filled from the operations, events
 * and memory snapshots it holds, and its events get their session row — once, in one
 * transaction, before the server takes requests.
 */
function createSessionsTable(db: Database.Database): void {
  const exists = () =>
    db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'sessions'").get() !==
    undefined;
  migrateOnce(db, exists, () => {
    if (!hasColumn(db, 'events', 'session_sid'))
      db.exec('ALTER TABLE events ADD COLUMN session_sid INTEGER');
    db.exec(SESSIONS_TABLE('sessions') + SESSIONS_INDEXES);
    const rows = db
      .prepare(
        `SELECT k, project_id AS project, MIN(t0) AS start, MAX(t1) AS end, s, MAX(err) AS errors FROM (
           SELECT ${KEY('o')} AS k, o.project_id, o.start AS t0, o.end AS t1, o.service AS s, o.status = 'error' AS err FROM operations o
           UNION ALL SELECT ${KEY('e')}, e.project_id, e.timestamp, e.timestamp, e.service, 1 FROM events e WHERE e.session_key IS NOT NULL
           UNION ALL SELECT ${KEY('m')}, m.project_id, m.time, m.time, m.service, 0 FROM memory_snapshots m
         ) GROUP BY k, s, project_id`,
      )
      .all() as {
      k: string;
      project: number;
      start: number;
      end: number;
      s: string;
      errors: number;
    }[];
    const upsert = db.prepare(UPSERT);
    for (const r of rows)
      upsert.get(
        r.k,
        r.project,
        r.start,
        r.end,
        servicesText([r.s]),
        r.errors,
        projectsText([r.project]),
      );
    // Event keys that are trace ids linked to a correlation id.
    db.prepare(
      `INSERT OR IGNORE INTO sessions (id, project_id, start, end, services, errors, alias_of)
       SELECT e.session_key, MIN(e.project_id), MIN(e.timestamp), MAX(e.timestamp), char(10), 0, l.correlation_id
       FROM events e JOIN trace_links l ON l.trace_id = e.session_key
       WHERE e.correlation_id IS NULL AND l.correlation_id <> e.session_key GROUP BY e.session_key`,
    ).run();
    // An event of a trace alone joins the trace's alias, where there is one.
    db.exec(`UPDATE events SET session_sid = COALESCE(
        (SELECT sid FROM sessions s WHERE s.id = events.session_key AND s.alias_of IS NOT NULL AND events.correlation_id IS NULL),
        (SELECT sid FROM sessions s WHERE s.id = events.session_key AND s.alias_of IS NULL))
      WHERE session_key IS NOT NULL;
      DROP INDEX IF EXISTS events_session;
      CREATE INDEX events_sid ON events (session_sid) WHERE session_sid IS NOT NULL;`);
  });
}

/**
 * Operations were keyed by trace and span id alone, so one project's span replaced another's
 * with the same ids. A database from before is copied once into the table keyed by project
 * too (every row kept: the old key let no two rows share trace and span id).
 */
function keyOperationsByProject(db: Database.Database): void {
  const keyed = () =>
    (db.prepare('PRAGMA table_info(operations)').all() as { name: string; pk: number }[]).some(
      (c) => c.name === 'project_id' && c.pk > 0,
    );
  migrateOnce(db, keyed, () => {
    // Dropping the table drops its indexes too: SESSIONS_SCHEMA makes them again.
    db.exec(`${OPERATIONS_TABLE('operations_keyed')}
      INSERT INTO operations_keyed SELECT * FROM operations;
      DROP TABLE operations;
      ALTER TABLE operations_keyed RENAME TO operations;
      ${SESSIONS_SCHEMA}`);
  });
}

/**
 * A memory snapshot is stored once: an exporter that sends a request again (a retry) sends its
 * snapshots again, each known by project, trace, span and its place among its span's memory
 * events (seq). The unique index also serves the session reads' look-up by trace id (the index
 * on trace_id alone it replaces).
 *
 * Two versions before this one: snapshots with no key, a retry's copies stored again (one of
 * each is kept), then keyed by time (memory_once), which a span moved back to its arrival
 * (span-time.ts) changes on each retry, so its snapshots were stored again, and which two
 * events of a span may share, so the second was dropped. Those keyed by time are numbered in
 * the order of their times, as exporters send them.
 */
function snapshotsOnce(db: Database.Database): void {
  const indexed = (name: string) => () =>
    db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = ?").get(name) !==
    undefined;
  const bySeq = indexed('memory_seq_once');
  migrateOnce(
    db,
    () => bySeq() || indexed('memory_once')(),
    () => {
      db.exec(`DELETE FROM memory_snapshots WHERE rowid NOT IN (
          SELECT MIN(rowid) FROM memory_snapshots GROUP BY trace_id, span_id, time, project_id);
        CREATE UNIQUE INDEX memory_once ON memory_snapshots (trace_id, span_id, time, project_id);
        DROP INDEX IF EXISTS memory_trace;`);
    },
  );
  migrateOnce(db, bySeq, () => {
    if (!hasColumn(db, 'memory_snapshots', 'seq'))
      db.exec(`ALTER TABLE memory_snapshots ADD COLUMN seq INTEGER NOT NULL DEFAULT 0;
        UPDATE memory_snapshots SET seq = n.seq FROM (
          SELECT rowid AS r, ROW_NUMBER() OVER (
            PARTITION BY trace_id, span_id, project_id ORDER BY time, rowid) - 1 AS seq
          FROM memory_snapshots) AS n
        WHERE n.r = memory_snapshots.rowid;`);
    db.exec(`DROP INDEX memory_once;
      CREATE UNIQUE INDEX memory_seq_once ON memory_snapshots (trace_id, span_id, seq, project_id);`);
  });
}

/**
 * A session lists every project its records were sent to (a browser's project and its API's
 * share a trace), which the list filters by. A database from before gets them from the records
 * it holds, each under the key it is listed by — once, in one transaction.
 */
function projectsOfSessions(db: Database.Database): void {
  const has = () => hasColumn(db, 'sessions', 'projects');
  migrateOnce(db, has, () => {
    db.exec("ALTER TABLE sessions ADD COLUMN projects TEXT NOT NULL DEFAULT ''");
    const rows = db
      .prepare(
        `SELECT k, project_id AS project FROM (
           SELECT ${KEY('o')} AS k, o.project_id FROM operations o
           UNION SELECT ${KEY('e')}, e.project_id FROM events e
             WHERE e.correlation_id IS NOT NULL OR e.trace_id IS NOT NULL
           UNION SELECT ${KEY('m')}, m.project_id FROM memory_snapshots m)`,
      )
      .all() as { k: string; project: number }[];
    const projects = new Map<string, number[]>();
    for (const { k, project } of rows) {
      const ids = projects.get(k);
      if (ids) ids.push(project);
      else projects.set(k, [project]);
    }
    const set = db.prepare('UPDATE sessions SET projects = ? WHERE id = ? AND alias_of IS NULL');
    for (const [k, ids] of projects) set.run(projectsText(ids), k);
  });
}

/**
 * Session rows were unique by id alone, so a correlation id that was the id of a trace another
 * correlation id claimed shared the trace's alias row: it was not listed, and its events showed
 * in the other session. A database from before is copied once into the table keyed apart (every
 * row kept, with its row id, which event_sessions names); a row shared so stays as it was.
 */
function keyAliasesApart(db: Database.Database): void {
  const apart = () =>
    db
      .prepare("SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = 'sessions_key'")
      .get() !== undefined;
  migrateOnce(db, apart, () => {
    const columns = 'sid, id, project_id, start, end, services, errors, alias_of, projects';
    db.exec(`${SESSIONS_TABLE('sessions_keyed')}
      INSERT INTO sessions_keyed (${columns}) SELECT ${columns} FROM sessions;
      DROP TABLE sessions;
      ALTER TABLE sessions_keyed RENAME TO sessions;
      ${SESSIONS_INDEXES}`);
  });
}

/** Creates the sessions' tables, or brings those of a database from before up to date. */
export function prepareSessionTables(db: Database.Database): void {
  db.function('beacon_merge_lines', { deterministic: true }, (a: unknown, b: unknown) =>
    mergeLines(String(a ?? ''), String(b ?? '')),
  );
  migrate(db);
  db.exec(SESSIONS_SCHEMA);
  keyOperationsByProject(db);
  snapshotsOnce(db);
  createSessionsTable(db);
  linkTimes(db);
  shareLinks(db);
  projectsOfSessions(db);
  keyAliasesApart(db);
}
