// Span v2 items (develop.sentry.dev, sdk/telemetry/spans/span-protocol): each span an operation,
// one Relay would refuse left out alone. Expected values written by hand from the protocol page.
import fc from 'fast-check';
import { readSpanItem, readStandaloneSpan } from './span-items';

const NOW = Date.UTC(2026, 10, 22, 12);
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
    expect(read.invalid).toBe(6);
  });

  it('moves its times by the clock drift, then one ending over a minute ahead back to arrival', () => {
    const hour = 3_600_000;
    const [drifted] = readSpanItem({ items: [span()] }, NOW, hour, none).operations;
    // An hour later is 59 minutes ahead of arrival: moved back to end at arrival, its length kept.
    expect([drifted?.start, drifted?.end]).toEqual([NOW - 250, NOW]);
    const [back] = readSpanItem({ items: [span()] }, NOW, -hour, none).operations;
    expect([back?.start, back?.end]).toEqual([NOW - 60_000 - hour, NOW - 59_750 - hour]);
  });

  it('reads no items from a payload without a list of them', () => {
    expect(readSpanItem({}, NOW, 0, none)).toEqual({ operations: [], invalid: 0 });
    expect(readSpanItem({ items: 'x' }, NOW, 0, none)).toEqual({ operations: [], invalid: 0 });
  });

  it('never throws, and counts every item as an operation or as left out', () => {
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
          ),
        ),
        (items) => {
          const read = readSpanItem({ items }, NOW, 0, none);
          expect(read.operations.length + read.invalid).toBe(items.length);
          for (const o of read.operations) expect(o.end).toBeGreaterThanOrEqual(o.start);
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
    });
    const own = readStandaloneSpan(standalone({ tags: { service: 'storefront' } }), NOW, 0, none);
    expect(own.operations[0]?.service).toBe('storefront');
    expect(readStandaloneSpan(standalone(), NOW, 0, none).operations[0]?.service).toBe('unknown');
  });

  it('leaves out one with no end, which no transaction ends for it', () => {
    expect(readStandaloneSpan(standalone({ timestamp: undefined }), NOW, 0, none)).toEqual({
      operations: [],
      invalid: 1,
    });
    expect(readStandaloneSpan(standalone({ span_id: 'x' }), NOW, 0, none).invalid).toBe(1);
  });

  it('never throws on any object', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.anything()), (span) => {
        const read = readStandaloneSpan(span, NOW, 0, none);
        expect(read.operations.length + read.invalid).toBe(1);
      }),
    );
  });
});
