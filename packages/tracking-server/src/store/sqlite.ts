// The default store: embedded SQLite in WAL mode with synchronous=FULL, so a committed
// transaction survives a crash of the process or the machine.
import Database from 'better-sqlite3';
import type { ErrorType, Severity } from '../grouping/classify';
import type { GroupedBy } from '../grouping/grouping';
import type { TrackedEvent } from '../ingest/event';
import { packPayload, unpackPayload } from './payload';
import { RECENT_IDS, RecentEventIds, isEventId } from './recent-ids';
import { isOlderRelease } from './releases';
import { EVENT_SESSIONS_TRIGGER, QUIET_STEP, sessionIndex } from './session-index';
import { scopeCondition, sessionStore } from './sessions';
import type {
  IngestResult,
  IssueDetail,
  IssueFilter,
  IssueStatus,
  IssueSummary,
  Page,
  Repository,
  Stats,
  StoredEvent,
} from './repository';

const HOUR = 3_600_000;

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
const SCHEMA = `
CREATE TABLE IF NOT EXISTS releases (
  project_id INTEGER NOT NULL, name TEXT NOT NULL, first_seen INTEGER NOT NULL,
  PRIMARY KEY (project_id, name));
CREATE TABLE IF NOT EXISTS issues (
  id INTEGER PRIMARY KEY, project_id INTEGER NOT NULL, hash TEXT NOT NULL,
  title TEXT NOT NULL, culprit TEXT NOT NULL, status TEXT NOT NULL DEFAULT 'open',
  severity TEXT NOT NULL, type TEXT NOT NULL, service TEXT NOT NULL,
  environment TEXT NOT NULL, release TEXT NOT NULL,
  grouped_by TEXT NOT NULL, components TEXT NOT NULL,
  first_seen INTEGER NOT NULL, last_seen INTEGER NOT NULL, count INTEGER NOT NULL DEFAULT 0,
  users INTEGER NOT NULL DEFAULT 0, regression INTEGER NOT NULL DEFAULT 0,
  resolved_in_release TEXT, UNIQUE (project_id, hash));
CREATE INDEX IF NOT EXISTS issues_last_seen ON issues (last_seen DESC, id DESC);
CREATE INDEX IF NOT EXISTS issues_first_seen ON issues (first_seen DESC, id DESC);
CREATE INDEX IF NOT EXISTS issues_count ON issues (count DESC, id DESC);
CREATE INDEX IF NOT EXISTS issues_users ON issues (users DESC, id DESC);
CREATE TABLE IF NOT EXISTS issue_users (
  issue_id INTEGER NOT NULL, user TEXT NOT NULL, PRIMARY KEY (issue_id, user)) WITHOUT ROWID;
-- Events an hour by the hour of their own time, kept for the last STATS_HOURS: the sparklines
-- and the stats' trend read them by hour (a row is added once per issue an hour, so the index
-- costs ingest next to nothing), and older hours go as each new hour starts.
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
`;

interface IssueRow {
  id: number;
  project_id: number;
  title: string;
  culprit: string;
  status: IssueStatus;
  severity: Severity;
  type: ErrorType;
  service: string;
  environment: string;
  release: string;
  grouped_by: GroupedBy;
  components: string;
  first_seen: number;
  last_seen: number;
  count: number;
  users: number;
  regression: number;
  resolved_in_release: string | null;
}

const iso = (ms: number) => new Date(ms).toISOString();

const SORT_COLUMN = {
  last_seen: 'last_seen',
  first_seen: 'first_seen',
  events: 'count',
  users: 'users',
} as const;

/**
 * A page cursor: where the last page ended (the sort value and the row id that breaks ties on
 * it), tagged with what it pages through — the sort of an issue list, or an issue's events — so
 * a cursor given to another sort is refused rather than silently skipping rows.
 */
function encodeCursor(tag: string, value: number, id: number): string {
  return Buffer.from(JSON.stringify([tag, value, id])).toString('base64url');
}

export class CursorError extends Error {}

function decodeCursor(cursor: string, tag: string): [number, number] {
  let v: unknown;
  try {
    v = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    /* refused below */
  }
  if (Array.isArray(v) && v.length === 3 && v.slice(1).every((n) => Number.isFinite(n))) {
    if (v[0] === tag) return [v[1] as number, v[2] as number];
    if (typeof v[0] === 'string')
      throw new CursorError(
        `cursor ${JSON.stringify(cursor)} is for ${v[0]}, not ${tag}: start again without it`,
      );
  }
  throw new CursorError(`invalid cursor ${JSON.stringify(cursor)}`);
}

export interface SqliteOptions {
  /**
   * Whether this connection's commits checkpoint the WAL into the database (SQLite's default;
   * here every CHECKPOINT_PAGES pages).
   * Off for the reading connection when a writer thread has its own, so checkpoints — a copy
   * and an fsync of the database — happen on the writer thread, not the one serving requests.
   */
  readonly checkpoint?: boolean;
}

/**
 * WAL pages between checkpoints (SQLite's default is 1,000). A checkpoint copies each page the
 * WAL holds into the database once, however many commits wrote it, so pages that many batches
 * write (issue rows, the newest events' and sessions' index pages) are copied back half as often.
 * It runs on the writer thread after a commit, and the requests waiting for the next commit wait
 * for it too: its pause grows with the pages it copies, so a longer interval trades latency for
 * throughput. In 30 s bench runs 2,000 gave 5–16 % more events/s than 1,000 at a p99 of 45–47 ms
 * (38–39); 10,000 gave more still, but p99 went past 80 ms (README, Benchmark).
 */
const CHECKPOINT_PAGES = 2_000;

/**
 * A database from before, whose events were keyed by their id (a unique index written a random
 * page per event): the table is copied once into the shape above, each row keeping its row id
 * (event_sessions refers to it).
 */
function unkeyEventIds(db: Database.Database): void {
  const keyed = () =>
    db
      .prepare(
        "SELECT 1 FROM sqlite_master WHERE type = 'index' AND tbl_name = 'events' AND name LIKE 'sqlite_autoindex_events%'",
      )
      .get() !== undefined;
  if (!keyed()) return;
  db.transaction(() => {
    if (!keyed()) return; // another connection got here first
    const columns =
      'id, issue_id, project_id, timestamp, received_at, level, severity, service, environment, release, trace_id, correlation_id, payload, session_key, session_sid';
    // Dropping the table drops its indexes and trigger too: they are made again.
    db.exec(`${EVENTS_TABLE('events_unkeyed')}
      INSERT INTO events_unkeyed (rowid, ${columns}) SELECT rowid, ${columns} FROM events;
      DROP TABLE events;
      ALTER TABLE events_unkeyed RENAME TO events;
      ${SCHEMA}
      ${EVENT_SESSIONS_TRIGGER}`);
  }).immediate();
}

/**
 * A table added after databases were in use: made, and filled from what they hold, once, by
 * whichever connection opens the database first.
 */
function addTable(db: Database.Database, name: string, create: string, fill: () => void): void {
  const exists = () =>
    db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(name) !==
    undefined;
  if (exists()) return;
  db.transaction(() => {
    if (exists()) return; // another connection got here first
    db.exec(create);
    fill();
  }).immediate();
}

/**
 * Events an hour by service and severity, for the stats: each event counted under its own
 * service and severity (an issue's events can come from several); filled from the last day's.
 */
function createServiceHours(db: Database.Database): void {
  addTable(
    db,
    'service_hours',
    `CREATE TABLE service_hours (
      hour INTEGER NOT NULL, service TEXT NOT NULL, severity TEXT NOT NULL, count INTEGER NOT NULL,
      PRIMARY KEY (hour, service, severity)) WITHOUT ROWID`,
    () =>
      db
        .prepare(
          `INSERT INTO service_hours (hour, service, severity, count)
           SELECT timestamp / ${HOUR}, service, severity, COUNT(*) FROM events
           WHERE received_at >= @since AND timestamp >= @since GROUP BY 1, 2, 3`,
        )
        .run({ since: (Math.floor(Date.now() / HOUR) - STATS_HOURS) * HOUR }),
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
  }
}

/** How many hours of service_hours are kept: the stats' day, and one to spare. */
const STATS_HOURS = 25;

export function openSqlite(file: string, options: SqliteOptions = {}): Repository {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = OFF');
  db.pragma('busy_timeout = 5000');
  db.pragma(`wal_autocheckpoint = ${options.checkpoint === false ? 0 : CHECKPOINT_PAGES}`);
  db.exec(SCHEMA);
  const sessions = sessionStore(db);
  const index = sessionIndex(db, sessions);
  unkeyEventIds(db); // after the migrations above, which may add columns to the old table
  createServiceHours(db);
  createIssuePlaces(db);

  const st = {
    findIssue: db.prepare(
      'SELECT id, status, resolved_in_release, release FROM issues WHERE project_id = ? AND hash = ?',
    ),
    insertIssue:
      db.prepare(`INSERT INTO issues (project_id, hash, title, culprit, severity, type, service, environment, release, grouped_by, components, first_seen, last_seen)
      VALUES (@projectId, @hash, @title, @culprit, @severity, @type, @service, @environment, @release, @groupedBy, @components, @t, @t)`),
    touchIssue:
      db.prepare(`UPDATE issues SET last_seen = MAX(last_seen, @tmax), first_seen = MIN(first_seen, @tmin),
      severity = CASE WHEN @rank < (CASE severity WHEN 'critical' THEN 0 WHEN 'error' THEN 1 WHEN 'warning' THEN 2 ELSE 3 END) THEN @severity ELSE severity END,
      environment = @environment, release = CASE WHEN @release = '' THEN release ELSE @release END, service = @service WHERE id = @id`),
    reopen: db.prepare(
      "UPDATE issues SET status = 'open', regression = 1, resolved_in_release = NULL WHERE id = ?",
    ),
    insertEvent:
      db.prepare(`INSERT INTO events (id, issue_id, project_id, timestamp, received_at, level, severity, service, environment, release, trace_id, correlation_id, payload, session_key)
      VALUES (@id, @issueId, @projectId, @timestamp, @receivedAt, @level, @severity, @service, @environment, @release, @traceId, @correlationId, @payload, @sessionKey)`),
    countEvents: db.prepare('UPDATE issues SET count = count + ? WHERE id = ?'),
    addUser: db.prepare('INSERT OR IGNORE INTO issue_users (issue_id, user) VALUES (?, ?)'),
    countUsers: db.prepare('UPDATE issues SET users = users + ? WHERE id = ?'),
    addHour: db.prepare(
      'INSERT INTO issue_hours (issue_id, hour, count) VALUES (@id, @hour, @n) ON CONFLICT (issue_id, hour) DO UPDATE SET count = count + @n',
    ),
    addServiceHour: db.prepare(
      'INSERT INTO service_hours (hour, service, severity, count) VALUES (@hour, @service, @severity, @n) ON CONFLICT (hour, service, severity) DO UPDATE SET count = count + @n',
    ),
    pruneServiceHours: db.prepare('DELETE FROM service_hours WHERE hour < ?'),
    pruneIssueHours: db.prepare('DELETE FROM issue_hours WHERE hour < ?'),
    addRelease: db.prepare(
      'INSERT OR IGNORE INTO releases (project_id, name, first_seen) VALUES (?, ?, ?)',
    ),
    addIssueService: db.prepare(
      'INSERT OR IGNORE INTO issue_services (service, issue_id) VALUES (?, ?)',
    ),
    addIssueEnvironment: db.prepare(
      'INSERT OR IGNORE INTO issue_environments (environment, issue_id) VALUES (?, ?)',
    ),
    addIssueRelease: db.prepare(
      'INSERT OR IGNORE INTO issue_releases (issue_id, release) VALUES (?, ?)',
    ),
    releaseSeen: db.prepare('SELECT first_seen FROM releases WHERE project_id = ? AND name = ?'),
    hours: db.prepare('SELECT hour, count FROM issue_hours WHERE issue_id = ? AND hour >= ?'),
  };

  // Each batch drops the hours no sparkline or stat reads any more as an hour starts; a database
  // from before kept every hour it counted.
  st.pruneIssueHours.run(Math.floor(Date.now() / HOUR) - STATS_HOURS);

  const RANK: Record<Severity, number> = { critical: 0, error: 1, warning: 2, info: 3 };

  /** Release `a` is older than `b` (releases.ts: by version, else by first sight). */
  const olderRelease = (projectId: number, a: string, b: string) =>
    isOlderRelease(
      a,
      b,
      (r) => (st.releaseSeen.get(projectId, r) as { first_seen: number } | undefined)?.first_seen,
    );
  /** Of the issue's release and its new events', the newest: what a resolution is recorded in. */
  const newestRelease = (projectId: number, current: string, group: readonly TrackedEvent[]) =>
    group.reduce(
      (newest, e) =>
        e.release && (!newest || olderRelease(projectId, newest, e.release)) ? e.release : newest,
      current,
    );

  // The ids this connection stored, read from the newest rows when it first stores (only the
  // writer's connection stores).
  let recentIds: RecentEventIds | undefined;
  const recent = (): RecentEventIds => {
    if (recentIds) return recentIds;
    const ids = new RecentEventIds();
    const from =
      (db.prepare('SELECT COALESCE(MAX(rowid), 0) FROM events').pluck().get() as number) -
      RECENT_IDS;
    for (const [projectId, id, at] of db
      .prepare('SELECT project_id, id, received_at FROM events WHERE rowid > ? ORDER BY rowid')
      .raw()
      .iterate(from) as IterableIterator<[number, string, number]>)
      if (isEventId(id)) ids.add(projectId, id, at);
    return (recentIds = ids);
  };

  // One batch (a group commit) in one transaction. Events of one issue are applied together:
  // one issue update, one hour upsert per hour, however many events the batch holds.
  let prunedBefore = 0;
  const ingestTx = db.transaction((events: readonly TrackedEvent[]) => {
    let newIssues = 0;
    const opened: IngestResult['opened'][number][] = [];
    const serviceHours = new Map<
      string,
      { hour: number; service: string; severity: string; n: number }
    >();
    const ids = recent();
    const seen = new Set<string>();
    const groups = new Map<string, TrackedEvent[]>();
    const accepted: TrackedEvent[] = [];
    const batchReleases = new Set<string>();
    let newestHour = 0; // of the batch's arrivals
    for (const e of events) {
      // An SDK's second sending of an event stored within the hour, or one sent twice in a
      // batch, is stored once.
      const id = `${e.projectId}\0${e.eventId}`;
      if (seen.has(id) || ids.has(e.projectId, e.eventId, e.receivedAt)) continue;
      seen.add(id);
      accepted.push(e);
      // A project's releases, each once a batch (the first event's time is when it was seen).
      if (e.release) {
        const r = `${e.projectId}\0${e.release}`;
        if (!batchReleases.has(r)) {
          batchReleases.add(r);
          st.addRelease.run(e.projectId, e.release, e.receivedAt);
        }
      }
      const key = `${e.projectId}\0${e.grouping.hash}`;
      const group = groups.get(key);
      if (group) group.push(e);
      else groups.set(key, [e]);
    }
    for (const group of groups.values()) {
      const first = group[0] as TrackedEvent;
      const last = group[group.length - 1] as TrackedEvent;
      let issue = st.findIssue.get(first.projectId, first.grouping.hash) as
        | { id: number; status: IssueStatus; resolved_in_release: string | null; release: string }
        | undefined;
      const times = group.map((e) => e.timestamp);
      const worst = group.reduce((w, e) => (RANK[e.severity] < RANK[w.severity] ? e : w), first);
      if (!issue) {
        const info = st.insertIssue.run({
          projectId: first.projectId,
          hash: first.grouping.hash,
          title: first.title,
          culprit: first.culprit,
          severity: worst.severity,
          type: first.type,
          service: last.service,
          environment: last.environment,
          release: last.release,
          groupedBy: first.grouping.groupedBy,
          components: JSON.stringify(first.grouping.components),
          t: Math.min(...times),
        });
        issue = {
          id: Number(info.lastInsertRowid),
          status: 'open',
          resolved_in_release: null,
          release: last.release,
        };
        newIssues++;
        opened.push({
          projectId: first.projectId,
          service: last.service,
          severity: worst.severity,
        });
      } else if (issue.status === 'resolved') {
        const resolvedIn = issue.resolved_in_release;
        const regressed = group.some(
          (e) => !(resolvedIn && e.release && olderRelease(e.projectId, e.release, resolvedIn)),
        );
        if (regressed) {
          st.reopen.run(issue.id);
          opened.push({
            projectId: first.projectId,
            service: last.service,
            severity: worst.severity,
          });
        }
      }
      st.touchIssue.run({
        id: issue.id,
        tmin: Math.min(...times),
        tmax: Math.max(...times),
        rank: RANK[worst.severity],
        severity: worst.severity,
        environment: last.environment,
        // The newest release seen, not the last event's: an old release still running
        // somewhere must not become what a resolution is recorded in.
        release: newestRelease(first.projectId, issue.release, group),
        service: last.service,
      });
      const hours = new Map<number, number>();
      const releases = new Set<string>();
      const services = new Set<string>();
      const environments = new Set<string>();
      const users = new Set<string>();
      for (const e of group) {
        const row = st.insertEvent.run({
          id: e.eventId,
          issueId: issue.id,
          projectId: e.projectId,
          timestamp: e.timestamp,
          receivedAt: e.receivedAt,
          level: e.level,
          severity: e.severity,
          service: e.service,
          environment: e.environment,
          release: e.release,
          traceId: e.traceId ?? null,
          correlationId: e.correlationId ?? null,
          payload: packPayload(e.payload),
          // Only databases from before the sessions table read this column (to migrate).
          sessionKey: null,
        });
        if (row.changes > 0 && (e.traceId || e.correlationId))
          index.stored({
            rowid: Number(row.lastInsertRowid),
            projectId: e.projectId,
            timestamp: e.timestamp,
            service: e.service,
            ...(e.traceId ? { traceId: e.traceId } : {}),
            ...(e.correlationId ? { correlationId: e.correlationId } : {}),
          });
        // Counted in the hour it happened in, as first and last seen are; an hour the
        // sparklines and stats no longer read is counted in the total alone. An event dated
        // into an hour that has not begun (a clock up to a minute fast) counts in the current one.
        const arrived = Math.floor(e.receivedAt / HOUR);
        const hour = Math.min(Math.floor(e.timestamp / HOUR), arrived);
        if (arrived > newestHour) newestHour = arrived;
        if (hour >= arrived - STATS_HOURS) {
          hours.set(hour, (hours.get(hour) ?? 0) + 1);
          const key = `${hour}\0${e.service}\0${e.severity}`;
          const sh = serviceHours.get(key);
          if (sh) sh.n++;
          else serviceHours.set(key, { hour, service: e.service, severity: e.severity, n: 1 });
        }
        if (e.release) releases.add(e.release);
        services.add(e.service);
        environments.add(e.environment);
        if (e.user) users.add(e.user);
      }
      st.countEvents.run(group.length, issue.id);
      for (const [hour, n] of hours) st.addHour.run({ id: issue.id, hour, n });
      for (const r of releases) st.addIssueRelease.run(issue.id, r);
      for (const v of services) st.addIssueService.run(v, issue.id);
      for (const v of environments) st.addIssueEnvironment.run(v, issue.id);
      let added = 0;
      for (const u of users) added += st.addUser.run(issue.id, u).changes;
      if (added > 0) st.countUsers.run(added, issue.id);
    }
    for (const row of serviceHours.values()) st.addServiceHour.run(row);
    // The first batch of an hour drops the hours the sparklines and stats no longer read.
    if (newestHour > prunedBefore) {
      prunedBefore = newestHour;
      st.pruneServiceHours.run(newestHour - STATS_HOURS);
      st.pruneIssueHours.run(newestHour - STATS_HOURS);
    }
    index.afterBatch(accepted.length);
    return { result: { newIssues, opened } satisfies IngestResult, accepted };
  });

  /** Stores a batch; its events count as stored, for what comes later, once it has committed. */
  const ingest = (events: readonly TrackedEvent[]): IngestResult => {
    const { result, accepted } = ingestTx(events);
    for (const e of accepted) recentIds?.add(e.projectId, e.eventId, e.receivedAt);
    return result;
  };

  const hourly = (issueId: number, now: number): number[] => {
    const current = Math.floor(now / HOUR);
    const out = new Array<number>(24).fill(0);
    for (const r of st.hours.all(issueId, current - 23) as { hour: number; count: number }[]) {
      const i = r.hour - (current - 23);
      if (i >= 0 && i < 24) out[i] = r.count;
    }
    return out;
  };

  const summary = (r: IssueRow, now: number): IssueSummary => ({
    id: r.id,
    title: r.title,
    culprit: r.culprit,
    status: r.status,
    severity: r.severity,
    type: r.type,
    service: r.service,
    count: r.count,
    users: r.users,
    firstSeen: iso(r.first_seen),
    lastSeen: iso(r.last_seen),
    groupedBy: r.grouped_by,
    hourly: hourly(r.id, now),
  });

  const setStatusTx = db.transaction((ids: readonly number[], status: IssueStatus) => {
    const changed: number[] = [];
    const get = db.prepare('SELECT id, release FROM issues WHERE id = ?');
    const update = db.prepare(
      "UPDATE issues SET status = @status, resolved_in_release = CASE WHEN @status = 'resolved' THEN @release ELSE NULL END, regression = CASE WHEN @status = 'resolved' THEN 0 ELSE regression END WHERE id = @id",
    );
    for (const id of ids) {
      const row = get.get(id) as { id: number; release: string } | undefined;
      if (!row) continue;
      update.run({ id, status, release: row.release || null });
      changed.push(id);
    }
    return changed;
  });

  return {
    ingest: (events) => {
      try {
        return ingest(events);
      } catch (err) {
        index.reset();
        throw err;
      }
    },
    indexSessions(budget = Infinity) {
      try {
        let waiting = index.catchUp(Math.min(budget, QUIET_STEP));
        for (let done = QUIET_STEP; waiting > 0 && done < budget; done += QUIET_STEP)
          waiting = index.catchUp(Math.min(budget - done, QUIET_STEP));
        return waiting;
      } catch (err) {
        index.reset();
        throw err;
      }
    },

    listIssues(f: IssueFilter, now: number): Page<IssueSummary> {
      const column = SORT_COLUMN[f.sort];
      const where: string[] = [];
      const params: Record<string, unknown> = { limit: f.limit + 1 };
      for (const key of ['status', 'severity', 'type'] as const) {
        if (f[key] !== undefined) {
          where.push(`${key} = @${key}`);
          params[key] = f[key];
        }
      }
      // Any of the issue's events, not only its latest.
      for (const key of ['service', 'environment'] as const) {
        if (f[key] !== undefined) {
          where.push(`id IN (SELECT issue_id FROM issue_${key}s WHERE ${key} = @${key})`);
          params[key] = f[key];
        }
      }
      if (f.release !== undefined) {
        where.push('id IN (SELECT issue_id FROM issue_releases WHERE release = @release)');
        params.release = f.release;
      }
      if (f.q) {
        where.push("(title LIKE @q ESCAPE '\\' OR culprit LIKE @q ESCAPE '\\')");
        params.q = `%${f.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      }
      if (f.cursor) {
        const [value, id] = decodeCursor(f.cursor, `sort=${f.sort}`);
        where.push(`(${column} < @cv OR (${column} = @cv AND id < @cid))`);
        params.cv = value;
        params.cid = id;
      }
      const rows = db
        .prepare(
          `SELECT * FROM issues ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY ${column} DESC, id DESC LIMIT @limit`,
        )
        .all(params) as IssueRow[];
      const more = rows.length > f.limit;
      const page = rows.slice(0, f.limit);
      const last = page[page.length - 1] as (IssueRow & Record<string, number>) | undefined;
      return {
        items: page.map((r) => summary(r, now)),
        nextCursor:
          more && last ? encodeCursor(`sort=${f.sort}`, last[column] as number, last.id) : null,
      };
    },

    getIssue(id, now) {
      const r = db.prepare('SELECT * FROM issues WHERE id = ?').get(id) as IssueRow | undefined;
      if (!r) return undefined;
      const latest = db
        .prepare(
          'SELECT payload FROM events WHERE issue_id = ? ORDER BY received_at DESC, rowid DESC LIMIT 1',
        )
        .get(id) as { payload: string | Buffer } | undefined;
      const releases = (
        db
          .prepare('SELECT release FROM issue_releases WHERE issue_id = ? ORDER BY release')
          .all(id) as { release: string }[]
      ).map((x) => x.release);
      const detail: IssueDetail = {
        ...summary(r, now),
        projectId: r.project_id,
        environment: r.environment,
        release: r.release,
        releases,
        regression: r.regression === 1,
        ...(r.resolved_in_release ? { resolvedInRelease: r.resolved_in_release } : {}),
        grouping: { rule: r.grouped_by, components: JSON.parse(r.components) as string[] },
        ...(latest
          ? { latestEvent: JSON.parse(unpackPayload(latest.payload)) as Record<string, unknown> }
          : {}),
      };
      return detail;
    },

    issueEvents(id, cursor, limit) {
      if (!db.prepare('SELECT 1 FROM issues WHERE id = ?').get(id)) return undefined;
      const params: Record<string, unknown> = { id, limit: limit + 1 };
      let extra = '';
      if (cursor) {
        const [received, rowid] = decodeCursor(cursor, `events of issue ${id}`);
        extra = 'AND (received_at < @r OR (received_at = @r AND rowid < @rowid))';
        params.r = received;
        params.rowid = rowid;
      }
      const rows = db
        .prepare(
          `SELECT rowid, * FROM events WHERE issue_id = @id ${extra} ORDER BY received_at DESC, rowid DESC LIMIT @limit`,
        )
        .all(params) as {
        rowid: number;
        id: string;
        timestamp: number;
        received_at: number;
        level: string;
        release: string;
        environment: string;
        trace_id: string | null;
        correlation_id: string | null;
        payload: string | Buffer;
      }[];
      const more = rows.length > limit;
      const page = rows.slice(0, limit);
      const last = page[page.length - 1];
      return {
        items: page.map((e): StoredEvent => ({
          id: e.id,
          timestamp: iso(e.timestamp),
          receivedAt: iso(e.received_at),
          level: e.level,
          release: e.release,
          environment: e.environment,
          ...(e.trace_id ? { traceId: e.trace_id } : {}),
          ...(e.correlation_id ? { correlationId: e.correlation_id } : {}),
          event: JSON.parse(unpackPayload(e.payload)) as Record<string, unknown>,
        })),
        nextCursor:
          more && last ? encodeCursor(`events of issue ${id}`, last.received_at, last.rowid) : null,
      };
    },

    setStatus: (ids, status) => setStatusTx(ids, status),

    stats(now): Stats {
      const current = Math.floor(now / HOUR);
      const since = current - 23;
      // The 24 hours up to `now`: a clock stepped back leaves later hours stored.
      const day = { since, current };
      const bySeverity: Record<string, number> = {};
      // Each event under its own severity and service (service_hours), not its issue's.
      for (const r of db
        .prepare(
          'SELECT severity AS k, SUM(count) AS n FROM service_hours WHERE hour BETWEEN @since AND @current GROUP BY severity',
        )
        .all(day) as { k: string; n: number }[])
        bySeverity[r.k] = r.n;
      const byService: Record<string, number> = {};
      for (const r of db
        .prepare(
          'SELECT service AS k, SUM(count) AS n FROM service_hours WHERE hour BETWEEN @since AND @current GROUP BY service',
        )
        .all(day) as { k: string; n: number }[])
        byService[r.k] = r.n;
      const trend = new Array<number>(24).fill(0);
      for (const r of db
        .prepare(
          'SELECT hour, SUM(count) AS n FROM issue_hours WHERE hour BETWEEN @since AND @current GROUP BY hour',
        )
        .all(day) as {
        hour: number;
        n: number;
      }[])
        trend[r.hour - since] = r.n;
      const top = db
        .prepare(
          'SELECT i.* FROM issues i JOIN (SELECT issue_id, SUM(count) AS n FROM issue_hours WHERE hour BETWEEN @since AND @current GROUP BY issue_id) h ON h.issue_id = i.id ORDER BY h.n DESC, i.id DESC LIMIT 10',
        )
        .all(day) as IssueRow[];
      return {
        bySeverity,
        byService,
        topIssues: top.map((r) => summary(r, now)),
        lastHour: trend[23] ?? 0,
        lastDay: trend.reduce((a, b) => a + b, 0),
        openIssues: (
          db
            .prepare("SELECT COUNT(*) AS n FROM issues WHERE status IN ('open', 'investigating')")
            .get() as { n: number }
        ).n,
        trend,
      };
    },

    storedEventIds(eventIds) {
      const wanted = new Set(eventIds);
      const found = new Set<string>();
      for (const id of db
        .prepare('SELECT id FROM events')
        .pluck()
        .iterate() as IterableIterator<string>)
        if (wanted.has(id)) found.add(id);
      return found;
    },
    openIssueCounts: () =>
      (
        db
          .prepare(
            "SELECT project_id AS projectId, severity, COUNT(*) AS count FROM issues WHERE status IN ('open', 'investigating') GROUP BY project_id, severity",
          )
          .all() as { projectId: number; severity: Severity; count: number }[]
      ).map((r) => ({ ...r })),

    deleteEventsBefore(before, batch, scope) {
      const where = scopeCondition(scope);
      return db
        .prepare(
          `DELETE FROM events WHERE rowid IN (SELECT rowid FROM events WHERE received_at < @before AND ${where.sql} LIMIT @batch)`,
        )
        .run({ before, batch, ...where.params }).changes;
    },

    ingestTraces: (projectId, operations, memory) => sessions.write(projectId, operations, memory),
    listSessions: (filter) => sessions.list(filter),
    getSession: (id) => sessions.detail(id),
    deleteSessionsBefore: (before, batch, scope) => sessions.deleteBefore(before, batch, scope),

    close: () => db.close(),
  };
}
