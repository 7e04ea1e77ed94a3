import fc from 'fast-check';
import { OtlpError, parseOtlpJson, parseOtlpProtobuf, readTraces } from './otlp';
import { ExportTraceServiceRequest } from './otlp-proto';

const span = (extra: Record<string, unknown> = {}) => ({
  traceId: '5b8efff798038103d269b633813fc60c',
  spanId: 'eee19b7ec3c1b174',
  name: 'GET /',
  startTimeUnixNano: '1544712660000000000',
  endTimeUnixNano: '1544712661000000000',
  ...extra,
});

describe('OTLP trace bodies', () => {
  it('reads the spec’s JSON example shape into operations', () => {
    const batch = readTraces({
      resourceSpans: [
        {
          resource: { attributes: [{ key: 'service.name', value: { stringValue: 'my.service' } }] },
          scopeSpans: [
            {
              scope: { name: 'my.library' },
              spans: [
                span({
                  parentSpanId: 'eee19b7ec3c1b173',
                  kind: 2,
                  attributes: [
                    { key: 'correlation_id', value: { stringValue: 'c-1' } },
                    { key: 'n', value: { intValue: '7' } },
                  ],
                  status: { code: 2, message: 'boom' },
                }),
              ],
            },
          ],
        },
      ],
    });
    expect(batch.operations).toEqual([
      {
        traceId: '5b8efff798038103d269b633813fc60c',
        spanId: 'eee19b7ec3c1b174',
        parentSpanId: 'eee19b7ec3c1b173',
        name: 'GET /',
        service: 'my.service',
        start: 1544712660000,
        end: 1544712661000,
        status: 'error',
        statusMessage: 'boom',
        correlationId: 'c-1',
        attributes: { correlation_id: 'c-1', n: 7 },
      },
    ]);
  });

  it('keeps an attribute named __proto__ as an attribute', () => {
    const batch = readTraces({
      resourceSpans: [
        {
          scopeSpans: [
            {
              spans: [
                span({
                  attributes: [
                    { key: '__proto__', value: { kvlistValue: { values: [] } } },
                    { key: 'constructor', value: { stringValue: 'c' } },
                  ],
                }),
              ],
            },
          ],
        },
      ],
    });
    const attributes = batch.operations[0]?.attributes ?? {};
    expect(Object.getPrototypeOf(attributes)).toBe(Object.prototype);
    expect(JSON.parse(JSON.stringify(attributes))).toEqual(
      JSON.parse('{"__proto__":{},"constructor":"c"}'),
    );
  });

  it('reads memory events as snapshots', () => {
    const batch = readTraces({
      resourceSpans: [
        {
          scopeSpans: [
            {
              spans: [
                span({
                  events: [
                    {
                      name: 'memory',
                      timeUnixNano: '1544712660500000000',
                      attributes: [
                        { key: 'process.memory.rss', value: { intValue: '1000' } },
                        { key: 'process.memory.heap_used', value: { doubleValue: 500 } },
                      ],
                    },
                    { name: 'other', timeUnixNano: '1' },
                  ],
                }),
              ],
            },
          ],
        },
      ],
    });
    expect(batch.memory).toEqual([
      {
        traceId: '5b8efff798038103d269b633813fc60c',
        spanId: 'eee19b7ec3c1b174',
        service: 'unknown_service',
        time: 1544712660500,
        rss: 1000,
        heapUsed: 500,
      },
    ]);
  });

  it.each([
    ['[]', 'body must be a JSON object'],
    ['{"resourceSpans":{}}', 'resourceSpans must be a list'],
  ])('rejects %s naming the problem', (text, message) => {
    expect(() => parseOtlpJson(Buffer.from(text))).toThrow(OtlpError);
    expect(() => parseOtlpJson(Buffer.from(text))).toThrow(message);
  });

  it.each([
    [span({ spanId: '0000000000000000' }), 'spans[1].spanId must not be all zeros'],
    [span({ endTimeUnixNano: '1' }), 'spans[1] ends before it starts'],
    [span({ attributes: [{ value: {} }] }), 'every attribute needs a string "key"'],
    [span({ startTimeUnixNano: undefined }), 'spans[1].startTimeUnixNano must be unix nanoseconds'],
    [span({ events: 'x' }), 'spans[1].events must be a list'],
  ])('leaves out only the span that is wrong (%j), saying why', (bad, message) => {
    const good = span({ spanId: '1111111111111111' });
    const batch = parseOtlpJson(
      Buffer.from(
        JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans: [good, bad, good] }] }] }),
      ),
    );
    expect(batch.operations.map((o) => o.spanId)).toEqual(['1111111111111111', '1111111111111111']);
    expect(batch.rejectedSpans).toBe(1);
    expect(batch.problem).toContain(message);
  });

  it('keeps a span whose memory event has no time, leaving out the snapshot and saying why', () => {
    const batch = parseOtlpJson(
      Buffer.from(
        JSON.stringify({
          resourceSpans: [
            { scopeSpans: [{ spans: [span({ events: [{ name: 'memory', attributes: [] }] })] }] },
          ],
        }),
      ),
    );
    expect([batch.operations.length, batch.memory.length, batch.rejectedSpans]).toEqual([1, 0, 0]);
    expect(batch.problem).toContain('events[0].timeUnixNano must be unix nanoseconds');
  });

  it('reads protobuf bodies the same as JSON', () => {
    const message = ExportTraceServiceRequest.fromObject({
      resourceSpans: [
        {
          scopeSpans: [
            {
              spans: [
                {
                  traceId: Buffer.from('5b8efff798038103d269b633813fc60c', 'hex'),
                  spanId: Buffer.from('eee19b7ec3c1b174', 'hex'),
                  name: 'GET /',
                  startTimeUnixNano: '1544712660000000000',
                  endTimeUnixNano: '1544712661000000000',
                },
              ],
            },
          ],
        },
      ],
    });
    const batch = parseOtlpProtobuf(
      Buffer.from(ExportTraceServiceRequest.encode(message).finish()),
    );
    expect(batch.operations.map((o) => [o.traceId, o.spanId, o.start, o.end])).toEqual([
      ['5b8efff798038103d269b633813fc60c', 'eee19b7ec3c1b174', 1544712660000, 1544712661000],
    ]);
  });

  it('never fails on random or mutated JSON and protobuf bodies with anything but an OtlpError (100k cases)', () => {
    const valid = JSON.stringify({
      resourceSpans: [
        {
          resource: { attributes: [{ key: 'service.name', value: { stringValue: 's' } }] },
          scopeSpans: [
            { spans: [span({ events: [{ name: 'memory', timeUnixNano: '5', attributes: [] }] })] },
          ],
        },
      ],
    });
    const mutatedJson = fc.tuple(fc.nat(), fc.integer({ min: 32, max: 126 })).map(([at, c]) => {
      const chars = [...valid];
      chars[at % chars.length] = String.fromCharCode(c);
      return Buffer.from(chars.join(''));
    });
    const randomJson = fc.json().map((j) => Buffer.from(j));
    const randomBytes = fc.uint8Array({ maxLength: 120 }).map((a) => Buffer.from(a));
    fc.assert(
      fc.property(
        fc.oneof(mutatedJson, randomJson, randomBytes),
        fc.boolean(),
        (body, asProtobuf) => {
          try {
            if (asProtobuf) parseOtlpProtobuf(body);
            else parseOtlpJson(body);
          } catch (err) {
            if (!(err instanceof OtlpError)) throw err;
          }
        },
      ),
      { numRuns: 100_000 },
    );
  });
});
