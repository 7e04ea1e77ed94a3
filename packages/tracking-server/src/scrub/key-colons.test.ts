import fc from 'fast-check';
import { keyColons } from './key-colons';

describe('keyColons', () => {
  it.each<[string, number]>([
    ['{}', 0],
    ['[1,"a:b",{"k":"12:30:00"}]', 1],
    ['{"a":1,"b":{"c":[{"d":null}]}}', 4],
    ['{ "a" :\n\t1 , "b"\r\n: 2 }', 2],
    ['{"a":1,"a":2}', 2],
    // A quote escaped inside a string is no key's end; an escaped backslash before one is.
    ['{"said":"he said \\"x\\": yes"}', 1],
    ['{"path\\\\":"C:\\\\"}', 1],
    ['{"a\\\\\\":b":1}', 1],
    // A string that starts with a colon, or blanks and one, counts once more: never fewer.
    ['{"a":": x"}', 2],
    ['{"a":" :"}', 2],
    ['":"', 1],
    ['', 0],
    [':', 0],
  ])('counts the colons of %j that can end a key: %i', (text, n) => {
    expect(keyColons(text)).toBe(n);
  });

  // A printer of its own, with blanks anywhere JSON allows them and keys given twice: the keys
  // it writes are counted as it writes them, not by the scanner under test.
  const blank = fc.constantFrom('', '', '', ' ', '\n', '\t', '\r\n  ');
  interface Printed {
    text: string;
    keys: number;
    /** A string in it starts with blanks and a colon, which the scanner counts as one more. */
    colonFirst: boolean;
  }
  const COLON_FIRST = /^[ \t\n\r]*:/;
  const str = (s: string): Printed => ({
    text: JSON.stringify(s),
    keys: 0,
    colonFirst: COLON_FIRST.test(s),
  });
  const { value } = fc.letrec<{ value: Printed }>((tie) => ({
    value: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      fc.oneof(fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true })).map((n) => ({
        text: JSON.stringify(n),
        keys: 0,
        colonFirst: false,
      })),
      fc
        .constantFrom('true', 'false', 'null')
        .map((text) => ({ text, keys: 0, colonFirst: false })),
      fc.oneof(fc.string(), fc.constantFrom(':', ' :x', '\\":', 'a"b:c', '\\')).map(str),
      fc.tuple(fc.array(tie('value'), { maxLength: 4 }), blank, blank).map(([items, b1, b2]) => ({
        text: `[${b1}${items.map((i) => i.text).join(`${b2},${b1}`)}${b2}]`,
        keys: items.reduce((n, i) => n + i.keys, 0),
        colonFirst: items.some((i) => i.colonFirst),
      })),
      fc
        .tuple(
          fc.array(
            fc.tuple(
              fc.oneof(fc.string(), fc.constantFrom('a', '__proto__', 'a\\', '"', ':')),
              tie('value'),
              fc.boolean(),
            ),
            { maxLength: 4 },
          ),
          blank,
          blank,
        )
        .map(([entries, b1, b2]) => {
          // An entry may be written twice, as a sender repeating a key would.
          const written = entries.flatMap(([k, v, twice]): [string, Printed][] =>
            twice
              ? [
                  [k, v],
                  [k, v],
                ]
              : [[k, v]],
          );
          return {
            text: `{${b1}${written
              .map(([k, v]) => `${JSON.stringify(k)}${b2}:${b1}${v.text}`)
              .join(`${b2},${b1}`)}${b2}}`,
            keys: written.reduce((n, [, v]) => n + 1 + v.keys, 0),
            colonFirst: written.some(([k, v]) => COLON_FIRST.test(k) || v.colonFirst),
          };
        }),
    ),
  }));

  it('is never below the keys a JSON text holds, and is them when no string starts with a colon', () => {
    fc.assert(
      fc.property(value, (printed) => {
        expect(() => JSON.parse(printed.text)).not.toThrow();
        const n = keyColons(printed.text);
        expect(n).toBeGreaterThanOrEqual(printed.keys);
        if (!printed.colonFirst) expect(n).toBe(printed.keys);
      }),
      { numRuns: 5_000 },
    );
  });
});
