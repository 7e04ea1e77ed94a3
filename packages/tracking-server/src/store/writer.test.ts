import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readEvent, type TrackedEvent } from '../ingest/event';
import { createScrubber } from '../scrub/scrub';
import { GroupCommit } from './group-commit';
import { openSqlite } from './sqlite';
import { inlineWriter, workerWriter, type WriteCalls } from './writer';

jest.setTimeout(30_000);

const scrub = createScrubber({ enabled: true });
const event = (n: number, extra: Record<string, unknown> = {}): TrackedEvent =>
  readEvent(
    { event_id: n.toString(16).padStart(32, '0'), message: `writer test ${n % 3}`, ...extra },
    1,
    scrub,
    1_700_000_000_000,
  );

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
      return `batch ${batches.length}`;
    });
    const first = [commit.submit(1), commit.submit(2), commit.submit(3)];
    await new Promise((r) => setImmediate(r)); // the first batch is being written
    const second = [commit.submit(4), commit.submit(5)];
    expect(await Promise.all([...first, ...second])).toEqual([
      'batch 1',
      'batch 1',
      'batch 1',
      'batch 2',
      'batch 2',
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
      return items.length;
    });
    const failed = [commit.submit(1), commit.submit(2)].map((p) => p.catch((e: Error) => e));
    await commit.drain();
    expect((await Promise.all(failed)).map((e) => (e as Error).message)).toEqual([
      'disk full',
      'disk full',
    ]);
    await expect(commit.submit(3)).resolves.toBe(1);
  });
});

describe('inline writer', () => {
  it('shares one ingest call between concurrent writes', async () => {
    const { store, calls } = recordingStore({ ingest: { newIssues: 1, opened: [] } });
    const writer = inlineWriter(store);
    const results = await Promise.all([
      writer.write([event(1)]),
      writer.write([event(2), event(3)]),
    ]);
    expect(results).toEqual([
      { newIssues: 1, opened: [] },
      { newIssues: 1, opened: [] },
    ]);
    expect(calls.map((c) => [c.call, (c.args[0] as TrackedEvent[]).map((e) => e.eventId)])).toEqual(
      [['ingest', [event(1).eventId, event(2).eventId, event(3).eventId]]],
    );
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
      const writes = Array.from({ length: 50 }, (_, i) => writer.write([event(i + 1)]));
      for (const [i, w] of writes.entries()) {
        await w;
        expect(reader.hasEvent(event(i + 1).eventId)).toBe(true);
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

  it('rejects the writes of a batch the store refuses, naming the cause', async () => {
    const file = join(dir, 'tracker.db');
    openSqlite(file).close();
    const writer = workerWriter(file);
    try {
      // SQLite cannot bind an object as a value: the batch's transaction fails.
      const bad = { ...event(1), timestamp: {} as unknown as number };
      await expect(writer.write([bad])).rejects.toThrow(/^store write failed: /);
      await expect(writer.write([event(2)])).resolves.toEqual({
        newIssues: 1,
        opened: [{ projectId: 1, service: 'unknown', severity: 'error' }],
      });
    } finally {
      await writer.close();
    }
  });
});
