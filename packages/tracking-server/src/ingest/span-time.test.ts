import type { Operation, TraceBatch } from './otlp';
import { withSpansByArrival } from './span-time';

const ARRIVAL = Date.UTC(2026, 11, 2, 1, 0, 0);
const op = (spanId: string, start: number, end: number): Operation => ({
  traceId: 'aa'.repeat(16),
  spanId,
  name: spanId,
  service: 'checkout',
  start,
  end,
  status: 'unset',
  attributes: {},
});

describe('spans dated ahead of their arrival', () => {
  it('moves a span that ends over a minute ahead back to end at arrival, with its snapshots', () => {
    const ahead = Date.UTC(2035, 0, 1); // a clock years fast
    const batch: TraceBatch = {
      operations: [
        op('future', ahead - 2_000, ahead),
        op('slightly', ARRIVAL - 1_000, ARRIVAL + 30_000), // within the minute allowed
        op('past', ARRIVAL - 5_000, ARRIVAL - 4_000),
      ],
      memory: [
        {
          traceId: 'aa'.repeat(16),
          spanId: 'future',
          seq: 0,
          service: 'checkout',
          time: ahead - 500,
        },
        {
          traceId: 'aa'.repeat(16),
          spanId: 'past',
          seq: 0,
          service: 'checkout',
          time: ARRIVAL - 4_500,
        },
      ],
      rejectedSpans: 0,
    };
    const moved = withSpansByArrival(batch, ARRIVAL);
    expect(moved.operations.map((o) => [o.spanId, o.start, o.end])).toEqual([
      ['future', ARRIVAL - 2_000, ARRIVAL],
      ['slightly', ARRIVAL - 1_000, ARRIVAL + 30_000],
      ['past', ARRIVAL - 5_000, ARRIVAL - 4_000],
    ]);
    expect(moved.memory.map((m) => [m.spanId, m.time])).toEqual([
      ['future', ARRIVAL - 500],
      ['past', ARRIVAL - 4_500],
    ]);
  });

  it('dates a snapshot still over a minute ahead by its arrival: its span not ahead, or it past its span', () => {
    const ahead = Date.UTC(2027, 11, 2); // a year ahead
    const batch: TraceBatch = {
      operations: [
        op('now', ARRIVAL - 2_000, ARRIVAL - 1_000),
        op('future', ARRIVAL + 118_000, ARRIVAL + 120_000), // moved back 120 s
      ],
      memory: [
        { traceId: 'aa'.repeat(16), spanId: 'now', seq: 0, service: 'checkout', time: ahead },
        {
          traceId: 'aa'.repeat(16),
          spanId: 'now',
          seq: 1,
          service: 'checkout',
          time: ARRIVAL + 59_000,
        },
        // 125 s past its span's end: still 65 s ahead once moved back with it.
        {
          traceId: 'aa'.repeat(16),
          spanId: 'future',
          seq: 0,
          service: 'checkout',
          time: ARRIVAL + 245_000,
        },
        {
          traceId: 'aa'.repeat(16),
          spanId: 'future',
          seq: 1,
          service: 'checkout',
          time: ARRIVAL + 119_000,
        },
      ],
      rejectedSpans: 0,
    };
    const moved = withSpansByArrival(batch, ARRIVAL);
    expect(moved.operations.map((o) => [o.spanId, o.start, o.end])).toEqual([
      ['now', ARRIVAL - 2_000, ARRIVAL - 1_000],
      ['future', ARRIVAL - 2_000, ARRIVAL],
    ]);
    expect(moved.memory.map((m) => [m.spanId, m.time])).toEqual([
      ['now', ARRIVAL],
      ['now', ARRIVAL + 59_000],
      ['future', ARRIVAL],
      ['future', ARRIVAL - 1_000],
    ]);
  });

  it('leaves a batch with no span ahead as it is', () => {
    const batch: TraceBatch = {
      operations: [op('now', ARRIVAL - 10, ARRIVAL + 60_000)],
      memory: [],
      rejectedSpans: 0,
    };
    expect(withSpansByArrival(batch, ARRIVAL)).toBe(batch);
  });
});
