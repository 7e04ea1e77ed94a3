// routes.ts's parseFieldSelector against k8s.io/apimachinery's fields.ParseSelector itself (the
// apimachinery oracle in testdata, run once with `go run` for the whole file): random field
// selectors, `metadata.name=` style and mutated, are refused by both (with the same words) or
// read by both as the same requirements, in the same order. Go is needed: without it this test
// fails, naming it.
//
// Two differences the oracle found in routes.ts (reported, not fixed here: routes.ts is not this
// test's to change), held apart below so that everything else is compared:
// - a term with neither field nor value (`=`, `==`, `!=`) is no requirement for Go (hasTerm's
//   Transform makes it Everything()); parseFieldSelector keeps it, and selectors() then answers
//   400 '"" is not a known field selector' to `fieldSelector==`, which upstream serves.
//   Compared here with such terms taken out of ours (ignoredByGo); drop that once fixed.
// - terms are sorted by Go as UTF-8 bytes and by routes.ts as UTF-16 code units, which differ
//   for characters past U+FFFF against U+E000–U+FFFF ("metadata.name=\ufffd,metadata.name=😀"):
//   the values below stay inside the Basic Multilingual Plane; add '😀' to valuePiece once fixed.
import fc from 'fast-check';
import { parseFieldSelector } from './routes';
import {
  askApimachinery,
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
// Values: names, escapes (good and bad), unescaped "," and "=", and characters past ASCII
// inside the Basic Multilingual Plane.
const valuePiece = fc.oneof(
  { arbitrary: fc.constantFrom('a', 'b', 'web-0', 'x.y', '0', ' '), weight: 8 },
  { arbitrary: fc.constantFrom('\\,', '\\=', '\\\\'), weight: 3 },
  fc.constantFrom('\\', '\\a', '\\ ', '=', '!', 'é', '\u00ff', '\ufffd', '\u4e2d'),
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
    const i = at % (s.length + 1);
    return how === 'insert' ? s.slice(0, i) + j + s.slice(i) : s.slice(0, i) + s.slice(i + 1);
  });
const selector = fc.oneof(
  { arbitrary: grammatical, weight: 5 },
  { arbitrary: mutated, weight: 4 },
  fc.constantFrom('', ',', 'metadata.name=', 'metadata.name', '\\', '=', 'a=b\\'),
);

/** A term without field or value, which fields.ParseSelector drops (see the top). */
const ignoredByGo = (t: { field: string; value: string }) => t.field === '' && t.value === '';

const SEED = 20261202;
const selectors = fc.sample(selector, { numRuns: 10_000, seed: SEED });

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
          ? { requirements: terms.filter((t) => !ignoredByGo(t)).map((t) => ({ ...t })) }
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
