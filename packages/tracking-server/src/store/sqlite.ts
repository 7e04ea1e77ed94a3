// The default store: embedded SQLite in WAL mode with synchronous=FULL, so a committed
// transaction survives a crash of the process or the machine.
import Database from 'better-sqlite3';
import { issueIngest } from './issue-ingest';
import { issueReads } from './issue-reads';
import type { IssueStatus, Repository, RetentionScope, RetentionStep } from './repository';
import { QUIET_STEP, sessionIndex } from './session-index';
import { scopeCondition, sessionStore } from './sessions';
import { migrateTables, SCHEMA } from './sqlite-schema';
import { ageWalk } from './age-walk';

export { CursorError } from './issue-reads';

export interface SqliteOptions {
  /**
   * Whether this connection's commits checkpoint the WAL into the database (SQLite's default;
   * here every CHECKPOINT_PAGES pages).
   * Off for the reading connection when a writer thread has its own, so checkpoints — a copy
   * and an fsync of the database — happen on the writer thread, not the one serving requests.
   */
  readonly checkpoint?: boolean;
  /** What the WAL file is cut back to once a checkpoint has emptied it (WAL_LIMIT_BYTES). */
  readonly walLimitBytes?: number;
}

/**
 * WAL pages between checkpoints (SQLite's default is 1,000). A checkpoint copies each page the
 * WAL holds into the database once, however many commits wrote it, so pages that many batches
 * write (issue rows, the newest events' and sessions' index pages) are copied back half as often.
 * It runs on the writer thread after a commit, and the requests waiting for the next commit wait
 * for it too: its pause grows with the pages it copies, so a longer interval trades latency for
 * throughput. In 30 s bench runs 2,000 gave 5–16 % more events/s than 1,000 at a p99 of 45–47 ms
 * (38–39); 10,000 gave more still, but p99 went past 80 ms (BENCHMARKS.md).
 */
/** The tables whose rows belong to one issue, deleted with it (each keyed or indexed by issue_id). */
export const ISSUE_ROWS = [
  'issue_users',
  'issue_releases',
  'issue_hours',
  'feedback',
  'issue_services',
  'issue_environments',
] as const;

const CHECKPOINT_PAGES = 2_000;

/**
 * SQLite reuses a WAL file from its start once a checkpoint has copied it all, and never makes
 * it smaller (journal_size_limit is unset by default): a burst written while a long read held
 * the checkpoint back (an export, a retention pass over a large backlog) kept the file at its
 * high-water size for the life of the volume. Four times the CHECKPOINT_PAGES a steady WAL
 * reaches (4 KiB pages), so steady operation never truncates.
 */
const WAL_LIMIT_BYTES = 32 << 20;

export function openSqlite(file: string, options: SqliteOptions = {}): Repository {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = OFF');
  // Two connections write: the writer thread's and the REST API's (status changes). Every
  // transaction here reads before it writes, so each begins IMMEDIATE: begun deferred, one that
  // found the other's commit newer than what it had read failed at once with SQLITE_BUSY, which
  // no busy timeout waits out — a 500 for the PATCH, or a group commit's events refused.
  db.pragma('busy_timeout = 5000');
  db.pragma(`wal_autocheckpoint = ${options.checkpoint === false ? 0 : CHECKPOINT_PAGES}`);
  db.pragma(`journal_size_limit = ${options.walLimitBytes ?? WAL_LIMIT_BYTES}`);
  db.exec(SCHEMA);
  const oldEvents = ageWalk(db, 'events', 'received_at', 'rowid');
  const sessions = sessionStore(db, oldEvents);
  const index = sessionIndex(db, sessions);
  migrateTables(db); // after the migrations above, which may add columns to the old table
  const issues = issueIngest(db, index);

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

  /**
   * Up to `batch` events received before `before`; once none is left, up to `batch` issues of
   * the scope left with no event whose last event is older too, with their rows in the issue
   * tables: an issue emptied by retention went on being listed, counted and kept for ever.
   */
  const deleteEventsTx = db.transaction(
    (before: number, batch: number, scope?: RetentionScope): RetentionStep => {
      const where = scopeCondition(scope);
      const found = oldEvents.next(before, batch, where);
      if (found.passed > 0) return { work: found.passed, deleted: 0 };
      const events =
        found.keys.length === 0
          ? 0
          : db
              .prepare('DELETE FROM events WHERE rowid IN (SELECT value FROM json_each(?))')
              .run(JSON.stringify(found.keys)).changes;
      if (events > 0) index.deleted();
      const params = { before, batch, ...where.params };
      if (events === batch) return { work: events, deleted: events };
      const emptied = deleteEmptyIssues(params, where);
      const deleted =
        emptied === batch ? events + emptied : events + emptied + deleteOldFeedback(params, where);
      return { work: deleted, deleted };
    },
  );
  let retentionDeletes = 0;
  const counted = (step: RetentionStep) => {
    retentionDeletes += step.deleted;
    return step.work;
  };
  /** Up to `batch` pieces of feedback received before `before`, whatever their event's age. */
  const deleteOldFeedback = (params: Record<string, unknown>, where: { sql: string }): number =>
    db
      .prepare(
        `DELETE FROM feedback WHERE id IN (
           SELECT id FROM feedback WHERE received_at < @before AND ${where.sql} LIMIT @batch)`,
      )
      .run(params).changes;
  const deleteEmptyIssues = (params: Record<string, unknown>, where: { sql: string }): number => {
    const ids = db
      .prepare(
        `SELECT id FROM issues WHERE last_seen < @before AND ${where.sql}
         AND NOT EXISTS (SELECT 1 FROM events WHERE events.issue_id = issues.id) LIMIT @batch`,
      )
      .pluck()
      .all(params) as number[];
    if (ids.length === 0) return 0;
    const list = JSON.stringify(ids);
    // The feedback linked to them goes too: it would name an issue no longer there.
    for (const table of ISSUE_ROWS)
      db.prepare(`DELETE FROM ${table} WHERE issue_id IN (SELECT value FROM json_each(?))`).run(
        list,
      );
    return db.prepare('DELETE FROM issues WHERE id IN (SELECT value FROM json_each(?))').run(list)
      .changes;
  };

  return {
    ingest: (events) => {
      try {
        return issues.ingest(events);
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
    ...issueReads(db),
    setStatus: (ids, status) => setStatusTx.immediate(ids, status),
    deleteEventsBefore(before, batch, scope) {
      try {
        return counted(deleteEventsTx.immediate(before, batch, scope));
      } catch (err) {
        oldEvents.reset(); // what its walk found was not deleted
        index.reset(); // nor was what it told the index
        throw err;
      }
    },

    ingestTraces: (projectId, operations, memory) => sessions.write(projectId, operations, memory),
    linkTraces: (projectId, links) => sessions.link(projectId, links),
    ingestFeedback: (projectId, receivedAt, feedback) =>
      issues.ingestFeedback(projectId, receivedAt, feedback),
    listSessions: (filter) => sessions.list(filter),
    getSession: (id) => sessions.detail(id),
    deleteSessionsBefore: (before, batch, scope) =>
      counted(sessions.deleteBefore(before, batch, scope)),
    takeRetentionDeletes() {
      const n = retentionDeletes;
      retentionDeletes = 0;
      return n;
    },

    close: () => db.close(),
  };
}
