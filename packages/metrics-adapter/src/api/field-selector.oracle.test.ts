// routes.ts's parseFieldSelector against k8s.io/apimachinery's fields.ParseSelector itself (the
// apimachinery oracle in testdata, run once with `go run` for the whole file): random field
// selectors, `metadata.name=` style and mutated, are refused by both (with the same words) or
// read by both as the same requirements, in the same order. Go is needed: without it this test
// fails, naming it.
import fc from 'fast-check';
import { parseFieldSelector } from './routes';
import {
  askApimachinery,
  ORACLE_SEED,
  ORACLE_TIMEOUT_MS,
  type OracleAnswers,
} from './testdata/apimachinery-oracle/ask';

const field = fc.oneof(
  { arbitrary: fc.constantFrom('metadata.name', 'metadata.namespace'), weight: 6 },
  fc.constantFrom('spec.nodeName', 'status.phase', '', ' metadata.name', 'metadata.name ', 'a!'),
  fc.constantFrom('x\\', 'x\\,y', 'é', 'a b'),
);
const operator = fc.oneof(
  { arbitrary: fc.constantFrom('=', '==', '!='), weight: 8 },
  fc.constantFrom('', '!', '===', '!==', '=!', '= ', ' ='),
);
// Values: names, escapes (good and bad), unescaped "," and "=", and characters past ASCII,
// past U+FFFF too (where Go's byte order and UTF-16's differ).
const valuePiece = fc.oneof(
  { arbitrary: fc.constantFrom('a', 'b', 'web-0', 'x.y', '0', ' '), weight: 8 },
  { arbitrary: fc.constantFrom('\\,', '\\=', '\\\\'), weight: 3 },
  fc.constantFrom('\\', '\\a', '\\ ', '=', '!', 'é', '\u00ff', '\ufffd', '\u4e2d', '😀'),
);
const value = fc.array(valuePiece, { maxLength: 4 }).map((ps) => ps.join(''));
const term = fc.oneof(
  { arbitrary: fc.tuple(field, operator, value).map((t) => t.join('')), weight: 10 },
  fc.constant(''),
);
const grammatical = fc.array(term, { minLength: 1, maxLength: 4 }).map((ts) => ts.join(','));
const junk = fc.constantFrom(',', '=', '!', '\\', ' ', 'a', 'é', ',,', '==', '!=');
const mutated = fc
  .tuple(grammatical, fc.nat(), fc.constantFrom('insert', 'delete'), junk)
  .map(([s, at, how, j]) => {
    // By code points: text from a URL is UTF-8, and never holds half of a surrogate pair.
    const cs = [...s];
    const i = at % (cs.length + 1);
    cs.splice(i, how === 'insert' ? 0 : 1, ...(how === 'insert' ? [j] : []));
    return cs.join('');
  });
const selector = fc.oneof(
  { arbitrary: grammatical, weight: 5 },
  { arbitrary: mutated, weight: 4 },
  fc.constantFrom('', ',', 'metadata.name=', 'metadata.name', '\\', '=', 'a=b\\'),
);

const selectors = fc.sample(selector, { numRuns: 10_000, seed: ORACLE_SEED });

let go: NonNullable<OracleAnswers['fields']>;
beforeAll(() => {
  go = askApimachinery({ fields: selectors }).fields ?? [];
}, ORACLE_TIMEOUT_MS);

describe('parseFieldSelector against fields.ParseSelector (oracle)', () => {
  it('refuses what Go refuses, in its words, and reads the same requirements, for 10,000 selectors', () => {
    expect(go).toHaveLength(selectors.length);
    const differ = selectors
      .map((text, i) => {
        const terms = parseFieldSelector(text);
        const ours = Array.isArray(terms)
          ? { requirements: terms.map((t) => ({ ...t })) }
          : { error: terms.error };
        const g = go[i];
        const theirs = g?.error ? { error: g.error } : { requirements: g?.requirements ?? [] };
        return { selector: text, ours, go: theirs };
      })
      .filter((c) => JSON.stringify(c.ours) !== JSON.stringify(c.go));
    expect(differ.slice(0, 10)).toEqual([]);
    // Both answers were reached often, and so were several terms at once.
    const accepted = go.filter((g) => !g.error);
    expect(accepted.length).toBeGreaterThan(2_000);
    expect(go.length - accepted.length).toBeGreaterThan(2_000);
    expect(accepted.filter((g) => (g.requirements?.length ?? 0) >= 2).length).toBeGreaterThan(500);
  });
});
