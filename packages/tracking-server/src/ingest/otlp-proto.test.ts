// OTLP protobuf bodies written byte by byte, as the protobuf encoding spec
// (protobuf.dev/programming-guides/encoding) lays them out: unknown fields of every wire type are
// skipped, a malformed wire format is refused naming the problem, never read as something else.
import { JsonTraceSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import fc from 'fast-check';
import { OtlpError, parseOtlpJson, parseOtlpProtobuf } from './otlp';

const varint = (n: number): number[] => {
  const out: number[] = [];
  for (; n >= 0x80; n = Math.floor(n / 0x80)) out.push((n % 0x80) | 0x80);
  out.push(n);
  return out;
};
const tag = (field: number, wire: number) => varint(field * 8 + wire);
const len = (field: number, body: number[]) => [...tag(field, 2), ...varint(body.length), ...body];
const fixed64 = (field: number, v: bigint) => {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(v);
  return [...tag(field, 1), ...b];
};
const hex = (s: string) => [...Buffer.from(s, 'hex')];

/** Span fields: trace_id 1, span_id 2, name 5, start 7 and end 8 (fixed64). */
const span = (...extra: number[][]) => [
  ...len(1, hex('5b8efff798038103d269b633813fc60c')),
  ...len(2, hex('eee19b7ec3c1b174')),
  ...len(5, [...Buffer.from('GET /')]),
  ...fixed64(7, 1544712660000000000n),
  ...fixed64(8, 1544712661000000000n),
  ...extra.flat(),
];
/**
 * ExportTraceServiceRequest { resource_spans (1) { scope_spans (2) { spans (2) } } }: three tags
 * and one-byte lengths, so a span under 128 bytes starts at byte 6 of the body (the tag of
 * field 60, 480, takes two bytes).
 */
const request = (spanBytes: number[]) => Buffer.from(len(1, len(2, len(2, spanBytes))));

const refusal = (body: Buffer): string => {
  try {
    parseOtlpProtobuf(body);
  } catch (err) {
    expect(err).toBeInstanceOf(OtlpError);
    return (err as Error).message;
  }
  throw new Error('the body was read');
};

describe('OTLP protobuf wire format', () => {
  it('reads a span past unknown fields of every wire type, a group with fields inside included', () => {
    const unknown = [
      [...tag(60, 0), 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01], // 10-byte varint
      [...tag(61, 1), 1, 2, 3, 4, 5, 6, 7, 8],
      len(62, [1, 2, 3]),
      [...tag(63, 5), 1, 2, 3, 4],
      [...tag(64, 3), ...tag(1, 0), 5, ...len(2, [9]), ...tag(64, 4)],
    ];
    const batch = parseOtlpProtobuf(request(span(...unknown)));
    expect(batch.operations.map((o) => [o.spanId, o.name, o.start, o.end])).toEqual([
      ['eee19b7ec3c1b174', 'GET /', 1544712660000, 1544712661000],
    ]);
    expect(batch.rejectedSpans).toBe(0);
  });

  it.each([
    [
      'a known field of another wire type (start time as a varint)',
      request([...span(), ...tag(7, 0), 5]),
      'Span.startTimeUnixNano (field 7) has wire type 0, not 1',
    ],
    [
      'a span id as a varint',
      request([...tag(2, 0), 5, ...span()]),
      'Span.spanId (field 2) has wire type 0, not 2',
    ],
    [
      // scope_spans claims 3 bytes; the span inside it claims more.
      'a message longer than the one around it',
      Buffer.from(len(1, [...tag(2, 2), 3, ...len(2, span())])),
      'the field at byte 4 runs past the end of its message',
    ],
    [
      'a length past the end of the body',
      Buffer.from([...tag(1, 2), 50, 1, 2]),
      'the field at byte 0 runs past the end of its message',
    ],
    [
      'a fixed64 cut short',
      request([...tag(7, 1), 1, 2, 3]),
      'the field at byte 6 runs past the end of its message',
    ],
    [
      'a varint of 11 bytes',
      request([...tag(60, 0), ...Array<number>(10).fill(0xff), 0x01]),
      'the varint at byte 8 is longer than 10 bytes',
    ],
    [
      'a varint over 64 bits',
      request([...tag(60, 0), ...Array<number>(9).fill(0xff), 0x02]),
      'the varint at byte 8 is over 64 bits',
    ],
    ['field number 0', request([0x00, 0x00]), 'invalid field number 0 at byte 6'],
    ['wire type 6', request([...tag(60, 6)]), 'invalid wire type 6 at byte 6'],
    ['wire type 7', request([...tag(60, 7)]), 'invalid wire type 7 at byte 6'],
    [
      'an end of group with no start',
      request([...tag(60, 4)]),
      'an end of group 60 with no start at byte 6',
    ],
    ['a group with no end', request([...tag(60, 3), ...tag(1, 0), 1]), 'group 60 has no end'],
    [
      'a group ended under another number',
      request([...tag(60, 3), ...tag(61, 4)]),
      'an end of group 61 with no start',
    ],
    // protobufjs reads these varints as 32 bits: five bytes, then five more passed over, so one of
    // 6 to 9 bytes it would misread, and the rest of the message with it. The span's extra fields
    // start at byte 59 (6 + 18 + 10 + 7 + 9 + 9).
    [
      'a tag in 6 bytes',
      request([0xe0, 0x83, 0x80, 0x80, 0x80, 0x00, 5]),
      'the tag at byte 6 is a varint of 6 bytes: a 32-bit value takes 1 to 5, or 10 when negative',
    ],
    [
      'a length in 8 bytes',
      request(span([...tag(62, 2), 0x81, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00, 9])),
      'the length of the field at byte 59 is a varint of 8 bytes',
    ],
    [
      "an int32's value in 7 bytes (the span's kind)",
      request(span([...tag(6, 0), 0x82, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00])),
      'Span.kind (field 6) at byte 59 is a varint of 7 bytes',
    ],
    [
      // KeyValue at 61 (its key "ok" 61-64), AnyValue at 67: what a random body found on CI.
      "a bool's value in 9 bytes (an attribute's)",
      request(
        span(
          len(9, [
            ...len(1, [0x6f, 0x6b]),
            ...len(2, [...tag(2, 0), 0x81, ...Array<number>(7).fill(0x80), 0x00]),
          ]),
        ),
      ),
      'AnyValue.boolValue (field 2) at byte 67 is a varint of 9 bytes',
    ],
    // protobufjs reads a bool's low 32 bits alone: 2^32 and 2^63 would be false, where
    // protobuf-go reads any value but 0 as true.
    [
      "a bool of 2^32 (an attribute's)",
      request(
        span(
          len(9, [
            ...len(1, [0x6f, 0x6b]),
            ...len(2, [...tag(2, 0), 0x80, 0x80, 0x80, 0x80, 0x10]),
          ]),
        ),
      ),
      'AnyValue.boolValue (field 2) at byte 67 is a bool over 32 bits: a bool is written 0 or 1',
    ],
    [
      "a bool of 2^63 in 10 bytes (an attribute's)",
      request(
        span(
          len(9, [
            ...len(1, [0x6f, 0x6b]),
            ...len(2, [...tag(2, 0), ...Array<number>(9).fill(0x80), 0x01]),
          ]),
        ),
      ),
      'AnyValue.boolValue (field 2) at byte 67 is a bool over 32 bits',
    ],
  ])('refuses %s, naming it', (_, body, message) => {
    expect(refusal(body)).toContain(`body is not an OTLP ExportTraceServiceRequest: `);
    expect(refusal(body)).toContain(message);
  });

  it('reads a bool written in 10 bytes as true, as protobuf-go does', () => {
    const ok = [...tag(2, 0), 0x81, ...Array<number>(8).fill(0x80), 0x00];
    const batch = parseOtlpProtobuf(
      request(span(len(9, [...len(1, [0x6f, 0x6b]), ...len(2, ok)]))),
    );
    expect(batch.operations.map((o) => o.attributes)).toEqual([{ ok: true }]);
  });

  it.each([
    ['2', [0x02], true],
    ['2^32 − 1', [0xff, 0xff, 0xff, 0xff, 0x0f], true],
    ['0 in 5 bytes', [0x80, 0x80, 0x80, 0x80, 0x00], false],
  ])('reads a bool of %s as protobuf-go does', (_, value, expected) => {
    const attribute = len(9, [...len(1, [0x6f, 0x6b]), ...len(2, [...tag(2, 0), ...value])]);
    const batch = parseOtlpProtobuf(request(span(attribute)));
    expect(batch.operations.map((o) => o.attributes)).toEqual([{ ok: expected }]);
  });

  it('reads a bool of any 64-bit value as not 0, as protobuf-go does, or refuses it over 32 bits (2k cases)', () => {
    const varint64 = (n: bigint): number[] => {
      const out: number[] = [];
      for (; n >= 0x80n; n >>= 7n) out.push(Number(n & 0x7fn) | 0x80);
      return [...out, Number(n)];
    };
    const value = fc.oneof(
      fc.bigInt({ min: 0n, max: 2n ** 32n - 1n }),
      fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
    );
    fc.assert(
      fc.property(value, (v) => {
        const attribute = len(9, [
          ...len(1, [0x6f, 0x6b]),
          ...len(2, [...tag(2, 0), ...varint64(v)]),
        ]);
        const body = request(span(attribute));
        // Over 32 bits in 6 to 9 bytes it is refused for its length first.
        if (v >= 2n ** 32n)
          expect(refusal(body)).toMatch(/is a bool over 32 bits|is a varint of [6-9] bytes/);
        else
          expect(parseOtlpProtobuf(body).operations.map((o) => o.attributes)).toEqual([
            { ok: v !== 0n },
          ]);
      }),
      { numRuns: 2_000 },
    );
  });

  it('reads what the OpenTelemetry JS SDK’s own encoders write, protobuf and JSON alike', async () => {
    const exporter = new InMemorySpanExporter();
    const provider = new BasicTracerProvider({
      resource: resourceFromAttributes({ 'service.name': 'checkout', 'host.count': 3 }),
      spanProcessors: [new SimpleSpanProcessor(exporter)],
    });
    const tracer = provider.getTracer('wire-test', '1.2.3');
    const start = Date.UTC(2026, 0, 2, 3, 4, 5, 600);
    const root = tracer.startSpan('POST /pay', {
      kind: 1,
      startTime: start,
      attributes: {
        correlation_id: 'wire-1',
        big: 2 ** 40,
        ratio: 0.25,
        ok: false,
        tags: ['a', 'b'],
      },
      links: [
        {
          context: { traceId: 'ab'.repeat(16), spanId: 'cd'.repeat(8), traceFlags: 1 },
          attributes: { why: 'retry' },
        },
      ],
    });
    root.addEvent(
      'memory',
      { 'process.memory.rss': 1000, 'process.memory.heap_used': 500 },
      start + 100,
    );
    root.setStatus({ code: 2, message: 'card declined' });
    root.end(start + 250);
    await provider.forceFlush();
    const spans = exporter.getFinishedSpans();
    const { traceId, spanId } = root.spanContext();
    const expected = {
      operations: [
        {
          traceId,
          spanId,
          name: 'POST /pay',
          service: 'checkout',
          start,
          end: start + 250,
          status: 'error',
          statusMessage: 'card declined',
          correlationId: 'wire-1',
          attributes: {
            correlation_id: 'wire-1',
            big: 2 ** 40,
            ratio: 0.25,
            ok: false,
            tags: ['a', 'b'],
          },
        },
      ],
      memory: [
        {
          traceId,
          spanId,
          seq: 0,
          service: 'checkout',
          correlationId: 'wire-1',
          time: start + 100,
          rss: 1000,
          heapUsed: 500,
        },
      ],
      rejectedSpans: 0,
    };
    const protobuf = ProtobufTraceSerializer.serializeRequest(spans);
    const json = JsonTraceSerializer.serializeRequest(spans);
    expect(parseOtlpProtobuf(Buffer.from(protobuf as Uint8Array))).toEqual(expected);
    expect(parseOtlpJson(Buffer.from(json as Uint8Array))).toEqual(expected);
    await provider.shutdown();
  });
});
