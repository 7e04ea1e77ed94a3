// The REST API's reads on their own thread: what they answer, how their errors cross back, and
// what a dead thread does.
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { MORTAL_READER_THREAD, MORTAL_SESSION } from '../testing/mortal-reader-thread';
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

/** One operation of session `correlationId`, 250 ms long. */
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

it('reads what another connection committed, before and after it started', async () => {
  const repo = openSqlite(file);
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

it("hands over a read's JSON as bytes, written on the thread", async () => {
  const repo = openSqlite(file);
  try {
    repo.ingestTraces(1, [operation('a1', NOW - 60_000)], []);
    await withReader(async (reader) => {
      const text = (bytes: Uint8Array | undefined) =>
        bytes && (JSON.parse(Buffer.from(bytes).toString('utf8')) as unknown);
      // What the read answers, as its JSON: the same whichever way it is asked for.
      expect(text(await reader.json.listSessions({ limit: 10 }))).toEqual(
        await reader.listSessions({ limit: 10 }),
      );
      expect(text(await reader.json.getSession('a1'))).toEqual(await reader.getSession('a1'));
      expect(text(await reader.json.stats(NOW))).toEqual(await reader.stats(NOW));
      // An answer of undefined (no such issue: a 404) is undefined, not the text `undefined`.
      expect(await reader.json.getIssue(1, NOW)).toBeUndefined();
      expect(await reader.json.issueEvents(1, undefined, 20)).toBeUndefined();
      // What a read throws crosses as it does for the object's read.
      await expect(reader.json.listSessions({ limit: 10, cursor: '!' })).rejects.toBeInstanceOf(
        SessionCursorError,
      );
    });
  } finally {
    repo.close();
  }
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

/** Waits until `reader` answers again after a death (its failure() is gone). */
async function whenRecovered(reader: StoreReader): Promise<void> {
  for (const deadline = Date.now() + 20_000; reader.failure() !== undefined;) {
    if (Date.now() > deadline) throw new Error('the reader did not recover within 20 s');
    await new Promise((r) => setTimeout(r, 10));
  }
}

it('restarts a thread that died: the reads it was making fail, those after are answered again', async () => {
  const repo = openSqlite(file);
  const heard: [string, number][] = [];
  const restarts: { deaths: number; downMs: number }[] = [];
  const reader = workerReader(file, {
    threadModule: MORTAL_READER_THREAD,
    restartDelay: { firstMs: 50, maxMs: 400 },
    onFailure: (e, wait) => heard.push([e.message, wait]),
    onRestart: (info) => restarts.push(info),
  });
  const ids = async () => (await reader.listSessions({ limit: 10 })).items.map((s) => s.id);
  try {
    repo.ingestTraces(1, [operation('a1', NOW - 60_000)], []);
    expect(await ids()).toEqual(['a1']);

    // The read in flight when the thread dies fails with why; one made before a new thread
    // starts fails with failure(), which names the restart to come.
    await expect(reader.getSession(MORTAL_SESSION)).rejects.toThrow(
      /^the store reader thread exited \(3\)$/,
    );
    expect(reader.failure()?.message).toBe(
      'the store reader thread exited (3); restarting it in 50 ms',
    );
    await expect(reader.stats(NOW)).rejects.toBe(reader.failure());
    expect(heard).toEqual([['the store reader thread exited (3)', 50]]);

    // Committed while no thread reads: the new one's reads see it.
    repo.ingestTraces(1, [operation('b2', NOW - 30_000)], []);
    await whenRecovered(reader);
    expect(restarts).toEqual([{ deaths: 1, downMs: expect.any(Number) }]);
    expect(restarts[0]?.downMs).toBeGreaterThanOrEqual(50);
    expect(await ids()).toEqual(['b2', 'a1']);
    expect((await reader.getSession('b2'))?.timeline.map((o) => o.durationMs)).toEqual([250]);

    // A thread that answered resets the wait: the next death waits the first 50 ms again.
    await expect(reader.getSession(MORTAL_SESSION)).rejects.toThrow(/exited \(3\)/);
    expect(heard.map(([, wait]) => wait)).toEqual([50, 50]);
    await whenRecovered(reader);
    expect(await ids()).toEqual(['b2', 'a1']);
    expect(restarts).toHaveLength(2);
  } finally {
    await reader.close();
    repo.close();
  }
});

it('answers the reads made while a new thread starts once it has opened its connection', async () => {
  const repo = openSqlite(file);
  repo.ingestTraces(1, [operation('a1', NOW - 60_000)], []);
  repo.close();
  const reader = workerReader(file, {
    threadModule: MORTAL_READER_THREAD,
    restartDelay: { firstMs: 20, maxMs: 20 },
  });
  try {
    await expect(reader.getSession(MORTAL_SESSION)).rejects.toThrow(/exited \(3\)/);
    // Started, not yet answering: reads wait for it rather than fail.
    for (
      const deadline = Date.now() + 20_000;
      !/restarting it now$/.test(reader.failure()?.message ?? '');
    ) {
      if (Date.now() > deadline) throw new Error('no new thread started within 20 s');
      await new Promise((r) => setImmediate(r));
    }
    const [during] = await Promise.all([reader.listSessions({ limit: 10 }), whenRecovered(reader)]);
    expect(during.items.map((s) => s.id)).toEqual(['a1']);
  } finally {
    await reader.close();
  }
});

it('waits twice as long before each restart while new threads die before answering, up to the most', async () => {
  // The thread opens its own connection; here it cannot, so each one dies as it starts.
  const heard: [string, number][] = [];
  const restarts: unknown[] = [];
  const reader = workerReader(join(dir, 'no such directory', 'tracker.db'), {
    restartDelay: { firstMs: 20, maxMs: 80 },
    onFailure: (e, wait) => heard.push([e.message, wait]),
    onRestart: (info) => restarts.push(info),
  });
  try {
    await whenFailed(reader);
    expect(reader.failure()?.message).toMatch(
      /^the store reader thread failed: .*directory does not exist; restarting it (in 20 ms|now)$/,
    );
    await expect(reader.stats(NOW)).rejects.toThrow(/directory does not exist/);
    for (const deadline = Date.now() + 20_000; heard.length < 5;) {
      if (Date.now() > deadline) throw new Error(`${heard.length} deaths heard within 20 s, not 5`);
      await new Promise((r) => setTimeout(r, 10));
    }
    expect(heard.slice(0, 5).map(([, wait]) => wait)).toEqual([20, 40, 80, 80, 80]);
    for (const [message] of heard)
      expect(message).toMatch(/^the store reader thread failed: .*directory does not exist$/);
    expect(reader.failure()).toBeDefined();
    expect(restarts).toEqual([]);
  } finally {
    await reader.close();
  }
  // Closed: no thread is started again.
  const after = heard.length;
  await new Promise((r) => setTimeout(r, 300));
  expect(heard).toHaveLength(after);
});

it('reports no failure for the end of its thread that close() asked for, and starts none after', async () => {
  openSqlite(file).close();
  const heard: Error[] = [];
  const reader = workerReader(file, {
    onFailure: (e) => heard.push(e),
    restartDelay: { firstMs: 10, maxMs: 10 },
  });
  await reader.stats(NOW);
  await reader.close();
  expect(reader.failure()).toBeUndefined();
  await expect(reader.stats(NOW)).rejects.toThrow(/^the store reader is closed$/);
  await new Promise((r) => setTimeout(r, 100));
  expect(heard).toEqual([]);
});

/**
 * A process that makes a reader whose thread dies as it starts, waits for the wait before the
 * next one (10 s), closes the reader there and prints "closed": nothing else keeps it alive.
 */
const CLOSE_IN_BACKOFF = `
const fs = require('node:fs');
const [src, dbFile] = process.argv.slice(1);
const swc = require(require.resolve('@swc/core', { paths: [src] }));
require.extensions['.ts'] = (module, filename) => {
  const { code } = swc.transformSync(fs.readFileSync(filename, 'utf8'), {
    filename, module: { type: 'commonjs' }, jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
  });
  module._compile(code, filename);
};
const { workerReader } = require(src + '/store/reader.ts');
const reader = workerReader(dbFile, { restartDelay: { firstMs: 10000, maxMs: 10000 } });
(async () => {
  while (!/restarting it in 10000 ms$/.test(reader.failure()?.message ?? ''))
    await new Promise((r) => setTimeout(r, 10));
  await reader.close();
  process.stdout.write('closed');
})();
`;

it('leaves nothing running once closed while it waits to start a new thread', async () => {
  const child = spawn(
    process.execPath,
    ['-e', CLOSE_IN_BACKOFF, join(__dirname, '..'), join(dir, 'no such directory', 'tracker.db')],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const started = Date.now();
  // Well before the 10 s wait ends: a timer or thread left running would hold the process.
  const exit = await new Promise<number | string>((resolve) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      resolve('still running after 8 s');
    }, 8_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve(code ?? 'killed');
    });
  });
  expect([exit, out]).toEqual([0, 'closed']);
  expect(Date.now() - started).toBeLessThan(8_000);
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
