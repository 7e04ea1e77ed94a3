// A large trace batch written in steps (trace-steps.ts): the calls it makes, what it leaves in
// the store (the same as one transaction), and Sentry commits going between its steps.
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MemorySnapshot, Operation } from '../ingest/otlp';
import type { SentEvents } from '../ingest/sent-events';
import type { TraceLink } from './repository';
import { openSqlite } from './sqlite';
import { linksOf, TRACE_STEP, writeTraceSteps, type TraceCalls } from './trace-steps';
import { workerWriter } from './writer';

const T0 = Date.UTC(2026, 11, 4, 12);
const trace = (n: number) => n.toString(16).padStart(32, 'a');
const op = (n: number, t: number, end: number, correlationId?: string): Operation => ({
  traceId: trace(t),
  spanId: n.toString(16).padStart(16, 'b'),
  name: `op ${n}`,
  service: `svc-${n % 2}`,
  start: end - 10,
  end,
  status: n % 5 === 0 ? 'error' : 'ok',
  ...(correlationId !== undefined ? { correlationId } : {}),
  attributes: { n },
});
const snapshot = (t: number, time: number, correlationId?: string, seq = 0): MemorySnapshot => ({
  traceId: trace(t),
  spanId: 'c'.repeat(16),
  seq,
  service: 'svc-0',
  ...(correlationId !== undefined ? { correlationId } : {}),
  time,
  rss: time - T0,
});

/** TraceCalls that record what they were asked, in order. */
function recording() {
  const calls: (['write', number[], number[]] | ['link', TraceLink[]])[] = [];
  const spanNumber = (o: Operation) => Number(o.name.slice('op '.length));
  const sink: TraceCalls = {
    write: async (o, m) => {
      calls.push(['write', o.map(spanNumber), m.map((s) => s.rss!)]);
      return [];
    },
    link: async (links) => void calls.push(['link', [...links]]),
  };
  return { sink, calls };
}

describe('linksOf', () => {
  it('names each trace and correlation id once, first named first, at its latest record', () => {
    const links = linksOf(
      [op(1, 1, T0 + 30, 'a'), op(2, 2, T0 + 10), op(3, 1, T0 + 90, 'a'), op(4, 1, T0 + 5, 'b')],
      [snapshot(3, T0 + 7, 'c'), snapshot(1, T0 + 200, 'a')],
    );
    expect(links).toEqual([
      { traceId: trace(1), correlationId: 'a', time: T0 + 200 },
      { traceId: trace(1), correlationId: 'b', time: T0 + 5 },
      { traceId: trace(3), correlationId: 'c', time: T0 + 7 },
    ]);
  });

  it('keeps apart pairs whose ids run together into the same text', () => {
    const a = { ...op(1, 1, T0), traceId: 'ab', correlationId: 'c' };
    const b = { ...op(2, 1, T0), traceId: 'a', correlationId: 'bc' };
    expect(linksOf([a, b], []).map((l) => [l.traceId, l.correlationId])).toEqual([
      ['ab', 'c'],
      ['a', 'bc'],
    ]);
  });
});

describe('writeTraceSteps', () => {
  it('writes a batch of at most a step in one call, without links of its own', async () => {
    const { sink, calls } = recording();
    await writeTraceSteps(sink, [op(1, 1, T0, 'a'), op(2, 1, T0)], [snapshot(1, T0 + 1)], 3);
    expect(calls).toEqual([['write', [1, 2], [1]]]);
  });

  it('writes a larger one as its links, then its operations and its snapshots a step a call', async () => {
    const { sink, calls } = recording();
    const ops = [1, 2, 3, 4, 5].map((n) => op(n, n % 2, T0 + n, n === 4 ? 'x' : undefined));
    await writeTraceSteps(sink, ops, [snapshot(1, T0 + 6), snapshot(2, T0 + 7, 'y')], 2);
    expect(calls).toEqual([
      [
        'link',
        [
          { traceId: trace(0), correlationId: 'x', time: T0 + 4 },
          { traceId: trace(2), correlationId: 'y', time: T0 + 7 },
        ],
      ],
      ['write', [1, 2], []],
      ['write', [3, 4], []],
      ['write', [5], []],
      ['write', [], [6, 7]],
    ]);
  });

  it("answers which of the batch's operations were there already, by their place in it", async () => {
    const { sink } = recording();
    // Each step's second operation was there already.
    const repeating: TraceCalls = {
      ...sink,
      write: async (o, m) => (await sink.write(o, m), o.length > 1 ? [1] : []),
    };
    const ops = [1, 2, 3, 4, 5].map((n) => op(n, 1, T0 + n));
    expect(await writeTraceSteps(repeating, ops, [], 2)).toEqual([1, 3]);
    expect(await writeTraceSteps(repeating, ops.slice(0, 2), [], 2)).toEqual([1]);
  });

  it('stops at a step that fails, and says why', async () => {
    const { sink, calls } = recording();
    let writes = 0;
    const failing: TraceCalls = {
      ...sink,
      write: async (o, m) => {
        if (++writes === 2) throw new Error('disk full');
        return sink.write(o, m);
      },
    };
    const ops = [1, 2, 3, 4, 5].map((n) => op(n, 1, T0 + n));
    await expect(writeTraceSteps(failing, ops, [], 2)).rejects.toThrow('disk full');
    expect(calls).toEqual([['write', [1, 2], []]]);
  });
});

describe('a batch written in steps, in the store', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'beacon-trace-steps-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  /** Every row a trace write can leave, in a fixed order (session row ids aside). */
  const dump = (file: string) => {
    const db = new Database(file, { readonly: true });
    try {
      return {
        operations: db.prepare('SELECT * FROM operations ORDER BY trace_id, span_id').all(),
        memory: db.prepare('SELECT * FROM memory_snapshots ORDER BY trace_id, time, seq').all(),
        links: db.prepare('SELECT * FROM trace_links ORDER BY trace_id').all(),
        sessions: db
          .prepare(
            'SELECT id, project_id, start, end, services, errors, alias_of FROM sessions ORDER BY id',
          )
          .all(),
      };
    } finally {
      db.close();
    }
  };

  // Few traces and correlation ids, so records of one trace name several, some none, and span
  // ids repeat (a later copy replaces the earlier). Two correlation ids are traces' ids: a trace
  // may be claimed by another's id, and the two may claim each other (a cycle of links).
  const record = fc.record({
    span: fc.integer({ min: 1, max: 12 }),
    trace: fc.integer({ min: 1, max: 4 }),
    at: fc.integer({ min: 0, max: 4 * 3_600_000 }),
    correlation: fc.option(fc.constantFrom('a', 'b', 'c', trace(2), trace(1)), { nil: undefined }),
    memory: fc.boolean(),
  });
  const batch = fc.array(record, { maxLength: 14 }).map((records) => ({
    operations: records
      .filter((r) => !r.memory)
      .map((r) => op(r.span, r.trace, T0 + r.at, r.correlation)),
    memory: records
      .filter((r) => r.memory)
      .map((r, i) => snapshot(r.trace, T0 + r.at, r.correlation, i)),
  }));

  type Batch = { operations: Operation[]; memory: MemorySnapshot[] };
  let run = 0;
  /** The stores `sent` leaves after `before`, written whole and in steps of two records. */
  const both = async (before: Batch, sent: Batch) => {
    const files = ['whole', 'steps'].map((n) => join(dir, `${n}-${++run}.db`));
    const [whole, steps] = files.map((f) => openSqlite(f));
    for (const repo of [whole!, steps!]) repo.ingestTraces(1, before.operations, before.memory);
    const wholeRepeated = whole!.ingestTraces(1, sent.operations, sent.memory);
    const stepsRepeated = await writeTraceSteps(
      {
        write: async (o, m) => steps!.ingestTraces(1, o, m),
        link: async (links) => steps!.linkTraces(1, links),
      },
      sent.operations,
      sent.memory,
      2,
    );
    whole!.close();
    steps!.close();
    return {
      whole: { ...dump(files[0]!), repeated: wholeRepeated },
      steps: { ...dump(files[1]!), repeated: stepsRepeated },
    };
  };

  it('leaves every row one transaction leaves, after any batch before it, and answers as it does', async () => {
    await fc.assert(
      fc.asyncProperty(batch, batch, async (before, sent) => {
        const { whole, steps } = await both(before, sent);
        // Rows, and which of the batch's operations were there already.
        expect(steps).toEqual(whole);
      }),
      { numRuns: 150 },
    );
  });

  it('merges on the session of a correlation id that is a trace another claims, whole or in steps', async () => {
    // What the property once found (seed -3279722): trace 1's session is merged into the one of
    // the correlation id `trace(2)`, which is also the id of trace 2, linked to `c`: a session of
    // its own (what names it, and trace 1), beside c's (trace 2).
    const { whole, steps } = await both(
      { operations: [op(1, 1, T0)], memory: [] },
      {
        operations: [op(1, 2, T0, 'c'), op(1, 1, T0, trace(2)), op(1, 2, T0 + 1, 'c')],
        memory: [],
      },
    );
    expect(steps).toEqual(whole);
    const aliases = (d: typeof whole) =>
      (d.sessions as { id: string; alias_of: string | null }[]).map((r) => [r.id, r.alias_of]);
    expect(aliases(whole)).toEqual([
      [trace(1), trace(2)],
      [trace(2), null],
      ['c', null],
    ]);
  });

  it('commits Sentry events sent while a large batch is written before the batch is done', async () => {
    const writer = workerWriter(join(dir, 'tracker.db'));
    try {
      const spans = Array.from({ length: 4 * TRACE_STEP }, (_, n) => op(n, n % 7, T0 + n));
      const order: string[] = [];
      const traces = writer.writeTraces(1, spans, []).then(() => order.push('spans'));
      const sent: SentEvents = {
        projectId: 1,
        scrub: { enabled: true },
        receivedAt: T0,
        protocol: 'envelope',
        items: [
          { text: JSON.stringify({ event_id: 'e'.repeat(32), message: 'meanwhile' }), index: 1 },
        ],
      };
      const events = writer.write(sent).then(() => order.push('event'));
      await Promise.all([traces, events]);
      // One transaction of every span, asked for first, was committed first.
      expect(order).toEqual(['event', 'spans']);
    } finally {
      await writer.close();
    }
  });
});
