// After a retention sweep, each session that lost records is asked what is left of it (start,
// end, errors, services, projects). Those statements once joined the session's traces in a way
// SQLite served by walking a time index or every record without a correlation id (~30–50 ms a
// session beside 300,000 trace-only spans: a sweep call of 100 sessions held the writer, and
// ingest, for up to 6 s), and opened temporary b-trees (UNION, CTEs, IN lists), each a temporary
// file under SQLite's default temp_store (~1 ms a statement). Their plans are checked here.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { readEvent } from '../ingest/event';
import type { MemorySnapshot, Operation } from '../ingest/otlp';
import { createScrubber } from '../scrub/scrub';
import { recordingConnection } from '../testing/query-plans';
import { openSqlite } from './sqlite';

const T0 = Date.UTC(2026, 11, 6, 12);
const DAY = 86_400_000;
const hex = (n: number, width: number) => n.toString(16).padStart(width, '0');

it('asks what is left of a session by index look-ups, opening no temporary b-tree', () => {
  const dir = mkdtempSync(join(tmpdir(), 'beacon-session-refresh-'));
  const file = join(dir, 'tracker.db');
  const repo = openSqlite(file);
  const raw = recordingConnection(file);
  try {
    // Other traces' spans and snapshots with no correlation id, so that a scan of them and a
    // look-up by trace are told apart by the plan.
    const others: Operation[] = Array.from({ length: 200 }, (_, n) => ({
      traceId: hex(n, 32),
      spanId: hex(n, 16),
      name: 'GET /',
      service: 'api',
      start: T0 - n * 1000,
      end: T0 - n * 1000 + 10,
      status: 'ok',
      attributes: {},
    }));
    const snapshots: MemorySnapshot[] = others.map((o) => ({
      ...o,
      seq: 0,
      time: o.start,
      rss: 1,
    }));
    repo.ingestTraces(1, others, snapshots);
    // 'checkout': an old span of the web service, a new one of the API (and one of its trace
    // with no correlation id), a new snapshot of project 2 and a new error event.
    const span = (n: number, start: number, service: string, correlated = true): Operation => ({
      traceId: hex(0xc0ffee + (n >> 1), 32),
      spanId: hex(0xc0ffee + n, 16),
      name: `op ${n}`,
      service,
      start,
      end: start + 10,
      status: 'ok',
      attributes: {},
      ...(correlated ? { correlationId: 'checkout' } : {}),
    });
    repo.ingestTraces(
      1,
      [span(0, T0 - 10 * DAY, 'web'), span(2, T0, 'api'), span(3, T0 + 1, 'api', false)],
      [],
    );
    repo.ingestTraces(
      2,
      [],
      [
        {
          traceId: hex(0xc0ffee + 1, 32),
          spanId: hex(1, 16),
          seq: 0,
          service: 'api',
          time: T0,
          rss: 1,
        },
      ],
    );
    repo.ingest([
      readEvent(
        {
          event_id: 'e'.repeat(32),
          timestamp: T0 / 1000,
          message: 'card declined',
          tags: { correlation_id: 'checkout', service: 'api' },
        },
        1,
        createScrubber({ enabled: true }),
        T0,
      ),
    ]);
    repo.indexSessions();
    expect(repo.listSessions({ limit: 5, service: 'web' }).items.map((s) => s.id)).toEqual([
      'checkout',
    ]);

    const prepared = jest.spyOn(Database.prototype, 'prepare');
    let sqls: string[];
    try {
      while (repo.deleteSessionsBefore(T0 - 7 * DAY, 500, 1) > 0);
      sqls = prepared.mock.calls.map(([sql]) => String(sql)); // mockRestore clears them
    } finally {
      prepared.mockRestore();
    }
    // The refresh ran: the web service's span went, and the row no longer names it.
    expect(repo.listSessions({ limit: 5, service: 'web' }).items).toEqual([]);
    expect(repo.getSession('checkout')?.services).toEqual(['api']);

    // The statements that read the session's members (each looks its records up by @id).
    const asked = [...new Set(sqls)].filter((sql) => sql.includes('correlation_id = @id'));
    expect(asked.length).toBeGreaterThanOrEqual(3); // its traces, what is left, a value left
    for (const sql of asked) {
      const plan = raw.plan(sql);
      expect({ sql, plan }).toEqual({
        sql,
        plan: expect.not.stringMatching(
          /SCAN (operations|memory_snapshots|o|m)\b|INDEX (operations_end|operations_start|memory_time)\b|TEMP B-TREE|MATERIALIZE|LIST SUBQUERY|AUTOMATIC/,
        ),
      });
    }
  } finally {
    raw.db.close();
    repo.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
