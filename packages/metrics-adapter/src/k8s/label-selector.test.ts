import fc from 'fast-check';
import {
  formatLabelSelector,
  LabelSelectorError,
  matchesLabels,
  parseLabelSelector,
  type Requirement,
} from './label-selector';

describe('parseLabelSelector', () => {
  it.each<[string, Requirement[]]>([
    ['', []],
    ['app=web', [{ key: 'app', operator: '=', values: ['web'] }]],
    ['app==web', [{ key: 'app', operator: '==', values: ['web'] }]],
    ['tier!=cache', [{ key: 'tier', operator: '!=', values: ['cache'] }]],
    ['x=', [{ key: 'x', operator: '=', values: [''] }]],
    [
      'x= ,z= ',
      [
        { key: 'x', operator: '=', values: [''] },
        { key: 'z', operator: '=', values: [''] },
      ],
    ],
    ['gpu', [{ key: 'gpu', operator: 'exists', values: [] }]],
    ['!canary', [{ key: 'canary', operator: '!', values: [] }]],
    ['env in (prod, staging)', [{ key: 'env', operator: 'in', values: ['prod', 'staging'] }]],
    ['env in (b,a,b)', [{ key: 'env', operator: 'in', values: ['a', 'b'] }]],
    ['env notin (dev)', [{ key: 'env', operator: 'notin', values: ['dev'] }]],
    ['env in (prod,)', [{ key: 'env', operator: 'in', values: ['', 'prod'] }]],
    ['env in ()', [{ key: 'env', operator: 'in', values: [''] }]],
    ['env notin (,a,,b)', [{ key: 'env', operator: 'notin', values: ['', 'a', 'b'] }]],
    ['replicas>1', [{ key: 'replicas', operator: 'gt', values: ['1'] }]],
    ['replicas<10', [{ key: 'replicas', operator: 'lt', values: ['10'] }]],
    [
      'app.kubernetes.io/name=video-processing',
      [{ key: 'app.kubernetes.io/name', operator: '=', values: ['video-processing'] }],
    ],
    [
      ' app = web , !canary,tier in(a) ',
      [
        { key: 'app', operator: '=', values: ['web'] },
        { key: 'canary', operator: '!', values: [] },
        { key: 'tier', operator: 'in', values: ['a'] },
      ],
    ],
    ['x=in', [{ key: 'x', operator: '=', values: ['in'] }]],
    // apimachinery reads in and notin as keys where a key belongs.
    ['in=a', [{ key: 'in', operator: '=', values: ['a'] }]],
    ['!notin', [{ key: 'notin', operator: '!', values: [] }]],
    ['notin in (in)', [{ key: 'notin', operator: 'in', values: ['in'] }]],
    ['in', [{ key: 'in', operator: 'exists', values: [] }]],
    ['n>9223372036854775807', [{ key: 'n', operator: 'gt', values: ['9223372036854775807'] }]],
    // strconv.ParseInt takes leading zeros however many, and labels.Parse keeps the text.
    ['n<007', [{ key: 'n', operator: 'lt', values: ['007'] }]],
    // The value sets labels.Parse (v0.32.3) takes, step by step: a third "," after two.
    ['a in (,,,)', [{ key: 'a', operator: 'in', values: [''] }]],
    ['a in (a,,b)', [{ key: 'a', operator: 'in', values: ['', 'a', 'b'] }]],
    ['a in (a,,,)', [{ key: 'a', operator: 'in', values: ['', 'a'] }]],
    // apimachinery's lexer reads NUL as the end of its input: one that ends a token goes with it,
    // one where a token would start ends the selector.
    ['a\0=b', [{ key: 'a', operator: '=', values: ['b'] }]],
    ['a=b \0junk', [{ key: 'a', operator: '=', values: ['b'] }]],
    ['a=b\0\0junk', [{ key: 'a', operator: '=', values: ['b'] }]],
    [
      'a=b,\0c',
      [
        { key: 'a', operator: '=', values: ['b'] },
        { key: 'c', operator: 'exists', values: [] },
      ],
    ],
    ['a=\0', [{ key: 'a', operator: '=', values: [''] }]],
    ['\0a', []],
    [
      'n>00000000000000000000001',
      [{ key: 'n', operator: 'gt', values: ['00000000000000000000001'] }],
    ],
  ])('parses %j', (text, expected) => {
    expect(parseLabelSelector(text)).toEqual(expected);
  });

  it.each<[string, string]>([
    [
      'app in (',
      'at position 8: expected a label value, "," or ")" in the value set, found end of selector',
    ],
    // apimachinery's parseIdentifiersList takes a "," read right after another with it; then a
    // value or a third "," must follow (labels.Parse refuses these; checked with v0.32.3).
    ['a in (,,)', 'at position 8: expected a label value or "," after ",," in the value set'],
    ['a in (a,,)', 'at position 9: expected a label value or "," after ",,"'],
    ['a in (a , , )', 'at position 12: expected a label value or "," after ",,"'],
    // The position is the bad part's ("b"), not the value before it.
    ['a in (a b)', 'at position 8: expected "," or ")" in the value set, found "b"'],
    // A NUL taken with the token before it separates like nothing at all.
    ['a=b\0junk', 'expected "," or end of selector, found "junk"'],
    ['app in web', 'expected "(" after "in"'],
    ['app=web,', 'at position 8: expected a label key, found end of selector'],
    ['x=a||y=b', 'label value "a||y" must be empty or letters'],
    ['x==a==b', 'expected "," or end of selector, found "=="'],
    ['!x=a', 'expected "," or end of selector, found "="'],
    ['x<a', 'operator "<" needs a non-negative integer value (int64), found "a"'],
    ['x>-1', 'needs a non-negative integer value (int64), found "-1"'],
    ['x>+1', 'found "+1"'],
    ['x>9223372036854775808', 'found "9223372036854775808"'],
    // Zero-padded past 63 characters, it is no longer a label value.
    [`x>${'0'.repeat(63)}1`, `found "${'0'.repeat(63)}1"`],
    ['a=b\f', 'label value "b\\f" must be empty or letters'],
    ['a=b\v,c', 'label value "b\\u000b" must be empty or letters'],
    ['x=(a)', 'expected a label value, found "("'],
    ['x (a)', 'expected one of in, notin, =, ==, !=, >, < after key "x", found "("'],
    ['-app=web', 'label key name "-app" must be letters'],
    ['Example.COM/app=web', 'label key prefix "Example.COM" must be a DNS subdomain'],
    ['/app=web', 'has an empty prefix'],
    [`app=${'v'.repeat(64)}`, 'is longer than 63 characters'],
    ['app=we b', 'expected "," or end of selector, found "b"'],
    ['app=web$', 'label value "web$" must be empty or letters'],
  ])('rejects %j, naming the problem (%s)', (text, message) => {
    let error: unknown;
    try {
      parseLabelSelector(text);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(LabelSelectorError);
    expect((error as Error).message).toContain(`invalid label selector ${JSON.stringify(text)}`);
    expect((error as Error).message).toContain(message);
  });
});

// Expected texts are what labels.Parse(text).String() printed (k8s.io/apimachinery v0.32.3, Go
// 1.26): requirements by key with Go's sort.Sort, an insertion sort up to 12 requirements (those
// of one key keep their order) and pdqsort past that (they do not).
describe('formatLabelSelector', () => {
  it.each<[string, string]>([
    ['tier=web,app in (b,a),!canary,app', 'app in (a,b),app,!canary,tier=web'],
    [
      'b=1,a=2,b=3,a=4,b=5,a=6,b=7,a=8,b=9,a=10,b=11,a=12',
      'a=2,a=4,a=6,a=8,a=10,a=12,b=1,b=3,b=5,b=7,b=9,b=11',
    ],
    [
      'b=1,a=2,b=3,a=4,b=5,a=6,b=7,a=8,b=9,a=10,b=11,a=12,b=13',
      'a=10,a=2,a=4,a=6,a=8,a=12,b=3,b=5,b=7,b=9,b=1,b=11,b=13',
    ],
    [
      'a,a>1,a>1,b in (p,q),a,c!=y,a in (p,q),c,b in (p,q),a in (p,q),b!=y,a in (p,q),c,c in (p,q)',
      'a in (p,q),a>1,a>1,a in (p,q),a,a in (p,q),a,b!=y,b in (p,q),b in (p,q),c,c!=y,c,c in (p,q)',
    ],
  ])('writes %j as Selector.String() does', (text, expected) => {
    expect(formatLabelSelector(parseLabelSelector(text))).toBe(expected);
  });
});

describe('matchesLabels', () => {
  const pod = { app: 'web', tier: 'frontend', replicas: '3' };
  it.each<[string, boolean]>([
    ['', true],
    ['app=web', true],
    ['app=api', false],
    ['app!=api', true],
    ['missing!=x', true],
    ['app', true],
    ['missing', false],
    ['!missing', true],
    ['!app', false],
    ['tier in (frontend,backend)', true],
    ['tier notin (frontend)', false],
    ['missing notin (x)', true],
    ['missing in (x)', false],
    ['replicas>2', true],
    ['replicas>3', false],
    ['replicas<4', true],
    ['app>1', false],
    ['app=web,tier=backend', false],
    ['replicas>002', true],
  ])('%j → %p', (selector, expected) => {
    expect(matchesLabels(parseLabelSelector(selector), pod)).toBe(expected);
  });

  // Requirement.Matches reads the object's value with strconv.ParseInt(v, 10, 64): one past
  // int64 is an error there, so neither > nor < matches it (checked with apimachinery v0.29.3).
  it.each<[string, string, boolean]>([
    ['n>1', '99999999999999999999', false],
    ['n<10', '99999999999999999999', false],
    ['n>1', '9223372036854775808', false],
    ['n>1', '9223372036854775807', true],
    ['n<10', '0000000000000000000000005', true],
  ])('%j on a label value of %s → %p', (selector, value, expected) => {
    expect(matchesLabels(parseLabelSelector(selector), { n: value })).toBe(expected);
  });
});

// A generator that writes valid selectors on its own, from the grammar, not from the parser.
const nameChars = 'abcxyzABC019';
const name = fc
  .tuple(
    fc.constantFrom(...nameChars.split('')),
    fc.array(fc.constantFrom(...(nameChars + '-_.').split('')), { maxLength: 10 }),
    fc.constantFrom(...nameChars.split('')),
  )
  .map(([a, mid, z]) => a + mid.join('') + z);
const key = fc.oneof(
  name,
  fc
    .tuple(fc.constantFrom('example.com', 'app.kubernetes.io', 'a-b'), name)
    .map(([p, n]) => `${p}/${n}`),
);
const value = fc.oneof(name, fc.constant(''));
const sp = fc.constantFrom('', ' ', '  ');
const requirement = fc.oneof(
  fc
    .tuple(key, fc.constantFrom('=', '==', '!='), value, sp)
    .map(([k, op, v, s]) => `${k}${s}${op}${s}${v}`),
  fc
    .tuple(key, fc.constantFrom('in', 'notin'), fc.array(name, { minLength: 1, maxLength: 4 }), sp)
    .map(([k, op, vs, s]) => `${k} ${op}${s}(${vs.join(`,${s}`)})`),
  key,
  key.map((k) => `!${k}`),
  fc
    .tuple(key, fc.constantFrom('>', '<'), fc.integer({ min: 0, max: 1000 }))
    .map(([k, op, n]) => `${k}${op}${n}`),
);
const selector = fc.array(requirement, { maxLength: 5 }).map((rs) => rs.join(','));

describe('parseLabelSelector (properties)', () => {
  it('parses every selector the grammar generates, and its canonical form reads back the same', () => {
    fc.assert(
      fc.property(selector, (text) => {
        const reqs = parseLabelSelector(text);
        const again = parseLabelSelector(formatLabelSelector(reqs));
        const byKey = (rs: Requirement[]) =>
          JSON.stringify([...rs].sort((a, b) => a.key.localeCompare(b.key)));
        return (
          byKey(again) === byKey(reqs) &&
          reqs.length === (text === '' ? 0 : text.split(/,(?![^(]*\))/).length)
        );
      }),
      { numRuns: 20_000 },
    );
  });

  it('answers 100k random and mutated inputs with a result or a LabelSelectorError, never a crash', () => {
    const mutated = fc
      .tuple(selector, fc.nat(), fc.string({ maxLength: 3 }))
      .map(
        ([s, at, junk]) => s.slice(0, at % (s.length + 1)) + junk + s.slice(at % (s.length + 1)),
      );
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 40 }), mutated), (text) => {
        try {
          parseLabelSelector(text);
          return true;
        } catch (err) {
          return (
            err instanceof LabelSelectorError && err.message.startsWith('invalid label selector')
          );
        }
      }),
      { numRuns: 100_000 },
    );
  });
});
