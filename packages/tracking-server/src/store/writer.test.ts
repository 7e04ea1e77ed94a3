import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventError, type TrackedEvent } from '../ingest/event';
import type { SentEvents } from '../ingest/sent-events';
import { whenFailed } from '../testing/store-thread-death';
import { GroupCommit } from './group-commit';
import { openSqlite } from './sqlite';
import { inlineWriter, workerWriter, type WriteCalls } from './writer';

const eventId = (n: number) => n.toString(16).padStart(32, '0');
/** One request's events, as the ingest path hands them to a writer: the JSON texts as sent. */
const sent = (...events: (number | string)[]): SentEvents => ({
  projectId: 1,
  scrub: { enabled: true },
  receivedAt: 1_700_000_000_000,
  protocol: 'envelope',
  items: events.map((e, i) => ({
    text:
      typeof e === 'string'
        ? e
        : JSON.stringify({
            event_id: eventId(e),
            message: `writer test ${e % 3}`,
            server_name: 'api',
          }),
    index: i + 1,
  })),
});

/** A data-driven fake store: it records each call, and answers from a table. */
function recordingStore(answers: Partial<Record<keyof WriteCalls, unknown>> = {}) {
  const calls: { call: keyof WriteCalls; args: unknown[] }[] = [];
  const record =
    (call: keyof WriteCalls) =>
    (...args: unknown[]) => {
      calls.push({ call, args });
      if (answers[call] instanceof Error) throw answers[call];
      return answers[call];
    };
  const store = {
    ingest: record('ingest'),
    ingestTraces: record('ingestTraces'),
    deleteEventsBefore: record('deleteEventsBefore'),
    deleteSessionsBefore: record('deleteSessionsBefore'),
    close: record('close'),
  } as WriteCalls;
  return { store, calls };
}

describe('group commit', () => {
  it('writes requests that arrive together in one batch, and the next ones in the next', async () => {
    const batches: number[][] = [];
    const commit = new GroupCommit<number, string>(async (items) => {
      batches.push(items);
      await new Promise((r) => setTimeout(r, 5));
      return items.map((i) => `${i} in batch ${batches.length}`);
    });
    const first = [commit.submit(1), commit.submit(2), commit.submit(3)];
    await new Promise((r) => setImmediate(r)); // the first batch is being written
    const second = [commit.submit(4), commit.submit(5)];
    expect(await Promise.all([...first, ...second])).toEqual([
      '1 in batch 1',
      '2 in batch 1',
      '3 in batch 1',
      '4 in batch 2',
      '5 in batch 2',
    ]);
    expect(batches).toEqual([
      [1, 2, 3],
      [4, 5],
    ]);
  });

  it('rejects every request of a failed batch, and goes on with the next', async () => {
    let n = 0;
    const commit = new GroupCommit<number, number>((items) => {
      if (n++ === 0) throw new Error('disk full');
      return items.map((i) => i * 10);
    });
    const failed = [commit.submit(1), commit.submit(2)].map((p) => p.catch((e: Error) => e));
    await commit.drain();
    expect((await Promise.all(failed)).map((e) => (e as Error).message)).toEqual([
      'disk full',
      'disk full',
    ]);
    await expect(commit.submit(3)).resolves.toBe(30);
  });
});

describe('inline writer', () => {
  it('reads concurrent writes and shares one ingest call between them', async () => {
    const result = { newIssues: 1, opened: [] };
    const { store, calls } = recordingStore({ ingest: result });
    const writer = inlineWriter(store);
    const [a, b] = await Promise.all([writer.write(sent(1)), writer.write(sent(2, 3))]);
    expect(a.events.map((e) => e.eventId)).toEqual([eventId(1)]);
    expect(b.events).toEqual([
      { eventId: eventId(2), service: 'api', severity: 'error', type: 'application' },
      { eventId: eventId(3), service: 'api', severity: 'error', type: 'application' },
    ]);
    expect(a.result).toBe(b.result);
    expect(calls.map((c) => [c.call, (c.args[0] as TrackedEvent[]).map((e) => e.eventId)])).toEqual(
      [['ingest', [eventId(1), eventId(2), eventId(3)]]],
    );
  });

  it('tells each request of a shared ingest call which of its events were stored', async () => {
    // Of the batch 1 | 2 3 | 4 | 5, the store kept 1, 3 and 5 (2 and 4 were stored before).
    const result = { newIssues: 0, opened: [], duplicates: [1, 3] };
    const { store } = recordingStore({ ingest: result });
    const writer = inlineWriter(store);
    const written = await Promise.all([
      writer.write(sent(1)),
      writer.write(sent(2, 3)),
      writer.write(sent(4)),
      writer.write(sent(5)),
    ]);
    expect(written.map((w) => [w.events, w.stored].map((l) => l.map((e) => e.eventId)))).toEqual([
      [[eventId(1)], [eventId(1)]],
      [[eventId(2), eventId(3)], [eventId(3)]],
      [[eventId(4)], []],
      [[eventId(5)], [eventId(5)]],
    ]);
    expect(written.every((w) => w.result === written[0]!.result)).toBe(true);
  });

  it("refuses a request with an event that is not one, storing none of its events, and commits the others'", async () => {
    const { store, calls } = recordingStore({ ingest: { newIssues: 0, opened: [] } });
    const writer = inlineWriter(store);
    const [bad, notJson, good] = await Promise.allSettled([
      writer.write(sent(1, '["an array"]')),
      writer.write({ ...sent('{"event_id": '), protocol: 'store' }),
      writer.write(sent(3)),
    ]);
    expect(bad).toMatchObject({
      status: 'rejected',
      reason: { message: 'invalid envelope: item 2 (event) payload must be a JSON object' },
    });
    expect((bad as PromiseRejectedResult).reason).toBeInstanceOf(EventError);
    expect(notJson).toMatchObject({
      status: 'rejected',
      reason: { message: expect.stringMatching(/^event is not JSON: /) },
    });
    expect(good.status).toBe('fulfilled');
    expect(calls.map((c) => (c.args[0] as TrackedEvent[]).map((e) => e.eventId))).toEqual([
      [eventId(3)],
    ]);
  });
});

describe('worker writer', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'beacon-writer-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('has every event committed, seen by another connection, when its write resolves', async () => {
    const file = join(dir, 'tracker.db');
    openSqlite(file).close(); // the schema
    const writer = workerWriter(file);
    const reader = openSqlite(file);
    try {
      const writes = Array.from({ length: 50 }, (_, i) => writer.write(sent(i + 1)));
      for (const [i, w] of writes.entries()) {
        expect((await w).events.map((e) => e.eventId)).toEqual([eventId(i + 1)]);
        expect(reader.storedEventIds([eventId(i + 1)]).size).toBe(1);
      }
      await writer.writeTraces(
        1,
        [
          {
            traceId: 'a'.repeat(32),
            spanId: 'b'.repeat(16),
            name: 'GET /',
            service: 'api',
            start: 1_700_000_000_000,
            end: 1_700_000_000_250,
            status: 'ok',
            correlationId: 'req-1',
            attributes: {},
          },
        ],
        [],
      );
      expect(reader.getSession('req-1')?.operations).toBe(1);
      expect(await writer.deleteEventsBefore(Date.now() + 86_400_000, 20)).toBe(20);
    } finally {
      await writer.close();
      reader.close();
    }
  });

  it('and a status change on another connection wait for each other rather than fail', async () => {
    // Each transaction reads before it writes. Begun deferred, one that found the other's commit
    // newer than what it read failed at once with SQLITE_BUSY, the busy timeout notwithstanding:
    // a PATCH answered 500, and a group commit's events were refused.
    const file = join(dir, 'tracker.db');
    openSqlite(file).close();
    const writer = workerWriter(file);
    const rest = openSqlite(file);
    try {
      await writer.write(sent(1)); // issue 1
      let stop = false;
      let written = 0;
      const failures: string[] = [];
      const ingest = (async () => {
        for (let n = 2; !stop; n++) {
          await writer.write(sent(n)).then(
            () => written++,
            (err: Error) => failures.push(err.message),
          );
        }
      })();
      let changes = 0;
      // Until both have done enough to have overlapped many times (a busy machine gives either
      // fewer turns a second), for at least 1.5 s and at most 20.
      const start = Date.now();
      const enough = () =>
        Date.now() - start > 1_500 &&
        ((written > 20 && changes > 100) || Date.now() - start > 20_000);
      while (!enough()) {
        try {
          rest.setStatus([1], changes % 2 ? 'investigating' : 'open', Date.now());
          changes++;
        } catch (err) {
          failures.push((err as { code?: string }).code ?? String(err));
        }
        await new Promise((r) => setTimeout(r, 1));
      }
      stop = true;
      await ingest;
      expect(failures).toEqual([]);
      expect(written).toBeGreaterThan(20);
      expect(changes).toBeGreaterThan(100);
    } finally {
      await writer.close();
      rest.close();
    }
  });

  it('refuses a request whose event is not one, as an EventError, and commits the rest', async () => {
    const file = join(dir, 'tracker.db');
    openSqlite(file).close();
    const writer = workerWriter(file);
    const reader = openSqlite(file);
    try {
      const [bad, good] = await Promise.allSettled([
        writer.write(sent(1, JSON.stringify({ event_id: 'not hex' }))),
        writer.write(sent(2)),
      ]);
      expect((bad as PromiseRejectedResult).reason).toBeInstanceOf(EventError);
      expect((bad as PromiseRejectedResult).reason.message).toBe(
        'event_id "not hex" is not 32 hex digits',
      );
      expect(good.status).toBe('fulfilled');
      expect(reader.storedEventIds([eventId(1), eventId(2)])).toEqual(new Set([eventId(2)]));
    } finally {
      await writer.close();
      reader.close();
    }
  });

  it('says why once its thread has died, fails every write after, and tells the caller once', async () => {
    // The thread opens its own connection; here it cannot, so it dies as it starts.
    const heard: Error[] = [];
    const writer = workerWriter(join(dir, 'no such directory', 'tracker.db'), (e) => heard.push(e));
    try {
      await whenFailed(writer);
      expect(writer.failure()?.message).toMatch(
        /^the store writer thread failed: .*directory does not exist/,
      );
      await expect(writer.write(sent(1))).rejects.toBe(writer.failure());
      await expect(writer.deleteEventsBefore(0, 10)).rejects.toBe(writer.failure());
      expect(heard).toEqual([writer.failure()]);
    } finally {
      await writer.close();
    }
  });

  it('reports no failure for the end of its thread that close() asked for', async () => {
    const file = join(dir, 'tracker.db');
    openSqlite(file).close();
    const heard: Error[] = [];
    const writer = workerWriter(file, (e) => heard.push(e));
    await writer.write(sent(1));
    await writer.close();
    expect(writer.failure()).toBeUndefined();
    expect(heard).toEqual([]);
  });

  it('rejects the writes of a batch the store refuses, naming the cause', async () => {
    const file = join(dir, 'tracker.db');
    openSqlite(file).close();
    // Another connection makes SQLite abort the transaction that inserts event 1.
    const db = new Database(file);
    db.exec(`CREATE TRIGGER refuse BEFORE INSERT ON events WHEN NEW.id = '${eventId(1)}'
             BEGIN SELECT RAISE(ABORT, 'refused by the test'); END`);
    db.close();
    const writer = workerWriter(file);
    try {
      await expect(writer.write(sent(1))).rejects.toThrow(
        /^store write failed: refused by the test$/,
      );
      const facts = [
        { eventId: eventId(2), service: 'api', severity: 'error', type: 'application' },
      ];
      await expect(writer.write(sent(2))).resolves.toEqual({
        events: facts,
        stored: facts,
        result: { newIssues: 1, opened: [{ projectId: 1, service: 'api', severity: 'error' }] },
      });
    } finally {
      await writer.close();
    }
  });
});
