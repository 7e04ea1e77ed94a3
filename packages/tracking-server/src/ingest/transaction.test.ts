// Transactions dated as Relay dates them (relay-event-normalization validation.rs, validate_event):
// normalize_timestamps moves one whose end is over 60 s ahead of its arrival or over 30 days
// before it to end at its arrival, spans and all; validate_timestamps then drops one that does not
// end in transaction_timestamp_range, whole seconds from 5 days back to 60 s ahead, excluded
// (relay-metrics AggregatorConfig defaults, relay-config's timestamp_range).
import { spawnSync } from 'node:child_process';
import type { Operation } from './otlp';
import { inTransactionRange, readTransaction, type TransactionRead } from './transaction';

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
/** The operations read, or why the transaction was dropped. */
const operationsOr = <T>(read: TransactionRead, f: (o: Operation) => T) =>
  'dropped' in read ? read.dropped : read.operations.map(f);
const times = (end: number, spans: unknown[] = []) =>
  operationsOr(readTransaction(tx(end, spans), ARRIVAL), (o) => [o.spanId, o.start, o.end]);

describe('a transaction’s time, as Relay takes it', () => {
  it('keeps one that ends 5 days back to the second, drops one a millisecond older, up to 30 days', () => {
    // Not over max_secs_in_past (30 days), so not moved; out of the range's 5 days, so dropped.
    expect(times(ARRIVAL - 5 * DAY)).toEqual([
      ['cd'.repeat(8), ARRIVAL - 5 * DAY - 3_000, ARRIVAL - 5 * DAY],
    ]);
    expect(times(ARRIVAL - 5 * DAY - 1)).toBe('timestamp');
    expect(times(ARRIVAL - 6 * DAY)).toBe('timestamp');
    expect(times(ARRIVAL - 30 * DAY)).toBe('timestamp');
  });

  it('keeps one that ends in the minute ahead, drops one that ends in its 60th second', () => {
    expect(times(ARRIVAL + 59_999)).toEqual([['cd'.repeat(8), ARRIVAL + 56_999, ARRIVAL + 59_999]]);
    // Not over max_secs_in_future (60 s), so not moved; its second is the range's end, excluded.
    expect(times(ARRIVAL + 60_000)).toBe('timestamp');
  });

  it('moves one that ends over a minute ahead, or over 30 days back, to end at its arrival, spans too', () => {
    const span = (end: number) => ({
      trace_id: 'ab'.repeat(16),
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

  it('moves a span that ends over a minute ahead of its arrival back to end then, its length kept', () => {
    // The transaction is in range; one of its spans ends a year on, which held its session at
    // the head of the list (and past retention) for that year.
    const late = {
      trace_id: 'ab'.repeat(16),
      span_id: 'ef'.repeat(8),
      start_timestamp: (ARRIVAL - 2_000) / 1000,
      timestamp: (ARRIVAL + 365 * DAY) / 1000,
    };
    const inMinute = { ...late, span_id: '12'.repeat(8), timestamp: (ARRIVAL + 30_000) / 1000 };
    expect(times(ARRIVAL, [late, inMinute])).toEqual([
      ['cd'.repeat(8), ARRIVAL - 3_000, ARRIVAL],
      ['ef'.repeat(8), ARRIVAL - 2_000 - 365 * DAY, ARRIVAL],
      ['12'.repeat(8), ARRIVAL - 2_000, ARRIVAL + 30_000],
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
  /** The operations as [span id, start, end, status], or why the transaction was dropped. */
  const ops = (sent: Record<string, unknown>) =>
    operationsOr(readTransaction(sent, ARRIVAL), (o) => [o.spanId, o.start, o.end, o.status]);
  /** A valid span sent unfinished (no end). */
  const SPAN = {
    trace_id: 'ab'.repeat(16),
    span_id: 'ef'.repeat(8),
    start_timestamp: END / 1000 - 2,
  };

  it('drops one that ends before it starts', () => {
    expect(ops({ ...tx(END), start_timestamp: END / 1000 + 1 })).toBe('invalid_transaction');
  });

  it('drops the whole transaction for a span that ends before it starts', () => {
    const span = {
      span_id: 'ef'.repeat(8),
      start_timestamp: END / 1000 - 1,
      timestamp: END / 1000 - 2,
    };
    expect(ops(tx(END, [span]))).toBe('invalid_transaction');
  });

  it('ends an unfinished span with its transaction, as an error (deadline_exceeded)', () => {
    const span = { ...SPAN, status: 'ok' };
    expect(ops(tx(END, [span]))).toEqual([
      ['cd'.repeat(8), END - 3_000, END, 'unset'],
      ['ef'.repeat(8), END - 2_000, END, 'error'],
    ]);
  });

  it('ends a span whose end cannot be read with its transaction too, as Relay reads it as none', () => {
    for (const timestamp of ['yesterday', true, {}])
      expect(ops(tx(END, [{ ...SPAN, timestamp }]))).toEqual([
        ['cd'.repeat(8), END - 3_000, END, 'unset'],
        ['ef'.repeat(8), END - 2_000, END, 'error'],
      ]);
  });

  // validate_span: "span is missing start_timestamp", "… trace_id", "… span_id"; validate_spans:
  // "spans must be valid in transaction event". A value Relay cannot read is missing.
  it.each([
    ['no start', { start_timestamp: undefined }],
    ['a start that is no time', { start_timestamp: 'soon' }],
    ['no trace id', { trace_id: undefined }],
    ['a trace id that is not hex', { trace_id: 'z'.repeat(32) }],
    ['no span id', { span_id: null }],
    ['a span id of the wrong length', { span_id: 'ef'.repeat(4) }],
  ])('drops the whole transaction, not only the span, for a span with %s', (_what, change) => {
    const good = { ...SPAN, span_id: '12'.repeat(8), timestamp: END / 1000 - 1 };
    expect(ops(tx(END, [good, { ...SPAN, ...change }]))).toBe('invalid_transaction');
  });

  it('drops the whole transaction for a span that is no object', () => {
    for (const bad of [null, 'span', 7, [SPAN]])
      expect(ops(tx(END, [SPAN, bad]))).toBe('invalid_transaction');
  });
});

describe('a transaction’s statuses, correlation ids and times as SDKs send them', () => {
  const END = ARRIVAL - 60_000;
  const span = (more: Record<string, unknown>) => ({
    trace_id: 'ab'.repeat(16),
    span_id: 'ef'.repeat(8),
    start_timestamp: END / 1000 - 2,
    timestamp: END / 1000 - 1,
    ...more,
  });
  const read = (sent: Record<string, unknown>) => {
    const r = readTransaction(sent, ARRIVAL);
    if ('dropped' in r) throw new Error(`dropped: ${r.dropped}`);
    return r.operations;
  };

  // Relay's SpanStatus (relay-base-schema spans.rs FromStr/FromValue) reads these names, the older
  // `success`/`failure`/`unknown_error`, and gRPC codes 0-16; anything else is no status. Relay's
  // span v2 status is an error for all but ok (relay-spans v1_to_v2.rs); Sentry's failure rate
  // leaves cancelled out (search/events/constants.py NON_FAILURE_STATUS).
  it.each([
    ['ok', 'ok', undefined],
    ['success', 'ok', undefined],
    ['cancelled', 'unset', 'cancelled'],
    ['unknown', 'error', 'unknown'],
    ['unknown_error', 'error', 'unknown'],
    ['internal_error', 'error', 'internal_error'],
    ['failure', 'error', 'internal_error'],
    ['deadline_exceeded', 'error', 'deadline_exceeded'],
    ['not_found', 'error', 'not_found'],
    ['resource_exhausted', 'error', 'resource_exhausted'],
    [0, 'ok', undefined],
    [1, 'unset', 'cancelled'],
    [13, 'error', 'internal_error'],
    [16, 'error', 'unauthenticated'],
    [17, 'unset', undefined],
    ['500', 'unset', undefined],
    ['Internal Error', 'unset', undefined],
    [undefined, 'unset', undefined],
  ])('reads a status %p as %s (%p), on the transaction and on a span', (sent, want, message) => {
    const t = tx(END, [span({ status: sent })]);
    const ops = read({ ...t, contexts: { trace: { ...t.contexts.trace, status: sent } } });
    for (const o of ops) {
      expect(o.status).toBe(want);
      expect(o.statusMessage).toBe(message);
    }
  });

  it('takes a span’s own correlation_id tag or data over its transaction’s', () => {
    const ops = read({
      ...tx(END, [
        span({ span_id: '01'.repeat(8), tags: { correlation_id: 'req-span' } }),
        span({ span_id: '02'.repeat(8), data: { correlation_id: 4711 } }),
        span({ span_id: '03'.repeat(8), tags: { correlation_id: '' } }),
        span({ span_id: '04'.repeat(8) }),
        span({ span_id: '05'.repeat(8), data: { correlation_id: 1.5 } }),
        span({ span_id: '06'.repeat(8), data: { correlation_id: ['req-list'] } }),
      ]),
      tags: { correlation_id: 'req-tx' },
    });
    expect(ops.map((o) => [o.spanId, o.correlationId])).toEqual([
      ['cd'.repeat(8), 'req-tx'],
      ['01'.repeat(8), 'req-span'],
      ['02'.repeat(8), '4711'],
      ['03'.repeat(8), 'req-tx'],
      ['04'.repeat(8), 'req-tx'],
      ['05'.repeat(8), 'req-tx'],
      ['06'.repeat(8), 'req-tx'],
    ]);
  });

  it('reads a correlation_id in the trace context’s data (@sentry/node 8 setAttribute) when no tag has it', () => {
    const t = tx(END, [span({})]);
    const ops = read({
      ...t,
      contexts: { trace: { ...t.contexts.trace, data: { correlation_id: 'req-root' } } },
    });
    expect(ops.map((o) => o.correlationId)).toEqual(['req-root', 'req-root']);
  });

  it('keeps the fraction of a millisecond that RFC 3339 text gives, as a number keeps it', () => {
    const ops = read({
      ...tx(END, [
        // sentry-python: microseconds, Z; sentry-go: nanoseconds, in its local offset.
        span({
          start_timestamp: '2026-12-02T00:58:57.000100Z',
          timestamp: '2026-12-02T00:58:57.000500Z',
        }),
        span({
          span_id: '12'.repeat(8),
          start_timestamp: '2026-12-02T01:58:58.250000250+01:00',
          timestamp: '2026-12-02T01:58:58.251500750+01:00',
        }),
      ]),
      start_timestamp: '2026-12-02T00:58:57Z',
      timestamp: '2026-12-02T00:59:00.0005Z',
    });
    const [root, python, go] = ops as [Operation, Operation, Operation];
    expect(root.end - root.start).toBeCloseTo(3_000.5, 3);
    expect(python.start - (ARRIVAL - 63_000)).toBeCloseTo(0.1, 3);
    expect(python.end - python.start).toBeCloseTo(0.4, 3);
    expect(go.start - (ARRIVAL - 62_000)).toBeCloseTo(250.00025, 3);
    expect(go.end - go.start).toBeCloseTo(1.5005, 3);
  });

  it('reads RFC 3339 text that names no zone as UTC, whatever the server’s zone', () => {
    // In a process of its own: jest's process.env does not reach the zone Date.parse uses.
    const sent = {
      ...tx(END, [
        span({ start_timestamp: '2026-12-02T00:58:58', timestamp: '2026-12-02T00:58:59.25' }),
      ]),
      start_timestamp: '2026-12-02T00:58:57',
      timestamp: '2026-12-02T00:59:00.000000',
    };
    const out = spawnSync(
      process.execPath,
      [
        '-r',
        'ts-node/register/transpile-only',
        '-e',
        `const { readTransaction } = require(${JSON.stringify(require.resolve('./transaction'))});
         const r = readTransaction(${JSON.stringify(sent)}, ${ARRIVAL});
         process.stdout.write(JSON.stringify(r.operations.map((o) => [o.start, o.end])));`,
      ],
      { encoding: 'utf8', env: { ...process.env, TZ: 'America/New_York' }, timeout: 20_000 },
    );
    expect(out.stderr).toBe('');
    expect(JSON.parse(out.stdout)).toEqual([
      [ARRIVAL - 63_000, ARRIVAL - 60_000],
      [ARRIVAL - 62_000, ARRIVAL - 60_750],
    ]);
  });
});

// Relay's span v1 to v2 (relay-spans v1_to_v2.rs): `data` as attributes, nested ones as JSON
// text, `sentry.op` over them, then measurements' values and tags where the key is free.
describe('a transaction’s data, tags and measurements as its operations’ attributes', () => {
  const END = ARRIVAL - 60_000;
  const attributes = (sent: Record<string, unknown>) => {
    const r = readTransaction(sent, ARRIVAL);
    if ('dropped' in r) throw new Error(`dropped: ${r.dropped}`);
    return r.operations.map((o) => o.attributes);
  };

  it('keeps a span’s data and tags, and the transaction’s trace data, tags and measurements', () => {
    const t = tx(END, [
      {
        trace_id: 'ab'.repeat(16),
        span_id: 'ef'.repeat(8),
        op: 'db',
        start_timestamp: END / 1000 - 2,
        timestamp: END / 1000 - 1,
        data: {
          'db.system': 'postgresql',
          'db.rows': 3,
          cached: false,
          'db.params': [1, { a: 'b' }],
          'sentry.op': 'not this',
          gone: null,
        },
        tags: { 'db.system': 'mysql', region: 'eu' },
      },
    ]);
    expect(
      attributes({
        ...t,
        tags: { release_channel: 'beta' },
        measurements: { lcp: { value: 1200.5, unit: 'millisecond' }, bad: { value: 'x' } },
        contexts: { trace: { ...t.contexts.trace, data: { 'http.response.status_code': 502 } } },
      }),
    ).toEqual([
      {
        'http.response.status_code': 502,
        'sentry.op': 'http.server',
        lcp: 1200.5,
        release_channel: 'beta',
      },
      {
        'db.system': 'postgresql',
        'db.rows': 3,
        cached: false,
        'db.params': '[1,{"a":"b"}]',
        'sentry.op': 'db',
        region: 'eu',
      },
    ]);
  });

  it('keeps a data key `__proto__` as a key, and a value nested past any depth as text JSON can write', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 20_000; i++) deep = [deep];
    const data = JSON.parse('{"__proto__": "p", "x": 1}') as Record<string, unknown>;
    const t = tx(END);
    const [root] = attributes({
      ...t,
      contexts: { trace: { ...t.contexts.trace, op: deep, data: { ...data, deep } } },
    });
    expect(Object.getPrototypeOf(root)).toBe(Object.prototype);
    expect(Object.keys(root as object)).toEqual(['__proto__', 'x', 'deep', 'sentry.op']);
    expect((root as Record<string, unknown>).x).toBe(1);
    expect(() => JSON.stringify(root)).not.toThrow();
    expect(typeof (root as Record<string, unknown>)['sentry.op']).toBe('string');
  });
});

describe('a transaction’s measurements and service', () => {
  const END = ARRIVAL - 60_000;
  const read = (sent: Record<string, unknown>) => {
    const r = readTransaction(sent, ARRIVAL);
    if ('dropped' in r) throw new Error(`dropped: ${r.dropped}`);
    return r.operations;
  };

  // relay-spans v1_to_v2.rs: measurements go in with `insert_if_missing`, after `data`.
  it('adds a measurement only where its key is free: the trace data’s value stays', () => {
    const t = tx(END);
    const [root] = read({
      ...t,
      measurements: { ttfb: { value: 80, unit: 'millisecond' } },
      contexts: { trace: { ...t.contexts.trace, data: { ttfb: 'from data' } } },
    });
    expect(root?.attributes.ttfb).toBe('from data');
  });

  // README (SDK setup): the `service` tag names the service, else the event's server_name.
  it('names an operation by its op, else as a transaction or a span, when its name is empty', () => {
    // Kept empty, each was a blank row of the timeline.
    const span = (description: unknown, op: unknown, id: string) => ({
      trace_id: 'ab'.repeat(16),
      span_id: id.repeat(8),
      start_timestamp: END / 1000 - 2,
      timestamp: END / 1000 - 1,
      description,
      op,
    });
    const sent = tx(END, [
      span('', 'db.query', '01'),
      span('', '', '02'),
      span(undefined, null, '03'),
    ]);
    expect(read({ ...sent, transaction: '' }).map((o) => o.name)).toEqual([
      'http.server',
      'db.query',
      'span',
      'span',
    ]);
    const noOp = {
      ...sent,
      transaction: '',
      contexts: { trace: { ...sent.contexts.trace, op: '' } },
    };
    expect(read(noOp)[0]?.name).toBe('transaction');
  });

  it('reads a trace id written as a UUID with hyphens, as Relay’s TraceId does, in 32 digits', () => {
    // Not hex in 32 digits, it was no trace id: the transaction was dropped, answered 200.
    const uuid = '0AF76519-16CD-43DD-8448-EB211C80319C';
    const span = {
      trace_id: uuid,
      span_id: 'ef'.repeat(8),
      start_timestamp: END / 1000 - 2,
      timestamp: END / 1000 - 1,
    };
    const sent = tx(END, [span]);
    const ops = read({ ...sent, contexts: { trace: { ...sent.contexts.trace, trace_id: uuid } } });
    expect(ops.map((o) => o.traceId)).toEqual([
      '0af7651916cd43dd8448eb211c80319c',
      '0af7651916cd43dd8448eb211c80319c',
    ]);
  });

  it('names its operations’ service by the server_name when no service tag is set', () => {
    const span = {
      trace_id: 'ab'.repeat(16),
      span_id: 'ef'.repeat(8),
      start_timestamp: END / 1000 - 2,
      timestamp: END / 1000 - 1,
    };
    const ops = read({ ...tx(END, [span]), server_name: 'checkout-7f9c' });
    expect(ops.map((o) => o.service)).toEqual(['checkout-7f9c', 'checkout-7f9c']);
  });
});
