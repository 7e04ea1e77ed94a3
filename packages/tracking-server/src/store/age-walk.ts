// How retention finds a scope's old rows: by walking a table's age index from the oldest row,
// and going on, call after call of one sweep, from where the last call stopped.
//
// A scope is some projects (a project's own retention, or every project but those), and no
// index leads with the project: the age index holds every project's rows in one order. Asked
// afresh each call ("the oldest rows of project 1 older than X, 500 of them"), SQLite stepped
// again over every row of other projects older than X (a project with a longer retention, or
// kept for ever) on every call: with 2 million such rows a call took 135 ms on the writer
// thread, even with nothing to delete, and a catch-up made thousands of calls. Walking on from
// a cursor, a sweep steps over each row once, and a call over at most WALK_BUDGET of them.
import type Database from 'better-sqlite3';

/** A retention scope as an SQL condition on `project_id`, and its parameters (sessions.ts). */
export interface ScopeSql {
  readonly sql: string;
  readonly params: Record<string, unknown>;
}

/** What a call deletes: the keys of its rows in scope. */
export interface Found {
  readonly keys: (number | string)[];
  /**
   * Rows of other scopes it stepped over without finding one of the scope's, when it stopped at
   * its budget before the sweep's end (0 otherwise): more is left, though nothing was found.
   */
  readonly passed: number;
}

/** Rows of other scopes a call steps over at most (~1–2 ms of the writer's time). */
export const WALK_BUDGET = 5_000;

/**
 * A walk of `table` by `time` (an indexed column; `key` breaks ties, in the index's order: the
 * rowid, or a WITHOUT ROWID table's primary key). One cursor per sweep (`before` and scope),
 * kept on the connection that sweeps (the writer's). Rows stored behind a cursor during its
 * sweep (a span that ended long ago, sent now) wait for the next sweep.
 */
export function ageWalk(db: Database.Database, table: string, time: string, key: string) {
  const cursors = new Map<string, { time: number; key: number | string | null; done: boolean }>();
  // The next @chunk rows from the cursor: those of the scope (up to @batch), and the last one.
  // SQLite steps over the others itself: handing each row to JavaScript cost ~4.5 µs a row.
  const from = `FROM ${table}
     WHERE ${time} < @before AND ${time} >= @time AND (${time}, ${key}) > (@time, @key)
     ORDER BY ${time}, ${key}`;
  const statements = new Map<string, { hits: Database.Statement; last: Database.Statement }>();
  const prepare = (scope: string) => ({
    hits: db.prepare(
      `SELECT k, t FROM (SELECT ${key} AS k, ${time} AS t, (${scope}) AS hit ${from} LIMIT @chunk)
       WHERE hit LIMIT @batch`,
    ),
    last: db.prepare(`SELECT ${key} AS k, ${time} AS t ${from} LIMIT 1 OFFSET @chunk - 1`),
  });
  const sweepOf = (before: number, where: ScopeSql) =>
    `${before}\0${where.sql}\0${JSON.stringify(where.params)}`;

  return {
    /** Up to `batch` keys of the scope's rows older than `before`, from where the sweep stands. */
    next(before: number, batch: number, where: ScopeSql): Found {
      const sweep = sweepOf(before, where);
      let cursor = cursors.get(sweep);
      if (!cursor) {
        if (cursors.size >= 16) cursors.clear(); // sweeps left unfinished (a shutdown)
        cursor = { time: -Number.MAX_VALUE, key: null, done: false };
        cursors.set(sweep, cursor);
      }
      const keys: (number | string)[] = [];
      if (cursor.done) return { keys, passed: 0 };
      let st = statements.get(where.sql);
      if (!st) statements.set(where.sql, (st = prepare(where.sql)));
      const chunk = Math.min(Math.max(batch, 1_000), WALK_BUDGET);
      let passed = 0;
      while (passed < WALK_BUDGET) {
        const at = { ...where.params, before, time: cursor.time, key: cursor.key, chunk };
        const want = batch - keys.length;
        const hits = st.hits.all({ ...at, batch: want }) as { k: number | string; t: number }[];
        for (const h of hits) keys.push(h.k);
        const lastHit = hits[hits.length - 1];
        if (hits.length === want && lastHit) {
          // The batch is full: the sweep goes on after its last row.
          cursor.time = lastHit.t;
          cursor.key = lastHit.k;
          break;
        }
        const last = st.last.get(at) as { k: number | string; t: number } | undefined;
        if (!last) {
          cursor.done = true; // fewer than a chunk left: all walked
          break;
        }
        passed += chunk - hits.length;
        cursor.time = last.t;
        cursor.key = last.k;
      }
      return { keys, passed: keys.length === 0 && !cursor.done ? passed : 0 };
    },
    /**
     * Whether the sweep of `before` and scope has walked past its last row; undefined when no
     * such sweep has begun.
     */
    done: (before: number, where: ScopeSql): boolean | undefined =>
      cursors.get(sweepOf(before, where))?.done,
    /** Forgets every cursor: a sweep's transaction failed, and what it found is still there. */
    reset: () => cursors.clear(),
  };
}

export type AgeWalk = ReturnType<typeof ageWalk>;
