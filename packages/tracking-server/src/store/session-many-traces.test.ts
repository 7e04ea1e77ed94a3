// A session of more traces than SQLite takes parameters in one statement (32,766): a correlation
// id kept for a long time, each request under it a trace of its own. Its trace ids were bound
// one parameter each, and its detail, and any list page holding it, failed ("too many SQL
// variables": a 500).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Repository } from './repository';
import { openSqlite } from './sqlite';
import { numberedSessions } from '../testing/numbered-sessions';

const T0 = Date.UTC(2026, 11, 3, 12);
const TRACES = 40_000;

let dir: string;
let repo: Repository;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'beacon-many-traces-'));
  repo = openSqlite(join(dir, 'tracker.db'));
  // 40,000 operations, each in a trace of its own, all under one correlation id, and one more
  // in the last trace that names no correlation id (it joins through the trace).
  const operations = numberedSessions(TRACES, { start: T0, digits: 5, service: () => 'ws' }).map(
    (o) => ({ ...o, correlationId: 'socket-7' }),
  );
  const last = operations[TRACES - 1];
  if (!last) throw new Error('no operations');
  repo.ingestTraces(1, operations, []);
  repo.ingestTraces(1, [{ ...last, spanId: 'f'.repeat(16), correlationId: undefined }], []);
});
afterAll(() => {
  repo.close();
  rmSync(dir, { recursive: true, force: true });
});

it('reads the detail of a session of 40,000 traces, its lists cut to the first 10,000', () => {
  const session = repo.getSession('socket-7');
  // Counted whole, the operation that names no correlation id (in the last trace) too…
  expect(session?.operations).toBe(TRACES + 1);
  expect(session?.end).toBe(new Date(T0 + (TRACES - 1) * 1000 + 10).toISOString());
  // …listed up to the first 10,000 by start.
  expect(session?.timeline).toHaveLength(10_000);
  expect(session?.timeline.at(-1)?.start).toBe(new Date(T0 + 9_999 * 1000).toISOString());
  expect(session?.traceIds).toHaveLength(10_000);
});

it('lists it', () => {
  const page = repo.listSessions({ limit: 10 });
  expect(page.items.map((s) => [s.id, s.operations])).toEqual([['socket-7', TRACES + 1]]);
});
