// The OTLP reader against the OpenTelemetry Collector's own pdata (testdata/pdata-oracle, run with
// `go run`: ptraceotlp.ExportRequest, what the Collector's OTLP receiver reads a request with).
// Random requests, written here by a generator of their own (field names camelCase or as in the
// .proto, 64-bit numbers as text or as numbers, enums by number or name, every AnyValue kind, and
// values one step off: bad hex, wrong types, numbers out of range), are read by both as JSON,
// and each the Collector reads is read again here as the Collector writes it in protobuf:
//   - a request the Collector reads is read here too, each of its spans an operation with the
//     Collector's ids, name, times (to the microsecond), status and attributes, or left out
//     (and counted) for what this reader refuses by design and the Collector keeps (an empty or
//     all-zero id, a zero time, an end before the start), the rest of the request kept;
//   - a request the Collector refuses is refused here, or a span of it left out, or a problem
//     with it named: never read as if nothing were wrong.
// The generator leaves out what this reader takes otherwise by design, each covered in
// otlp.test.ts: null for an id, a string, a bool, an integer, a double, bytes or a status code
// (the protobuf JSON mapping's default: no value; a JavaScript exporter writes NaN as null),
// which the Collector refuses (a null string it reads as ""); bytes in URL-safe or unpadded
// base64, as protobuf-go's JSON parser reads them; and numbers JSON.parse cannot tell from
// others (an integer written 1e3, a time written 1.5e18 or not a double's own). An integer
// written as a number past 2^53 is read to the digit (json-int64.ts), as the Collector reads it.
// Span events are all named `memory`: the others are neither stored nor read. The memory
// snapshots made of them are not compared here (otlp.test.ts checks them), only whether a
// request with a bad one is noticed.
// Without Go the test fails, naming it.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import fc from 'fast-check';
import {
  OtlpError,
  parseOtlpJson,
  parseOtlpProtobuf,
  type Operation,
  type TraceBatch,
} from './otlp';

type Tagged =
  | { s: string }
  | { i: string }
  | { d: number | string }
  | { b: boolean }
  | { y: string }
  | { a: Tagged[] }
  | { m: Record<string, Tagged> }
  | { e: true };

interface GoSpan {
  resource: Record<string, Tagged>;
  traceId: string;
  spanId: string;
  parentSpanId: string;
  name: string;
  start: string;
  end: string;
  code: number;
  message: string;
  attributes: Record<string, Tagged>;
}

interface GoAnswer {
  error?: string;
  spans: GoSpan[] | null;
  /** The request as the Collector writes it in protobuf (base64). */
  protobuf?: string;
}

function askGo(questions: { body: string }[]): GoAnswer[] {
  const run = spawnSync('go', ['run', '.'], {
    cwd: join(__dirname, 'testdata', 'pdata-oracle'),
    input: JSON.stringify(questions),
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
  if (run.error || run.status !== 0)
    throw new Error(
      `the Collector's pdata oracle did not run (Go on PATH is needed, and the modules its go.mod names in the module cache or from the Go module proxy): ${run.error?.message ?? `exit ${run.status ?? run.signal}: ${run.stderr}`}`,
    );
  return JSON.parse(run.stdout) as GoAnswer[];
}

// ---- The generator: requests as JSON text, written here, not by the reader under test. ----

/** A JSON value written as it is: numbers past what a double holds keep every digit. */
const RAW = '\u0000raw:';
const raw = (text: string) => `${RAW}${text}\u0000`;
const toJson = (v: unknown) =>
  JSON.stringify(v).replace(/"\\u0000raw:(.*?)\\u0000"/g, (_m, text: string) => text);

/** A field by its JSON name or its .proto name (both are read by protobuf JSON parsers). */
const named = (camel: string, snake: boolean) =>
  snake ? camel.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`) : camel;

const hex = (length: number) =>
  fc
    .array(fc.constantFrom(...'0123456789abcdef'), { minLength: length, maxLength: length })
    .map((c) => c.join(''));
const anId = (length: number) =>
  fc.oneof(
    { weight: 8, arbitrary: hex(length) },
    hex(length).map((h) => h.toUpperCase()),
    fc.constantFrom('', '0'.repeat(length), 'zz'.repeat(length / 2)),
    hex(length - 1),
    hex(length + 2),
    fc.constantFrom<unknown>(5, true),
  );

/** Unix nanoseconds around now, as text or as a number (kept exact), or one step off. */
const nanos = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.bigInt(1_700_000_000_000_000_000n, 1_800_000_000_000_000_000n).map(String),
  },
  {
    weight: 3,
    arbitrary: fc
      .bigInt(1_700_000_000_000_000_000n / 256n, 1_800_000_000_000_000_000n / 256n)
      // As a JSON number, a multiple of 256: a double holds it exactly, and JSON.parse reads
      // the same nanosecond (one that is not is read as the nearest double, by design).
      .map((n) => raw(String(n * 256n))),
  },
  fc.constantFrom<unknown>(
    '0',
    0,
    '',
    '-5',
    '1.5',
    raw('-1'),
    '99999999999999999999',
    raw('18446744073709551616'),
    'abc',
    null,
    true,
  ),
);

const words = fc.constantFrom(
  '',
  'a',
  'GET /cart',
  'ü🙂',
  'correlation_id',
  'service.name',
  '__proto__',
  'x y',
);

/** Protobuf JSON's 64-bit integers: text or a number, or one step off. */
const int64 = fc.oneof(
  { weight: 4, arbitrary: fc.bigInt(-(2n ** 63n), 2n ** 63n - 1n).map(String) },
  { weight: 2, arbitrary: fc.maxSafeInteger().map((n) => raw(String(n))) },
  { weight: 2, arbitrary: fc.bigInt(-(2n ** 63n), 2n ** 63n - 1n).map((n) => raw(String(n))) },
  fc.integer({ min: -1000, max: 1000 }),
  fc.constantFrom<unknown>(
    '9223372036854775808',
    raw('9223372036854775808'),
    raw('-9223372036854775809'),
    '1.5',
    raw('1.5'),
    '0x10',
    '',
    ' 1',
    true,
  ),
);
const double = fc.oneof(
  { weight: 4, arbitrary: fc.double({ noNaN: true, noDefaultInfinity: true }) },
  fc.constantFrom<unknown>('NaN', 'Infinity', '-Infinity', '1e3', '-0', '1.5', 'abc', '', true),
);
const bytes = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.uint8Array({ maxLength: 8 }).map((b) => Buffer.from(b).toString('base64')),
  },
  fc.constantFrom<unknown>('a', 'a===', '!!!!', 5),
);

const { anyValue } = fc.letrec<{ anyValue: unknown; kvs: unknown[] }>((tie) => ({
  anyValue: fc.oneof(
    { maxDepth: 3, depthSize: 'small' },
    { weight: 4, arbitrary: words.map((s) => ({ stringValue: s })) },
    fc.constantFrom<unknown>(5, true).map((v) => ({ stringValue: v })),
    { weight: 2, arbitrary: int64.map((v) => ({ intValue: v })) },
    double.map((v) => ({ doubleValue: v })),
    fc.constantFrom<unknown>(true, false, 'true', 1).map((v) => ({ boolValue: v })),
    bytes.map((v) => ({ bytesValue: v })),
    fc.array(tie('anyValue'), { maxLength: 3 }).map((values) => ({ arrayValue: { values } })),
    tie('kvs').map((values) => ({ kvlistValue: { values } })),
    fc.constantFrom<unknown>({}, null, 'x'),
  ),
  // Keys unique within a list: the Collector's map keeps the first of two, this reader the last.
  kvs: fc.uniqueArray(
    fc.record({
      key: fc.oneof({ weight: 6, arbitrary: words }, fc.constantFrom<unknown>(5, null)),
      value: tie('anyValue'),
    }),
    // A null key is "" to both readers.
    { maxLength: 4, selector: (kv) => kv.key ?? '' },
  ),
}));
const attributes = fc.uniqueArray(fc.record({ key: words, value: anyValue }), {
  maxLength: 4,
  selector: (kv) => kv.key,
});

const status = fc.option(
  fc.record(
    {
      code: fc.constantFrom<unknown>(
        0,
        1,
        2,
        3,
        -1,
        'STATUS_CODE_OK',
        'STATUS_CODE_ERROR',
        'STATUS_CODE_UNSET',
        '2',
        'OK',
      ),
      message: fc.oneof(words, fc.constantFrom<unknown>(5, null)),
    },
    { requiredKeys: [] },
  ),
  { nil: undefined },
);

const span = fc
  .record(
    {
      traceId: anId(32),
      spanId: anId(16),
      parentSpanId: anId(16),
      name: fc.oneof({ weight: 6, arbitrary: words }, fc.constantFrom<unknown>(5, null)),
      kind: fc.constantFrom<unknown>(1, 2, 'SPAN_KIND_SERVER', 'SPAN_KIND_CLIENT', 0),
      startTimeUnixNano: nanos,
      endTimeUnixNano: nanos,
      attributes,
      status,
      events: fc.array(
        fc.record({ timeUnixNano: nanos, name: fc.constant('memory'), attributes }),
        { maxLength: 2 },
      ),
      droppedAttributesCount: fc.constantFrom<unknown>(0, 3, '3'),
    },
    { requiredKeys: ['traceId', 'spanId', 'startTimeUnixNano', 'endTimeUnixNano'] },
  )
  .chain((sp) =>
    fc
      .boolean()
      .map((snake) => Object.fromEntries(Object.entries(sp).map(([k, v]) => [named(k, snake), v]))),
  );

const request = fc.record({
  resourceSpans: fc.array(
    fc.record(
      {
        resource: fc.record({
          attributes: fc.oneof(
            attributes,
            fc
              .tuple(words, attributes)
              .map(([service, rest]) => [
                { key: 'service.name', value: { stringValue: service } },
                ...rest.filter((kv) => kv.key !== 'service.name'),
              ]),
          ),
        }),
        scopeSpans: fc.array(
          fc.record({ scope: fc.record({ name: words }), spans: fc.array(span, { maxLength: 3 }) }),
          { maxLength: 2 },
        ),
      },
      { requiredKeys: ['scopeSpans'] },
    ),
    { maxLength: 2 },
  ),
});

// ---- What the Collector read, in this reader's terms. ----

/** A tagged value as the reader renders an AnyValue: 64-bit integers past 2^53 as text. */
function rendered(v: Tagged, depth: number): unknown {
  if ('s' in v) return v.s;
  if ('i' in v) return Number.isSafeInteger(Number(v.i)) ? Number(v.i) : v.i;
  if ('d' in v)
    // Not finite, kept as the JSON mapping writes it (otlp.ts, doubleValue).
    return typeof v.d === 'number'
      ? v.d
      : { NaN: 'NaN', '+Inf': 'Infinity', '-Inf': '-Infinity' }[v.d];
  if ('b' in v) return v.b;
  if ('y' in v) return v.y;
  if ('a' in v) return v.a.map((x) => rendered(x, depth + 1));
  if ('m' in v) return renderedMap(v.m, depth + 1);
  return undefined;
}
/** At the top, an attribute keyed "" is left out (the spec has keys non-empty); inside, kept. */
function renderedMap(m: Record<string, Tagged>, depth: number): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(m)
      .filter(([k]) => depth > 0 || k !== '')
      .map(([k, v]) => [k, rendered(v, depth)]),
  );
}
const millis = (ns: string) => Number(BigInt(ns) / 1000n) / 1000;
const correlation = (v: Tagged | undefined) => {
  const r = v === undefined ? undefined : rendered(v, 0);
  if (typeof r === 'string') return r || undefined;
  return Number.isSafeInteger(r) ? String(r) : undefined;
};

/**
 * The operation the Collector's span is read as, or undefined for a span this reader leaves out
 * by design: an id empty or all zeros (the Collector keeps it, empty), a time of 0 (proto3's
 * absent), an end before the start, or a time past what a Date holds.
 */
function expectedOperation(s: GoSpan): Operation | undefined {
  const zero = (id: string) => /^0*$/.test(id);
  if (zero(s.traceId) || zero(s.spanId) || s.start === '0' || s.end === '0') return undefined;
  const [start, end] = [millis(s.start), millis(s.end)];
  if (end < start || end > 8.64e15) return undefined;
  // service.name as the reader renders it, text: an int64 past 2^53 renders as its digits too.
  const service = s.resource['service.name'];
  const serviceText = service === undefined ? undefined : rendered(service, 0);
  const correlationId =
    correlation(s.attributes.correlation_id) ?? correlation(s.resource.correlation_id);
  return {
    traceId: s.traceId,
    spanId: s.spanId,
    ...(zero(s.parentSpanId) ? {} : { parentSpanId: s.parentSpanId }),
    name: s.name || '<unnamed>',
    service: typeof serviceText === 'string' ? serviceText : 'unknown_service',
    start,
    end,
    status: s.code === 2 ? 'error' : s.code === 1 ? 'ok' : 'unset',
    ...(s.message ? { statusMessage: s.message } : {}),
    ...(correlationId ? { correlationId } : {}),
    attributes: renderedMap(s.attributes, 0),
  };
}

function read(proto: boolean, body: Buffer): TraceBatch | { refused: string } {
  try {
    return proto ? parseOtlpProtobuf(body) : parseOtlpJson(body);
  } catch (err) {
    if (err instanceof OtlpError) return { refused: err.message };
    throw err;
  }
}

describe('the OTLP reader against the Collector', () => {
  it('reads 2,000 random requests as the Collector does, JSON and protobuf, or refuses what it refuses', () => {
    const seed = Number(process.env.FC_SEED ?? Date.now() % 2 ** 31);
    const bodies = fc.sample(request, { numRuns: 2_000, seed }).map((r) => Buffer.from(toJson(r)));
    const answers = askGo(bodies.map((b) => ({ body: b.toString('base64') })));
    let accepted = 0;
    let refused = 0;
    for (const [i, body] of bodies.entries()) {
      const go = answers[i] as GoAnswer;
      const ours = read(false, body);
      const request = body.toString('utf8');
      if (go.error !== undefined) {
        refused++;
        // Refused whole, a span left out, or the problem named: never read as if all were well.
        const noticed = 'refused' in ours || ours.rejectedSpans > 0 || ours.problem !== undefined;
        expect({ seed, request, collector: go.error, noticed }).toEqual({
          seed,
          request,
          collector: go.error,
          noticed: true,
        });
        continue;
      }
      accepted++;
      const expected = (go.spans ?? []).map(expectedOperation);
      const kept = expected.filter((o) => o !== undefined);
      // The JSON as sent, and the same request as the Collector writes it in protobuf.
      const protobuf = read(true, Buffer.from(go.protobuf ?? '', 'base64'));
      for (const [encoding, batch] of [
        ['json', ours],
        ['protobuf', protobuf],
      ] as const)
        expect({
          seed,
          request,
          encoding,
          read:
            'refused' in batch
              ? batch
              : { operations: batch.operations, rejectedSpans: batch.rejectedSpans },
        }).toEqual({
          seed,
          request,
          encoding,
          read: { operations: kept, rejectedSpans: expected.length - kept.length },
        });
    }
    // Both sides came up often: neither outcome is left untested by the sample.
    expect(accepted).toBeGreaterThan(200);
    expect(refused).toBeGreaterThan(200);
  });
});
