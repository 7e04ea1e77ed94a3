// Debug sessions on the SQLite store: operations (OTLP spans, Sentry transactions and their
// spans), memory snapshots and error events that share a correlation id — or, failing that, a
// trace id — are one session. A trace id seen together with a correlation id anywhere is linked
// to it, so a Sentry event carrying only contexts.trace.trace_id joins the session its spans
// named by correlation id.
//
// The `sessions` table holds one row per session key, maintained in the transaction that writes
// its members: first and last time, services, whether it has errors. The list reads that table
// through an index on the last time, so listing costs the page asked for, not a scan of every
// operation and event. When a trace gets linked to a correlation id after rows were keyed by
// the trace id, the trace's row is merged into the correlation id's.
import type Database from 'better-sqlite3';
import type { MemorySnapshot, Operation } from '../ingest/otlp';
import { unpackPayload } from './payload';
import type { RetentionScope } from './repository';

/** The SQL condition (on `project_id`) and parameters of a retention scope. */
export function scopeCondition(scope: RetentionScope | undefined): {
  sql: string;
  params: Record<string, unknown>;
} {
  if (scope === undefined) return { sql: '1', params: {} };
  if (typeof scope === 'number')
    return { sql: 'project_id = @project', params: { project: scope } };
  return {
    sql: 'project_id NOT IN (SELECT value FROM json_each(@except))',
    params: { except: JSON.stringify(scope.except) },
  };
}

export const SESSIONS_SCHEMA = `
CREATE TABLE IF NOT EXISTS operations (
  project_id INTEGER NOT NULL, trace_id TEXT NOT NULL, span_id TEXT NOT NULL, parent_span_id TEXT,
  name TEXT NOT NULL, service TEXT NOT NULL, start REAL NOT NULL, end REAL NOT NULL,
  status TEXT NOT NULL, status_message TEXT, correlation_id TEXT, attributes TEXT NOT NULL,
  PRIMARY KEY (trace_id, span_id));
CREATE INDEX IF NOT EXISTS operations_correlation ON operations (correlation_id);
CREATE INDEX IF NOT EXISTS operations_start ON operations (start);
CREATE TABLE IF NOT EXISTS memory_snapshots (
  project_id INTEGER NOT NULL, trace_id TEXT NOT NULL, span_id TEXT NOT NULL, service TEXT NOT NULL,
  correlation_id TEXT, time REAL NOT NULL, rss REAL, heap_used REAL);
CREATE INDEX IF NOT EXISTS memory_trace ON memory_snapshots (trace_id);
CREATE INDEX IF NOT EXISTS memory_correlation ON memory_snapshots (correlation_id);
CREATE TABLE IF NOT EXISTS trace_links (
  trace_id TEXT PRIMARY KEY, correlation_id TEXT NOT NULL, project_id INTEGER NOT NULL,
  seen REAL NOT NULL) WITHOUT ROWID;
DROP INDEX IF EXISTS events_trace;
DROP INDEX IF EXISTS events_correlation;
`;

/**
 * Events carry their session key (correlation id, else trace id) in one indexed column: every
 * index on a random id costs a page write per event, and ingest is bounded by those writes.
 * A database from before the column gets it here.
 */
function migrate(db: Database.Database): void {
  const columns = db.prepare('PRAGMA table_info(events)').all() as { name: string }[];
  if (columns.some((c) => c.name === 'session_key')) return;
  db.exec(`ALTER TABLE events ADD COLUMN session_key TEXT;
    UPDATE events SET session_key = COALESCE(correlation_id, trace_id);`);
}

const SESSIONS_TABLE = `
CREATE TABLE sessions (
  sid INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, project_id INTEGER NOT NULL,
  start REAL NOT NULL, end REAL NOT NULL, services TEXT NOT NULL,
  errors INTEGER NOT NULL DEFAULT 0, alias_of TEXT);
CREATE INDEX sessions_end ON sessions (end DESC, sid DESC);
`;

/**
 * Trace links are found by trace id only, and go by age. They had an index by correlation id
 * (for a session's traces, and to delete them with their session): a second random key written
 * per linked record, and the most costly write of ingest (README, Benchmark). A session's traces
 * are those of its own records; retention goes by the time the link was made, as for the
 * records. A database from before gets the link's project and time from its session.
 */
function linkTimes(db: Database.Database): void {
  const timed = () =>
    (db.prepare('PRAGMA table_info(trace_links)').all() as { name: string }[]).some(
      (c) => c.name === 'seen',
    );
  if (!timed())
    db.transaction(() => {
      if (timed()) return; // another connection got here first
      db.exec(`ALTER TABLE trace_links ADD COLUMN project_id INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE trace_links ADD COLUMN seen REAL NOT NULL DEFAULT 0;
        UPDATE trace_links SET (project_id, seen) =
          (SELECT s.project_id, s.end FROM sessions s WHERE s.id = trace_links.correlation_id)
        WHERE EXISTS (SELECT 1 FROM sessions s WHERE s.id = trace_links.correlation_id);`);
    }).immediate();
  db.exec(`DROP INDEX IF EXISTS trace_links_correlation;
    CREATE INDEX IF NOT EXISTS trace_links_seen ON trace_links (seen);`);
}

/** Session key of a record: its correlation id, the one its trace is linked to, or its trace id. */
const KEY = (alias: string) =>
  `COALESCE(${alias}.correlation_id, (SELECT l.correlation_id FROM trace_links l WHERE l.trace_id = ${alias}.trace_id), ${alias}.trace_id)`;

/** Services of a session as stored: each between newlines, so `instr` finds one exactly. */
export const servicesText = (services: Iterable<string>) => {
  const list = [...new Set(services)].map((s) => s.replace(/\n/g, ' ')).sort();
  return list.length ? `\n${list.join('\n')}\n` : '\n';
};
/** The same for a batch's set (most often one service, on the ingest path). */
const setText = (services: Set<string>) => {
  if (services.size === 1) {
    const [only] = services as unknown as [string];
    if (!only.includes('\n')) return `\n${only}\n`;
  }
  return servicesText(services);
};
const mergeServices = (a: string, b: string) =>
  servicesText([...a.split('\n'), ...b.split('\n')].filter(Boolean));

/** One listed session, merged into what is there: earliest start, latest end, every service. */
const UPSERT = `INSERT INTO sessions (id, project_id, start, end, services, errors)
  VALUES (?, ?, ?, ?, ?, ?)
  ON CONFLICT (id) DO UPDATE SET start = MIN(start, excluded.start), end = MAX(end, excluded.end),
    services = CASE WHEN services = excluded.services THEN services ELSE beacon_merge_services(services, excluded.services) END,
    errors = MAX(errors, excluded.errors)
  RETURNING sid`;

/**
 * A key under which events were stored that is not listed itself: a trace id linked to a
 * correlation id (the session it belongs to).
 */
const ALIAS = `INSERT INTO sessions (id, project_id, start, end, services, errors, alias_of)
  VALUES (@id, @projectId, @start, @end, '\n', 0, @aliasOf)
  ON CONFLICT (id) DO UPDATE SET end = MAX(end, excluded.end) RETURNING sid`;

/**
 * A database from before the sessions table gets it here, filled from the operations, events
 * and memory snapshots it holds, and its events get their session row — once, in one
 * transaction, before the server takes requests.
 */
function createSessionsTable(db: Database.Database): void {
  const exists = () =>
    db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'sessions'").get() !==
    undefined;
  if (exists()) return;
  db.transaction(() => {
    if (exists()) return; // another connection got here first
    const columns = db.prepare('PRAGMA table_info(events)').all() as { name: string }[];
    if (!columns.some((c) => c.name === 'session_sid'))
      db.exec('ALTER TABLE events ADD COLUMN session_sid INTEGER');
    db.exec(SESSIONS_TABLE);
    const rows = db
      .prepare(
        `SELECT k, MIN(project_id) AS project, MIN(t0) AS start, MAX(t1) AS end, s, MAX(err) AS errors FROM (
           SELECT ${KEY('o')} AS k, o.project_id, o.start AS t0, o.end AS t1, o.service AS s, o.status = 'error' AS err FROM operations o
           UNION ALL SELECT ${KEY('e')}, e.project_id, e.timestamp, e.timestamp, e.service, 1 FROM events e WHERE e.session_key IS NOT NULL
           UNION ALL SELECT ${KEY('m')}, m.project_id, m.time, m.time, m.service, 0 FROM memory_snapshots m
         ) GROUP BY k, s`,
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
    for (const r of rows) upsert.get(r.k, r.project, r.start, r.end, servicesText([r.s]), r.errors);
    // Event keys that are trace ids linked to a correlation id.
    db.prepare(
      `INSERT OR IGNORE INTO sessions (id, project_id, start, end, services, errors, alias_of)
       SELECT e.session_key, MIN(e.project_id), MIN(e.timestamp), MAX(e.timestamp), char(10), 0, l.correlation_id
       FROM events e JOIN trace_links l ON l.trace_id = e.session_key
       WHERE e.correlation_id IS NULL AND l.correlation_id <> e.session_key GROUP BY e.session_key`,
    ).run();
    db.exec(`UPDATE events SET session_sid = (SELECT sid FROM sessions s WHERE s.id = events.session_key)
      WHERE session_key IS NOT NULL;
      DROP INDEX IF EXISTS events_session;
      CREATE INDEX events_sid ON events (session_sid) WHERE session_sid IS NOT NULL;`);
  }).immediate();
}

export interface SessionSummary {
  readonly id: string;
  readonly correlationId?: string;
  readonly services: readonly string[];
  readonly start: string;
  readonly end: string;
  readonly durationMs: number;
  readonly operations: number;
  readonly errors: number;
  readonly slowOperations: number;
}

export interface SessionOperation {
  readonly traceId: string;
  readonly spanId: string;
  readonly parentSpanId?: string;
  readonly name: string;
  readonly service: string;
  readonly start: string;
  readonly end: string;
  /** Milliseconds from the session's start. */
  readonly offsetMs: number;
  readonly durationMs: number;
  readonly status: string;
  readonly statusMessage?: string;
  readonly slow: boolean;
  readonly attributes: Record<string, unknown>;
}

/** An error event of a session, placed on its timeline. */
export interface SessionErrorEvent {
  readonly eventId: string;
  readonly issueId: number;
  readonly title: string;
  readonly level: string;
  readonly service: string;
  readonly timestamp: string;
  /** Milliseconds from the session's start. */
  readonly offsetMs: number;
  readonly spanId?: string;
}

/** A memory snapshot of a session (a span event `memory`), in bytes. */
export interface SessionMemorySnapshot {
  readonly time: string;
  /** Milliseconds from the session's start. */
  readonly offsetMs: number;
  readonly service: string;
  readonly rss?: number;
  readonly heapUsed?: number;
}

export interface SessionDetail extends SessionSummary {
  readonly traceIds: readonly string[];
  readonly timeline: readonly SessionOperation[];
  readonly errorEvents: readonly SessionErrorEvent[];
  readonly memory: readonly SessionMemorySnapshot[];
}

export interface SessionFilter {
  readonly q?: string;
  readonly service?: string;
  readonly minDurationMs?: number;
  readonly hasErrors?: boolean;
  /** `nextCursor` of the previous page. */
  readonly cursor?: string;
  readonly limit: number;
}

export class SessionCursorError extends Error {}

function encodeSessionCursor(end: number, sid: number): string {
  return Buffer.from(JSON.stringify(['s', end, sid])).toString('base64url');
}

function decodeSessionCursor(cursor: string): [number, number] {
  try {
    const v: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(v) && v.length === 3 && v[0] === 's' && v.slice(1).every(Number.isFinite))
      return [v[1] as number, v[2] as number];
  } catch {
    /* fall through */
  }
  throw new SessionCursorError(`invalid cursor ${JSON.stringify(cursor)}`);
}

const LINK_TIME_STEP = 3_600_000;

/** An operation is slow from this long (and the slowest tenth of a session's operations above 100 ms). */
export const SLOW_MS = 500;

const iso = (ms: number) => new Date(ms).toISOString();

export function sessionStore(db: Database.Database) {
  db.function('beacon_merge_services', { deterministic: true }, (a: unknown, b: unknown) =>
    mergeServices(String(a ?? ''), String(b ?? '')),
  );
  migrate(db);
  db.exec(SESSIONS_SCHEMA);
  createSessionsTable(db);
  linkTimes(db);
  const st = {
    op: db.prepare(
      `INSERT OR REPLACE INTO operations VALUES (@projectId, @traceId, @spanId, @parentSpanId, @name, @service, @start, @end, @status, @statusMessage, @correlationId, @attributes)`,
    ),
    mem: db.prepare(
      `INSERT INTO memory_snapshots VALUES (@projectId, @traceId, @spanId, @service, @correlationId, @time, @rss, @heapUsed)`,
    ),
    link: db.prepare(
      'INSERT OR IGNORE INTO trace_links (trace_id, correlation_id, project_id, seen) VALUES (?, ?, ?, ?)',
    ),
    linked: db.prepare('SELECT correlation_id FROM trace_links WHERE trace_id = ?').pluck(),
    upsert: db.prepare(UPSERT).pluck(),
    alias: db.prepare(ALIAS).pluck(),
    row: db.prepare('SELECT * FROM sessions WHERE id = ?'),
    makeAlias: db.prepare('UPDATE sessions SET alias_of = ? WHERE id = ?'),
  };

  /** The listed session of a record with these ids (undefined: none). */
  const keyOf = (traceId: string | undefined, correlationId: string | undefined) =>
    correlationId ??
    (traceId ? ((st.linked.get(traceId) as string | undefined) ?? traceId) : undefined);

  /** What a batch adds to one listed session. */
  interface Touch {
    projectId: number;
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
    if (error) t.errors = 1;
  };
  /** Writes a batch's touches (inside the caller's transaction); returns each session's row id. */
  const applyTouches = (touches: Map<string, Touch>) => {
    const sids = new Map<string, number>();
    for (const [id, t] of touches)
      sids.set(
        id,
        st.upsert.get(id, t.projectId, t.start, t.end, setText(t.services), t.errors) as number,
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
    const row = st.row.get(traceId) as
      | {
          project_id: number;
          start: number;
          end: number;
          services: string;
          errors: number;
          alias_of: string | null;
        }
      | undefined;
    if (!row || row.alias_of !== null) return;
    st.upsert.get(correlationId, row.project_id, row.start, row.end, row.services, row.errors);
    st.makeAlias.run(correlationId, traceId);
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
   * each event gets the row id of the key it is stored under (`event_sessions`: correlation id,
   * else trace id).
   */
  const touchEvents = (events: readonly EventKeys[]): Map<string, number> => {
    const touches = new Map<string, Touch>();
    const aliases = new Map<string, { listed: string; projectId: number; time: number }>();
    for (const e of events) {
      const listed = keyOf(e.traceId, e.correlationId);
      if (listed === undefined) continue;
      touch(touches, listed, e.projectId, e.timestamp, e.timestamp, e.service, true);
      const stored = (e.correlationId ?? e.traceId) as string;
      if (stored !== listed)
        aliases.set(stored, { listed, projectId: e.projectId, time: e.timestamp });
    }
    const sids = applyTouches(touches);
    for (const [id, a] of aliases)
      sids.set(
        id,
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

  const write = db.transaction(
    (projectId: number, operations: readonly Operation[], memory: readonly MemorySnapshot[]) => {
      // Links first, so every record of the batch is keyed by the correlation id its trace has.
      for (const o of operations)
        if (o.correlationId) link(o.traceId, o.correlationId, projectId, o.end);
      for (const m of memory)
        if (m.correlationId) link(m.traceId, m.correlationId, projectId, m.time);
      const touches = new Map<string, Touch>();
      for (const o of operations) {
        st.op.run({
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
        });
        touch(
          touches,
          keyOf(o.traceId, o.correlationId) as string,
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
        });
        touch(
          touches,
          keyOf(m.traceId, m.correlationId) as string,
          projectId,
          m.time,
          m.time,
          m.service,
          false,
        );
      }
      applyTouches(touches);
    },
  );

  function members(sessionId: string) {
    // Traces linked to the session: those of its records that carry both ids (each link was
    // made by one of them).
    const traces = (
      db
        .prepare(
          `SELECT trace_id FROM operations WHERE correlation_id = @id
           UNION SELECT trace_id FROM memory_snapshots WHERE correlation_id = @id
           UNION SELECT e.trace_id FROM event_sessions j JOIN events e ON e.rowid = j.event
             WHERE j.sid = (SELECT sid FROM sessions WHERE id = @id) AND e.trace_id IS NOT NULL`,
        )
        .all({ id: sessionId }) as { trace_id: string }[]
    ).map((r) => r.trace_id);
    const traceIds = [
      ...new Set([...traces, ...(/^[0-9a-f]{32}$/.test(sessionId) ? [sessionId] : [])]),
    ];
    const inTraces = traceIds.length ? `trace_id IN (${traceIds.map(() => '?').join(',')})` : '0';
    const ops = db
      .prepare(
        `SELECT * FROM operations WHERE correlation_id = ? OR ${inTraces} ORDER BY start, span_id`,
      )
      .all(sessionId, ...traceIds) as {
      trace_id: string;
      span_id: string;
      parent_span_id: string | null;
      name: string;
      service: string;
      start: number;
      end: number;
      status: string;
      status_message: string | null;
      correlation_id: string | null;
      attributes: string;
    }[];
    const events = db
      .prepare(
        `SELECT e.id, e.issue_id, e.level, e.service, e.timestamp, e.trace_id, e.payload, i.title FROM events e JOIN issues i ON i.id = e.issue_id
         WHERE e.rowid IN (SELECT event FROM event_sessions WHERE sid IN (SELECT sid FROM sessions WHERE id = ? OR ${inTraces.replace('trace_id', 'id')})) ORDER BY e.timestamp`,
      )
      .all(sessionId, ...traceIds) as {
      id: string;
      issue_id: number;
      level: string;
      service: string;
      timestamp: number;
      trace_id: string | null;
      payload: string | Buffer;
      title: string;
    }[];
    const memory = db
      .prepare(
        `SELECT * FROM memory_snapshots WHERE correlation_id = ? OR ${inTraces} ORDER BY time`,
      )
      .all(sessionId, ...traceIds) as {
      service: string;
      time: number;
      rss: number | null;
      heap_used: number | null;
    }[];
    return {
      traceIds: [...new Set([...traceIds, ...ops.map((o) => o.trace_id)])].sort(),
      ops,
      events,
      memory,
    };
  }

  function detail(sessionId: string): SessionDetail | undefined {
    const { traceIds, ops, events, memory } = members(sessionId);
    if (ops.length === 0 && events.length === 0 && memory.length === 0) return undefined;
    const times = [
      ...ops.flatMap((o) => [o.start, o.end]),
      ...events.map((e) => e.timestamp),
      ...memory.map((m) => m.time),
    ];
    const start = Math.min(...times);
    const end = Math.max(...times);
    const durations = ops.map((o) => o.end - o.start).sort((a, b) => a - b);
    const p90 = durations[Math.floor(durations.length * 0.9)] ?? Infinity;
    const slow = (d: number) => d >= SLOW_MS || (d > 100 && durations.length >= 10 && d >= p90);
    const timeline = ops.map((o): SessionOperation => ({
      traceId: o.trace_id,
      spanId: o.span_id,
      ...(o.parent_span_id ? { parentSpanId: o.parent_span_id } : {}),
      name: o.name,
      service: o.service,
      start: iso(o.start),
      end: iso(o.end),
      offsetMs: o.start - start,
      durationMs: o.end - o.start,
      status: o.status,
      ...(o.status_message ? { statusMessage: o.status_message } : {}),
      slow: slow(o.end - o.start),
      attributes: JSON.parse(o.attributes) as Record<string, unknown>,
    }));
    const errorEvents = events.map((e) => {
      const trace = ((
        JSON.parse(unpackPayload(e.payload)) as { contexts?: { trace?: { span_id?: string } } }
      ).contexts?.trace ?? {}) as { span_id?: string };
      return {
        eventId: e.id,
        issueId: e.issue_id,
        title: e.title,
        level: e.level,
        service: e.service,
        timestamp: iso(e.timestamp),
        offsetMs: e.timestamp - start,
        ...(trace.span_id ? { spanId: trace.span_id } : {}),
      };
    });
    const correlationId =
      ops.find((o) => o.correlation_id)?.correlation_id ??
      (traceIds.includes(sessionId) ? undefined : sessionId);
    return {
      id: sessionId,
      ...(correlationId ? { correlationId } : {}),
      services: [
        ...new Set([
          ...ops.map((o) => o.service),
          ...events.map((e) => e.service),
          ...memory.map((m) => m.service),
        ]),
      ].sort(),
      start: iso(start),
      end: iso(end),
      durationMs: end - start,
      operations: ops.length,
      errors: events.length + ops.filter((o) => o.status === 'error').length,
      slowOperations: timeline.filter((o) => o.slow).length,
      traceIds,
      timeline,
      errorEvents,
      memory: memory.map((m) => ({
        time: iso(m.time),
        offsetMs: m.time - start,
        service: m.service,
        ...(m.rss !== null ? { rss: m.rss } : {}),
        ...(m.heap_used !== null ? { heapUsed: m.heap_used } : {}),
      })),
    };
  }

  /**
   * The most recent sessions (by their last record) from the sessions table, filtered there, a
   * page at a time; each listed session's summary is computed from its records.
   */
  function list(f: SessionFilter): { items: SessionSummary[]; nextCursor: string | null } {
    const where: string[] = ['alias_of IS NULL'];
    const params: Record<string, unknown> = { limit: f.limit + 1 };
    if (f.q) {
      where.push('instr(id, @q) > 0');
      params.q = f.q;
    }
    if (f.service !== undefined) {
      where.push('instr(services, @service) > 0');
      params.service = `\n${f.service}\n`;
    }
    if (f.minDurationMs !== undefined) {
      where.push('end - start >= @min');
      params.min = f.minDurationMs;
    }
    if (f.hasErrors !== undefined) where.push(f.hasErrors ? 'errors > 0' : 'errors = 0');
    if (f.cursor) {
      const [end, sid] = decodeSessionCursor(f.cursor);
      where.push('(end < @cend OR (end = @cend AND sid < @csid))');
      params.cend = end;
      params.csid = sid;
    }
    const rows = db
      .prepare(
        `SELECT sid, id, end FROM sessions WHERE ${where.join(' AND ')} ORDER BY end DESC, sid DESC LIMIT @limit`,
      )
      .all(params) as { sid: number; id: string; end: number }[];
    const page = rows.slice(0, f.limit);
    const items: SessionSummary[] = [];
    for (const { id } of page) {
      const d = detail(id);
      if (!d) continue;
      const { traceIds: _t, timeline: _o, errorEvents: _e, memory: _m, ...summary } = d;
      items.push(summary);
    }
    const last = page[page.length - 1];
    return {
      items,
      nextCursor: rows.length > f.limit && last ? encodeSessionCursor(last.end, last.sid) : null,
    };
  }

  const deleteBefore = db.transaction(
    (before: number, batch: number, scope?: RetentionScope): number => {
      const where = scopeCondition(scope);
      const params = { before, batch, ...where.params };
      const a = db
        .prepare(
          `DELETE FROM operations WHERE rowid IN (SELECT rowid FROM operations WHERE end < @before AND ${where.sql} LIMIT @batch)`,
        )
        .run(params).changes;
      const b = db
        .prepare(
          `DELETE FROM memory_snapshots WHERE rowid IN (SELECT rowid FROM memory_snapshots WHERE time < @before AND ${where.sql} LIMIT @batch)`,
        )
        .run(params).changes;
      // Links made by records that old go with them.
      const links = db
        .prepare(
          `DELETE FROM trace_links WHERE trace_id IN (SELECT trace_id FROM trace_links WHERE seen < @before AND ${where.sql} LIMIT @batch)`,
        )
        .run(params).changes;
      // Sessions whose last record is older (their records go with the statements above).
      const gone = db
        .prepare(`SELECT sid FROM sessions WHERE end < @before AND ${where.sql} LIMIT @batch`)
        .all(params) as { sid: number }[];
      let c = links;
      if (gone.length > 0)
        c += db
          .prepare('DELETE FROM sessions WHERE sid IN (SELECT value FROM json_each(?))')
          .run(JSON.stringify(gone.map((g) => g.sid))).changes;
      // Once less than a batch was left to delete, the sweep is at its end: the sessions that
      // straddle `before` lost their older records, and start from their earliest one left, so
      // that the duration filter reads what the detail shows. (Not counted: a sweep repeats
      // until a call deletes nothing.)
      if (a < batch && b < batch && links < batch && gone.length < batch)
        refreshStarts(before, where);
      return a + b + c;
    },
  );

  function refreshStarts(before: number, where: ReturnType<typeof scopeCondition>) {
    const straddling = db
      .prepare(
        `SELECT sid, id, start FROM sessions
         WHERE end >= @before AND start < @before AND alias_of IS NULL AND ${where.sql}`,
      )
      .all({ before, ...where.params }) as { sid: number; id: string; start: number }[];
    const setStart = db.prepare('UPDATE sessions SET start = ? WHERE sid = ?');
    for (const row of straddling) {
      const { ops, events, memory } = members(row.id);
      const start = Math.min(
        ...ops.map((o) => o.start),
        ...events.map((e) => e.timestamp),
        ...memory.map((m) => m.time),
      );
      if (Number.isFinite(start) && start > row.start) setStart.run(start, row.sid);
    }
  }

  return {
    write: (
      projectId: number,
      operations: readonly Operation[],
      memory: readonly MemorySnapshot[],
    ) => write(projectId, operations, memory),
    linkEvents,
    touchEvents,
    detail,
    list,
    deleteBefore: (before: number, batch: number, scope?: RetentionScope): number =>
      deleteBefore(before, batch, scope),
  };
}

export type SessionStore = ReturnType<typeof sessionStore>;
