// Reading debug sessions (sessions.ts): the list, a page at a time from the sessions table, and
// a session's detail — its operations, error events and memory snapshots on one timeline.
import type Database from 'better-sqlite3';
import { eventTitle } from '../ingest/event';
import type { Obj } from '../ingest/json';
import { unpackPayload } from './payload';
import { extent } from './extent';
import { inOneSnapshot } from './snapshot';

export interface SessionSummary {
  readonly id: string;
  readonly correlationId?: string;
  readonly services: readonly string[];
  /** The projects its records were sent to, by id, ascending. */
  readonly projectIds: readonly number[];
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
  /** The event's own title (its exception or message), not its issue's. */
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

/**
 * A session with its records: at most DETAIL_RECORDS of each list, the first by time (`operations`
 * greater than the timeline's length says the timeline was cut).
 */
export interface SessionDetail extends SessionSummary {
  readonly traceIds: readonly string[];
  readonly timeline: readonly SessionOperation[];
  readonly errorEvents: readonly SessionErrorEvent[];
  readonly memory: readonly SessionMemorySnapshot[];
}

export interface SessionFilter {
  /** Sessions with records of any of these projects. */
  readonly project?: readonly number[];
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

/** An operation is slow from this long (and the slowest tenth of a session's operations above 100 ms). */
export const SLOW_MS = 500;
/** Above this long, an operation among the slowest tenth of its session's is slow. */
const SLOW_TENTH_MS = 100;
/** Sessions of at least this many operations have a slowest tenth. */
const SLOW_TENTH_OPERATIONS = 10;

/**
 * Whether an operation of a session whose operations last `durations` is slow: from SLOW_MS, or
 * above SLOW_TENTH_MS when at most a tenth of them (rounded up) take as long as it does. Read as
 * "at least the 90th percentile", ten operations of 200 ms were all slow, and so were the three
 * of ten that tie for the slowest.
 */
function slowRule(durations: number[]): (d: number) => boolean {
  const sorted = [...durations].sort((a, b) => a - b);
  const n = sorted.length;
  const tenth = n - Math.floor(n * 0.9); // how many the slowest tenth holds
  const cut = sorted[n - tenth] ?? Infinity; // the fastest of them
  // A tie across the cut: those of that duration are more than a tenth, so only longer ones are.
  const tied = n - tenth > 0 && sorted[n - tenth - 1] === cut;
  return (d) =>
    d >= SLOW_MS ||
    (d > SLOW_TENTH_MS && n >= SLOW_TENTH_OPERATIONS && (tied ? d > cut : d >= cut));
}

const iso = (ms: number) => new Date(ms).toISOString();
/** Project ids once each, ascending. */
const idsOf = (ids: readonly number[]) => [...new Set(ids)].sort((a, b) => a - b);

/**
 * How many of the newest sessions a filtered list reads through sessions_end (~10 ms of
 * 500,000) before it reads the whole table instead (~75 ms).
 */
export const FILTER_WINDOW = 20_000;

/**
 * The most operations, error events, memory snapshots and trace ids a session's detail lists, the
 * first of each by time; its counts and times are still the whole session's. Read whole, a
 * session of 200,000 operations (one correlation id an SDK sent for every request) took 3 s and
 * ~500 MB of the reader thread's, and its 58 MB answer more of the main thread's; a few hundred
 * thousand more, and a look at it took the tracker past its memory limit.
 */
export const DETAIL_RECORDS = 10_000;

export function sessionReads(db: Database.Database) {
  const linkOf = db.prepare('SELECT correlation_id FROM trace_links WHERE trace_id = ?').pluck();
  // A listed row first: a correlation id that is the id of a trace another claimed is its own.
  const rowOf = db.prepare(
    'SELECT alias_of FROM sessions WHERE id = ? ORDER BY alias_of IS NOT NULL LIMIT 1',
  );
  /** At least the number of sessions: row ids are given in ascending order. */
  const maxSid = db.prepare('SELECT MAX(sid) FROM sessions').pluck();

  /**
   * The listed session an asked id names: its own, or for a trace linked to a correlation id (its
   * row merged into that one's and kept as an alias, or never listed), the correlation id's. A
   * trace id from a log line or a trace view then finds the session the trace is now part of.
   */
  function sessionKey(id: string): string {
    const row = rowOf.get(id) as { alias_of: string | null } | undefined;
    if (row) return row.alias_of ?? id;
    return (linkOf.get(id) as string | undefined) ?? id;
  }

  /**
   * The traces of a session: those linked to it, and its own id where that is a trace linked to
   * no correlation id. A record is in the session its correlation id names; one without joins
   * its trace's, and a trace belongs to the correlation id that first named it (trace_links),
   * else to itself. The traces linked to this session are among those of its records that carry
   * both ids (each link was made by one of them) and the shared links (a record that knows only
   * the trace joined through it: found though retention took the records naming both); a trace
   * that another correlation id claimed first is not, though this session's records run in it.
   * Those linked to this session are kept by a join in SQLite, not a look-up each from here
   * (200,000 of them for a session of as many traces). UNION ALL, the duplicates dropped here:
   * a UNION opens a temporary b-tree, on the writer's connection (retention asks this too) a
   * temporary file each time.
   */
  let linkedSt: Database.Statement | undefined; // event_sessions is made after this store
  function traceIdsOf(sessionId: string): string[] {
    linkedSt ??= db
      .prepare(
        `SELECT c.trace_id FROM (
           SELECT trace_id FROM trace_links WHERE correlation_id = @id AND shared = 1
           UNION ALL SELECT trace_id FROM operations WHERE correlation_id = @id
           UNION ALL SELECT trace_id FROM memory_snapshots WHERE correlation_id = @id
           UNION ALL SELECT e.trace_id FROM event_sessions j JOIN events e ON e.rowid = j.event
             WHERE j.sid = (SELECT sid FROM sessions WHERE id = @id AND alias_of IS NULL) AND e.trace_id IS NOT NULL
         ) c JOIN trace_links l ON l.trace_id = c.trace_id WHERE l.correlation_id = @id`,
      )
      .pluck();
    const linked = linkedSt.all({ id: sessionId }) as string[];
    const own = /^[0-9a-f]{32}$/.test(sessionId) && linkOf.get(sessionId) === undefined;
    return [...new Set([...linked, ...(own ? [sessionId] : [])])];
  }

  /** The conditions that find a session's records, and their parameters. */
  function scope(sessionId: string) {
    const traceIds = traceIdsOf(sessionId);
    // With no trace the condition is the correlation id alone: SQLite keeps an `OR (… AND 0)`,
    // and an OR with a term no index serves reads the whole table (~0.1 s for 450,000
    // operations, a session of a list page at a time, on the thread that answers ingest).
    // The trace ids go as one JSON array: a parameter each, a session of more than 32,766
    // traces (a long-lived correlation id, a request each) exceeded SQLite's limit on them
    // (SQLITE_MAX_VARIABLE_NUMBER), and its detail — and any list page holding it — failed.
    // Not knowing how long the array is, SQLite would look the records up by their null
    // correlation id, every record without one; `+` keeps it to the trace ids' index.
    const traces = 'SELECT value FROM json_each(@traces)';
    const joining = traceIds.length
      ? `(correlation_id = @id OR (+correlation_id IS NULL AND trace_id IN (${traces})))`
      : 'correlation_id = @id';
    // Its own row, and its traces' aliases (their events joined those).
    const sessionRows = traceIds.length
      ? `id = @id AND alias_of IS NULL OR alias_of IS NOT NULL AND id IN (${traces})`
      : 'id = @id AND alias_of IS NULL';
    const params = traceIds.length
      ? { id: sessionId, traces: JSON.stringify(traceIds) }
      : { id: sessionId };
    return { traceIds, joining, sessionRows, params };
  }

  /** A session's operations, error events and memory snapshots: the first `most` of each. */
  function members(sessionId: string, most: number, found = scope(sessionId)) {
    const { traceIds, joining, sessionRows, params } = found;
    const limit = `LIMIT ${most}`;
    const ops = db
      // Of those starting together, the longest first: a parent and its first child often share
      // a start (OpenTelemetry JS stamps both by Date.now()), and the child was listed first.
      .prepare(
        `SELECT * FROM operations WHERE ${joining} ORDER BY start, end DESC, span_id ${limit}`,
      )
      .all(params) as {
      project_id: number;
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
        `SELECT e.id, e.project_id, e.issue_id, e.level, e.service, e.timestamp, e.trace_id, e.correlation_id, e.payload FROM events e JOIN issues i ON i.id = e.issue_id
         WHERE e.rowid IN (SELECT event FROM event_sessions WHERE sid IN (SELECT sid FROM sessions WHERE ${sessionRows})) ORDER BY e.timestamp ${limit}`,
      )
      .all(params) as {
      id: string;
      project_id: number;
      issue_id: number;
      level: string;
      service: string;
      timestamp: number;
      trace_id: string | null;
      correlation_id: string | null;
      payload: string | Buffer;
    }[];
    const memory = db
      .prepare(`SELECT * FROM memory_snapshots WHERE ${joining} ORDER BY time, seq ${limit}`)
      .all(params) as {
      project_id: number;
      service: string;
      correlation_id: string | null;
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

  /** A listed session's detail, by its own id. */
  function read(sessionId: string): SessionDetail | undefined {
    const conditions = scope(sessionId);
    const found = members(sessionId, DETAIL_RECORDS + 1, conditions);
    if (found.ops.length === 0 && found.events.length === 0 && found.memory.length === 0)
      return undefined;
    // Past DETAIL_RECORDS of a kind, the session is counted by SQL and its lists are cut.
    const counted = [found.ops, found.events, found.memory].some((l) => l.length > DETAIL_RECORDS)
      ? measure(sessionId, conditions)
      : undefined;
    const ops = found.ops.slice(0, DETAIL_RECORDS);
    const events = found.events.slice(0, DETAIL_RECORDS);
    const memory = found.memory.slice(0, DETAIL_RECORDS);
    const traceIds = found.traceIds.slice(0, DETAIL_RECORDS);
    const [start, end] = counted
      ? [counted.start, counted.end]
      : extent([
          ...ops.flatMap((o) => [o.start, o.end]),
          ...events.map((e) => e.timestamp),
          ...memory.map((m) => m.time),
        ]);
    const slow = counted?.slow ?? slowRule(ops.map((o) => o.end - o.start));
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
      const payload = JSON.parse(unpackPayload(e.payload)) as Obj;
      const trace = ((payload as { contexts?: { trace?: { span_id?: string } } }).contexts?.trace ??
        {}) as { span_id?: string };
      return {
        eventId: e.id,
        issueId: e.issue_id,
        title: eventTitle(payload),
        level: e.level,
        service: e.service,
        timestamp: iso(e.timestamp),
        offsetMs: e.timestamp - start,
        ...(trace.span_id ? { spanId: trace.span_id } : {}),
      };
    });
    // Named by any of its records, it is a correlation id, though 32 hex digits as a trace id is
    // (a request id written as a uuid without dashes): only operations were asked before, so a
    // session of such an id with error events alone was answered as keyed by a trace id.
    const named = (r: { correlation_id: string | null }) => r.correlation_id === sessionId;
    const correlationId =
      ops.some(named) || events.some(named) || memory.some(named)
        ? sessionId
        : traceIds.includes(sessionId)
          ? undefined
          : sessionId;
    return {
      ...(counted?.summary ?? {
        id: sessionId,
        ...(correlationId ? { correlationId } : {}),
        services: [
          ...new Set([
            ...ops.map((o) => o.service),
            ...events.map((e) => e.service),
            ...memory.map((m) => m.service),
          ]),
        ].sort(),
        projectIds: idsOf([
          ...ops.map((o) => o.project_id),
          ...events.map((e) => e.project_id),
          ...memory.map((m) => m.project_id),
        ]),
        start: iso(start),
        end: iso(end),
        durationMs: end - start,
        operations: ops.length,
        errors: events.length + ops.filter((o) => o.status === 'error').length,
        slowOperations: timeline.filter((o) => o.slow).length,
      }),
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
    // What no index serves (substrings, a duration, errors): tested on each row read.
    const filters: string[] = [];
    const params: Record<string, unknown> = { limit: f.limit + 1, window: FILTER_WINDOW };
    if (f.q) {
      // A whole trace id (any case) also finds the session the trace is part of, as
      // GET /sessions/{traceId} does: a trace claimed by a correlation id is not in any id.
      const claimed = /^[0-9a-fA-F]{32}$/.test(f.q) ? sessionKey(f.q.toLowerCase()) : undefined;
      filters.push(claimed ? '(instr(id, @q) > 0 OR id = @claimed)' : 'instr(id, @q) > 0');
      params.q = f.q;
      if (claimed) params.claimed = claimed;
    }
    if (f.service !== undefined) {
      // As servicesText stores a name: a line break in it is a space. Taken as given, a filter
      // `a\nb` matched a session of the two services a and b, listed one after the other.
      filters.push('instr(services, @service) > 0');
      params.service = `\n${f.service.replace(/\n/g, ' ')}\n`;
    }
    if (f.project !== undefined) {
      // As projectsText stores them: each id between line breaks.
      filters.push(
        `(${f.project.map((_, i) => `instr(projects, @project${i}) > 0`).join(' OR ')})`,
      );
      f.project.forEach((id, i) => (params[`project${i}`] = `\n${id}\n`));
    }
    if (f.minDurationMs !== undefined) {
      filters.push('end - start >= @min');
      params.min = f.minDurationMs;
    }
    if (f.hasErrors !== undefined) filters.push(f.hasErrors ? 'errors > 0' : 'errors = 0');
    if (f.cursor) {
      const [end, sid] = decodeSessionCursor(f.cursor);
      where.push('(end < @cend OR (end = @cend AND sid < @csid))');
      params.cend = end;
      params.csid = sid;
    }
    const order = 'ORDER BY end DESC, sid DESC';
    type Row = { sid: number; id: string; end: number };
    const page = (sql: string) => db.prepare(sql).all(params) as Row[];
    if (filters.length === 0)
      return summaries(
        f,
        page(
          `SELECT sid, id, end FROM sessions WHERE ${where.join(' AND ')} ${order} LIMIT @limit`,
        ),
      );
    // A filter no index serves: the newest FILTER_WINDOW sessions (from the cursor) by
    // sessions_end. The page found among them is the page: they come first in its order.
    let rows = page(
      `SELECT sid, id, end FROM (SELECT sid, id, end, start, services, errors, projects FROM sessions WHERE ${where.join(' AND ')} ${order} LIMIT @window)
       WHERE ${filters.join(' AND ')} ${order} LIMIT @limit`,
    );
    // Fewer, and there may be older ones: the table read in its own order, its matches sorted.
    // Walking sessions_end to its end, each entry looked up in the table, took ~0.3 s for
    // 500,000 sessions that a filter few match (a session id typed into the search), on the
    // thread that answers ingest; the table read whole takes a fifth of that.
    if (rows.length <= f.limit && ((maxSid.get() as number | null) ?? 0) > FILTER_WINDOW)
      rows = page(
        `SELECT sid, id, end FROM sessions NOT INDEXED WHERE ${[...where, ...filters].join(' AND ')} ${order} LIMIT @limit`,
      );
    return summaries(f, rows);
  }

  /**
   * A session's summary, what its detail says of it, counted by SQL, with its first and last
   * time and its slow rule: no record is read whole. Made from the detail, a session of 200,000 operations (a correlation id an SDK sends
   * for every request, "undefined") took 3 s and ~500 MB to list, on every load of every page
   * holding it, and more as it grew.
   */
  function measure(sessionId: string, found = scope(sessionId)) {
    const { traceIds, joining, sessionRows, params } = found;
    const named = 'COALESCE(SUM(correlation_id = @id), 0) AS named';
    const extentOf = (table: string, first: string, last: string, more = '') =>
      db
        .prepare(
          `SELECT COUNT(*) AS n, MIN(${first}) AS first, MAX(${last}) AS last, ${named}${more} FROM ${table} WHERE ${joining}`,
        )
        .get(params) as {
        n: number;
        first: number | null;
        last: number | null;
        named: number;
        failed?: number;
      };
    const ops = extentOf(
      'operations',
      'start',
      'end',
      ", COALESCE(SUM(status = 'error'), 0) AS failed",
    );
    const memory = extentOf('memory_snapshots', 'time', 'time');
    const eventRows = `FROM events e JOIN issues i ON i.id = e.issue_id
      WHERE e.rowid IN (SELECT event FROM event_sessions WHERE sid IN (SELECT sid FROM sessions WHERE ${sessionRows}))`;
    const events = db
      .prepare(
        `SELECT COUNT(*) AS n, MIN(e.timestamp) AS first, MAX(e.timestamp) AS last, COALESCE(SUM(e.correlation_id = @id), 0) AS named ${eventRows}`,
      )
      .get(params) as { n: number; first: number | null; last: number | null; named: number };
    if (ops.n === 0 && events.n === 0 && memory.n === 0) return undefined;
    const parts = [ops, events, memory].filter((p) => p.n > 0);
    const start = Math.min(...parts.map((p) => p.first as number));
    const end = Math.max(...parts.map((p) => p.last as number));
    const sources = db
      .prepare(
        `SELECT service, project_id AS project FROM operations WHERE ${joining}
         UNION SELECT e.service, e.project_id ${eventRows}
         UNION SELECT service, project_id FROM memory_snapshots WHERE ${joining}`,
      )
      .all(params) as { service: string; project: number }[];
    // As the detail sorts them (services by UTF-16 code units, not SQLite's bytes).
    const services = [...new Set(sources.map((r) => r.service))].sort();
    const projectIds = idsOf(sources.map((r) => r.project));
    const durations = db
      .prepare(`SELECT end - start FROM operations WHERE ${joining}`)
      .pluck()
      .all(params) as number[];
    const slow = slowRule(durations);
    // As the detail names it (read): records none of which names it joined by trace ids alone.
    const correlationId =
      ops.named + events.named + memory.named > 0 || !traceIds.includes(sessionId)
        ? sessionId
        : undefined;
    const summary: SessionSummary = {
      id: sessionId,
      ...(correlationId ? { correlationId } : {}),
      services,
      projectIds,
      start: iso(start),
      end: iso(end),
      durationMs: end - start,
      operations: ops.n,
      errors: events.n + (ops.failed ?? 0),
      slowOperations: durations.filter(slow).length,
    };
    return { summary, start, end, slow };
  }

  const summary = (sessionId: string) => measure(sessionId)?.summary;

  function summaries(
    f: SessionFilter,
    rows: { sid: number; id: string; end: number }[],
  ): { items: SessionSummary[]; nextCursor: string | null } {
    const page = rows.slice(0, f.limit);
    const items: SessionSummary[] = [];
    for (const { id } of page) {
      const s = summary(id);
      if (s) items.push(s);
    }
    const last = page[page.length - 1];
    return {
      items,
      nextCursor: rows.length > f.limit && last ? encodeSessionCursor(last.end, last.sid) : null,
    };
  }

  /** The detail of the session an id names (sessionKey): its `id` is the session's own. */
  // A trace id is lower-case hex (W3C trace context); one written in capitals (copied from a log)
  // names the same trace, as `q` finds it. Asked as given first: a correlation id may be capitals.
  const detail = (id: string): SessionDetail | undefined =>
    read(sessionKey(id)) ??
    (/^[0-9a-fA-F]{32}$/.test(id) && id !== id.toLowerCase()
      ? read(sessionKey(id.toLowerCase()))
      : undefined);

  // The API's reads each see one snapshot (snapshot.ts): a session's operation count and its slow
  // ones, counted by two SELECTs, disagreed when a commit came between them. members and
  // traceIdsOf are the writer's too, inside its own transactions.
  return { members, traceIdsOf, ...inOneSnapshot(db, { detail, list }) };
}
