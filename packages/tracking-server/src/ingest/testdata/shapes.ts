// Arbitraries for events and transactions of any shape JSON allows (fast-check): each field a
// Sentry event or transaction has gets values of every JSON type, nested where the protocol
// nests, so readers are tried on what a broken or hostile SDK could send.
import fc from 'fast-check';

const any = fc.jsonValue({ maxDepth: 3 });
const frame = fc.oneof(
  any,
  fc.record(
    {
      filename: any,
      abs_path: any,
      module: any,
      function: any,
      in_app: fc.oneof(fc.boolean(), any),
      lineno: any,
    },
    { requiredKeys: [] },
  ),
);
const exceptionValue = fc.oneof(
  any,
  fc.record(
    {
      type: any,
      value: any,
      module: any,
      mechanism: fc.oneof(any, fc.record({ handled: any }, { requiredKeys: [] })),
      stacktrace: fc.oneof(
        any,
        fc.record({ frames: fc.oneof(any, fc.array(frame, { maxLength: 4 })) }),
      ),
    },
    { requiredKeys: [] },
  ),
);
export const eventOfAnyShape = fc.record(
  {
    event_id: fc.oneof(any, fc.constant('ab'.repeat(16))),
    message: fc.oneof(any, fc.record({ formatted: any, message: any, params: any }, { requiredKeys: [] })),
    logentry: fc.oneof(
      any,
      fc.record({ formatted: any, message: any, params: any }, { requiredKeys: [] }),
      fc.record({ message: fc.constantFrom('%s of %(n)s %d%%', 'x %r'), params: any }),
    ),
    exception: fc.oneof(
      any,
      exceptionValue,
      fc.array(exceptionValue, { maxLength: 3 }),
      fc.record({ values: fc.oneof(any, fc.array(exceptionValue, { maxLength: 3 })) }),
    ),
    'sentry.interfaces.Exception': fc.oneof(any, exceptionValue),
    'sentry.interfaces.Message': any,
    stacktrace: fc.oneof(any, fc.record({ frames: fc.oneof(any, fc.array(frame, { maxLength: 4 })) })),
    threads: fc.oneof(
      any,
      fc.record({
        values: fc.array(
          fc.record(
            {
              crashed: any,
              current: any,
              stacktrace: fc.oneof(any, fc.record({ frames: fc.array(frame, { maxLength: 3 }) })),
            },
            { requiredKeys: [] },
          ),
          { maxLength: 3 },
        ),
      }),
    ),
    fingerprint: fc.oneof(any, fc.array(any, { maxLength: 3 })),
    tags: fc.oneof(any, fc.array(fc.tuple(any, any), { maxLength: 3 })),
    contexts: fc.oneof(
      any,
      fc.record({ trace: fc.oneof(any, fc.record({ trace_id: any, span_id: any })) }),
    ),
    user: any,
    level: fc.oneof(any, fc.constantFrom('critical', 'WARN', 50, 10, '40')),
    timestamp: any,
    release: any,
    environment: any,
    server_name: any,
    culprit: any,
    transaction: any,
  },
  { requiredKeys: [] },
);

const span = fc.oneof(
  any,
  fc.record(
    {
      span_id: fc.oneof(any, fc.constant('cd'.repeat(8))),
      trace_id: any,
      parent_span_id: any,
      start_timestamp: fc.oneof(any, fc.double()),
      timestamp: fc.oneof(any, fc.double()),
      description: any,
      op: any,
      status: any,
    },
    { requiredKeys: [] },
  ),
);
export const transactionOfAnyShape = fc.record(
  {
    transaction: any,
    start_timestamp: fc.oneof(any, fc.constant(1_700_000_000)),
    timestamp: fc.oneof(any, fc.constant(1_700_000_001)),
    tags: any,
    server_name: any,
    contexts: fc.oneof(
      any,
      fc.record({
        trace: fc.record(
          {
            trace_id: fc.oneof(any, fc.constant('ab'.repeat(16))),
            span_id: fc.oneof(any, fc.constant('ef'.repeat(8))),
            parent_span_id: any,
            op: any,
            status: any,
          },
          { requiredKeys: [] },
        ),
      }),
    ),
    spans: fc.oneof(any, fc.array(span, { maxLength: 3 })),
  },
  { requiredKeys: [] },
);

const anyValue = fc.oneof(
  any,
  fc.record(
    {
      stringValue: any,
      intValue: any,
      doubleValue: any,
      boolValue: any,
      bytesValue: any,
      arrayValue: fc.oneof(any, fc.record({ values: fc.oneof(any, fc.array(any)) })),
      kvlistValue: any,
    },
    { requiredKeys: [] },
  ),
);
const attributes = fc.oneof(
  any,
  fc.array(fc.oneof(any, fc.record({ key: fc.oneof(fc.string(), any), value: anyValue })), {
    maxLength: 3,
  }),
);
const nanos = fc.oneof(
  any,
  fc.bigInt({ min: 0n, max: 99_999_999_999_999_999_999n }).map(String),
  fc.double(),
  fc.constant('1700000000000000000'),
);
const otlpSpan = fc.record(
  {
    traceId: fc.oneof(any, fc.constant('ab'.repeat(16)), fc.constant('0'.repeat(32))),
    spanId: fc.oneof(any, fc.constant('cd'.repeat(8))),
    parentSpanId: any,
    name: any,
    startTimeUnixNano: nanos,
    endTimeUnixNano: nanos,
    attributes,
    status: fc.oneof(any, fc.record({ code: any, message: any }, { requiredKeys: [] })),
    events: fc.oneof(
      any,
      fc.array(
        fc.record(
          { name: fc.oneof(any, fc.constant('memory')), timeUnixNano: nanos, attributes },
          { requiredKeys: [] },
        ),
        { maxLength: 2 },
      ),
    ),
  },
  { requiredKeys: [] },
);

/** An OTLP/JSON ExportTraceServiceRequest of any shape. */
export const otlpOfAnyShape = fc.record(
  {
    resourceSpans: fc.oneof(
      any,
      fc.array(
        fc.record(
          {
            resource: fc.oneof(any, fc.record({ attributes })),
            scopeSpans: fc.oneof(
              any,
              fc.array(fc.record({ spans: fc.oneof(any, fc.array(otlpSpan, { maxLength: 3 })) }), {
                maxLength: 2,
              }),
            ),
          },
          { requiredKeys: [] },
        ),
        { maxLength: 2 },
      ),
    ),
  },
  { requiredKeys: [] },
);
