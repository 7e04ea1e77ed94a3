import fc from 'fast-check';
import { Utf8Writer } from './utf8-writer';

type Op =
  | { kind: 'text' | 'jsonString'; s: string }
  | { kind: 'byte'; c: number }
  | { kind: 'bytes'; b: Uint8Array }
  | { kind: 'truncate'; fraction: number };

// Text that needs escaping or more than one byte, lone surrogates included; now and then long
// enough that the scratch buffer grows.
const text = fc.oneof(
  fc.string({ unit: fc.constantFrom('a', '"', '\\', '\n', '\u007f', 'é', '€', '😀') }),
  fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)) }),
  fc.string({ unit: 'binary' }),
  fc
    .tuple(fc.string({ unit: fc.constantFrom('a', '€', '😀'), maxLength: 3 }), fc.nat(30_000))
    .map(([s, k]) => s.repeat(k)),
);
const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constantFrom('text' as const, 'jsonString' as const), s: text }),
  fc.record({ kind: fc.constant('byte' as const), c: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ kind: fc.constant('bytes' as const), b: fc.uint8Array({ maxLength: 40 }) }),
  fc.record({
    kind: fc.constant('truncate' as const),
    fraction: fc.double({ min: 0, max: 1, noNaN: true }),
  }),
);

/** Applies `o` to the writer and to the bytes expected of it. */
function apply(w: Utf8Writer, expected: Uint8Array, o: Op): Uint8Array {
  switch (o.kind) {
    case 'text':
      w.text(o.s);
      return Buffer.concat([expected, Buffer.from(o.s)]);
    case 'jsonString':
      w.jsonString(o.s);
      return Buffer.concat([expected, Buffer.from(JSON.stringify(o.s))]);
    case 'byte':
      w.byte(o.c);
      return Buffer.concat([expected, Buffer.from([o.c])]);
    case 'bytes':
      w.bytes(o.b);
      return Buffer.concat([expected, o.b]);
    case 'truncate': {
      const length = Math.floor(w.length * o.fraction);
      w.truncate(length);
      return expected.subarray(0, length);
    }
  }
}

describe('Utf8Writer', () => {
  it('writes what Buffer.from writes, for two writers open at once and the next, 2k runs', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(1), op), { maxLength: 30 }),
        fc.array(op),
        (ops, more) => {
          const writers = [new Utf8Writer(), new Utf8Writer()];
          const expected: Uint8Array[] = [Buffer.alloc(0), Buffer.alloc(0)];
          for (const [i, o] of ops) expected[i] = apply(writers[i]!, expected[i]!, o);
          if (!writers.every((w, i) => w.finish().equals(expected[i]!))) return false;
          // The next writer reuses a scratch buffer holding earlier bytes.
          const next = new Utf8Writer();
          let nextExpected: Uint8Array = Buffer.alloc(0);
          for (const o of more) nextExpected = apply(next, nextExpected, o);
          return next.finish().equals(nextExpected);
        },
      ),
      { numRuns: 2_000 },
    );
  });

  it('hands out bodies that later writers do not overwrite, above and below the kept size', () => {
    const big = 'x'.repeat(1_500_000);
    for (const body of ['first', big, 'second', 'third']) {
      const w = new Utf8Writer();
      w.text(body);
      const out = w.finish();
      const overwrite = new Utf8Writer();
      overwrite.text('-'.repeat(body.length));
      overwrite.finish();
      expect(out.toString()).toBe(body);
    }
  });
});
