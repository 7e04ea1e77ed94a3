// `npm run bench:session-refresh`: how long retention holds the writer while it makes the rows
// of sessions that lost records say what is left (sessions.ts, refreshRows), beside many records
// that name no correlation id (OTLP spans and snapshots of other traces: the common case). A
// store of OTHERS such spans and as many snapshots, and SESSIONS sessions of two services whose
// older span is past project 1's line; project 1's sweep in batches of 500, timed a call at a
// time through the repository. Beside it, on a copy of the same store, the one statement each
// session was asked before (a CTE of its traces and rows, joined as SQLite chose), 100 sessions
// a transaction as the refresh took them. The spans and snapshots of other traces are written
// straight into their tables; the sessions through the repository.
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { Operation } from '../ingest/otlp';
import { openSqlite } from '../store/sqlite';
import { timeCalls } from './timed-calls';

const DAY = 86_400_000;
const OTHERS = Number(process.env.BENCH_OTHERS ?? 300_000);
const SESSIONS = Number(process.env.BENCH_SESSIONS ?? 1_000);
const NOW = Date.UTC(2026, 11, 6);
const BEFORE = NOW - 7 * DAY;

/** What the refresh asked of each session before (6faca18), with its members' CTE. */
const ASKED_BEFORE = `WITH
  candidates(trace_id) AS (
    SELECT trace_id FROM trace_links WHERE correlation_id = @id AND shared = 1
    UNION SELECT trace_id FROM operations WHERE correlation_id = @id
    UNION SELECT trace_id FROM memory_snapshots WHERE correlation_id = @id
    UNION SELECT e.trace_id FROM event_sessions j JOIN events e ON e.rowid = j.event
      WHERE j.sid = @sid AND e.trace_id IS NOT NULL),
  traces(trace_id) AS (
    SELECT trace_id FROM candidates c
      WHERE (SELECT l.correlation_id FROM trace_links l WHERE l.trace_id = c.trace_id) = @id
    UNION SELECT @id WHERE @own),
  sids(sid) AS (SELECT @sid UNION SELECT s.sid FROM traces t JOIN sessions s ON s.id = t.trace_id)
SELECT (SELECT MIN(t) FROM (
  SELECT MIN(start) AS t FROM operations WHERE correlation_id = @id
  UNION ALL SELECT MIN(o.start) FROM traces t JOIN operations o ON o.trace_id = t.trace_id
    WHERE o.correlation_id IS NULL
  UNION ALL SELECT MIN(time) FROM memory_snapshots WHERE correlation_id = @id
  UNION ALL SELECT MIN(m.time) FROM traces t JOIN memory_snapshots m ON m.trace_id = t.trace_id
    WHERE m.correlation_id IS NULL
  UNION ALL SELECT MIN(e.timestamp) FROM event_sessions j JOIN events e ON e.rowid = j.event
    WHERE j.sid IN (SELECT sid FROM sids))) AS start,
  EXISTS (SELECT 1 FROM operations WHERE correlation_id = @id AND status = 'error')
  OR EXISTS (SELECT 1 FROM traces t JOIN operations o ON o.trace_id = t.trace_id
    WHERE o.correlation_id IS NULL AND o.status = 'error')
  OR EXISTS (SELECT 1 FROM event_sessions j WHERE j.sid IN (SELECT sid FROM sids)) AS errors`;

const hex = (n: number, width: number) => n.toString(16).padStart(width, '0');

function build(file: string) {
  const repo = openSqlite(file);
  const span = (n: number, start: number, service: string): Operation => ({
    traceId: hex(0x10000000 + n, 32),
    spanId: hex(n, 16),
    name: `op ${n}`,
    service,
    start,
    end: start + 10,
    status: 'ok',
    correlationId: `session-${n >> 1}`,
    attributes: {},
  });
  const spans = Array.from({ length: SESSIONS }, (_, i) => [
    span(2 * i, BEFORE - DAY + i, 'web'),
    span(2 * i + 1, NOW + i, 'api'),
  ]).flat();
  repo.ingestTraces(1, spans, []);
  repo.close();
  const db = new Database(file);
  db.exec(`WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < ${OTHERS})
    INSERT INTO operations SELECT 1, printf('%032x', x), printf('%016x', x), NULL, 'GET /', 'api',
      ${NOW} - x, ${NOW} - x + 5, 'ok', NULL, NULL, '{}' FROM n;
    WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < ${OTHERS})
    INSERT INTO memory_snapshots SELECT 1, printf('%032x', x), printf('%016x', x), 'api', NULL,
      ${NOW} - x, 1, 1, 0 FROM n;
    ANALYZE;`);
  db.close();
}

function main() {
  const dir = mkdtempSync(join(tmpdir(), 'beacon-bench-session-refresh-'));
  try {
    const now = join(dir, 'now.db');
    const before = join(dir, 'before.db');
    build(now);
    copyFileSync(now, before);

    const repo = openSqlite(now);
    const swept = timeCalls(() => repo.deleteSessionsBefore(BEFORE, 500, 1));
    const webLeft = repo.listSessions({ limit: 1, service: 'web' }).items.length;
    repo.close();

    const db = new Database(before);
    const ask = db.prepare(ASKED_BEFORE);
    const rows = db.prepare('SELECT sid, id FROM sessions ORDER BY sid').all() as {
      sid: number;
      id: string;
    }[];
    let at = 0;
    const asked = timeCalls(() =>
      db.transaction(() => {
        const some = rows.slice(at, (at += 100));
        for (const r of some) ask.get({ sid: r.sid, id: r.id, own: 0 });
        return some.length;
      })(),
    );
    db.close();

    const f = (n: number) => n.toFixed(2).padStart(10);
    console.log(
      `retention of project 1 (7 days): ${SESSIONS.toLocaleString('en')} sessions lose their older span, beside ${OTHERS.toLocaleString('en')} spans and as many snapshots with no correlation id`,
    );
    console.log('                                    calls    p50 ms     max ms   total ms');
    for (const [name, r] of [
      ['the sweep (refreshRows)', swept],
      ['asked as before, 100 a transaction', asked],
    ] as const)
      console.log(
        `${name.padEnd(34)} ${String(r.calls).padStart(6)} ${f(r.p50)} ${f(r.max)} ${f(r.total)}`,
      );
    console.log(
      `longest call: ${(asked.max / swept.max).toFixed(1)}× shorter; in all: ${(asked.total / swept.total).toFixed(1)}× less time (the sweep's deletes included)`,
    );
    console.log(`sessions still listed under the web service after the sweep: ${webLeft}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main();
