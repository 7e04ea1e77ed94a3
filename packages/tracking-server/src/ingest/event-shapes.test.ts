// Events and transactions of any shape JSON allows: reading one either works or fails with an
// EventError (a 400), never with anything else (a 500). Each known field gets values of every
// JSON type, nested where the protocol nests.
import fc from 'fast-check';
import { createScrubber } from '../scrub/scrub';
import { EventError, readEvent } from './event';
import { OtlpError, parseOtlpJson } from './otlp';
import { eventOfAnyShape, otlpOfAnyShape, transactionOfAnyShape } from './testdata/shapes';
import { readTransaction } from './transaction';

const scrub = createScrubber({ enabled: true });

it('reads an event of any JSON shape or refuses it with an EventError (10k cases)', () => {
  fc.assert(
    fc.property(eventOfAnyShape, (e) => {
      const text = JSON.stringify(e);
      try {
        const read = readEvent(JSON.parse(text), 1, scrub, 1_700_000_000_000, text);
        expect(typeof read.title).toBe('string');
        expect(typeof read.grouping.hash).toBe('string');
      } catch (err) {
        if (!(err instanceof EventError)) throw err;
      }
    }),
    { numRuns: 10_000 },
  );
});

it('reads a transaction of any JSON shape into operations, or a reason to drop it (10k cases)', () => {
  fc.assert(
    fc.property(transactionOfAnyShape, (t) => {
      const read = readTransaction(
        JSON.parse(JSON.stringify(t)) as Record<string, unknown>,
        Date.now(),
      );
      if ('dropped' in read) {
        expect(['invalid_transaction', 'timestamp']).toContain(read.dropped);
        return;
      }
      for (const o of read.operations) {
        expect(o.traceId).toMatch(/^[0-9a-f]{32}$/);
        expect(typeof o.name).toBe('string');
        expect(Number.isFinite(o.start) && Number.isFinite(o.end)).toBe(true);
      }
    }),
    { numRuns: 10_000 },
  );
});

it('reads an OTLP/JSON request of any shape or refuses it with an OtlpError (10k cases)', () => {
  let read = 0;
  fc.assert(
    fc.property(otlpOfAnyShape, (body) => {
      let batch;
      try {
        batch = parseOtlpJson(Buffer.from(JSON.stringify(body)));
      } catch (err) {
        if (!(err instanceof OtlpError)) throw err;
        return;
      }
      read++;
      for (const o of batch.operations) {
        expect(o.traceId).toMatch(/^[0-9a-f]{32}$/);
        expect(typeof o.name).toBe('string');
        expect(new Date(o.start).toISOString()).toMatch(/Z$/); // a time the API can show
        expect(new Date(o.end).toISOString()).toMatch(/Z$/);
        expect(() => JSON.stringify(o.attributes)).not.toThrow();
      }
      for (const m of batch.memory) expect(new Date(m.time).toISOString()).toMatch(/Z$/);
    }),
    { numRuns: 10_000 },
  );
  expect(read).toBeGreaterThan(1_000); // the generator reaches past the first refusal
});
