// label-selector.ts against k8s.io/apimachinery's labels.Parse itself (the apimachinery oracle
// in src/api/testdata, run once with `go run` for the whole file): random selectors, written
// from the grammar and then mutated, are accepted by parseLabelSelector exactly when Go accepts
// them; for those, formatLabelSelector writes what Selector.String() writes, and matchesLabels
// answers as Selector.Matches for random label sets. Go is needed: without it these tests fail,
// naming it.
import fc from 'fast-check';
import {
  askApimachinery,
  ORACLE_SEED,
  ORACLE_TIMEOUT_MS,
  type OracleAnswers,
} from '../api/testdata/apimachinery-oracle/ask';
import {
  formatLabelSelector,
  LabelSelectorError,
  matchesLabels,
  parseLabelSelector,
  type Requirement,
} from './label-selector';

// Names: mostly valid (letters, digits, "-", "_", "." inside), some not (an edge that is not
// alphanumeric, a character outside the set), some at and past 63 characters.
const inner = fc.constantFrom(...'abcxyzABC019-_.'.split(''));
const edge = fc.constantFrom(...'abxzA09'.split(''));
const validName = fc
  .tuple(edge, fc.array(inner, { maxLength: 6 }), edge)
  .map(([a, mid, z]) => a + mid.join('') + z);
const name = fc.oneof(
  { arbitrary: validName, weight: 12 },
  { arbitrary: edge, weight: 2 },
  fc.constantFrom('in', 'notin', 'a.b', 'x-y', 'a_b', '0'),
  fc.constantFrom('-a', 'a-', '_a', 'a.', '.', 'a$b', 'é', 'a\u00e9', 'a/b', 'a\\b', 'a\fb'),
  fc.tuple(edge, fc.constantFrom(61, 62, 63), edge).map(([a, n, z]) => a + 'x'.repeat(n) + z), // 63 to 65 characters
);
const prefix = fc.oneof(
  fc.constantFrom('example.com', 'app.kubernetes.io', 'a-b', 'a', '0.0', 'k8s.io'),
  fc.constantFrom('', 'Example.com', 'a_b', '-a', 'a.', 'a..b', 'a/b', 'é.io'),
  fc.constantFrom(251, 252, 253, 254).map((n) => 'a'.repeat(n - 4) + '.com'), // 251 to 254
);
const key = fc.oneof(
  { arbitrary: name, weight: 4 },
  fc.tuple(prefix, name).map(([p, n]) => `${p}/${n}`),
);
const value = fc.oneof({ arbitrary: name, weight: 5 }, fc.constant(''));
const integer = fc.oneof(
  fc.integer({ min: 0, max: 1000 }).map(String),
  fc.constantFrom(
    '0',
    '007',
    '-1',
    '+1',
    '',
    '1.5',
    'a',
    '9223372036854775807',
    '9223372036854775808',
    '-9223372036854775808',
    '0'.repeat(62) + '1',
    '0'.repeat(63) + '1',
  ),
);
// Whitespace as the lexer sees it (space, tab, CR, LF) and as it does not (form feed, vertical
// tab, no-break space, NUL).
const ws = fc.oneof(
  { arbitrary: fc.constant(''), weight: 6 },
  { arbitrary: fc.constantFrom(' ', '  ', '\t', '\n', '\r'), weight: 3 },
  fc.constantFrom('\f', '\v', '\u00a0', '\0'),
);
const valueList = fc
  .array(fc.oneof(value, fc.constant('')), { maxLength: 4 })
  .chain((vs) =>
    fc.tuple(fc.constant(vs), fc.array(ws, { minLength: vs.length, maxLength: vs.length })),
  )
  .map(([vs, spaces]) => vs.map((v, i) => `${v}${spaces[i] ?? ''}`).join(','));
const requirement = fc.oneof(
  fc
    .tuple(key, ws, fc.constantFrom('=', '==', '!='), ws, value)
    .map(([k, a, op, b, v]) => `${k}${a}${op}${b}${v}`),
  fc
    .tuple(key, fc.constantFrom(' in ', ' notin ', ' in', 'in', '\tnotin\t'), ws, valueList, ws)
    .map(([k, op, a, vs, b]) => `${k}${op}${a}(${vs})${b}`),
  key,
  fc.tuple(ws, key).map(([a, k]) => `!${a}${k}`),
  fc
    .tuple(key, ws, fc.constantFrom('>', '<'), ws, integer)
    .map(([k, a, op, b, n]) => `${k}${a}${op}${b}${n}`),
);
const requirements = fc.array(requirement, { maxLength: 5 });
const grammatical = fc.tuple(requirements, ws, ws).map(([rs, a, b]) => `${a}${rs.join(',')}${b}`);
// Many requirements of few keys, in any order, by key, in reverse or nearly by key: past 12 Go's
// sort.Sort leaves those of one key in an order of its own, which formatLabelSelector follows
// (its pivots, equal-key partitions, pre-sorted and reversed paths all reached).
const keyPool = fc.oneof(
  fc.constant('abcdefgh'.split('')),
  fc.constant(Array.from({ length: 40 }, (_, i) => `k${String(i).padStart(2, '0')}`)),
);
const keyOf = (r: string) => /^[a-z0-9]+/.exec(r)?.[0] ?? '';
const byKey = (a: string, b: string) => (keyOf(a) < keyOf(b) ? -1 : keyOf(a) > keyOf(b) ? 1 : 0);
const repeatedKeys = fc
  .tuple(
    keyPool.chain((keys) =>
      fc.array(
        fc
          .tuple(
            fc.constantFrom(...keys),
            fc.constantFrom('', '=x', '!=y', ' in (p,q)', '>1', '=', '==x'),
          )
          .map(([k, r]) => k + r),
        { minLength: 2, maxLength: 80, size: 'max' },
      ),
    ),
    fc.constantFrom('as is', 'as is', 'by key', 'reversed', 'nearly'),
    fc.array(fc.tuple(fc.nat(), fc.nat()), { maxLength: 3 }),
  )
  .map(([rs, order, swaps]) => {
    if (order !== 'as is') rs.sort(byKey);
    if (order === 'reversed') rs.reverse();
    if (order === 'nearly') {
      for (const [i, j] of swaps) {
        const [x, y] = [i % rs.length, j % rs.length];
        [rs[x], rs[y]] = [rs[y] as string, rs[x] as string];
      }
    }
    return rs.join(',');
  });

// Mutations: a character or keyword put in, a character taken out, a piece doubled.
const junk = fc.constantFrom(
  ...['(', ')', ',', '!', '=', '==', '<', '>', ' ', '\t', 'a', '0', '/', '.', '-', '_'],
  ...['in', 'notin', ' in ', '()', '(,)', ',,', '\0', '\f', 'é', '$', '\\', '"'],
);
const mutated = fc
  .tuple(
    grammatical,
    fc.array(fc.tuple(fc.nat(), fc.constantFrom('insert', 'delete', 'double'), junk), {
      minLength: 1,
      maxLength: 3,
    }),
  )
  .map(([s, edits]) =>
    edits.reduce((text, [at, how, j]) => {
      const i = at % (text.length + 1);
      if (how === 'insert') return text.slice(0, i) + j + text.slice(i);
      if (how === 'delete') return text.slice(0, i) + text.slice(i + 1);
      const end = i + (at % 5);
      return text.slice(0, end) + text.slice(i, end) + text.slice(end);
    }, s),
  );
const selector = fc.oneof(
  { arbitrary: grammatical, weight: 4 },
  { arbitrary: mutated, weight: 5 },
  { arbitrary: repeatedKeys, weight: 2 },
  fc.constantFrom('', ' ', ',', '!', 'a in (,,)', 'a in (a,,)', 'a in (,,,)', 'a=b\0', 'a\0=b'),
);

// Label sets to match: the selector's own keys and a few others, with values that are the
// selector's own, empty, or numbers (ParseInt's edges) and names.
const labelValue = (own: string[]) =>
  fc.oneof(
    ...(own.length > 0 ? [fc.constantFrom(...own)] : []),
    fc.constantFrom('', 'x', 'p', 'q', 'y', '1', '2', '0003', '-1', '1000', '99999999999999999999'),
    fc.integer({ min: -5, max: 1200 }).map(String),
  );
const labelSets = (text: string) => {
  const words = text.split(/[\s,()!=<>]+/).filter((w) => w !== '' && w !== '__proto__');
  const keys = [...new Set([...words, 'a', 'b', 'c', 'app'])];
  return fc.array(
    fc.dictionary(fc.constantFrom(...keys), labelValue(words), {
      maxKeys: 5,
      noNullPrototype: true,
    }),
    { minLength: 3, maxLength: 3 },
  );
};
const question = selector.chain((text) =>
  labelSets(text).map((sets) => ({ selector: text, sets })),
);

const questions = fc.sample(question, { numRuns: 20_000, seed: ORACLE_SEED });

let go: NonNullable<OracleAnswers['labels']>;
beforeAll(() => {
  go = askApimachinery({ labels: questions }).labels ?? [];
}, ORACLE_TIMEOUT_MS);

/** Ours, in the oracle's terms: the error, or the canonical text and what each set matches. */
function ours(q: { selector: string; sets: Record<string, string>[] }) {
  let reqs: Requirement[];
  try {
    reqs = parseLabelSelector(q.selector);
  } catch (err) {
    if (!(err instanceof LabelSelectorError)) throw err;
    return { accepts: false, message: err.message };
  }
  return {
    accepts: true,
    string: formatLabelSelector(reqs),
    matches: q.sets.map((set) => matchesLabels(reqs, set)),
  };
}

describe('parseLabelSelector against labels.Parse (oracle)', () => {
  it('accepts what Go accepts, writes what Go writes and matches what Go matches, for 20,000 selectors', () => {
    expect(go).toHaveLength(questions.length);
    const differ = questions
      .map((q, i) => {
        const g = go[i];
        const o = ours(q);
        const theirs = g?.error
          ? { accepts: false, error: g.error }
          : { accepts: true, string: g?.string, matches: g?.matches };
        const same =
          o.accepts === theirs.accepts &&
          (!o.accepts || (o.string === theirs.string && equal(o.matches, theirs.matches)));
        return { selector: q.selector, sets: q.sets, ours: o, go: theirs, same };
      })
      .filter((c) => !c.same);
    expect(differ.slice(0, 10)).toEqual([]);
    // Both answers were reached often, and the label sets matched both ways.
    const accepted = go.filter((g) => !g.error);
    expect(accepted.length).toBeGreaterThan(5_000);
    expect(go.length - accepted.length).toBeGreaterThan(5_000);
    const matched = accepted.flatMap((g) => g.matches ?? []);
    expect(matched.filter(Boolean).length).toBeGreaterThan(2_000);
    expect(matched.filter((m) => !m).length).toBeGreaterThan(2_000);
  });
});

function equal(a: readonly boolean[] | undefined, b: readonly boolean[] | null | undefined) {
  return (
    a !== undefined &&
    b !== null &&
    b !== undefined &&
    a.length === b.length &&
    a.every((x, i) => x === b[i])
  );
}
