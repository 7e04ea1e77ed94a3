// Span v2 items (develop.sentry.dev, sdk/telemetry/spans/span-protocol): each span an operation,
// one Relay would refuse, or one ending out of its range, left out alone. Expected values written
// by hand from the protocol page and Relay's range (transaction.ts).
import fc from 'fast-check';
import { readSpanItem, readStandaloneSpan } from './span-items';

const NOW = Date.UTC(2026, 10, 22, 12);
const DAY = 86_400_000;
const T = NOW / 1000 - 60; // a minute before arrival, in seconds
const TRACE = '6cf173d587eb48568a9b2e12dcfbea52';
const none = () => undefined;

/** A span as @sentry/core 10 serializes one taken out of its transaction. */
const span = (over: Record<string, unknown> = {}) => ({
  trace_id: TRACE,
  span_id: 'f1196292f76e45c0',
  parent_span_id: '438f40bd3b4a41ee',
  name: 'chat gpt-4o',
  status: 'ok',
  is_segment: false,
  start_timestamp: T,
  end_timestamp: T + 0.25,
  attributes: {
    'sentry.op': { type: 'string', value: 'gen_ai.chat' },
    'gen_ai.usage.input_tokens': { type: 'integer', value: 812 },
    'gen_ai.request.temperature': { type: 'double', value: 0.2 },
    'gen_ai.request.stream': { type: 'boolean', value: false },
    'gen_ai.response.finish_reasons': { type: 'array', value: ['stop'] },
    'session.duration': { type: 'integer', value: 164, unit: 'second' },
  },
  ...over,
});

describe('readSpanItem', () => {
  it('reads each span as an operation, its attributes as their values', () => {
    expect(readSpanItem({ items: [span()] }, NOW, 0, () => 'ai-service')).toEqual({
      operations: [
        {
          traceId: TRACE,
          spanId: 'f1196292f76e45c0',
          parentSpanId: '438f40bd3b4a41ee',
          name: 'chat gpt-4o',
          service: 'ai-service',
          start: NOW - 60_000,
          end: NOW - 59_750,
          status: 'ok',
          attributes: {
            'sentry.op': 'gen_ai.chat',
            'gen_ai.usage.input_tokens': 812,
            'gen_ai.request.temperature': 0.2,
            'gen_ai.request.stream': false,
            'gen_ai.response.finish_reasons': ['stop'],
            'session.duration': 164,
          },
        },
      ],
      invalid: 0,
      outOfRange: 0,
    });
  });

  it('names its service by its own attribute first, then its trace’s, then unknown', () => {
    const service = (attributes: Record<string, unknown>, ofTrace?: string) =>
      readSpanItem({ items: [span({ attributes })] }, NOW, 0, () => ofTrace).operations[0]?.service;
    const text = (value: string) => ({ type: 'string', value });
    expect(service({ service: text('billing'), 'service.name': text('otel') }, 'tx')).toBe(
      'billing',
    );
    expect(service({ 'service.name': text('otel') }, 'tx')).toBe('otel');
    expect(service({ service: text('') }, 'tx')).toBe('tx');
    expect(service({})).toBe('unknown');
  });

  it('reads the status, the correlation id and a name from the op', () => {
    const [op] = readSpanItem(
      {
        items: [
          span({
            name: '',
            status: 'error',
            attributes: {
              'sentry.op': { type: 'string', value: 'gen_ai.embeddings' },
              correlation_id: { type: 'string', value: 'req-7' },
            },
          }),
        ],
      },
      NOW,
      0,
      none,
    ).operations;
    expect(op).toMatchObject({
      name: 'gen_ai.embeddings',
      status: 'error',
      correlationId: 'req-7',
    });
    const [unset] = readSpanItem(
      { items: [span({ status: 'cancelled' })] },
      NOW,
      0,
      none,
    ).operations;
    expect(unset?.status).toBe('unset');
  });

  it('leaves out alone each span Relay would refuse, keeping the others', () => {
    const read = readSpanItem(
      {
        items: [
          span({ span_id: 'a'.repeat(16) }),
          'not a span',
          span({ span_id: 'b'.repeat(16), trace_id: 'not hex' }),
          span({ span_id: 'xyz' }),
          span({ span_id: 'c'.repeat(16), end_timestamp: T - 1 }), // ends before it starts
          span({ span_id: 'd'.repeat(16), end_timestamp: undefined }),
          span({ span_id: 'e'.repeat(16), start_timestamp: '1742921669' }), // seconds as text
          span({ span_id: 'f'.repeat(16) }),
        ],
      },
      NOW,
      0,
      none,
    );
    expect(read.operations.map((o) => o.spanId)).toEqual(['a'.repeat(16), 'f'.repeat(16)]);
    expect([read.invalid, read.outOfRange]).toEqual([6, 0]);
  });

  it('leaves out alone each span that ends out of the last 5 days up to a minute ahead', () => {
    // Relay's validate_span with the transactions' range: `now - 5 days <= end < now + 60 s`, in
    // whole seconds (NOW is a whole second).
    const ending = (id: string, endMs: number) =>
      span({
        span_id: id.repeat(16),
        start_timestamp: endMs / 1000 - 1,
        end_timestamp: endMs / 1000,
      });
    const read = readSpanItem(
      {
        items: [
          ending('a', NOW - 40 * DAY), // 40 days ago
          ending('b', 2_000), // 1970
          ending('c', NOW - 5 * DAY - 1_000), // a second past 5 days
          ending('d', NOW - 5 * DAY), // 5 days ago: kept
          ending('e', NOW + 59_999), // under a minute ahead: kept
          ending('f', NOW + 60_000), // a minute ahead
          ending('1', NOW + 365 * DAY), // a year ahead
          'not a span', // invalid, counted as such
        ],
      },
      NOW,
      0,
      none,
    );
    expect(read.operations.map((o) => o.spanId)).toEqual(['d'.repeat(16), 'e'.repeat(16)]);
    expect([read.invalid, read.outOfRange]).toEqual([1, 5]);
  });

  it('moves its times by the clock drift, then leaves out one that ends out of range', () => {
    const hour = 3_600_000;
    // A clock an hour slow: its span of a minute ago (by that clock) is moved an hour on, to 59
    // minutes ahead of arrival, where Relay finds it out of range.
    expect(readSpanItem({ items: [span()] }, NOW, hour, none)).toEqual({
      operations: [],
      invalid: 0,
      outOfRange: 1,
    });
    const [back] = readSpanItem({ items: [span()] }, NOW, -hour, none).operations;
    expect([back?.start, back?.end]).toEqual([NOW - 60_000 - hour, NOW - 59_750 - hour]);
    // Six days ago by a clock six days slow is now, and kept.
    const sixDays = 6 * DAY;
    const late = span({
      start_timestamp: T - sixDays / 1000,
      end_timestamp: T + 0.25 - sixDays / 1000,
    });
    const [moved] = readSpanItem({ items: [late] }, NOW, sixDays, none).operations;
    expect([moved?.start, moved?.end]).toEqual([NOW - 60_000, NOW - 59_750]);
  });

  it('reads no items from a payload without a list of them', () => {
    const nothing = { operations: [], invalid: 0, outOfRange: 0 };
    expect(readSpanItem({}, NOW, 0, none)).toEqual(nothing);
    expect(readSpanItem({ items: 'x' }, NOW, 0, none)).toEqual(nothing);
  });

  it('never throws, counts every item once as an operation or as left out, and keeps only spans in range', () => {
    /** Seconds around arrival: from 6 days before it to 2 minutes after. */
    const near = fc.integer({ min: NOW - 6 * DAY, max: NOW + 120_000 }).map((ms) => ms / 1000);
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            fc.anything(),
            // Spans whose times and attributes are anything.
            fc
              .tuple(fc.oneof(fc.double(), fc.anything()), fc.double(), fc.anything())
              .map(([start, end, attributes]) =>
                span({ start_timestamp: start, end_timestamp: end, attributes }),
              ),
            // Spans of a second or less ending near arrival, in range or out of it.
            fc
              .tuple(near, fc.double({ min: 0, max: 1, noNaN: true }))
              .map(([end, length]) => span({ start_timestamp: end - length, end_timestamp: end })),
          ),
        ),
        (items) => {
          const read = readSpanItem({ items }, NOW, 0, none);
          expect(read.operations.length + read.invalid + read.outOfRange).toBe(items.length);
          for (const o of read.operations) {
            expect(o.end).toBeGreaterThanOrEqual(o.start);
            // In range: NOW is a whole second, so whole seconds from it are these bounds.
            expect(o.end).toBeGreaterThanOrEqual(NOW - 5 * DAY);
            expect(o.end).toBeLessThan(NOW + 60_000);
          }
        },
      ),
    );
  });
});

/** A standalone span as @sentry/core's spanToJSON writes one (the browser SDK's INP span). */
const standalone = (over: Record<string, unknown> = {}) => ({
  span_id: 'a1b2c3d4e5f6a7b8',
  trace_id: TRACE,
  parent_span_id: '438f40bd3b4a41ee',
  description: 'body > button.checkout',
  op: 'ui.interaction.click',
  start_timestamp: T,
  timestamp: T + 0.12,
  status: 'ok',
  origin: 'auto.http.browser.inp',
  segment_id: 'a1b2c3d4e5f6a7b8',
  is_segment: true,
  data: { 'sentry.op': 'ui.interaction.click', 'sentry.exclusive_time': 120, transaction: '/cart' },
  ...over,
});

describe('readStandaloneSpan', () => {
  it('reads it as a transaction’s span, its service its own, else its trace’s', () => {
    const read = readStandaloneSpan(standalone(), NOW, 0, () => 'web');
    expect(read).toEqual({
      operations: [
        {
          traceId: TRACE,
          spanId: 'a1b2c3d4e5f6a7b8',
          parentSpanId: '438f40bd3b4a41ee',
          name: 'body > button.checkout',
          service: 'web',
          start: NOW - 60_000,
          end: NOW - 59_880,
          status: 'ok',
          attributes: {
            'sentry.op': 'ui.interaction.click',
            'sentry.exclusive_time': 120,
            transaction: '/cart',
          },
        },
      ],
      invalid: 0,
      outOfRange: 0,
    });
    const own = readStandaloneSpan(standalone({ tags: { service: 'storefront' } }), NOW, 0, none);
    expect(own.operations[0]?.service).toBe('storefront');
    expect(readStandaloneSpan(standalone(), NOW, 0, none).operations[0]?.service).toBe('unknown');
  });

  it('leaves out one with no end, which no transaction ends for it', () => {
    expect(readStandaloneSpan(standalone({ timestamp: undefined }), NOW, 0, none)).toEqual({
      operations: [],
      invalid: 1,
      outOfRange: 0,
    });
    expect(readStandaloneSpan(standalone({ span_id: 'x' }), NOW, 0, none).invalid).toBe(1);
  });

  it('leaves out one that ends, its clock drift taken off, out of the last 5 days up to a minute ahead', () => {
    const ending = (endMs: number) =>
      standalone({ start_timestamp: endMs / 1000 - 0.12, timestamp: endMs / 1000 });
    const outOfRange = { operations: [], invalid: 0, outOfRange: 1 };
    expect(readStandaloneSpan(ending(NOW - 40 * DAY), NOW, 0, none)).toEqual(outOfRange);
    expect(readStandaloneSpan(ending(1_000), NOW, 0, none)).toEqual(outOfRange);
    expect(readStandaloneSpan(ending(NOW + 60_000), NOW, 0, none)).toEqual(outOfRange);
    expect(readStandaloneSpan(ending(NOW - 5 * DAY), NOW, 0, none).operations).toHaveLength(1);
    expect(readStandaloneSpan(ending(NOW + 59_999), NOW, 0, none).operations).toHaveLength(1);
    // A clock an hour fast: its span of now is an hour ahead, and moved back by the drift.
    const hour = 3_600_000;
    expect(readStandaloneSpan(ending(NOW + hour), NOW, -hour, none).operations[0]?.end).toBe(NOW);
    expect(readStandaloneSpan(ending(NOW), NOW, hour, none)).toEqual(outOfRange);
  });

  it('never throws on any object, counting it once as an operation or as left out', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.anything()), (span) => {
        const read = readStandaloneSpan(span, NOW, 0, none);
        expect(read.operations.length + read.invalid + read.outOfRange).toBe(1);
      }),
    );
  });
});
