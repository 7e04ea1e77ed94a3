// A session's records are read by index whether or not it runs in a trace. A session of error
// events alone (no trace id) was read with `correlation_id = ? OR (correlation_id IS NULL AND 0)`:
// SQLite keeps the false term, can serve that OR by no index, and read every operation and
// snapshot: ~0.1 s each at 450,000 operations, for each such session of a list page, on the
// thread that answers ingest (a 50-session page took 1.2-3.9 s in a 20-minute soak).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readEvent } from '../ingest/event';
import type { Operation } from '../ingest/otlp';
import { createScrubber } from '../scrub/scrub';
import type { Repository } from './repository';
import { sessionReads } from './session-reads';
import { openSqlite } from './sqlite';
import { recordingConnection, type RecordingConnection } from '../testing/query-plans';

const T0 = Date.UTC(2026, 11, 3, 12);
const scrub = createScrubber({ enabled: true });
const TRACE = 'c'.repeat(32);

let dir: string;
let repo: Repository;
let raw: RecordingConnection;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'beacon-session-members-'));
  repo = openSqlite(join(dir, 'tracker.db'));
  // Other sessions' operations, so that a scan and an index look-up are told apart by the plan.
  const operations: Operation[] = Array.from({ length: 200 }, (_, n) => ({
    traceId: n.toString(16).padStart(32, '0'),
    spanId: n.toString(16).padStart(16, '0'),
    name: 'GET /',
    service: 'api',
    start: T0 + n,
    end: T0 + n + 10,
    status: 'ok',
    correlationId: `other-${n}`,
    attributes: {},
  }));
  // The traced session: one operation in TRACE with the correlation id, one without.
  const traced = { service: 'api', status: 'ok', attributes: {}, name: 'POST /pay' } as const;
  operations.push(
    {
      ...traced,
      traceId: TRACE,
      spanId: 'a'.repeat(16),
      start: T0,
      end: T0 + 5,
      correlationId: 'req-traced',
    },
    { ...traced, traceId: TRACE, spanId: 'b'.repeat(16), start: T0 + 1, end: T0 + 3 },
  );
  repo.ingestTraces(1, operations, []);
  // A session of one error event that names its correlation id and no trace.
  repo.ingest([
    readEvent(
      {
        event_id: 'e'.repeat(32),
        timestamp: T0 / 1000,
        message: 'card declined',
        tags: { correlation_id: 'req-untraced', service: 'billing' },
      },
      1,
      scrub,
      T0,
    ),
  ]);
  raw = recordingConnection(join(dir, 'tracker.db'));
});
afterAll(() => {
  raw.db.close();
  repo.close();
  rmSync(dir, { recursive: true, force: true });
});

/** The plans of the statements that read a session's operations, snapshots and events. */
function recordPlans(id: string): { operations: string; memory: string; events: string } {
  raw.take();
  expect(sessionReads(raw.db).detail(id)).toBeDefined();
  const prepared = raw.take();
  const of = (pattern: RegExp) => {
    const sql = prepared.find((s) => pattern.test(s));
    if (sql === undefined) throw new Error(`no statement matched ${pattern}`);
    return raw.plan(sql);
  };
  return {
    operations: of(/^SELECT \* FROM operations WHERE/),
    memory: of(/^SELECT \* FROM memory_snapshots WHERE/),
    events: of(/FROM events e JOIN issues/),
  };
}

it('reads an untraced session’s records by its correlation id, scanning no table', () => {
  const plans = recordPlans('req-untraced');
  expect(plans.operations).toBe(
    'SEARCH operations USING INDEX operations_correlation (correlation_id=?); USE TEMP B-TREE FOR ORDER BY',
  );
  expect(plans.memory).toBe(
    'SEARCH memory_snapshots USING INDEX memory_correlation (correlation_id=?); USE TEMP B-TREE FOR ORDER BY',
  );
  expect(plans.events).not.toMatch(/\bSCAN (sessions|events|operations)\b/);
  expect(plans.events).toContain('SEARCH sessions USING INDEX sessions_key (id=?)');
});

it('reads a traced session’s records by correlation id and trace id, scanning no table', () => {
  const plans = recordPlans('req-traced');
  for (const p of Object.values(plans))
    expect(p).not.toMatch(/\bSCAN (sessions|events|operations|memory_snapshots)\b/);
  expect(plans.operations).toContain('MULTI-INDEX OR');
  expect(plans.operations).toContain('INDEX operations_correlation (correlation_id=?)');
  expect(plans.operations).toContain('INDEX sqlite_autoindex_operations_1 (trace_id=?)');
  // Its trace ids come as one JSON array: looked up by them, not by a null correlation id.
  expect(plans.memory).toContain('INDEX memory_seq_once (trace_id=?)');
  for (const p of Object.values(plans)) expect(p).not.toMatch(/correlation_id=NULL/);
});

it('still finds both sessions’ records', () => {
  expect(repo.getSession('req-untraced')).toMatchObject({ errors: 1 });
  expect(repo.getSession('req-traced')).toMatchObject({ operations: 2 });
});
