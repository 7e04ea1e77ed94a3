// Transactions dated as Relay dates them (relay-event-normalization validation.rs, validate_event):
// normalize_timestamps moves one whose end is over 60 s ahead of its arrival or over 30 days
// before it to end at its arrival, spans and all; validate_timestamps then drops one that does not
// end in transaction_timestamp_range, whole seconds from 5 days back to 60 s ahead, excluded
// (relay-metrics AggregatorConfig defaults, relay-config's timestamp_range).
import { inTransactionRange, transactionOperations } from './transaction';

const DAY = 86_400_000;
const ARRIVAL = Date.UTC(2026, 11, 2, 1, 0, 0); // a whole second
const tx = (end: number, spans: unknown[] = []) => ({
  type: 'transaction',
  transaction: 'GET /cart',
  start_timestamp: (end - 3_000) / 1000,
  timestamp: end / 1000,
  contexts: { trace: { trace_id: 'ab'.repeat(16), span_id: 'cd'.repeat(8), op: 'http.server' } },
  spans,
});
const times = (end: number, spans: unknown[] = []) =>
  transactionOperations(tx(end, spans), ARRIVAL).map((o) => [o.spanId, o.start, o.end]);

describe('a transaction’s time, as Relay takes it', () => {
  it('keeps one that ends 5 days back to the second, drops one a millisecond older, up to 30 days', () => {
    // Not over max_secs_in_past (30 days), so not moved; out of the range's 5 days, so dropped.
    expect(times(ARRIVAL - 5 * DAY)).toEqual([
      ['cd'.repeat(8), ARRIVAL - 5 * DAY - 3_000, ARRIVAL - 5 * DAY],
    ]);
    expect(times(ARRIVAL - 5 * DAY - 1)).toEqual([]);
    expect(times(ARRIVAL - 6 * DAY)).toEqual([]);
    expect(times(ARRIVAL - 30 * DAY)).toEqual([]);
  });

  it('keeps one that ends in the minute ahead, drops one that ends in its 60th second', () => {
    expect(times(ARRIVAL + 59_999)).toEqual([['cd'.repeat(8), ARRIVAL + 56_999, ARRIVAL + 59_999]]);
    // Not over max_secs_in_future (60 s), so not moved; its second is the range's end, excluded.
    expect(times(ARRIVAL + 60_000)).toEqual([]);
  });

  it('moves one that ends over a minute ahead, or over 30 days back, to end at its arrival, spans too', () => {
    const span = (end: number) => ({
      span_id: 'ef'.repeat(8),
      start_timestamp: (end - 2_000) / 1000,
      timestamp: (end - 1_000) / 1000,
    });
    for (const end of [ARRIVAL + 60_001, Date.UTC(2035, 0, 1), ARRIVAL - 30 * DAY - 1])
      expect(times(end, [span(end)])).toEqual([
        ['cd'.repeat(8), ARRIVAL - 3_000, ARRIVAL],
        ['ef'.repeat(8), ARRIVAL - 2_000, ARRIVAL - 1_000],
      ]);
  });

  it('checks the range in whole seconds: an end’s millisecond does not count', () => {
    const arrival = ARRIVAL + 500; // mid-second
    expect(inTransactionRange(ARRIVAL - 5 * DAY, arrival)).toBe(true);
    expect(inTransactionRange(ARRIVAL - 5 * DAY - 1, arrival)).toBe(false);
    expect(inTransactionRange(ARRIVAL + 59_999, arrival)).toBe(true);
    expect(inTransactionRange(ARRIVAL + 60_000, arrival)).toBe(false);
  });
});

describe('a transaction Relay finds invalid (validate_timestamps, validate_span, end_all_spans)', () => {
  const END = ARRIVAL - 60_000;
  const ops = (sent: Record<string, unknown>) => transactionOperations(sent, ARRIVAL);

  it('drops one that ends before it starts', () => {
    expect(ops({ ...tx(END), start_timestamp: END / 1000 + 1 })).toEqual([]);
  });

  it('drops the whole transaction for a span that ends before it starts', () => {
    const span = {
      span_id: 'ef'.repeat(8),
      start_timestamp: END / 1000 - 1,
      timestamp: END / 1000 - 2,
    };
    expect(ops(tx(END, [span]))).toEqual([]);
  });

  it('ends an unfinished span with its transaction, as an error (deadline_exceeded)', () => {
    const span = { span_id: 'ef'.repeat(8), start_timestamp: END / 1000 - 2, status: 'ok' };
    expect(ops(tx(END, [span])).map((o) => [o.spanId, o.start, o.end, o.status])).toEqual([
      ['cd'.repeat(8), END - 3_000, END, 'unset'],
      ['ef'.repeat(8), END - 2_000, END, 'error'],
    ]);
  });
});
