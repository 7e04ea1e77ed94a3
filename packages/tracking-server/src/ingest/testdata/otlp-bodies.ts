// Arbitraries for OTLP/HTTP trace request bodies (fast-check): a valid JSON request with one
// character changed, random JSON and random bytes, each sent as JSON or as protobuf. The
// parser's tests read them in-process; src/ingest-fuzz.test.ts posts them to a running tracker.
import fc from 'fast-check';

/** A valid request: one resource, one span with a memory event (times from the OTLP spec). */
export const validOtlpJson = JSON.stringify({
  resourceSpans: [
    {
      resource: { attributes: [{ key: 'service.name', value: { stringValue: 's' } }] },
      scopeSpans: [
        {
          spans: [
            {
              traceId: '5b8efff798038103d269b633813fc60c',
              spanId: 'eee19b7ec3c1b174',
              name: 'GET /',
              startTimeUnixNano: '1544712660000000000',
              endTimeUnixNano: '1544712661000000000',
              events: [{ name: 'memory', timeUnixNano: '5', attributes: [] }],
            },
          ],
        },
      ],
    },
  ],
});

/** The valid request with one character replaced by a printable ASCII one. */
export const mutatedOtlpJson = fc
  .tuple(fc.nat(), fc.integer({ min: 32, max: 126 }))
  .map(([at, c]) => {
    const chars = [...validOtlpJson];
    chars[at % chars.length] = String.fromCharCode(c);
    return Buffer.from(chars.join(''));
  });

export const randomJson = fc.json().map((j) => Buffer.from(j));

export const randomBytes = fc.uint8Array({ maxLength: 120 }).map((a) => Buffer.from(a));

/** What the 100k-case properties send, as JSON or protobuf alike. */
export const randomOrMutatedOtlpBody = fc.oneof(mutatedOtlpJson, randomJson, randomBytes);
