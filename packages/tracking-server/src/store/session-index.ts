// Error events join their debug sessions a little after the commit that stores them, a few
// thousand at a time and in key order.
//
// Joining a session writes under two random ids: the session's row by correlation id and the
// trace's link by trace id. Written with each batch, every event dirtied a page of each of those
// indexes, and the commit wrote and later checkpointed each page (BENCHMARKS.md). Taken
// together and sorted, a few thousand events fall on neighbouring keys, and each page is written
// once for many of them. The work of one such generation is spread over the next commits, a few
// times their own events each, so no commit pauses for all of it.
//
// Nothing is lost: the events are committed (and answered) first, and which of them have joined
// is one number in the database, moved in the transaction that finishes a generation. After a
// crash the generation is done again; each of its steps is a merge (earliest start, latest end,
// the first link of a trace), so doing one twice changes nothing. While ingest is quiet, events
// join in the transaction that stores them, as before; readers of sessions catch up first
// (`catchUp`).
//
// Between touching an event's session and joining it, the row it got may be remade: retention
// deletes a row whose last record is old (an event sent late) or makes it say what is left of its
// records, and a trace claimed by a correlation id takes what knows only the trace to that
// session. Joined to a deleted row, an event fell out of its session into the next new one given
// that row id; joined to a claimed trace's old row, it stayed in the wrong session. The store says
// which rows it remade (WaitingJoins), and the events waiting on them are touched again first.
import type Database from 'better-sqlite3';
import { joinKey, type SessionStore, type WaitingJoins } from './sessions';
import { migrateOnce } from './table-columns';

/** Under load, a generation starts once this many events wait. */
export const GENERATION = 4_096;
/** The most events one generation takes. */
const MAX_GENERATION = 16_384;
/**
 * Ingest is quiet while its batches average fewer events than this (a moving average: under
 * load, group commits alternate large and small batches): whatever waits starts joining.
 */
const QUIET_BATCH = 16;
/** What a quiet commit (or one `catchUp` step) indexes at most. */
export const QUIET_STEP = 1_024;

/** An event waiting for its session: what joining reads, and its row. */
export interface Waiting {
  rowid: number;
  projectId: number;
  timestamp: number;
  service: string;
  traceId?: string;
  correlationId?: string;
}

interface Generation {
  /** The last row it covers. */
  readonly end: number;
  /** Each phase's events still to do: links by trace id, sessions by key, rows by row id. */
  readonly links: Waiting[];
  readonly touches: Waiting[];
  readonly rows: Waiting[];
  /** Session row ids by each event's join key (joinKey). */
  readonly sids: Map<string, number>;
}

const byString = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** An event's join to its session goes with the event (retention). */
export const EVENT_SESSIONS_TRIGGER = `CREATE TRIGGER IF NOT EXISTS event_sessions_gone
  AFTER DELETE ON events BEGIN DELETE FROM event_sessions WHERE event = old.rowid; END;`;

/**
 * Which session each event joined: its own table, keyed by the event's row, rather than a column
 * of the event. A generation's rows are written in row order, so they go at its end, and the
 * event rows (~2 KB each) are not written a second time.
 */
const SCHEMA = `
CREATE TABLE event_sessions (event INTEGER PRIMARY KEY, sid INTEGER NOT NULL);
CREATE INDEX event_sessions_sid ON event_sessions (sid);
${EVENT_SESSIONS_TRIGGER}
CREATE TABLE indexed (name TEXT PRIMARY KEY, upto INTEGER NOT NULL) WITHOUT ROWID;
`;

/**
 * A database from before: its events joined their sessions when they were stored, and each
 * holds its session in the column `session_sid` — once, in one transaction.
 */
function migrate(db: Database.Database): void {
  const exists = () =>
    db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'indexed'").get() !==
    undefined;
  migrateOnce(db, exists, () => {
    db.exec(SCHEMA);
    db.exec(`INSERT INTO event_sessions (event, sid)
        SELECT rowid, session_sid FROM events WHERE session_sid IS NOT NULL;
      INSERT INTO indexed (name, upto) SELECT 'event_sessions', COALESCE(MAX(rowid), 0) FROM events;
      DROP INDEX IF EXISTS events_sid;`);
  });
}

/**
 * Retention used to delete a session's row while an event joined to it was still kept (events go
 * by arrival: sessions.ts keeps such rows now). The join then named a row id that the next new
 * session could be given, and the event showed in that one. A database from before drops those
 * joins once (the events had fallen out of every session already).
 */
function dropOrphanJoins(db: Database.Database): void {
  const done = () =>
    db.prepare("SELECT 1 FROM indexed WHERE name = 'orphan_joins_dropped'").get() !== undefined;
  migrateOnce(db, done, () => {
    db.exec(`DELETE FROM event_sessions
        WHERE NOT EXISTS (SELECT 1 FROM sessions s WHERE s.sid = event_sessions.sid);
      INSERT INTO indexed (name, upto) VALUES ('orphan_joins_dropped', 0);`);
  });
}

export interface SessionIndex {
  /** An event with a trace or correlation id this connection just stored (its row). */
  stored(event: Waiting): void;
  /** After a batch of `count` stored events, in its transaction. */
  afterBatch(count: number): void;
  /** One step of catching up, in a transaction of its own; returns how many events still wait. */
  catchUp(budget: number): number;
  /** After events were deleted (retention), in the transaction that deleted them. */
  deleted(): void;
  /** After a transaction that ran a step failed: start again from what is committed. */
  reset(): void;
}

export function sessionIndex(
  db: Database.Database,
  sessions: Pick<SessionStore, 'linkEvents' | 'touchEvents' | 'watchWaiting'>,
): SessionIndex {
  migrate(db);
  dropOrphanJoins(db);
  const st = {
    upto: db.prepare("SELECT upto FROM indexed WHERE name = 'event_sessions'").pluck(),
    setUpto: db.prepare("UPDATE indexed SET upto = ? WHERE name = 'event_sessions'"),
    last: db.prepare('SELECT COALESCE(MAX(rowid), 0) FROM events').pluck(),
    waiting: db.prepare(
      `SELECT rowid, project_id, timestamp, service, trace_id, correlation_id FROM events
       WHERE rowid > ? AND rowid <= ? AND (trace_id IS NOT NULL OR correlation_id IS NOT NULL)
       ORDER BY rowid LIMIT ?`,
    ),
    join: db.prepare('INSERT OR REPLACE INTO event_sessions (event, sid) VALUES (?, ?)'),
  };

  let upto = st.upto.get() as number;
  let generation: Generation | undefined;
  let load = 0; // events per batch, a moving average
  // Every event with an id that this connection stored after row `recent`, in row order: a
  // generation takes its events from here rather than reading them back. Those from before
  // (stored before a restart, or by a transaction that failed) are read from the table.
  let recent = st.last.get() as number;
  let stored: Waiting[] = [];
  // Rows the store remade since the generation's last step (WaitingJoins.remade).
  const remade = new Set<number>();
  const waitingJoins: WaitingJoins = {
    // Every touched key stays in `sids`, joined or not: one joined is the row's record already.
    names: (correlationId) => generation?.sids.has(`c${correlationId}`) ?? false,
    remade: (sid) => {
      if (generation && generation.sids.size > 0) remade.add(sid);
    },
  };
  sessions.watchWaiting(waitingJoins);

  const read = (to: number): Waiting[] =>
    (
      st.waiting.all(upto, to, MAX_GENERATION) as {
        rowid: number;
        project_id: number;
        timestamp: number;
        service: string;
        trace_id: string | null;
        correlation_id: string | null;
      }[]
    ).map((r) => ({
      rowid: r.rowid,
      projectId: r.project_id,
      timestamp: r.timestamp,
      service: r.service,
      ...(r.trace_id !== null ? { traceId: r.trace_id } : {}),
      ...(r.correlation_id !== null ? { correlationId: r.correlation_id } : {}),
    }));

  const begin = (): Generation | undefined => {
    const fromTable = upto < recent;
    const events = fromTable ? read(recent) : stored.splice(0, MAX_GENERATION);
    const end =
      events.length === MAX_GENERATION
        ? (events[events.length - 1] as Waiting).rowid
        : fromTable
          ? recent
          : (st.last.get() as number);
    if (end <= upto) return undefined;
    return {
      end,
      links: events
        .filter((e) => e.traceId && e.correlationId)
        .sort((a, b) => byString(a.traceId as string, b.traceId as string)),
      touches: [...events].sort((a, b) => byString(joinKey(a), joinKey(b))),
      rows: events,
      sids: new Map(),
    };
  };

  /**
   * The generation's events not joined yet whose rows were remade are touched again: the row
   * that holds their session now takes them (made again if it went). A touch is a merge, so one
   * touched twice, or touched again before its own turn, changes nothing.
   */
  const touchAgain = (g: Generation) => {
    const keys = new Set<string>();
    for (const [key, sid] of g.sids) if (remade.has(sid)) keys.add(key);
    remade.clear();
    if (keys.size === 0) return;
    const again = g.rows.filter((e) => keys.has(joinKey(e)));
    for (const [key, sid] of sessions.touchEvents(again)) g.sids.set(key, sid);
  };

  /** Does up to `budget` events' worth of the generation; true when it is finished. */
  const work = (g: Generation, budget: number): boolean => {
    if (remade.size > 0) touchAgain(g);
    while (budget > 0) {
      if (g.links.length > 0) {
        const chunk = g.links.splice(0, budget);
        sessions.linkEvents(chunk);
        budget -= chunk.length;
      } else if (g.touches.length > 0) {
        const chunk = g.touches.splice(0, budget);
        for (const [key, sid] of sessions.touchEvents(chunk)) g.sids.set(key, sid);
        budget -= chunk.length;
      } else if (g.rows.length > 0) {
        const chunk = g.rows.splice(0, budget);
        for (const e of chunk) {
          const sid = g.sids.get(joinKey(e));
          if (sid !== undefined) st.join.run(e.rowid, sid);
        }
        budget -= chunk.length;
      } else {
        upto = g.end;
        st.setUpto.run(upto);
        return true;
      }
    }
    return false;
  };

  /**
   * Inside the caller's transaction, up to `budget` events' worth: starts a generation when
   * `start` or enough events wait. Returns how many events still wait (at least).
   */
  const advance = (budget: number, start: boolean): number => {
    if (!generation) {
      const waiting = (st.last.get() as number) - upto;
      if (waiting <= 0 || (!start && waiting < GENERATION)) return Math.max(waiting, 0);
      generation = begin();
      if (!generation) {
        upto = st.last.get() as number;
        st.setUpto.run(upto);
        return 0;
      }
    }
    if (work(generation, budget)) generation = undefined;
    return generation ? generation.end - upto : (st.last.get() as number) - upto;
  };
  const catchUpTx = db.transaction((budget: number): number => advance(budget, true));

  const reset = () => {
    generation = undefined;
    remade.clear();
    upto = st.upto.get() as number;
    recent = st.last.get() as number;
    stored = [];
  };

  return {
    stored(event) {
      stored.push(event);
    },
    afterBatch(count) {
      load = 0.8 * load + 0.2 * count;
      const quiet = load < QUIET_BATCH;
      advance(quiet ? QUIET_STEP : Math.max(2 * count, 64), quiet);
    },
    catchUp: (budget) => catchUpTx.immediate(budget),
    /**
     * Events have no key of their own, so SQLite gives a new one the highest row id left plus
     * one: once retention has deleted the newest rows (every event of a store left quiet for its
     * retention), the next events get row ids at or below `upto`, and were taken as joined
     * already — they never joined their sessions. Every row left up to the highest is joined, so
     * `upto` comes down to it, and what this connection holds about rows above it is dropped
     * (a generation of them, which retention can only reach if joining stopped for that long, is
     * read again from the table).
     */
    deleted() {
      const last = st.last.get() as number;
      if (last >= upto && last >= recent && (generation === undefined || last >= generation.end))
        return;
      if (last < upto) st.setUpto.run(last);
      reset();
    },
    reset,
  };
}
