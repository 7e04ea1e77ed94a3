// Arbitraries for Sentry envelopes (fast-check): valid ones written without the parser, as an SDK
// would write them, and the bytes a broken client or the network could send instead (a valid
// envelope with one byte changed and its end cut off, or random bytes). The parser's tests read
// them in-process; src/ingest-fuzz.test.ts posts them to a running tracker.
import fc from 'fast-check';

const b = (s: string) => Buffer.from(s, 'utf8');

export const item = fc.record({
  type: fc.constantFrom('event', 'transaction', 'session', 'attachment', 'client_report', 'x_new_type'),
  payload: fc.oneof(
    fc.json().map((j) => Buffer.from(j)),
    fc.uint8Array({ maxLength: 64 }).map((a) => Buffer.from(a)),
  ),
  withLength: fc.boolean(),
});

/** A valid envelope's bytes, and the items (type and payload) a reader must find in them. */
export const envelope = fc.array(item, { maxLength: 5 }).map((items) => {
  const parts: Buffer[] = [b('{"event_id":"9ec79c33ec9942ab8353589fcb2e04dc"}\n')];
  const expected: { type: string; payload: Buffer }[] = [];
  for (const it of items) {
    // Without a length a payload cannot contain a newline; such items always carry one.
    const withLength = it.withLength || it.payload.includes(0x0a) || it.payload.length === 0;
    parts.push(
      b(
        JSON.stringify(withLength ? { type: it.type, length: it.payload.length } : { type: it.type }) +
          '\n',
      ),
    );
    parts.push(it.payload, b('\n'));
    expected.push({ type: it.type, payload: it.payload });
  }
  return { bytes: Buffer.concat(parts), expected };
});

/** A valid envelope with one byte replaced and up to all of its bytes cut off the end. */
export const mutatedEnvelope = fc
  .tuple(envelope, fc.nat(), fc.integer({ min: 0, max: 255 }), fc.nat())
  .map(([{ bytes }, at, byte, cut]) => {
    const copy = Buffer.from(bytes);
    if (copy.length > 0) copy[at % copy.length] = byte;
    return copy.subarray(0, copy.length - (cut % (copy.length + 1)));
  });

/** What the 100k-case properties send: a mutated envelope or up to 200 random bytes. */
export const randomOrMutatedEnvelope = fc.oneof(
  mutatedEnvelope,
  fc.uint8Array({ maxLength: 200 }).map((a) => Buffer.from(a)),
);
