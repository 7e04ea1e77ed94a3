// Debug sessions on the SQLite store: operations (OTLP spans, Sentry transactions and their
// spans), memory snapshots and error events that share a correlation id — or, failing that, a
// trace id — are one session. A trace id seen together with a correlation id anywhere is linked
// to it, so a Sentry event carrying only contexts.trace.trace_id joins the session its spans
// named by correlation id.
import type Database from 'better-sqlite3';
import type { MemorySnapshot, Operation } from '../ingest/otlp';

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
CREATE TABLE IF NOT EXISTS trace_links (trace_id TEXT PRIMARY KEY, correlation_id TEXT NOT NULL)
  WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS trace_links_correlation ON trace_links (correlation_id);
DROP INDEX IF EXISTS events_trace;
DROP INDEX IF EXISTS events_correlation;
CREATE INDEX IF NOT EXISTS events_session ON events (session_key) WHERE session_key IS NOT NULL;
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

export interface SessionDetail extends SessionSummary {
  readonly traceIds: readonly string[];
  readonly timeline: readonly SessionOperation[];
  readonly errorEvents: readonly {
    eventId: string;
    issueId: number;
    title: string;
    level: string;
    service: string;
    timestamp: string;
    offsetMs: number;
    spanId?: string;
  }[];
  readonly memory: readonly {
    time: string;
    offsetMs: number;
    service: string;
    rss?: number;
    heapUsed?: number;
  }[];
}

export interface SessionFilter {
  readonly q?: string;
  readonly service?: string;
  readonly minDurationMs?: number;
  readonly hasErrors?: boolean;
  readonly limit: number;
}

/** An operation is slow from this long (and the slowest tenth of a session's operations above 100 ms). */
export const SLOW_MS = 500;

const iso = (ms: number) => new Date(ms).toISOString();

export function sessionStore(db: Database.Database) {
  migrate(db);
  db.exec(SESSIONS_SCHEMA);
  const st = {
    op: db.prepare(
      `INSERT OR REPLACE INTO operations VALUES (@projectId, @traceId, @spanId, @parentSpanId, @name, @service, @start, @end, @status, @statusMessage, @correlationId, @attributes)`,
    ),
    mem: db.prepare(
      `INSERT INTO memory_snapshots VALUES (@projectId, @traceId, @spanId, @service, @correlationId, @time, @rss, @heapUsed)`,
    ),
    link: db.prepare('INSERT OR IGNORE INTO trace_links (trace_id, correlation_id) VALUES (?, ?)'),
  };

  const write = db.transaction(
    (projectId: number, operations: readonly Operation[], memory: readonly MemorySnapshot[]) => {
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
        if (o.correlationId) st.link.run(o.traceId, o.correlationId);
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
        if (m.correlationId) st.link.run(m.traceId, m.correlationId);
      }
    },
  );

  /** Session key of a record: its correlation id, the one its trace is linked to, or its trace id. */
  const KEY = (alias: string) =>
    `COALESCE(${alias}.correlation_id, (SELECT l.correlation_id FROM trace_links l WHERE l.trace_id = ${alias}.trace_id), ${alias}.trace_id)`;

  function members(sessionId: string) {
    // Traces linked to the session: by spans (trace_links) and by its events that carry both ids.
    const traces = (
      db
        .prepare(
          `SELECT trace_id FROM trace_links WHERE correlation_id = @id
           UNION SELECT trace_id FROM events WHERE session_key = @id AND trace_id IS NOT NULL`,
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
        `SELECT e.id, e.issue_id, e.level, e.service, e.timestamp, e.trace_id, e.payload, i.title FROM events e JOIN issues i ON i.id = e.issue_id WHERE e.session_key = ? OR ${inTraces.replace('trace_id', 'e.session_key')} ORDER BY e.timestamp`,
      )
      .all(sessionId, ...traceIds) as {
      id: string;
      issue_id: number;
      level: string;
      service: string;
      timestamp: number;
      trace_id: string | null;
      payload: string;
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
      const trace = ((JSON.parse(e.payload) as { contexts?: { trace?: { span_id?: string } } })
        .contexts?.trace ?? {}) as { span_id?: string };
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

  function list(f: SessionFilter): SessionSummary[] {
    // The most recent session keys, from operations and events; details are computed per key.
    const keys = db
      .prepare(
        `SELECT k, MAX(t) AS last FROM (
           SELECT ${KEY('o')} AS k, o.end AS t, o.service AS s FROM operations o
           UNION ALL SELECT ${KEY('e')} AS k, e.timestamp AS t, e.service AS s FROM events e WHERE e.trace_id IS NOT NULL OR e.correlation_id IS NOT NULL
         ) WHERE (@q IS NULL OR instr(k, @q) > 0) AND (@service IS NULL OR s = @service)
         GROUP BY k ORDER BY last DESC LIMIT @scan`,
      )
      .all({ q: f.q ?? null, service: f.service ?? null, scan: f.limit * 4 }) as { k: string }[];
    const out: SessionSummary[] = [];
    for (const { k } of keys) {
      const d = detail(k);
      if (!d) continue;
      if (f.minDurationMs !== undefined && d.durationMs < f.minDurationMs) continue;
      if (f.hasErrors !== undefined && d.errors > 0 !== f.hasErrors) continue;
      const { traceIds: _t, timeline: _o, errorEvents: _e, memory: _m, ...summary } = d;
      out.push(summary);
      if (out.length >= f.limit) break;
    }
    return out;
  }

  return {
    write: (
      projectId: number,
      operations: readonly Operation[],
      memory: readonly MemorySnapshot[],
    ) => write(projectId, operations, memory),
    link: (traceId: string, correlationId: string) => st.link.run(traceId, correlationId),
    detail,
    list,
    deleteBefore(before: number, batch: number, projectId?: number): number {
      const params = { before, batch, project: projectId ?? null };
      const a = db
        .prepare(
          'DELETE FROM operations WHERE rowid IN (SELECT rowid FROM operations WHERE end < @before AND (@project IS NULL OR project_id = @project) LIMIT @batch)',
        )
        .run(params).changes;
      const b = db
        .prepare(
          'DELETE FROM memory_snapshots WHERE rowid IN (SELECT rowid FROM memory_snapshots WHERE time < @before AND (@project IS NULL OR project_id = @project) LIMIT @batch)',
        )
        .run(params).changes;
      return a + b;
    },
  };
}

export type SessionStore = ReturnType<typeof sessionStore>;
