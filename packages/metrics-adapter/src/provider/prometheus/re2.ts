// Go's regular expressions (RE2 syntax), as prometheus-adapter compiles `name.matches` and
// `seriesFilters`, turned into JavaScript ones that match the same names. Most RE2 is
// JavaScript already; what differs is written over (named groups `(?P<…>`, leading flags
// `(?i)`, `\A` `\z`, POSIX classes `[[:upper:]]`, `\Q…\E`, a `]` first in a class), and what
// has no equal here, or that RE2 itself refuses (lookaround, back-references), is an error
// naming it — never a pattern that compiles and quietly means something else.

export class Re2Error extends Error {}

const POSIX: Readonly<Record<string, string>> = {
  alnum: '0-9A-Za-z',
  alpha: 'A-Za-z',
  ascii: '\\x00-\\x7F',
  blank: '\\t ',
  cntrl: '\\x00-\\x1F\\x7F',
  digit: '0-9',
  graph: '!-~',
  lower: 'a-z',
  print: ' -~',
  punct: '!-\\/:-@\\[-`{-~',
  space: '\\t\\n\\v\\f\\r ',
  upper: 'A-Z',
  word: '0-9A-Za-z_',
  xdigit: '0-9A-Fa-f',
};

const SPACE = '\\t\\n\\f\\r ';

// Letter escapes RE2 has that mean the same in JavaScript (`\a` is translated; `\s` `\A` `\z`
// are written over above); any other letter or digit after `\` RE2 refuses.
const CLASS_ESCAPES = 'fnrtvdDwW';
const ESCAPES = CLASS_ESCAPES + 'bB';

/** RE2 reads `\` and any ASCII character but a letter or digit as that character. */
const isPunctuation = (c: string) => c < '\x80' && !/[A-Za-z0-9]/.test(c);

/** A code point as JavaScript (no `u` flag) reads it: one or two UTF-16 units. */
function codePointSource(codePoint: number, inClass: boolean, escape: string): string {
  const unit = (u: number) => `\\u${u.toString(16).padStart(4, '0')}`;
  if (codePoint <= 0xffff) return unit(codePoint);
  // Two units: a class would take either one alone.
  if (inClass)
    throw new Re2Error(`${escape} inside a class: characters past U+FFFF are not supported there`);
  const pair = String.fromCodePoint(codePoint);
  return `(?:${unit(pair.charCodeAt(0))}${unit(pair.charCodeAt(1))})`;
}

/**
 * RE2's escapes for one character that JavaScript reads otherwise: octal (`\101`, `\0`; `\1`
 * alone is a back-reference), hex (`\x41`, `\x{1F600}`, where JavaScript reads `x{41}` as 41
 * x's) and `\a` (bell; `a` in JavaScript). Undefined for any other escape.
 */
function characterEscape(
  source: string,
  at: number,
  inClass: boolean,
): { text: string; length: number } | undefined {
  const octal = /\\(0[0-7]{0,2}|[1-7][0-7]{1,2})/y;
  octal.lastIndex = at;
  const o = octal.exec(source);
  if (o)
    return {
      text: codePointSource(parseInt(o[1] as string, 8), inClass, o[0]),
      length: o[0].length,
    };
  if (source[at + 1] === 'a') return { text: '\\x07', length: 2 };
  if (source[at + 1] !== 'x') return undefined;
  const hex = /\\x(?:\{([0-9A-Fa-f]+)\}|([0-9A-Fa-f]{2}))/y;
  hex.lastIndex = at;
  const h = hex.exec(source);
  const codePoint = h ? parseInt((h[1] ?? h[2]) as string, 16) : NaN;
  if (!h || !(codePoint <= 0x10ffff))
    throw new Re2Error(
      `invalid escape ${source.slice(at, at + 4)}…: RE2 wants \\x and two hex digits, or \\x{…} up to 10FFFF`,
    );
  return { text: codePointSource(codePoint, inClass, h[0]), length: h[0].length };
}

/**
 * The JavaScript name of the `nth` RE2 group called `name`: `x`, then `x$2`, `x$3`… No RE2 name
 * has a `$`, so these name no other group.
 */
const nthGroupName = (name: string, nth: number) => (nth === 1 ? name : `${name}$${nth}`);

/**
 * A named group's text in a match of a compiled pattern, as Go's Regexp.Expand finds it: the
 * first group of that name that took part in the match.
 */
export function namedGroup(match: RegExpExecArray, name: string): string | undefined {
  const groups = match.groups ?? {};
  for (let nth = 1; Object.hasOwn(groups, nthGroupName(name, nth)); nth++) {
    const text = groups[nthGroupName(name, nth)];
    if (text !== undefined) return text;
  }
  return undefined;
}

const escapeLiteral = (s: string) => s.replace(/[\\^$.*+?()[\]{}|/-]/g, '\\$&');

/** Compiles an RE2 pattern to the JavaScript RegExp that matches the same strings. */
export function compileRe2(source: string): RegExp {
  let flags = '';
  let at = 0;
  // Flags that apply to the whole pattern: (?i), (?s), (?m), (?is)…
  const lead = /^\(\?([a-zA-Z]+)\)/.exec(source);
  if (lead) {
    for (const f of lead[1] as string) {
      if (f === 'U') throw new Re2Error('the ungreedy flag (?U) has no JavaScript equal');
      if (!'ism'.includes(f)) throw new Re2Error(`unknown flag ${f} in ${lead[0]}`);
      if (!flags.includes(f)) flags += f;
    }
    at = lead[0].length;
  }
  const multiline = flags.includes('m');
  let out = '';
  let inClass = false;
  const names = new Map<string, number>();
  while (at < source.length) {
    const c = source[at] as string;
    if (c === '\\') {
      const next = source[at + 1];
      if (next === undefined) throw new Re2Error('trailing backslash');
      if (next === 'Q') {
        const end = source.indexOf('\\E', at + 2);
        const literal = source.slice(at + 2, end < 0 ? source.length : end);
        out += escapeLiteral(literal);
        at = end < 0 ? source.length : end + 2;
        continue;
      }
      const char = characterEscape(source, at, inClass);
      if (char) {
        out += char.text;
        at += char.length;
        continue;
      }
      if (!inClass && next === 'A') out += multiline ? '(?<![\\s\\S])' : '^';
      else if (!inClass && next === 'z') out += multiline ? '(?![\\s\\S])' : '$';
      // RE2's \s is ASCII white space without \v; JavaScript's adds \v and Unicode's.
      else if (next === 's') out += inClass ? SPACE : `[${SPACE}]`;
      else if (next === 'S' && !inClass) out += `[^${SPACE}]`;
      else if (next === 'S') throw new Re2Error('\\S inside a class is not supported here');
      else if (/[1-9]/.test(next)) throw new Re2Error(`back-reference \\${next}: RE2 has none`);
      else if ('pPCZ'.includes(next))
        throw new Re2Error(`\\${next} is not supported here (Unicode classes, \\C, \\Z)`);
      else if (isPunctuation(next) || (inClass ? CLASS_ESCAPES : ESCAPES).includes(next))
        out += c + next;
      // JavaScript would read it as a letter (`\e`), a control (`\cA`) or a back-reference (`\k`).
      else
        throw new Re2Error(
          `invalid escape \\${next}${inClass ? ' inside a class' : ''}: RE2 refuses it`,
        );
      at += 2;
      continue;
    }
    if (inClass) {
      const posix = /^\[:(\^?)([a-z]+):\]/.exec(source.slice(at));
      if (posix) {
        const set = Object.hasOwn(POSIX, posix[2] as string)
          ? POSIX[posix[2] as string]
          : undefined;
        if (!set) throw new Re2Error(`unknown POSIX class ${posix[0]}`);
        if (posix[1]) throw new Re2Error(`negated POSIX class ${posix[0]} is not supported here`);
        out += set;
        at += posix[0].length;
        continue;
      }
      if (c === ']') inClass = false;
      // A `[` inside a class is a literal in RE2; in JavaScript with the v flag it would not be.
      out += c === '[' ? '\\[' : c;
      at++;
      continue;
    }
    if (c === '[') {
      inClass = true;
      out += c;
      at++;
      if (source[at] === '^') {
        out += '^';
        at++;
      }
      // RE2 reads a `]` first in a class as a literal; JavaScript as the end of an empty class.
      if (source[at] === ']') {
        out += '\\]';
        at++;
      }
      continue;
    }
    if (c === '(' && source[at + 1] === '?') {
      const rest = source.slice(at + 2);
      const named = /^P?<([A-Za-z_][A-Za-z0-9_]*)>/.exec(rest);
      if (named) {
        // Go lets two groups share a name; JavaScript does not, so a name's later groups get
        // names of their own (namedGroup finds them), keeping every group's number.
        const name = named[1] as string;
        const nth = (names.get(name) ?? 0) + 1;
        names.set(name, nth);
        out += `(?<${nthGroupName(name, nth)}>`;
        at += 2 + named[0].length;
      } else if (rest.startsWith(':')) {
        out += '(?:';
        at += 3;
      } else if (/^(?:[=!]|<[=!])/.test(rest)) {
        throw new Re2Error(`lookaround ${source.slice(at, at + 4)}…: RE2 has none`);
      } else {
        throw new Re2Error(
          `flags inside the pattern (${source.slice(at, at + 6)}…) are supported only at its start`,
        );
      }
      continue;
    }
    // RE2 ends lines only at \n; JavaScript also at \r, \u2028 and \u2029.
    if (c === '.') out += flags.includes('s') ? '.' : '[^\\n]';
    else if (c === '^') out += multiline ? '(?<![^\\n])' : '^';
    else if (c === '$') out += multiline ? '(?![^\\n])' : '$';
    else out += c;
    at++;
  }
  try {
    return new RegExp(out, flags);
  } catch (err) {
    throw new Re2Error((err as Error).message);
  }
}
