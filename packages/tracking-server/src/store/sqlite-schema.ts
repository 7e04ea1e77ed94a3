// The store's tables, and the migrations of databases written by earlier versions of it.
import type Database from 'better-sqlite3';
import { columnsOf, hasColumn, migrateOnce } from './table-columns';
import { EVENT_SESSIONS_TRIGGER } from './session-index';

export const HOUR = 3_600_000;
export const MINUTE = 60_000;

// events.payload holds the event's JSON deflated (payload.ts); rows from before, the text itself.
// events_by_issue is in ascending time, so a new event's entry goes at its issue's end (where a
// B-tree appends into full pages; a descending index took them at the front, in half-full ones),
// and ties are broken by row id, which every index entry holds anyway (an id made entries 50 B).
// events.id is not a key: an event sent twice is recognised by the writer's recent ids
// (recent-ids.ts); databases from before, whose id was the primary key, are migrated once.
// session_key and session_sid are read only to migrate databases from before (sessions.ts,
// session-index.ts); an event's session is in event_sessions.
const EVENTS_TABLE = (name: string) => `CREATE TABLE IF NOT EXISTS ${name} (
  id TEXT NOT NULL, issue_id INTEGER NOT NULL, project_id INTEGER NOT NULL,
  timestamp INTEGER NOT NULL, received_at INTEGER NOT NULL, level TEXT NOT NULL,
  severity TEXT NOT NULL, service TEXT NOT NULL, environment TEXT NOT NULL, release TEXT NOT NULL,
  trace_id TEXT, correlation_id TEXT, payload TEXT NOT NULL, session_key TEXT,
  session_sid INTEGER);`;
/**
 * latest_event is the row id of the issue's newest event by its own time (issue-ingest.ts); NULL
 * in a database from before, or once retention has taken it, where the last to arrive is read.
 */
const ISSUES_TABLE = (name: string) => `CREATE TABLE IF NOT EXISTS ${name} (
  id INTEGER PRIMARY KEY AUTOINCREMENT, project_id INTEGER NOT NULL, hash TEXT NOT NULL,
  title TEXT NOT NULL, culprit TEXT NOT NULL, status TEXT NOT NULL DEFAULT 'open',
  severity TEXT NOT NULL, type TEXT NOT NULL, service TEXT NOT NULL,
  environment TEXT NOT NULL, release TEXT NOT NULL,
  grouped_by TEXT NOT NULL, components TEXT NOT NULL,
  first_seen INTEGER NOT NULL, last_seen INTEGER NOT NULL, count INTEGER NOT NULL DEFAULT 0,
  users INTEGER NOT NULL DEFAULT 0, regression INTEGER NOT NULL DEFAULT 0,
  resolved_in_release TEXT, latest_event INTEGER, UNIQUE (project_id, hash));`;
/**
 * An event's attachments (ingest/attachment.ts), keyed by their own id, which the API names.
 * They go with their event (retention); data is NULL where the scrubber filtered them whole.
 */
const ATTACHMENTS_TABLE = (name: string) => `CREATE TABLE IF NOT EXISTS ${name} (
  id INTEGER PRIMARY KEY AUTOINCREMENT, event INTEGER NOT NULL, filename TEXT NOT NULL,
  content_type TEXT NOT NULL, type TEXT NOT NULL, size INTEGER NOT NULL, data BLOB);`;
/**
 * User feedback (ingest/feedback.ts), by the id of the event it names, which it may reach before
 * that event does (event_id is '' where it names none), and by that event's issue once known
 * (issue-ingest.ts; NULL until then, or where it never was). It goes by age, as events do.
 * sent_id is what it was sent as (SentFeedback.sentId), unique by project (feedback_sent, made by
 * feedbackSentIds): a piece sent again is that piece.
 */
const FEEDBACK_TABLE = (name: string) => `CREATE TABLE IF NOT EXISTS ${name} (
  id INTEGER PRIMARY KEY AUTOINCREMENT, project_id INTEGER NOT NULL, event_id TEXT NOT NULL,
  issue_id INTEGER, received_at INTEGER NOT NULL, name TEXT NOT NULL, email TEXT NOT NULL,
  message TEXT NOT NULL, url TEXT, sent_id TEXT);`;
/**
 * What was sent with a piece of feedback (the widget's screenshot), as attachments are kept; they
 * go with it.
 */
const FEEDBACK_ATTACHMENTS_TABLE = (name: string) => `CREATE TABLE IF NOT EXISTS ${name} (
  id INTEGER PRIMARY KEY AUTOINCREMENT, feedback INTEGER NOT NULL, filename TEXT NOT NULL,
  content_type TEXT NOT NULL, type TEXT NOT NULL, size INTEGER NOT NULL, data BLOB);`;
/**
 * The tables whose ids the API names (GET /issues/{id}, /attachments/{id}, /feedback/…): their
 * ids are AUTOINCREMENT, never given again once retention has deleted the row. A plain INTEGER
 * PRIMARY KEY gives a new row the highest id left plus one, so the issue, file or feedback swept
 * last had its id taken by the next new one: a bookmarked /issues/2, or a bulk status change
 * naming it, reached another issue (Sentry never reuses a group id). It costs each insert the
 * update of one row of sqlite_sequence.
 */
const NEVER_REUSED: readonly (readonly [string, (name: string) => string])[] = [
  ['issues', ISSUES_TABLE],
  ['attachments', ATTACHMENTS_TABLE],
  ['feedback', FEEDBACK_TABLE],
  ['feedback_attachments', FEEDBACK_ATTACHMENTS_TABLE],
];
export const SCHEMA = `
CREATE TABLE IF NOT EXISTS releases (
  project_id INTEGER NOT NULL, name TEXT NOT NULL, first_seen INTEGER NOT NULL,
  PRIMARY KEY (project_id, name));
${ISSUES_TABLE('issues')}
CREATE INDEX IF NOT EXISTS issues_last_seen ON issues (last_seen DESC, id DESC);
CREATE INDEX IF NOT EXISTS issues_first_seen ON issues (first_seen DESC, id DESC);
CREATE INDEX IF NOT EXISTS issues_count ON issues (count DESC, id DESC);
CREATE INDEX IF NOT EXISTS issues_users ON issues (users DESC, id DESC);
-- The open-issue count every /metrics scrape reads (openIssueCounts), from this index alone: by
-- the whole table, 0.18–0.42 s at 100,000–170,000 issues written by ingest, and each scrape then
-- waited out its 250 ms and served the count before.
CREATE INDEX IF NOT EXISTS issues_open_counts ON issues (status, project_id, severity);
CREATE TABLE IF NOT EXISTS issue_users (
  issue_id INTEGER NOT NULL, user TEXT NOT NULL, PRIMARY KEY (issue_id, user)) WITHOUT ROWID;
-- Events an hour by the hour of their own time, kept for the last ISSUE_HOURS: the sparklines,
-- the stats' trend and the issue list's counts in a time range read them by hour (a row is added
-- once per issue an hour, so the index costs ingest next to nothing), and older hours go as each
-- new hour starts.
CREATE TABLE IF NOT EXISTS issue_hours (
  issue_id INTEGER NOT NULL, hour INTEGER NOT NULL, count INTEGER NOT NULL,
  PRIMARY KEY (issue_id, hour)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS issue_hours_by_hour ON issue_hours (hour);
CREATE TABLE IF NOT EXISTS issue_releases (
  issue_id INTEGER NOT NULL, release TEXT NOT NULL, PRIMARY KEY (issue_id, release)) WITHOUT ROWID;
-- The issue list's release filter looks issues up by release (a row is added only when an issue
-- first sees a release, so the index costs ingest next to nothing).
CREATE INDEX IF NOT EXISTS issue_releases_by_release ON issue_releases (release, issue_id);
${EVENTS_TABLE('events')}
DROP INDEX IF EXISTS events_issue;
CREATE INDEX IF NOT EXISTS events_by_issue ON events (issue_id, received_at);
CREATE INDEX IF NOT EXISTS events_received ON events (received_at);
${ATTACHMENTS_TABLE('attachments')}
CREATE INDEX IF NOT EXISTS attachments_by_event ON attachments (event);
CREATE TRIGGER IF NOT EXISTS attachments_gone
  AFTER DELETE ON events BEGIN DELETE FROM attachments WHERE event = old.rowid; END;
${FEEDBACK_TABLE('feedback')}
CREATE INDEX IF NOT EXISTS feedback_by_event ON feedback (project_id, event_id);
CREATE INDEX IF NOT EXISTS feedback_by_issue ON feedback (issue_id, received_at);
CREATE INDEX IF NOT EXISTS feedback_received ON feedback (received_at);
${FEEDBACK_ATTACHMENTS_TABLE('feedback_attachments')}
CREATE INDEX IF NOT EXISTS feedback_attachments_by_feedback ON feedback_attachments (feedback);
CREATE TRIGGER IF NOT EXISTS feedback_attachments_gone
  AFTER DELETE ON feedback BEGIN DELETE FROM feedback_attachments WHERE feedback = old.id; END;
`;

/**
 * A database from before, whose events were keyed by their id (a unique index written a random
 * page per event): the table is copied once into the shape above, each row keeping its row id
 * (event_sessions refers to it).
 */
function unkeyEventIds(db: Database.Database): void {
  const unkeyed = () =>
    db
      .prepare(
        "SELECT 1 FROM sqlite_master WHERE type = 'index' AND tbl_name = 'events' AND name LIKE 'sqlite_autoindex_events%'",
      )
      .get() === undefined;
  migrateOnce(db, unkeyed, () => {
    const columns =
      'id, issue_id, project_id, timestamp, received_at, level, severity, service, environment, release, trace_id, correlation_id, payload, session_key, session_sid';
    // Dropping the table drops its indexes and trigger too: they are made again.
    db.exec(`${EVENTS_TABLE('events_unkeyed')}
      INSERT INTO events_unkeyed (rowid, ${columns}) SELECT rowid, ${columns} FROM events;
      DROP TABLE events;
      ALTER TABLE events_unkeyed RENAME TO events;
      ${SCHEMA}
      ${EVENT_SESSIONS_TRIGGER}`);
  });
}

/**
 * A table added after databases were in use: made, and filled from what they hold, once, by
 * whichever connection opens the database first.
 */
function addTable(
  db: Database.Database,
  name: string,
  create: string,
  fill: () => void,
  /** Of a table derived from the events: one without this column is made again. */
  column?: string,
): void {
  const state = () => {
    const columns = columnsOf(db, name);
    if (columns.length === 0) return 'missing';
    return column === undefined || columns.includes(column) ? 'current' : 'earlier';
  };
  if (state() === 'current') return;
  db.transaction(() => {
    const found = state();
    if (found === 'current') return; // another connection got here first
    if (found === 'earlier') db.exec(`DROP TABLE ${name}`);
    db.exec(create);
    fill();
  }).immediate();
}

/**
 * Events an hour by project, service and severity, for the stats: each event counted under its
 * own service and severity (an issue's events can come from several); filled from the last
 * day's, as it is again for a table from before it had the project.
 */
function createServiceHours(db: Database.Database): void {
  addTable(
    db,
    'service_hours',
    `CREATE TABLE service_hours (
      hour INTEGER NOT NULL, project_id INTEGER NOT NULL, service TEXT NOT NULL,
      severity TEXT NOT NULL, count INTEGER NOT NULL,
      PRIMARY KEY (hour, project_id, service, severity)) WITHOUT ROWID`,
    () =>
      db
        .prepare(
          `INSERT INTO service_hours (hour, project_id, service, severity, count)
           SELECT timestamp / ${HOUR}, project_id, service, severity, COUNT(*) FROM events
           WHERE received_at >= @since AND timestamp >= @since GROUP BY 1, 2, 3, 4`,
        )
        .run({ since: (Math.floor(Date.now() / HOUR) - STATS_HOURS) * HOUR }),
    'project_id',
  );
}

/**
 * Events a minute by the minute of their own time and their project, for the stats' last hour
 * and last 24 hours (hours by the clock would give the hour in progress and 23–24 hours); filled
 * from the last day's events. One row a batch, most batches, so it costs ingest next to nothing.
 */
function createEventMinutes(db: Database.Database): void {
  addTable(
    db,
    'event_minutes',
    `CREATE TABLE event_minutes (
      minute INTEGER NOT NULL, project_id INTEGER NOT NULL, count INTEGER NOT NULL,
      PRIMARY KEY (minute, project_id)) WITHOUT ROWID`,
    () =>
      db
        .prepare(
          `INSERT INTO event_minutes (minute, project_id, count)
           SELECT MIN(timestamp / ${MINUTE}, received_at / ${MINUTE}), project_id, COUNT(*) FROM events
           WHERE received_at >= @since AND timestamp >= @since GROUP BY 1, 2`,
        )
        .run({ since: (Math.floor(Date.now() / HOUR) - STATS_HOURS) * HOUR }),
    'project_id',
  );
}

/**
 * Every service and environment an issue's events came from, for the issue list's filters (the
 * issue's own columns hold only its latest event's). Keyed by the value, which is what a filter
 * looks up; filled from the events kept and each issue's latest.
 */
function createIssuePlaces(db: Database.Database): void {
  for (const column of ['service', 'environment'] as const) {
    const table = `issue_${column}s`;
    addTable(
      db,
      table,
      `CREATE TABLE ${table} (${column} TEXT NOT NULL, issue_id INTEGER NOT NULL,
        PRIMARY KEY (${column}, issue_id)) WITHOUT ROWID`,
      () =>
        db.exec(`INSERT OR IGNORE INTO ${table} (${column}, issue_id)
          SELECT ${column}, issue_id FROM events UNION SELECT ${column}, id FROM issues`),
    );
    // Retention deletes an issue's rows by its id (sqlite.ts, deleteEmptyIssues): keyed by value
    // alone, that walked every value for each issue, and with a service a pod (@sentry/node's
    // server_name is the host name) a sweep held ingest up to 2.5 s a batch.
    db.exec(`CREATE INDEX IF NOT EXISTS ${table}_by_issue ON ${table} (issue_id)`);
  }
}

/** How many hours of service_hours and event_minutes are kept: the stats' day, and one to spare. */
export const STATS_HOURS = 25;
/**
 * How many hours of issue_hours are kept: 31 days, for the issue list's counts in a time range
 * (a dashboard's last 30 days); the sparklines and stats read the last STATS_HOURS of them.
 */
export const ISSUE_HOURS = 31 * 24;

/**
 * A piece of feedback is known by the id it was sent under (`sent_id`, SentFeedback.sentId), so
 * one sent again is that piece (issue-ingest.ts): unique by project, where there is one. A
 * database from before gets the column, NULL for what it holds (which kind of item a row came
 * from was not kept, so its rows are not matched by a later sending), and loses the copies it
 * kept of the same piece sent again: of rows about one event saying the same (name, address,
 * text and page), the newest is kept, linked to the event's issue where any of them was.
 */
function feedbackSentIds(db: Database.Database): void {
  const indexed = () =>
    db
      .prepare("SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = 'feedback_sent'")
      .get() !== undefined;
  migrateOnce(db, indexed, () => {
    if (!hasColumn(db, 'feedback', 'sent_id')) {
      const same = `other.project_id = feedback.project_id AND other.event_id = feedback.event_id
        AND other.name = feedback.name AND other.email = feedback.email
        AND other.message = feedback.message AND other.url IS feedback.url`;
      db.exec(`ALTER TABLE feedback ADD COLUMN sent_id TEXT;
        UPDATE feedback SET issue_id = (SELECT MAX(other.issue_id) FROM feedback AS other WHERE ${same})
          WHERE issue_id IS NULL AND event_id != '';
        DELETE FROM feedback WHERE event_id != '' AND EXISTS (
          SELECT 1 FROM feedback AS other WHERE ${same} AND (other.received_at > feedback.received_at
            OR (other.received_at = feedback.received_at AND other.id > feedback.id)));`);
    }
    db.exec(
      'CREATE UNIQUE INDEX feedback_sent ON feedback (project_id, sent_id) WHERE sent_id IS NOT NULL',
    );
  });
}

/** Whether a table's ids are AUTOINCREMENT (a table that is not there needs nothing). */
const autoincrement = (db: Database.Database, table: string): boolean => {
  const sql = db
    .prepare("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?")
    .pluck()
    .get(table) as string | undefined;
  return sql === undefined || /\bAUTOINCREMENT\b/i.test(sql);
};

/**
 * A database from before, whose tables of NEVER_REUSED had plain INTEGER PRIMARY KEYs: each is
 * made again AUTOINCREMENT (SQLite cannot alter a key), in one transaction, as SQLite's own
 * procedure for a change ALTER TABLE cannot make has it: every trigger put aside (one on another
 * table naming a table being made again, as attachments_gone on events, stops the rename), each
 * table copied into its new shape with its ids, the old one dropped and the new one renamed, its
 * indexes made again as they were, then the triggers. Each table's sequence starts at its
 * highest id, where the next new row continues: an id retention took before this ran may still
 * be given again once, the last time.
 */
function neverReuseIds(db: Database.Database): void {
  const done = () => NEVER_REUSED.every(([table]) => autoincrement(db, table));
  migrateOnce(db, done, () => {
    const schema = (type: string, table?: string) =>
      db
        .prepare(
          `SELECT name, sql FROM sqlite_master WHERE type = ? AND sql IS NOT NULL
           ${table === undefined ? '' : 'AND tbl_name = ?'} ORDER BY rowid`,
        )
        .all(...(table === undefined ? [type] : [type, table])) as { name: string; sql: string }[];
    const triggers = schema('trigger');
    for (const t of triggers) db.exec(`DROP TRIGGER "${t.name}"`);
    for (const [table, create] of NEVER_REUSED) {
      if (autoincrement(db, table)) continue;
      const indexes = schema('index', table);
      const rebuilt = `${table}_rebuilt`;
      db.exec(create(rebuilt));
      const kept = columnsOf(db, rebuilt).filter((c) => hasColumn(db, table, c));
      const columns = kept.map((c) => `"${c}"`).join(', ');
      db.exec(`INSERT INTO ${rebuilt} (${columns}) SELECT ${columns} FROM ${table};
        DROP TABLE ${table};
        ALTER TABLE ${rebuilt} RENAME TO ${table};`);
      for (const i of indexes) db.exec(i.sql);
      db.prepare('DELETE FROM sqlite_sequence WHERE name = ?').run(table);
      db.prepare(
        `INSERT INTO sqlite_sequence (name, seq) SELECT ?, COALESCE(MAX(id), 0) FROM ${table}`,
      ).run(table);
    }
    for (const t of triggers) db.exec(t.sql);
  });
}

/** Brings a database written by an earlier version up to the tables above (after SCHEMA). */
export function migrateTables(db: Database.Database): void {
  unkeyEventIds(db);
  createServiceHours(db);
  createEventMinutes(db);
  createIssuePlaces(db);
  migrateOnce(
    db,
    () => hasColumn(db, 'issues', 'latest_event'),
    () => db.exec('ALTER TABLE issues ADD COLUMN latest_event INTEGER'),
  );
  feedbackSentIds(db);
  // After the migrations that add columns: the tables are copied as they are by then.
  neverReuseIds(db);
}
