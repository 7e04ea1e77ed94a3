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
  const names = new Set<string>();
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
      if (!inClass && next === 'A') out += multiline ? '(?<![\\s\\S])' : '^';
      else if (!inClass && next === 'z') out += multiline ? '(?![\\s\\S])' : '$';
      // RE2's \s is ASCII white space without \v; JavaScript's adds \v and Unicode's.
      else if (next === 's') out += inClass ? SPACE : `[${SPACE}]`;
      else if (next === 'S' && !inClass) out += `[^${SPACE}]`;
      else if (next === 'S') throw new Re2Error('\\S inside a class is not supported here');
      else if (/[1-9]/.test(next)) throw new Re2Error(`back-reference \\${next}: RE2 has none`);
      else if ('pPCZ'.includes(next))
        throw new Re2Error(`\\${next} is not supported here (Unicode classes, \\C, \\Z)`);
      else out += c + next;
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
        // Go lets two groups share a name (Expand takes the first); JavaScript does not, so a
        // name's later groups capture unnamed, keeping every group's number.
        const name = named[1] as string;
        out += names.has(name) ? '(' : `(?<${name}>`;
        names.add(name);
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
