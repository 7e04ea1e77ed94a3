// Test support for the oracle tests' grammars: near misses of what a grammar builds.
import fc from 'fast-check';

/**
 * A text from `texts` with one character deleted, doubled or replaced by one from `chars` (an
 * empty text becomes that character): a near miss, where parsers part most often.
 */
export function oneCharOff(
  texts: fc.Arbitrary<string>,
  chars: fc.Arbitrary<string>,
): fc.Arbitrary<string> {
  return fc
    .tuple(texts, fc.nat(), fc.constantFrom('delete', 'double', 'replace'), chars)
    .map(([t, at, how, c]) => {
      if (t === '') return c;
      const i = at % t.length;
      if (how === 'delete') return t.slice(0, i) + t.slice(i + 1);
      if (how === 'double') return t.slice(0, i + 1) + t.slice(i);
      return t.slice(0, i) + c + t.slice(i + 1);
    });
}
