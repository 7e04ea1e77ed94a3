// The REST API's reads on their own thread: what they answer, how their errors cross back, and
// what a dead thread does.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { whenFailed } from '../testing/store-thread-death';
import { CursorError, SearchError } from './issue-reads';
import { workerReader, type StoreReader } from './reader';
import { SessionCursorError } from './session-reads';
import { openSqlite } from './sqlite';

const NOW = Date.UTC(2026, 11, 3, 12);

let dir: string;
let file: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'beacon-reader-'));
  file = join(dir, 'tracker.db');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** Runs `body` with a reader of `file`, closing it after. */
async function withReader(body: (reader: StoreReader) => Promise<void>) {
  const reader = workerReader(file);
  try {
    await body(reader);
  } finally {
    await reader.close();
  }
}

it('reads what another connection committed, before and after it started', async () => {
  const repo = openSqlite(file);
  const operation = (correlationId: string, start: number) => ({
    traceId: correlationId.padEnd(32, '0'),
    spanId: 'b'.repeat(16),
    name: 'GET /checkout',
    service: 'api',
    start,
    end: start + 250,
    status: 'ok' as const,
    correlationId,
    attributes: {},
  });
  try {
    repo.ingestTraces(1, [operation('a1', NOW - 60_000)], []);
    await withReader(async (reader) => {
      expect((await reader.listSessions({ limit: 10 })).items.map((s) => s.id)).toEqual(['a1']);
      // Committed while the thread runs: its next read sees it (WAL, a read transaction a call).
      repo.ingestTraces(1, [operation('b2', NOW - 30_000)], []);
      expect((await reader.listSessions({ limit: 10 })).items.map((s) => s.id)).toEqual([
        'b2',
        'a1',
      ]);
      const session = await reader.getSession('b2');
      expect(session?.timeline.map((o) => [o.name, o.durationMs])).toEqual([
        ['GET /checkout', 250],
      ]);
      expect(await reader.getSession('c3')).toBeUndefined();
      expect(await reader.getIssue(1, NOW)).toBeUndefined();
      expect(await reader.stats(NOW)).toMatchObject({ lastDay: 0, openIssues: 0, topIssues: [] });
    });
  } finally {
    repo.close();
  }
});

it('throws a bad cursor or search as the class the API answers 400 for', async () => {
  openSqlite(file).close();
  await withReader(async (reader) => {
    const issues = reader.listIssues({ sort: 'last_seen', limit: 10, cursor: 'nonsense' }, NOW);
    await expect(issues).rejects.toBeInstanceOf(CursorError);
    await expect(issues).rejects.toThrow(/cursor/);
    await expect(reader.listSessions({ limit: 10, cursor: '!' })).rejects.toBeInstanceOf(
      SessionCursorError,
    );
    // Longer than SQLite's LIKE pattern limit (50,000 bytes).
    await expect(
      reader.listIssues({ sort: 'last_seen', limit: 10, q: 'x'.repeat(60_000) }, NOW),
    ).rejects.toBeInstanceOf(SearchError);
  });
});

it('names any other failure as a failed read, and goes on reading', async () => {
  openSqlite(file).close();
  await withReader(async (reader) => {
    expect((await reader.listSessions({ limit: 10 })).items).toEqual([]);
    // Another connection takes a table away under the reader.
    const db = new Database(file);
    db.exec('DROP TABLE issue_hours');
    db.close();
    await expect(reader.stats(NOW)).rejects.toThrow(/^store read failed: .*issue_hours/);
    expect((await reader.listSessions({ limit: 10 })).items).toEqual([]);
  });
});

it('says why once its thread has died, fails every read after, and tells the caller once', async () => {
  // The thread opens its own connection; here it cannot, so it dies as it starts.
  const heard: Error[] = [];
  const reader = workerReader(join(dir, 'no such directory', 'tracker.db'), (e) => heard.push(e));
  try {
    await whenFailed(reader);
    expect(reader.failure()?.message).toMatch(
      /^the store reader thread failed: .*directory does not exist/,
    );
    await expect(reader.stats(NOW)).rejects.toBe(reader.failure());
    expect(heard).toEqual([reader.failure()]);
  } finally {
    await reader.close();
  }
});

it('reports no failure for the end of its thread that close() asked for', async () => {
  openSqlite(file).close();
  const heard: Error[] = [];
  const reader = workerReader(file, (e) => heard.push(e));
  await reader.stats(NOW);
  await reader.close();
  expect(reader.failure()).toBeUndefined();
  expect(heard).toEqual([]);
});

/** Each thread of this process: its id and nice value (proc(5), /proc/pid/task/tid/stat field 19). */
function threadNices(): { tid: number; nice: number }[] {
  return readdirSync(`/proc/${process.pid}/task`).flatMap((tid) => {
    try {
      const stat = readFileSync(`/proc/${process.pid}/task/${tid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      return [{ tid: Number(tid), nice: Number(fields[16]) }];
    } catch {
      return []; // a thread that ended meanwhile
    }
  });
}

it('lowers the priority of its own thread alone, so ingest is scheduled before reads', async () => {
  openSqlite(file).close();
  const before = threadNices();
  const main = before.find((t) => t.tid === process.pid)?.nice;
  expect(main).toBeLessThan(10); // else there is nothing to lower
  await withReader(async (reader) => {
    await reader.stats(NOW);
    const during = threadNices();
    const lowered = during.filter((t) => t.nice === 10);
    expect(lowered).toHaveLength(1);
    expect(before.map((t) => t.tid)).not.toContain(lowered[0]?.tid);
    // This (the main) thread and every other one keep theirs.
    const others = during.filter((t) => t !== lowered[0]);
    expect(others.map((t) => t.nice)).toEqual(others.map(() => main));
  });
});
