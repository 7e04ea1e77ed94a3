// The session list under a filter few sessions match, past the newest FILTER_WINDOW: answered by
// one read of the table in its own order, not a walk of sessions_end to its end with a lookup of
// every entry (~0.3 s for 500,000 sessions, on the thread that answers ingest).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Repository } from './repository';
import { FILTER_WINDOW, sessionReads } from './session-reads';
import { openSqlite } from './sqlite';
import { numberedSessions } from '../testing/numbered-sessions';
import { recordingConnection, type RecordingConnection } from '../testing/query-plans';

const NOW = Date.UTC(2026, 11, 2, 12);
/** Sessions stored: the window and 100 older ones. */
const SESSIONS = FILTER_WINDOW + 100;

let dir: string;
let repo: Repository;
let raw: RecordingConnection;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'beacon-session-list-'));
  repo = openSqlite(join(dir, 'tracker.db'));
  // Session n: one operation ending n seconds after the first's; the two oldest and the newest
  // of service `rare`, every other of `api`.
  const service = (n: number) => (n < 2 || n === SESSIONS - 1 ? 'rare' : 'api');
  const operations = numberedSessions(SESSIONS, { start: NOW, digits: 5, service });
  repo.ingestTraces(1, operations, []);
  raw = recordingConnection(join(dir, 'tracker.db'));
});
beforeEach(() => raw.take());
afterAll(() => {
  raw.db.close();
  repo.close();
  rmSync(dir, { recursive: true, force: true });
});

/** The statements that read the list's page of sessions (not a session's records). */
const pageReads = () => raw.take().filter((sql) => /FROM sessions .*ORDER BY end DESC/.test(sql));

it('reads the table once, not sessions_end to its end, for a filter few of the newest match', () => {
  const reads = sessionReads(raw.db);
  raw.take();
  const page = reads.list({ service: 'rare', limit: 5 });
  expect(page.items.map((s) => s.id)).toEqual(['sess-20099', 'sess-00001', 'sess-00000']);
  expect(page.nextCursor).toBeNull();
  const statements = pageReads();
  expect(statements.map(raw.plan)).toEqual([
    // The newest FILTER_WINDOW sessions, by the index, held one…
    'CO-ROUTINE (subquery-1); SCAN sessions USING INDEX sessions_end; SCAN (subquery-1)',
    // …so the table is read in its own order and its matches sorted.
    'SCAN sessions; USE TEMP B-TREE FOR ORDER BY',
  ]);
});

it('answers from the newest sessions, by the index alone, a filter they match', () => {
  const reads = sessionReads(raw.db);
  raw.take();
  const page = reads.list({ service: 'api', limit: 3 });
  expect(page.items.map((s) => s.id)).toEqual(['sess-20098', 'sess-20097', 'sess-20096']);
  expect(pageReads().map(raw.plan)).toEqual([
    'CO-ROUTINE (subquery-1); SCAN sessions USING INDEX sessions_end; SCAN (subquery-1)',
  ]);
  // The next page goes on from the cursor, by the index too.
  raw.take();
  const next = reads.list({ service: 'api', limit: 2, cursor: page.nextCursor ?? '' });
  expect(next.items.map((s) => s.id)).toEqual(['sess-20095', 'sess-20094']);
  expect(pageReads().map(raw.plan)).toEqual([
    'CO-ROUTINE (subquery-1); SEARCH sessions USING INDEX sessions_end (end<?); SCAN (subquery-1)',
  ]);
});

it('pages a filter that no session matches, and one by id, as before', () => {
  expect(repo.listSessions({ q: 'no-such-session', limit: 50 })).toEqual({
    items: [],
    nextCursor: null,
  });
  // `sess-0000` is in the ids of sessions 0–9, all older than the window.
  const first = repo.listSessions({ q: 'sess-0000', limit: 6 });
  expect(first.items.map((s) => s.id)).toEqual([
    'sess-00009',
    'sess-00008',
    'sess-00007',
    'sess-00006',
    'sess-00005',
    'sess-00004',
  ]);
  const rest = repo.listSessions({ q: 'sess-0000', limit: 6, cursor: first.nextCursor ?? '' });
  expect(rest.items.map((s) => s.id)).toEqual([
    'sess-00003',
    'sess-00002',
    'sess-00001',
    'sess-00000',
  ]);
  expect(rest.nextCursor).toBeNull();
});
