// Debug sessions on the SQLite store: operations (OTLP spans, Sentry transactions and their
// spans), memory snapshots and error events that share a correlation id — or, failing that, a
// trace id — are one session. A trace id seen together with a correlation id anywhere is linked
// to it, so a Sentry event carrying only contexts.trace.trace_id joins the session its spans
// named by correlation id.
//
// The `sessions` table holds one row per listed session, maintained in the transaction that
// writes its members: first and last time, services, whether it has errors. The list reads that
// table through an index on the last time, so listing costs the page asked for, not a scan of
// every operation and event. When a trace gets linked to a correlation id after rows were keyed
// by the trace id, the trace's row is merged into the correlation id's and kept as the trace's
// alias (its events joined it), keyed apart from a listed row of the same id.
import type Database from 'better-sqlite3';
import type { MemorySnapshot, Operation } from '../ingest/otlp';
import type { RetentionScope, RetentionStep, TraceLink } from './repository';
import { ageWalk, type AgeWalk, type ScopeSql } from './age-walk';
import { sessionReads } from './session-reads';
import {
  prepareSessionTables,
  projectsText,
  servicesText,
  SESSION_KEY,
  UPSERT,
} from './sessions-schema';

export * from './session-reads';

/** The SQL condition (on `project_id`) and parameters of a retention scope. */
export function scopeCondition(scope: RetentionScope | undefined): ScopeSql {
  if (scope === undefined) return { sql: '1', params: {} };
  if (typeof scope === 'number')
    return { sql: 'project_id = @project', params: { project: scope } };
  return {
    sql: 'project_id NOT IN (SELECT value FROM json_each(@except))',
    params: { except: JSON.stringify(scope.except) },
  };
}

/** A batch's services as stored (servicesText), most often one service on the ingest path. */
const setText = (services: Set<string>) => {
  if (services.size === 1) {
    const [only] = services as unknown as [string];
    if (!only.includes('\n')) return `\n${only}\n`;
  }
  return servicesText(services);
};

/** A touch's projects as stored (projectsText): most often its first record's alone. */
const projectsOf = (t: { projectId: number; others?: Set<number> }) =>
  t.others ? projectsText([t.projectId, ...t.others]) : `\n${t.projectId}\n`;

/**
 * A key under which events were stored that is not listed itself: a trace id linked to a
 * correlation id (the session it belongs to).
 */
const ALIAS = `INSERT INTO sessions (id, project_id, start, end, services, errors, alias_of)
  VALUES (@id, @projectId, @start, @end, '\n', 0, @aliasOf)
  ON CONFLICT ${SESSION_KEY} DO UPDATE SET end = MAX(end, excluded.end), alias_of = excluded.alias_of
  RETURNING sid`;

/**
 * The key an event joins its session's row under, apart for the two kinds of row: its correlation
 * id's listed row, or its trace's (listed while the trace is its own, else the trace's alias).
 */
export const joinKey = (e: { traceId?: string; correlationId?: string }) =>
  e.correlationId !== undefined ? `c${e.correlationId}` : `t${e.traceId as string}`;

/**
 * Error events the session index (session-index.ts) has touched the rows of and not yet joined to
 * them: this store asks whether a correlation id is among them, and says which rows it remade.
 */
export interface WaitingJoins {
  /** Whether a waiting event that touched its row names this correlation id. */
  names(correlationId: string): boolean;
  /**
   * A row deleted, or made to say what is left of it, or whose trace's events belong elsewhere
   * now (retention, a claimed trace): the events waiting on it are touched again.
   */
  remade(sid: number): void;
}

/** Sessions whose start one retention call refreshes at most (refreshStarts below). */
export const REFRESH_SESSIONS = 100;

/**
 * A retention scope as an SQL condition on a session row's `projects`: a project of the row is
 * in scope.
 */
function projectsInScope(scope: RetentionScope | undefined): ScopeSql {
  if (scope === undefined) return { sql: '1', params: {} };
  if (typeof scope === 'number')
    return { sql: 'instr(projects, @projectLine) > 0', params: { projectLine: `\n${scope}\n` } };
  // '\n1\n12\n' read as the JSON array [1,12].
  const ids = `json_each('[' || replace(trim(projects, char(10)), char(10), ',') || ']')`;
  return {
    sql: `EXISTS (SELECT 1 FROM ${ids} p WHERE p.value NOT IN (SELECT value FROM json_each(@except)))`,
    params: { except: JSON.stringify(scope.except) },
  };
}

/** A session row of several projects ('\n1\n2\n': more than two line breaks). */
const SEVERAL_PROJECTS = `length(projects) - length(replace(projects, char(10), '')) > 2`;

/**
 * What retention left of a session is asked with its members' keys (membersOf): @id, @traces
 * (a JSON array: its traces, session-reads' `traceIdsOf`) and @sids (its row and the rows of
 * those traces, merged into it: their events joined them). Its statements use UNION ALL and
 * joins, never UNION, a CTE or IN (SELECT …): each of those opens a temporary b-tree, with
 * SQLite's default temp_store a file of its own, ~1 ms a statement.
 */
const TRACE_ROWS = `SELECT s.sid FROM json_each(@traces) tr CROSS JOIN sessions s
  ON s.id = tr.value AND s.alias_of IS NOT NULL`;

// A record of a trace counts where it names no correlation id. The trace ids lead each join
// (CROSS JOIN): left to choose, SQLite walked a time index or every record without a
// correlation id (~30–50 ms a session with 300,000 such spans).
const BY_TRACE = (table: 'operations' | 'memory_snapshots', alias: string) =>
  `json_each(@traces) tr CROSS JOIN ${table} ${alias} ON ${alias}.trace_id = tr.value
    WHERE +${alias}.correlation_id IS NULL`;
const EVENT_ROWS = `json_each(@sids) s CROSS JOIN event_sessions j ON j.sid = s.value
    JOIN events e ON e.rowid = j.event`;

/** The MIN or MAX of a session's records' times, an operation's by `opTime`. */
const RECORDS_TIME = (fn: 'MIN' | 'MAX', opTime: 'start' | 'end') => `(SELECT ${fn}(t) FROM (
  SELECT ${fn}(${opTime}) AS t FROM operations WHERE correlation_id = @id
  UNION ALL SELECT ${fn}(o.${opTime}) FROM ${BY_TRACE('operations', 'o')}
  UNION ALL SELECT ${fn}(time) FROM memory_snapshots WHERE correlation_id = @id
  UNION ALL SELECT ${fn}(m.time) FROM ${BY_TRACE('memory_snapshots', 'm')}
  UNION ALL SELECT ${fn}(e.timestamp) FROM ${EVENT_ROWS}))`;

/**
 * A session's earliest and latest record, and whether an error is left among its records; every
 * MIN, MAX and EXISTS reads an index or the rows it names, never a payload.
 */
const WHAT_IS_LEFT = `SELECT ${RECORDS_TIME('MIN', 'start')} AS start, ${RECORDS_TIME('MAX', 'end')} AS end,
  EXISTS (SELECT 1 FROM operations WHERE correlation_id = @id AND status = 'error')
  OR EXISTS (SELECT 1 FROM ${BY_TRACE('operations', 'o')} AND o.status = 'error')
  OR EXISTS (SELECT 1 FROM json_each(@sids) s CROSS JOIN event_sessions j ON j.sid = s.value) AS errors`;

/**
 * Whether a record of the session has @value as `column` (given the record's table alias): each
 * EXISTS stops at the first, so a value left costs a look-up or two.
 */
const LEFT_WITH = (column: (table: string) => string) => `SELECT
  EXISTS (SELECT 1 FROM operations o WHERE o.correlation_id = @id AND ${column('o')} = @value)
  OR EXISTS (SELECT 1 FROM ${BY_TRACE('operations', 'o')} AND ${column('o')} = @value)
  OR EXISTS (SELECT 1 FROM memory_snapshots m WHERE m.correlation_id = @id AND ${column('m')} = @value)
  OR EXISTS (SELECT 1 FROM ${BY_TRACE('memory_snapshots', 'm')} AND ${column('m')} = @value)
  OR EXISTS (SELECT 1 FROM ${EVENT_ROWS} WHERE ${column('e')} = @value)`;
// As servicesText stores a name (a line break in it a space), and a project by its id.
const SERVICE_LEFT = LEFT_WITH((t) => `replace(${t}.service, char(10), ' ')`);
const PROJECT_LEFT = LEFT_WITH((t) => `${t}.project_id`);

/**
 * Whether a listed row holds a session of its id as a correlation id (@id, the row @sid): records
 * name it, traces are linked to it, or events naming it joined the row (or wait to:
 * WaitingJoins.names). Beside these, the row of a trace's id holds the records that know only the
 * trace (TRACE_PART).
 */
const OWN_RECORDS = `SELECT EXISTS (SELECT 1 FROM operations WHERE correlation_id = @id)
  OR EXISTS (SELECT 1 FROM memory_snapshots WHERE correlation_id = @id)
  OR EXISTS (SELECT 1 FROM trace_links WHERE correlation_id = @id AND shared = 1)
  OR EXISTS (SELECT 1 FROM event_sessions j JOIN events e ON e.rowid = j.event
    WHERE j.sid = @sid AND e.correlation_id IS NOT NULL)`;

/** What the records of @trace that know only the trace add to a session, by service and project. */
const TRACE_PART = `SELECT service, project_id, MIN(t0) AS start, MAX(t1) AS end, MAX(err) AS errors FROM (
  SELECT service, project_id, start AS t0, end AS t1, status = 'error' AS err FROM operations
    WHERE trace_id = @trace AND +correlation_id IS NULL
  UNION ALL SELECT service, project_id, time, time, 0 FROM memory_snapshots
    WHERE trace_id = @trace AND +correlation_id IS NULL
  UNION ALL SELECT e.service, e.project_id, e.timestamp, e.timestamp, 1 FROM event_sessions j
    JOIN events e ON e.rowid = j.event WHERE j.sid = @sid AND e.correlation_id IS NULL
) GROUP BY service, project_id ORDER BY MIN(t0)`;

/** A row's events (@all) or those that know only their trace moved to another row. */
const MOVE_EVENTS = `UPDATE event_sessions SET sid = @to WHERE sid = @from
  AND (@all OR (SELECT e.correlation_id FROM events e WHERE e.rowid = event_sessions.event) IS NULL)`;

/** Trace links' times are rounded up to the hour (linkTime below). */
const LINK_TIME_STEP = 3_600_000;

/**
 * What retention deletes, each walked by age (age-walk.ts): operations by end, memory snapshots
 * by time, trace links by when they were seen (links made by records that old go with them),
 * and sessions whose last record is older (their records go with the rows above) — but not a
 * session row an event still joins (`event_sessions`): events go by their arrival, not their
 * time, so an event sent late (an SDK's offline queue) outlives its session's last time. Its row
 * goes at a later sweep, once the event has. Deleted before it, the event fell out of its session,
 * and the row id, given again to the next new session, put the event in that stranger's one.
 * Nor is a shared link deleted while a record that knows only its trace is kept (a project kept
 * longer than the link's): without it, the record fell out of the session it was listed in.
 */
const WALKED = [
  ['operations', 'end', 'rowid', ''],
  ['memory_snapshots', 'time', 'rowid', ''],
  [
    'trace_links',
    'seen',
    'trace_id',
    ` AND (shared = 0 OR NOT (
      EXISTS (SELECT 1 FROM operations o WHERE o.trace_id = trace_links.trace_id AND +o.correlation_id IS NULL)
      OR EXISTS (SELECT 1 FROM memory_snapshots m WHERE m.trace_id = trace_links.trace_id AND +m.correlation_id IS NULL)
      OR EXISTS (SELECT 1 FROM sessions s JOIN event_sessions j ON j.sid = s.sid
        WHERE s.id = trace_links.trace_id AND s.alias_of IS NOT NULL)))`,
  ],
  [
    'sessions',
    'end',
    'sid',
    ' AND NOT EXISTS (SELECT 1 FROM event_sessions j WHERE j.sid = sessions.sid)',
  ],
] as const;

/** `oldEvents`: the events' retention walk on this connection (sqlite.ts), when it has one. */
export function sessionStore(db: Database.Database, oldEvents?: AgeWalk) {
  prepareSessionTables(db);
  const walks = WALKED.map(([table, time, key, unless]) => ({
    table,
    key,
    unless,
    walk: ageWalk(db, table, time, key),
  }));
  const reads = sessionReads(db);
  const lazily = (sql: string, pluck = false) => {
    let prepared: Database.Statement | undefined;
    return () => (prepared ??= pluck ? db.prepare(sql).pluck() : db.prepare(sql));
  };
  const st = {
    // A span sent again replaces the copy there (see write): tried as new first, the copy is
    // read only for a span that is there already.
    newOp: db.prepare(
      `INSERT OR IGNORE INTO operations VALUES (@projectId, @traceId, @spanId, @parentSpanId, @name, @service, @start, @end, @status, @statusMessage, @correlationId, @attributes)`,
    ),
    op: db.prepare(
      `INSERT OR REPLACE INTO operations VALUES (@projectId, @traceId, @spanId, @parentSpanId, @name, @service, @start, @end, @status, @statusMessage, @correlationId, @attributes)`,
    ),
    opThere: db.prepare(
      'SELECT service, status, correlation_id, end FROM operations WHERE project_id = ? AND trace_id = ? AND span_id = ?',
    ),
    // A snapshot sent again (an exporter's retry) is there already: see snapshotsOnce.
    mem: db.prepare(
      `INSERT OR IGNORE INTO memory_snapshots (project_id, trace_id, span_id, service, correlation_id, time, rss, heap_used, seq)
       VALUES (@projectId, @traceId, @spanId, @service, @correlationId, @time, @rss, @heapUsed, @seq)`,
    ),
    // A link made again by a later record naming both ids is seen then (links go by age).
    link: db.prepare(
      `INSERT INTO trace_links (trace_id, correlation_id, project_id, seen) VALUES (?, ?, ?, ?)
       ON CONFLICT (trace_id) DO UPDATE SET seen = excluded.seen
       WHERE excluded.seen > trace_links.seen AND trace_links.correlation_id = excluded.correlation_id`,
    ),
    linked: db.prepare('SELECT correlation_id, seen, shared FROM trace_links WHERE trace_id = ?'),
    share: db.prepare('UPDATE trace_links SET shared = 1, seen = MAX(seen, ?) WHERE trace_id = ?'),
    upsert: db.prepare(UPSERT).pluck(),
    alias: db.prepare(ALIAS).pluck(),
    listedRow: db.prepare('SELECT * FROM sessions WHERE id = ? AND alias_of IS NULL'),
    aliasRow: db.prepare('SELECT sid FROM sessions WHERE id = ? AND alias_of IS NOT NULL').pluck(),
    makeAlias: db.prepare('UPDATE sessions SET alias_of = ? WHERE sid = ?'),
    refresh: db.prepare(
      `UPDATE sessions SET start = @start, end = @end, errors = @errors, services = @services,
         projects = @projects, project_id = @projectId WHERE sid = @sid`,
    ),
    drop: db.prepare('DELETE FROM sessions WHERE sid = ?'),
    // Prepared when first asked (lazily): event_sessions is made after this store.
    ownRecords: lazily(OWN_RECORDS, true),
    moveEvents: lazily(MOVE_EVENTS),
    tracePart: lazily(TRACE_PART),
    whatIsLeft: lazily(WHAT_IS_LEFT),
    serviceLeft: lazily(SERVICE_LEFT, true),
    projectLeft: lazily(PROJECT_LEFT, true),
    // Rows of several projects, among some the walk found.
    spanning: db.prepare(
      `SELECT sid, id FROM sessions WHERE sid IN (SELECT value FROM json_each(?)) AND ${SEVERAL_PROJECTS}`,
    ),
  };

  type Link = { correlation_id: string; seen: number; shared: number };

  let waiting: WaitingJoins | undefined;
  /** A row deleted: events waiting to join it are touched again, and make it anew. */
  const drop = (sid: number) => {
    st.drop.run(sid);
    waiting?.remade(sid);
  };
  /**
   * A row made to say what its members left say (refresh), which leaves out events still waiting
   * to join it or its traces' aliases: those are touched again.
   */
  const remadeMembers = (members: { sids: string }) => {
    if (waiting) for (const sid of JSON.parse(members.sids) as number[]) waiting.remade(sid);
  };

  /**
   * The listed session of a record with these ids, of this time (undefined: none). A record that
   * joins through its trace's link shares the link, and keeps it as long as itself.
   */
  const keyOf = (traceId: string | undefined, correlationId: string | undefined, time: number) => {
    if (correlationId !== undefined) return correlationId;
    if (!traceId) return undefined;
    const l = st.linked.get(traceId) as Link | undefined;
    if (!l) return traceId;
    const seen = linkTime(time);
    if (!l.shared || l.seen < seen) st.share.run(seen, traceId);
    return l.correlation_id;
  };

  /** What a batch adds to one listed session. */
  interface Touch {
    /** The first record's project; `others`, any other project's records. */
    projectId: number;
    others?: Set<number>;
    start: number;
    end: number;
    services: Set<string>;
    errors: number;
  }
  const touch = (
    touches: Map<string, Touch>,
    key: string,
    projectId: number,
    start: number,
    end: number,
    service: string,
    error: boolean,
  ) => {
    const t = touches.get(key);
    if (!t) {
      touches.set(key, {
        projectId,
        start,
        end,
        services: new Set([service]),
        errors: error ? 1 : 0,
      });
      return;
    }
    if (start < t.start) t.start = start;
    if (end > t.end) t.end = end;
    t.services.add(service);
    if (projectId !== t.projectId) (t.others ??= new Set()).add(projectId);
    if (error) t.errors = 1;
  };
  /** Writes a batch's touches (inside the caller's transaction); returns each session's row id. */
  const applyTouches = (touches: Map<string, Touch>) => {
    const sids = new Map<string, number>();
    for (const [id, t] of touches)
      sids.set(
        id,
        st.upsert.get(
          id,
          t.projectId,
          t.start,
          t.end,
          setText(t.services),
          t.errors,
          projectsOf(t),
        ) as number,
      );
    return sids;
  };

  /**
   * When a link was made, for retention (which counts in days): its record's time rounded up to
   * the hour. The links of a generation (session-index.ts) then share one time, so in the index
   * on it they lie in trace-id order, the order they are written in, and fill its pages in turn;
   * with exact times each commit's links fell all over the index's newest pages.
   */
  const linkTime = (time: number) => Math.ceil(time / LINK_TIME_STEP) * LINK_TIME_STEP;

  /**
   * A trace newly linked to a correlation id, by a record of `projectId` at `time` naming both:
   * the trace's session, if listed, joins that one.
   */
  const link = (traceId: string, correlationId: string, projectId: number, time: number) => {
    if (
      traceId === correlationId ||
      st.link.run(traceId, correlationId, projectId, linkTime(time)).changes === 0
    )
      return;
    // Made now, or seen again by a later record: a trace merged before has no listed row.
    merge(traceId, correlationId);
  };

  /**
   * A trace's listed row merged into the session of the correlation id it is linked to: the row
   * becomes the trace's alias, its events with it. Where that id is itself a trace linked to
   * another (a correlation id an SDK took from a trace id), the row made for it is merged on at
   * once, as a later record naming that link would: left to such a record, a batch written in
   * steps (trace-steps.ts) and the same batch written in one transaction left different sessions.
   * The chain is walked in a loop (how long it is is the clients' to say), and stops at a trace
   * it merged already: links may make a cycle (trace a claimed by b, trace b by a), which went
   * round for ever before and failed the write. It stops too at a claimer whose row was listed
   * before the step: what knows only its trace went on when the trace was linked, or was keyed
   * past it from the start (keyOf), so going on merged nothing new, and each link of a chain
   * that came from its end back walked the rest of it (800 links: 11 s in one transaction).
   */
  const merge = (traceId: string, correlationId: string): void => {
    const merged = new Set<string>();
    let [trace, claimer] = [traceId, correlationId];
    for (;;) {
      const row = st.listedRow.get(trace) as SessionRow | undefined;
      if (!row) return;
      const listed = st.listedRow.get(claimer) !== undefined;
      mergeRow(row, claimer);
      merged.add(trace);
      if (listed) return;
      const onward = st.linked.get(claimer) as Link | undefined;
      if (!onward || onward.correlation_id === claimer || merged.has(claimer)) return;
      [trace, claimer] = [claimer, onward.correlation_id];
    }
  };

  /** One step of `merge`: the trace's listed row merged into the correlation id's session. */
  const mergeRow = (row: SessionRow, correlationId: string) => {
    const traceId = row.id;
    if (waiting?.names(traceId) || st.ownRecords().get({ id: traceId, sid: row.sid }) === 1)
      splitTrace(row, correlationId);
    else {
      st.upsert.get(
        correlationId,
        row.project_id,
        row.start,
        row.end,
        row.services,
        row.errors,
        row.projects,
      );
      // An alias from an earlier link of the trace (retention took it) is this one now.
      const earlier = st.aliasRow.get(traceId) as number | undefined;
      if (earlier !== undefined) {
        st.moveEvents().run({ to: row.sid, from: earlier, all: 1 });
        drop(earlier);
      }
      st.makeAlias.run(correlationId, row.sid);
    }
    // The trace's records so far know only the trace: they join through the link, as long as
    // the latest of them is kept.
    st.share.run(linkTime(row.end), traceId);
  };

  /**
   * A listed row that is both a trace's and its id's as a correlation id (records name it, or
   * traces are linked to it), the trace now claimed by `correlationId`: what knows only the
   * trace goes to that session, its events to the trace's alias, and the row is made to say what
   * is left of its own.
   */
  const splitTrace = (row: SessionRow, correlationId: string) => {
    const part = st.tracePart().all({
      trace: row.id,
      sid: row.sid,
    }) as { service: string; project_id: number; start: number; end: number; errors: number }[];
    if (part.length > 0) {
      const touches = new Map<string, Touch>();
      for (const p of part)
        touch(touches, correlationId, p.project_id, p.start, p.end, p.service, p.errors > 0);
      applyTouches(touches);
      const t = touches.get(correlationId) as Touch;
      const alias = st.alias.get({
        id: row.id,
        projectId: t.projectId,
        start: t.start,
        end: t.end,
        aliasOf: correlationId,
      }) as number;
      st.moveEvents().run({ to: alias, from: row.sid, all: 0 });
    }
    // Its waiting events that know only the trace belong to that session too.
    waiting?.remade(row.sid);
    refresh(row, Infinity);
  };

  /** The session-facing facts of an error event. */
  type EventKeys = {
    projectId: number;
    timestamp: number;
    service: string;
    traceId?: string;
    correlationId?: string;
  };

  /**
   * An event naming both ids links its trace to the correlation id, as a span naming both does,
   * so the trace's other records (a span without the correlation id) join the same session.
   */
  const linkEvents = (events: readonly EventKeys[]) => {
    for (const e of events)
      if (e.traceId && e.correlationId) link(e.traceId, e.correlationId, e.projectId, e.timestamp);
  };

  /**
   * Sessions of error events whose traces are linked: each listed session is touched once, and
   * each event's join key (joinKey) gets the row id it joins (`event_sessions`): its correlation
   * id's row, its trace's while the trace is its own, else the trace's alias.
   */
  const touchEvents = (events: readonly EventKeys[]): Map<string, number> => {
    const touches = new Map<string, Touch>();
    const joins = new Map<string, string>(); // join key → listed session
    const aliases = new Map<string, { listed: string; projectId: number; time: number }>();
    for (const e of events) {
      const listed = keyOf(e.traceId, e.correlationId, e.timestamp);
      if (listed === undefined) continue;
      touch(touches, listed, e.projectId, e.timestamp, e.timestamp, e.service, true);
      if (e.correlationId === undefined && listed !== e.traceId)
        aliases.set(e.traceId as string, { listed, projectId: e.projectId, time: e.timestamp });
      else joins.set(joinKey(e), listed);
    }
    const listedSids = applyTouches(touches);
    const sids = new Map<string, number>();
    for (const [key, listed] of joins) sids.set(key, listedSids.get(listed) as number);
    for (const [id, a] of aliases)
      sids.set(
        `t${id}`,
        st.alias.get({
          id,
          projectId: a.projectId,
          start: a.time,
          end: a.time,
          aliasOf: a.listed,
        }) as number,
      );
    return sids;
  };

  /** Links made before a batch's records, when it is written in several transactions. */
  const linkAll = db.transaction((projectId: number, links: readonly TraceLink[]) => {
    for (const l of links) link(l.traceId, l.correlationId, projectId, l.time);
  });

  const write = db.transaction(
    (projectId: number, operations: readonly Operation[], memory: readonly MemorySnapshot[]) => {
      // Links first, so every record of the batch is keyed by the correlation id its trace has.
      for (const o of operations)
        if (o.correlationId) link(o.traceId, o.correlationId, projectId, o.end);
      for (const m of memory)
        if (m.correlationId) link(m.traceId, m.correlationId, projectId, m.time);
      const touches = new Map<string, Touch>();
      /** The sessions a span sent again changed under: what they list is made again. */
      const remade = new Set<string>();
      /** The operations that were there already, each replacing its copy (the answer). */
      const repeated: number[] = [];
      for (const [i, o] of operations.entries()) {
        const row = {
          projectId,
          traceId: o.traceId,
          spanId: o.spanId,
          parentSpanId: o.parentSpanId ?? null,
          name: o.name,
          service: o.service,
          start: o.start,
          end: o.end,
          status: o.status,
          statusMessage: o.statusMessage ?? null,
          correlationId: o.correlationId ?? null,
          attributes: JSON.stringify(o.attributes),
        };
        if (st.newOp.run(row).changes === 0) {
          repeated.push(i);
          // A copy with another service, status or session (the same span exported to Sentry
          // and over OTLP names its service two ways): its session listed the service and
          // error it no longer holds, as a touch only adds.
          const was = st.opThere.get(projectId, o.traceId, o.spanId) as
            | { service: string; status: string; correlation_id: string | null; end: number }
            | undefined;
          // Replaced as before (and a row that no copy kept out is refused as before).
          st.op.run(row);
          if (was && (was.service !== o.service || was.status !== o.status)) {
            remade.add(keyOf(o.traceId, o.correlationId, o.end) as string);
            remade.add(keyOf(o.traceId, was.correlation_id ?? undefined, was.end) as string);
          }
        }
        touch(
          touches,
          keyOf(o.traceId, o.correlationId, o.end) as string,
          projectId,
          o.start,
          o.end,
          o.service,
          o.status === 'error',
        );
      }
      for (const m of memory) {
        st.mem.run({
          projectId,
          traceId: m.traceId,
          spanId: m.spanId,
          service: m.service,
          correlationId: m.correlationId ?? null,
          time: m.time,
          rss: m.rss ?? null,
          heapUsed: m.heapUsed ?? null,
          seq: m.seq,
        });
        touch(
          touches,
          keyOf(m.traceId, m.correlationId, m.time) as string,
          projectId,
          m.time,
          m.time,
          m.service,
          false,
        );
      }
      applyTouches(touches);
      for (const id of remade) {
        const listed = st.listedRow.get(id) as SessionRow | undefined;
        if (listed) refresh(listed, -Infinity);
      }
      return repeated;
    },
  );

  /**
   * Deletes up to `batch` operations, memory snapshots, trace links and sessions older than
   * `before`; returns how many rows it took up (deleted, kept, or other scopes' stepped over)
   * and whether any kind filled its batch (more to go). A session row of several projects that
   * still has records (another project's, kept longer) is not deleted: it is refreshed once the
   * sweep's deletes are done (refreshRows); nor is one an event still joins.
   */
  const deleteOld = (before: number, batch: number, where: ScopeSql) => {
    let work = 0;
    let deleted = 0;
    let more = false;
    for (const { table, key, unless, walk } of walks) {
      const found = walk.next(before, batch, where);
      // Rows found and kept count as work done, as rows of other scopes stepped over do: the
      // sweep calls again. Counted as nothing, a batch of kept session rows ended the sweep
      // there, before the rows after them and every refresh.
      work += found.passed + found.keys.length;
      more ||= found.passed > 0 || found.keys.length === batch;
      let keys = found.keys;
      if (table === 'sessions' && keys.length > 0) {
        const spanning = st.spanning.all(JSON.stringify(keys)) as { sid: number; id: string }[];
        const kept = new Set(
          spanning.filter((row) => whatIsLeft(row.sid, row.id).start !== null).map((r) => r.sid),
        );
        keys = keys.filter((sid) => !kept.has(sid as number));
      }
      if (keys.length === 0) continue;
      deleted += db
        .prepare(`DELETE FROM ${table} WHERE ${key} IN (SELECT value FROM json_each(?))${unless}`)
        .run(JSON.stringify(keys)).changes;
      // Reported whether or not it went (one an event joined stays): touched again, a row in
      // place takes nothing it does not hold.
      if (table === 'sessions') for (const sid of keys) waiting?.remade(sid as number);
    }
    return { work, deleted, more };
  };

  const deleteBefore = db.transaction(
    (before: number, batch: number, scope?: RetentionScope): RetentionStep => {
      const where = scopeCondition(scope);
      const { work, deleted, more } = deleteOld(before, batch, where);
      if (more) return { work, deleted };
      const refreshed = refreshRows(before, scope, where);
      return { work: work + refreshed.rows, deleted: deleted + refreshed.dropped };
    },
  );

  /**
   * The sweep of `before` and scope whose rows are being refreshed, and the last session row
   * refreshed (Infinity once done). Kept on the connection that sweeps (the writer's).
   */
  let refreshing: { sweep: string; after: number } | undefined;
  // The events' own sweep knows (sqlite.ts); asked only when it has not begun (a caller
  // sweeping sessions alone), as the query steps over other scopes' old events.
  const oldEventLeft = (before: number, where: ScopeSql) => {
    const walked = oldEvents?.done(before, where);
    if (walked !== undefined) return !walked;
    return (
      db
        .prepare(`SELECT 1 FROM events WHERE received_at < @before AND ${where.sql} LIMIT 1`)
        .get({ before, ...where.params }) !== undefined
    );
  };

  /**
   * Once a sweep's deletes are done, the sessions with records of the scope's projects that
   * straddle `before`, and those of several projects older than it, lost records: each row is
   * made to say what is left (refresh), so that the filters read what the detail shows. Once a
   * sweep, in one walk of the table by row id, REFRESH_SESSIONS sessions a call (each call one
   * transaction on the writer, between ingest batches); returns how many this call refreshed,
   * so the sweep goes on calling until none is left. Refreshed while events were still being
   * deleted (each call of a catch-up), a session of 300,000 old events was read whole, payloads
   * too, on every call.
   */
  function refreshRows(before: number, scope: RetentionScope | undefined, where: ScopeSql) {
    const sweep = `${before} ${JSON.stringify(scope ?? null)}`;
    if (refreshing?.sweep !== sweep) {
      // Events are deleted a batch a call too (retention.ts): their sessions wait for the last.
      if (oldEventLeft(before, where)) return { rows: 0, dropped: 0 };
      refreshing = { sweep, after: 0 };
    }
    const inScope = projectsInScope(scope);
    const rows = db
      .prepare(
        `SELECT sid, id, project_id, start, end, errors, services, projects FROM sessions
         WHERE sid > @after AND alias_of IS NULL AND start < @before
           AND (end >= @before OR ${SEVERAL_PROJECTS}) AND ${inScope.sql}
         ORDER BY sid LIMIT ${REFRESH_SESSIONS}`,
      )
      .all({ before, after: refreshing.after, ...inScope.params }) as SessionRow[];
    let dropped = 0;
    for (const row of rows) dropped += refresh(row, before);
    const last = rows[rows.length - 1];
    refreshing.after = rows.length < REFRESH_SESSIONS || !last ? Infinity : last.sid;
    return { rows: rows.length, dropped };
  }

  type SessionRow = {
    sid: number;
    id: string;
    project_id: number;
    start: number;
    end: number;
    errors: number;
    services: string;
    projects: string;
  };

  /**
   * A session row made to say what retention left of its records: it starts at the earliest;
   * it has errors only if one is left; its services and projects are those of a record left,
   * and its own project one of them (the rule its row goes by). A row older than `before` (of
   * several projects, which deleteOld kept) ends at its latest record; one that straddles it
   * keeps its end, a record newer. A row with no record left goes; returns the rows deleted.
   */
  function refresh(row: SessionRow, before: number): number {
    const members = membersOf(row.sid, row.id);
    const left = st.whatIsLeft().get(members) as {
      start: number | null;
      end: number | null;
      errors: number;
    };
    if (left.start === null || left.end === null) {
      const { changes } = st.drop.run(row.sid);
      remadeMembers(members);
      return changes;
    }
    // A row of one service or project has a record of it, as it has one left.
    const still = (text: string, asked: Database.Statement, value: (line: string) => unknown) => {
      const lines = text.split('\n').filter(Boolean);
      if (lines.length < 2) return lines;
      const found = lines.filter((line) => asked.get({ ...members, value: value(line) }) === 1);
      return found.length ? found : lines;
    };
    const services = still(row.services, st.serviceLeft(), String);
    const projects = still(row.projects, st.projectLeft(), Number);
    const next = {
      sid: row.sid,
      start: Math.max(row.start, left.start),
      end: row.end < before ? left.end : row.end,
      // Its errors gone, the hasErrors filter no longer lists it (its summary counts none).
      errors: row.errors && !left.errors ? 0 : row.errors,
      services: servicesText(services),
      projects: projects.length ? projectsText(projects.map(Number)) : row.projects,
      projectId: projects.includes(String(row.project_id))
        ? row.project_id
        : Number(projects[0] ?? row.project_id),
    };
    if (
      next.start !== row.start ||
      next.end !== row.end ||
      next.errors !== row.errors ||
      next.services !== row.services ||
      next.projects !== row.projects ||
      next.projectId !== row.project_id
    ) {
      st.refresh.run(next);
      remadeMembers(members);
    }
    return 0;
  }

  const traceRows = db.prepare(TRACE_ROWS).pluck();
  /** The keys a session's members are asked by (WHAT_IS_LEFT, LEFT_WITH). */
  const membersOf = (sid: number, id: string) => {
    const traces = JSON.stringify(reads.traceIdsOf(id));
    const sids = new Set([sid, ...(traceRows.all({ traces }) as number[])]);
    return { id, traces, sids: JSON.stringify([...sids]) };
  };
  /** The time of a session's earliest record, null when it has none left (WHAT_IS_LEFT). */
  const whatIsLeft = (sid: number, id: string) =>
    st.whatIsLeft().get(membersOf(sid, id)) as {
      start: number | null;
    };

  return {
    write: (
      projectId: number,
      operations: readonly Operation[],
      memory: readonly MemorySnapshot[],
    ) => write.immediate(projectId, operations, memory),
    link: (projectId: number, links: readonly TraceLink[]) => linkAll.immediate(projectId, links),
    linkEvents,
    touchEvents,
    /** The index's waiting events, which merges and retention ask about and report to. */
    watchWaiting(joins: WaitingJoins) {
      waiting = joins;
    },
    detail: reads.detail,
    list: reads.list,
    deleteBefore(before: number, batch: number, scope?: RetentionScope): RetentionStep {
      try {
        return deleteBefore.immediate(before, batch, scope);
      } catch (err) {
        for (const { walk } of walks) walk.reset(); // what the walks found was not deleted
        throw err;
      }
    },
  };
}

export type SessionStore = ReturnType<typeof sessionStore>;
