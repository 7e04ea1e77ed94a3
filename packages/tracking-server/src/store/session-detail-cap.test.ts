// A session's detail lists at most 10,000 of its operations (session-reads.ts, DETAIL_RECORDS),
// but says of them what the whole session says: its counts, its times and which are slow.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Operation } from '../ingest/otlp';
import { openSqlite } from './sqlite';

const T0 = Date.UTC(2026, 11, 3, 12);

it('flags slow operations by the whole session, not by the ones it lists', () => {
  const dir = mkdtempSync(join(tmpdir(), 'beacon-detail-cap-'));
  const repo = openSqlite(join(dir, 'tracker.db'));
  try {
    // In start order: 9,000 operations of 110 ms, 1,000 of 140 ms, then 50 more of 140 ms.
    // Of the first 10,000 alone, the slowest tenth is the 1,000 of 140 ms: slow. Of all 10,050,
    // a tenth is 1,005, and the 1,050 of 140 ms tie across that cut: none is slow (the rule:
    // over 100 ms and at most a tenth, rounded up, take as long).
    const durations = [...Array(9_000).fill(110), ...Array(1_050).fill(140)] as number[];
    const operations = durations.map((d, n): Operation => ({
      traceId: 'a'.repeat(32),
      spanId: n.toString(16).padStart(16, '0'),
      name: `step ${n}`,
      service: 'batch',
      start: T0 + n * 1000,
      end: T0 + n * 1000 + d,
      status: n === 10_049 ? 'error' : 'ok',
      correlationId: 'job-1',
      attributes: {},
    }));
    repo.ingestTraces(1, operations, []);
    const session = repo.getSession('job-1');
    expect(session).toMatchObject({
      operations: 10_050,
      errors: 1, // the last one, past the listed 10,000
      slowOperations: 0,
      start: new Date(T0).toISOString(),
      end: new Date(T0 + 10_049 * 1000 + 140).toISOString(),
      durationMs: 10_049 * 1000 + 140,
    });
    expect(session?.timeline).toHaveLength(10_000);
    expect(session?.timeline.filter((o) => o.slow)).toEqual([]);
    expect(session?.timeline.filter((o) => o.durationMs === 140)).toHaveLength(1_000);
    expect(repo.listSessions({ limit: 1 }).items).toEqual([
      {
        id: 'job-1',
        correlationId: 'job-1',
        services: ['batch'],
        projectIds: [1],
        start: new Date(T0).toISOString(),
        end: new Date(T0 + 10_049 * 1000 + 140).toISOString(),
        durationMs: 10_049 * 1000 + 140,
        operations: 10_050,
        errors: 1,
        slowOperations: 0,
      },
    ]);
  } finally {
    repo.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
