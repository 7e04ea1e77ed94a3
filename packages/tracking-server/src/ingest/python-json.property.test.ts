import fc from 'fast-check';
import { nonFiniteAsNull, sendsPythonJson, sentryClient } from './python-json';

/** A JSON document as a tree, so that one tree can be written two ways. */
type Tree =
  | { readonly nonFinite: 'NaN' | 'Infinity' | '-Infinity' }
  | { readonly scalar: string | number | boolean | null }
  | { readonly list: readonly Tree[] }
  | { readonly entries: readonly (readonly [string, Tree])[] };

/** Strings full of what the scanner must not touch: the tokens, quotes and escapes. */
const trickyString = fc
  .array(fc.constantFrom('NaN', 'Infinity', '-Infinity', '"', '\\', '\\"', 'a', ' ', '-', 'é'), {
    maxLength: 8,
  })
  .map((parts) => parts.join(''));

const { tree } = fc.letrec<{ tree: Tree }>((tie) => ({
  tree: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.record({
      nonFinite: fc.constantFrom('NaN' as const, 'Infinity' as const, '-Infinity' as const),
    }),
    fc.record({
      scalar: fc.oneof(
        trickyString,
        fc.double({ noNaN: true, noDefaultInfinity: true }),
        fc.boolean(),
        fc.constant(null),
      ),
    }),
    fc.record({ list: fc.array(tie('tree'), { maxLength: 4 }) }),
    fc.record({ entries: fc.array(fc.tuple(trickyString, tie('tree')), { maxLength: 4 }) }),
  ),
}));

/** `tree` as JSON text, its non-finite leaves written by `leaf`, with `gap` between tokens. */
function write(t: Tree, leaf: (token: string) => string, gap: string): string {
  if ('nonFinite' in t) return leaf(t.nonFinite);
  if ('scalar' in t) return JSON.stringify(t.scalar);
  if ('list' in t)
    return `[${gap}${t.list.map((x) => write(x, leaf, gap)).join(`${gap},${gap}`)}${gap}]`;
  const entries = t.entries.map(
    ([k, v]) => `${JSON.stringify(k)}${gap}:${gap}${write(v, leaf, gap)}`,
  );
  return `{${gap}${entries.join(`${gap},${gap}`)}${gap}}`;
}

const gap = fc.constantFrom('', ' ', '\n', '\t ');

describe('nonFiniteAsNull', () => {
  it('rewrites NaN, Infinity and -Infinity outside strings as null', () => {
    expect(nonFiniteAsNull('{"a":NaN,"b":[Infinity, -Infinity],"c":1}')).toBe(
      '{"a":null,"b":[null, null],"c":1}',
    );
    expect(nonFiniteAsNull('NaN')).toBe('null');
  });

  it('leaves strings as they are, escaped quotes included', () => {
    const text = '{"NaN":"Infinity","s":"\\"NaN\\\\","t":-Infinity}';
    expect(nonFiniteAsNull(text)).toBe('{"NaN":"Infinity","s":"\\"NaN\\\\","t":null}');
  });

  it('returns text without the tokens, or with an unclosed string, as it came', () => {
    expect(nonFiniteAsNull('{"a":1.5e10}')).toBe('{"a":1.5e10}');
    expect(nonFiniteAsNull('{"a":"NaN')).toBe('{"a":"NaN');
  });

  it('parses to what the same document with null in their places parses to', () => {
    fc.assert(
      fc.property(tree, gap, (t, g) => {
        const python = write(t, (token) => token, g);
        const withNull = write(t, () => 'null', g);
        expect(JSON.parse(nonFiniteAsNull(python))).toEqual(JSON.parse(withNull));
      }),
      { numRuns: 5_000 },
    );
  });

  it('changes no JSON document: the tokens in its strings stay', () => {
    fc.assert(
      fc.property(tree, gap, (t, g) => {
        const json = write(t, () => 'null', g);
        expect(nonFiniteAsNull(json)).toBe(json);
      }),
      { numRuns: 5_000 },
    );
  });

  it('never throws, whatever the text', () => {
    fc.assert(
      fc.property(fc.string(), (text) => {
        expect(typeof nonFiniteAsNull(text)).toBe('string');
      }),
      { numRuns: 5_000 },
    );
  });
});

describe('which clients send Python’s JSON', () => {
  const none = new URLSearchParams();

  it('reads sentry_client from the auth header, else the query string', () => {
    expect(
      sentryClient(
        { 'x-sentry-auth': 'Sentry sentry_key=k, sentry_client=raven-python/6.10.0' },
        none,
      ),
    ).toBe('raven-python/6.10.0');
    expect(sentryClient({ authorization: 'Sentry sentry_client=sentry-python/0.5.0' }, none)).toBe(
      'sentry-python/0.5.0',
    );
    expect(
      sentryClient({}, new URLSearchParams('sentry_key=k&sentry_client=raven-python/6.0')),
    ).toBe('raven-python/6.0');
    expect(sentryClient({ 'x-sentry-auth': 'Sentry sentry_key=k' }, none)).toBeUndefined();
  });

  it('takes raven-python/ and sentry-python/, as Relay does, and no other', () => {
    expect(sendsPythonJson('raven-python/6.10.0')).toBe(true);
    expect(sendsPythonJson('sentry-python/0.5.0')).toBe(true);
    for (const other of ['sentry.python/1.40.0', 'raven-js/3.0', 'python', '', undefined])
      expect([other, sendsPythonJson(other)]).toEqual([other, false]);
  });
});
