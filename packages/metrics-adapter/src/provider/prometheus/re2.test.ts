// re2.ts against Go's regexp itself: random RE2 patterns, built by a grammar here (not by
// re2.ts), are compiled by Go (testdata/re2-oracle, run with `go run`) and by compileRe2, and
// must compile in both or in neither and match the same inputs at the same places, capture
// groups included; and a rule's name.as, expanded on those matches by expandTemplate, must come
// out as Go's Regexp.ExpandString writes it. The e2e suite needs Go too; without it this test
// fails, naming it.
import { join } from 'node:path';
import fc from 'fast-check';
import { askGoOracle } from '../../testing/go-oracle';
import { expandTemplate } from './naming';
import { compileRe2, Re2Error } from './re2';

interface Answer {
  error?: string;
  matches: (number[] | null)[] | null;
  expanded?: (string | null)[];
}

function askGo(questions: { pattern: string; inputs: string[]; template?: string }[]): Answer[] {
  return askGoOracle('the Go regexp oracle', join(__dirname, 'testdata', 're2-oracle'), questions, {
    target: 'main.go',
  });
}

/** Where `re` matches `input`, as Go's FindStringSubmatchIndex writes it (ASCII inputs only). */
function jsMatch(re: RegExp, input: string): number[] | null {
  const m = new RegExp(re.source, re.flags + 'd').exec(input);
  if (!m?.indices) return null;
  return [...m.indices].flatMap((span) => (span ? [span[0], span[1]] : [-1, -1]));
}

// A grammar of RE2 as prometheus-adapter users write it (metric-name patterns and more). Each
// piece knows whether it can match empty: a repeated group that can is left out, since there
// the engines differ by design (JavaScript refuses an empty iteration and backtracks, Go takes
// it), which no translation can change and no metric-name pattern needs.
interface Gen {
  readonly s: string;
  readonly empty: boolean;
}
const lit = (s: string, empty = false): Gen => ({ s, empty });
const { re: atom } = fc.letrec<{ re: Gen; atom: Gen; piece: Gen; seq: Gen }>((tie) => ({
  atom: fc.oneof(
    { depthSize: 'small', maxDepth: 3 },
    fc
      .constantFrom('a', 'b', 'x', '_', ':', '0', 'A', '\\.', '.', '\\d', '\\w', '\\s', '\\S')
      .map((c) => lit(c)),
    fc
      .constantFrom(
        '[a-c]',
        '[^b_]',
        '[[:upper:]]',
        '[[:digit:]_x]',
        '[]a]',
        '[^]a]',
        '[\\s:]',
        '[[:space:]]',
        '\\Qa.b\\E',
        // RE2's character escapes: hex, hex in braces, octal.
        '\\x41',
        '\\x{61}',
        '\\x{0A}',
        '\\141',
        '\\12',
        '\\0',
        '[\\x{30}-\\x{39}_]',
        '[\\101\\142]',
      )
      .map((c) => lit(c)),
    fc.constantFrom('^', '$', '\\A', '\\z', '\\b').map((c) => lit(c, true)),
    tie('re').map((r) => lit(`(${r.s})`, r.empty)),
    tie('re').map((r) => lit(`(?:${r.s})`, r.empty)),
    fc
      .tuple(fc.integer({ min: 1, max: 3 }), tie('re'))
      .map(([n, r]) => lit(`(?P<g${n}>${r.s})`, r.empty)),
  ),
  piece: fc
    .tuple(tie('atom'), fc.constantFrom('', '', '*', '+', '?', '{1,2}', '*?', '+?'))
    .map(([a, q]) => (a.empty || q === '' ? a : lit(a.s + q, q.startsWith('*') || q === '?'))),
  seq: fc.array(tie('piece'), { minLength: 1, maxLength: 3 }).map((p) =>
    lit(
      p.map((x) => x.s).join(''),
      p.every((x) => x.empty),
    ),
  ),
  re: fc.array(tie('seq'), { minLength: 1, maxLength: 3 }).map((a) =>
    lit(
      a.map((x) => x.s).join('|'),
      a.some((x) => x.empty),
    ),
  ),
}));

const pattern = fc
  .tuple(fc.constantFrom('', '', '(?i)', '(?s)', '(?m)', '(?ims)'), atom)
  .map(([flags, re]) => flags + re.s);
const input = fc
  .array(
    fc.constantFrom(
      'a',
      'b',
      'c',
      'x',
      'A',
      'B',
      '_',
      '0',
      '1',
      ':',
      '.',
      ' ',
      '\n',
      '\r',
      '\t',
      '\v',
    ),
    {
      maxLength: 8,
    },
  )
  .map((c) => c.join(''));

const seed = Number(process.env.FC_SEED ?? Date.now() % 2 ** 31);

/**
 * name.as templates, from pieces whose joins make more: `$` then `1` is `$1`, `$g1` then `a` is
 * the name `g1a`. References by number (leading zeros and nine digits included), by name (of a
 * group the grammar makes, or not), braced or bare, `$$`, and malformed ones Go writes as text.
 */
const template = fc
  .array(
    fc.constantFrom(
      'a',
      '_',
      '-',
      '.',
      '1',
      '{',
      '}',
      ' ',
      'ü',
      '_per_second',
      '$',
      '$$',
      '$0',
      '$1',
      '$2',
      '$3',
      '$9',
      '$01',
      '$10',
      '$123456789',
      '${0}',
      '${1}',
      '${2}',
      '${01}',
      '${g1}',
      '${g2}',
      '${g3}',
      '$g1',
      '$g2',
      '$g3',
      '$g1x',
      '$1x',
      '${',
      '${}',
      '${g1',
      '${ 1}',
      '$ü',
      '$1ü',
      '${ü}',
      '$-',
      '$_',
      '$\u0661', // ARABIC-INDIC DIGIT ONE: a digit to Unicode, no group number to Go
    ),
    { minLength: 1, maxLength: 6 },
  )
  .map((pieces) => pieces.join(''));

describe('compileRe2', () => {
  it('matches what Go matches, where Go matches it, for 3,000 random patterns', () => {
    const questions = fc.sample(
      fc.record({ pattern, inputs: fc.array(input, { minLength: 6, maxLength: 6 }) }),
      {
        numRuns: 3_000,
        seed,
      },
    );
    const answers = askGo(questions);
    let compared = 0;
    for (const [i, q] of questions.entries()) {
      const go = answers[i] as Answer;
      let re: RegExp | undefined;
      try {
        re = compileRe2(q.pattern);
      } catch (err) {
        if (!(err instanceof Re2Error)) throw err;
      }
      expect({ pattern: q.pattern, compiles: re !== undefined }).toEqual({
        pattern: q.pattern,
        compiles: go.error === undefined,
      });
      if (!re) continue;
      // A quantified group differs in two ways, both README's: a group repeated keeps its last
      // iteration's capture in Go, where in JavaScript an iteration that does not take part
      // resets it; and RE2 takes an iteration that matches empty where the group's alternatives
      // allow one, where JavaScript refuses an empty iteration past the minimum and tries the
      // other alternatives first (`(?:a*|b)*` on "bb": Go [0,0], JavaScript [0,2]). The same
      // strings match, from the same place: there the match's start is held equal.
      const spans = (at: number[] | null) => (/\)[*+?{]/.test(q.pattern) ? at?.slice(0, 1) : at);
      for (const [j, text] of q.inputs.entries()) {
        expect({ seed, pattern: q.pattern, text, at: spans(jsMatch(re, text)) }).toEqual({
          seed,
          pattern: q.pattern,
          text,
          at: spans(go.matches?.[j] ?? null),
        });
        compared++;
      }
    }
    expect(compared).toBeGreaterThan(10_000);
  });

  it("expands a name.as template on each match as Go's Regexp.ExpandString, for 2,000 random ones", () => {
    const questions = fc.sample(
      fc.record({ pattern, inputs: fc.array(input, { minLength: 6, maxLength: 6 }), template }),
      { numRuns: 2_000, seed },
    );
    const answers = askGo(questions);
    let compared = 0;
    for (const [i, q] of questions.entries()) {
      const go = answers[i] as Answer;
      // Patterns Go refuses are the test above's; a repeated group's capture differs by design.
      if (go.error !== undefined || /\)[*+?{]/.test(q.pattern)) continue;
      const re = compileRe2(q.pattern);
      for (const [j, text] of q.inputs.entries()) {
        const m = new RegExp(re.source, re.flags).exec(text);
        expect({ seed, ...q, text, out: m ? expandTemplate(q.template, m) : null }).toEqual({
          seed,
          ...q,
          text,
          out: go.expanded?.[j] ?? null,
        });
        if (m) compared++;
      }
    }
    expect(compared).toBeGreaterThan(1_000);
  });

  it.each([
    ['(?=a)', 'lookaround'],
    ['(a)\\1', 'back-reference'],
    ['(?U)a+', 'ungreedy'],
    ['a(?i)b', 'only at its start'],
    ['\\pL', 'Unicode classes'],
    ['[[:nope:]]', 'unknown POSIX class'],
    ['(a', 'Unterminated group'],
    ['\\8', 'back-reference'],
    ['\\xZ1', 'invalid escape \\xZ1'],
    ['\\x{}', 'invalid escape'],
    ['\\x{110000}', 'up to 10FFFF'],
    ['[\\x{1F600}]', 'characters past U+FFFF'],
    ['\\e', 'invalid escape \\e: RE2 refuses it'],
    ['\\k<x>', 'invalid escape \\k'],
    ['\\cA', 'invalid escape \\c'],
    ['[\\b]', 'invalid escape \\b inside a class'],
  ])('refuses %j, naming why', (source, why) => {
    expect(() => compileRe2(source)).toThrow(Re2Error);
    expect(() => compileRe2(source)).toThrow(why);
  });
});

describe('RE2 character escapes', () => {
  it.each([
    // [pattern, matched, not matched]
    ['^\\x{41}$', 'A', 'x{41}'],
    ['^\\x{41}{2}$', 'AA', 'A'],
    ['^\\x41$', 'A', 'x41'],
    ['^\\x{1F600}+$', '\u{1F600}\u{1F600}', '\uD83D'],
    ['^\\101$', 'A', '\u0001'],
    ['^\\0$', '\u0000', '0'],
    ['^\\012$', '\n', '\u0000' + '12'],
    ['^(a)\\12$', 'a\n', 'aa'],
    ['^[\\x{41}-\\x{43}]+$', 'CAB', 'D'],
    ['^\\a$', '\u0007', 'a'],
  ])('reads %j as RE2 does', (pattern, matched, unmatched) => {
    const re = compileRe2(pattern);
    expect(re.test(matched)).toBe(true);
    expect(re.test(unmatched)).toBe(false);
  });
});
