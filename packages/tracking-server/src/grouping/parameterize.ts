// Sentry's placeholders for URLs, dates, host names and quoted values in a message or an
// exception's value (getsentry/sentry src/sentry/grouping/parameterization.py,
// DEFAULT_PARAMETERIZATION_REGEXES: email, url, hostname, ip, uuid, sha1, md5, date, duration, hex,
// float, int, quoted_str, bool). Beacon's own rules (grouping.ts normaliseText) strip ids,
// numbers, hex, IPs and emails as they always did; these are the parts of Sentry's list they left
// whole, so one error split into an issue per URL, per host and per hour of a timestamp.
//
// Sentry runs one regular expression made of all its patterns, so where two could match, the one
// that starts first wins, and at one place the earlier in its list. normaliseText runs its rules
// one after another instead; each rule here is placed among them so that, for text Sentry
// replaces, it replaces what Sentry replaces, and it never replaces text that Sentry keeps. Where
// the two differ, these replace less: never merging issues Sentry keeps apart.

/**
 * Python's `\s` and str.split()'s spaces (str.isspace) but ' ': JavaScript's `\s` without U+FEFF,
 * with U+001C–U+001F and NEL.
 */
export const PY_SPACE_BUT_SPACE =
  '\\t-\\r\\x1c-\\x1f\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';
/** Python's `\s`, for a character class. */
export const PY_SPACE = `${PY_SPACE_BUT_SPACE} `;

// url: a scheme Sentry knows, `://`, a first character that is no space nor `/$.?#`, any character
// but a line break (a space too, as Python's `.` reads it), then everything up to a space. Its `\b`
// is Python's: no letter, digit or `_` of any script before the scheme.
// quoted_str: a value in single or double quotes right after `=` (`user="bob"`), the `=` kept.
// One expression, so that a quoted URL (`url="https://…"`) is a quoted value, as in Sentry, and
// a URL's `?q="a"` part of the URL.
const URL_OR_QUOTED = new RegExp(
  `(?<==)(?:'[^']+'|"[^"]+")|(?<![\\p{L}\\p{N}_])(?:wss?|https?|ftp):\\/\\/[^${PY_SPACE}/$.?#][^\\n][^${PY_SPACE}]*`,
  'gu',
);
const isQuote = (c: number) => c === 0x22 || c === 0x27;

/** URLs as `<url>`, and `key="value"` as `key=<quoted_str>`. */
export function replaceUrlsAndQuoted(s: string): string {
  // Both need a `=` or a `://`: most messages have neither and are returned as they are.
  if (s.indexOf('=') < 0 && s.indexOf('://') < 0) return s;
  return s.replace(URL_OR_QUOTED, (m) => (isQuote(m.charCodeAt(0)) ? '<quoted_str>' : '<url>'));
}

// date: Sentry's forms, in its order, case-sensitive as Sentry's are, with Python's spaces (`S`)
// and word boundaries (`B`, before a letter or digit). `\d` is ASCII here, where Python's also
// takes other scripts' digits: such dates are left as they are.
const S = `[${PY_SPACE}]`;
const B = '(?<![\\p{L}\\p{N}_])';
const DAY = '(?:Sun|Mon|Tue|Wed|Thu|Fri|Sat)';
const DAY_NAME =
  '(?:Sun(?:day)?|Mon(?:day)?|Tue(?:sday)?|Wed(?:nesday)?|Thu(?:rsday)?|Fri(?:day)?|Sat(?:urday)?)';
const MONTH = '(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)';
const ZONE = '(?:UT|GMT|[ECMP][SD]T|[A-IK-Z])';
const OFFSET = '[-+]\\d{2}[0-5]\\d';
// A time after a date: hours and minutes, seconds and their fraction, an offset or `Z`; the
// colons optional (ISO 8601's basic form). Sentry's six datetime forms are this one's cases, tried
// in the same order (seconds before none, an offset before none).
const CLOCK = '[0-2]\\d:?[0-5]\\d(?::?[0-5]\\d(?:\\.\\d+)?)?(?:[+-][0-2]\\d:?[0-5]\\d|Z)?';
const DATE_FORMS = [
  // RFC 822, RFC 1123, RFC 1123Z: `Mon, 2 Jan 2006 15:04:05 -0700`
  `${DAY},${S}\\d{1,2}${S}${MONTH}${S}\\d{2,4}${S}\\d{1,2}:\\d{1,2}(?::\\d{1,2})?${S}(?:${OFFSET}|${ZONE})`,
  // `Mon Jan 02, 1999`, `Jan 02, 1999`
  `(?:${DAY}${S})?${MONTH}${S}[0-3]\\d,${S}\\d{2,4}`,
  // RFC 850: `Monday, 02-Jan-06 15:04:05 MST`
  `${DAY_NAME},${S}\\d{2}-${MONTH}-\\d{2}${S}\\d{2}:\\d{2}:\\d{2}${S}${ZONE}`,
  // RFC 3339 (and its nanoseconds): `2006-01-02T15:04:05.999999999Z07:00`
  '\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(?:\\.\\d+)?Z?(?:[+-]?\\d{2}:\\d{2})?',
  // JavaScript's Date#toString: `Sat Mar 01 2025 13:45:10 GMT+0100 (Central European Time)`, its
  // zone's name as far as 100 characters (unbounded, each of many unclosed `(` read to the end).
  `${DAY}${S}${MONTH}${S}\\d{2}${S}\\d{4}${S}\\d{2}:\\d{2}:\\d{2}${S}GMT[+-]\\d{4}(?:${S}\\([^)]{1,100}\\))?`,
  // A date and a time (ISO 8601, SQL): `2025-03-01 13:45:10`, `20250301T134510Z`. Sentry also
  // takes a date and a time of digits alone apart by a space (`20250301 1345`); two numbers are
  // not read as one date here unless the time has its colon.
  `\\d{4}(?:-?[01]\\d-?[0-3]\\dT|-[01]\\d-[0-3]\\d${S})${CLOCK}`,
  `\\d{4}-?[01]\\d-?[0-3]\\d${S}[0-2]\\d:[0-5]\\d(?::?[0-5]\\d(?:\\.\\d+)?)?(?:[+-][0-2]\\d:?[0-5]\\d|Z)?`,
  // A date: `2025-03-01`
  '\\d{4}-[01]\\d-[0-3]\\d',
  // syslog: `Jan  2 15:04:05 2006`; RFC 2822: `Mon, 02 Jan 2006 15:04 +0000`
  `${B}(?:${DAY}${S}+)?${MONTH}${S}+\\d{1,2}${S}+\\d{2}:\\d{2}:\\d{2}${S}+\\d{4}`,
  `${B}(?:${DAY},${S}+)?(?:0[1-9]|[1-2]?\\d|3[01])${S}+${MONTH}${S}+(?:19\\d{2}|[2-9]\\d{3})${S}+(?:2[0-3]|[0-1]\\d):[0-5]\\d(?::(?:60|[0-5]\\d))?${S}+(?:${OFFSET}|${ZONE})`,
  // Python's repr: `datetime.datetime(2025, 3, 1, 13, 45, 10)`, to the first `)` (as far as 200
  // characters: unbounded, each of many unclosed ones read to the line's end).
  'datetime\\.datetime\\([^)\\n]{0,200}\\)',
];
/** Dates, and dates with times. */
export const DATE = new RegExp(DATE_FORMS.join('|'), 'gu');

// Sentry's times of day alone: `1:30 pm`, `13:45`, `13:45:10`. Run after the IPv6 rule, which
// has made `13:45:10` (three groups of hex digits) an `<ip>` since before this rule: those keep
// their hashes. Not glued to a letter or a digit before (Sentry's only to a digit): `utf8:30`
// and `ipv6:22` stay names.
const NOT_GLUED = '(?<![0-9A-Za-z])';
/** Times of day, 12- and 24-hour. */
export const TIME = new RegExp(
  [
    `${NOT_GLUED}(?:1[0-2]|[1-9]):[0-5]\\d(?::[0-5]\\d)?(?![\\d:])(?:${S}?[aApP][mM])?`,
    `${NOT_GLUED}(?:[01]?\\d|2[0-3]):[0-5]\\d(?::[0-5]\\d)?(?![\\d:])`,
    `${NOT_GLUED}[0-2]\\d:[0-5]\\d:[0-5]\\d`,
  ].join('|'),
  'g',
);

// hostname: labels of letters, digits and `-` (1 to 63 each) and a dot, as few as will do, then
// one of the 100 top-level domains Sentry lists (all lower or all upper case), between Python's
// word boundaries. Sentry's expression tries each start anew, reading every label after it: over
// a long run of labels that takes time growing with the square of its length. Here each run of
// labels is found once, and where its host names are is worked out in one pass over it.
const TLDS = new Set(
  (
    'com net org jp de uk fr br it ru es me gov pl ca au cn co in nl edu info eu ch id at kr cz mx ' +
    'be tv se tr tw al ua ir vn cl sk ly cc to no fi us pt dk ar hu tk gr il news ro my biz ie za ' +
    'nz sg ee th io xyz pe bg hk rs lt link ph club si site mobi by cat wiki la ga xxx cf hr ng ' +
    'jobs online kz ug gq ae is lv pro fm tips ms sa app'
  ).split(' '),
);
const isTld = (s: string) =>
  TLDS.has(s) || (s.length > 0 && s === s.toUpperCase() && TLDS.has(s.toLowerCase()));
// A run of labels joined by single dots, from its first character (the lookbehind makes a run that
// has no dot cost its length once, not its length at each of its characters).
const LABEL_RUN = /(?<![A-Za-z0-9-])[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+/g;
const WORD = /[\p{L}\p{N}_]/u;
const isAlnum = (c: number) =>
  (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
// Where a rule before this one put a placeholder, Sentry read the text it replaced: a run of labels
// glued to a date or an address (`…Zfoo.com`, `foo.com2025-…`) has no word boundary there, so it
// is no host name. A placeholder counts as a word character here, but `<quoted_str>`, whose value
// was between quotes.
const WORDY_PLACEHOLDERS = ['<url>', '<date>', '<uuid>', '<ip>', '<email>'] as const;
/** Whether the character ending at `end` (exclusive) of `s` is one of Python's `\w`. */
function wordBefore(s: string, end: number): boolean {
  if (end <= 0) return false;
  const c = s.charCodeAt(end - 1);
  if (c === 0x3e) return WORDY_PLACEHOLDERS.some((p) => s.endsWith(p, end));
  if (c < 0x80) return isAlnum(c) || c === 0x5f;
  const lead = end >= 2 && c >= 0xdc00 && c <= 0xdfff ? end - 2 : end - 1;
  return WORD.test(s.slice(lead, end));
}
/** Whether the character at `at` of `s` is one of Python's `\w`. */
function wordAt(s: string, at: number): boolean {
  if (at >= s.length) return false;
  const c = s.charCodeAt(at);
  if (c === 0x3c) return WORDY_PLACEHOLDERS.some((p) => s.startsWith(p, at));
  if (c < 0x80) return isAlnum(c) || c === 0x5f;
  return WORD.test(String.fromCodePoint(s.codePointAt(at) as number));
}

const MAX_LABEL = 63;

/** The run of labels at `offset` in `s`, its host names replaced. */
function hostnamesIn(run: string, offset: number, s: string): string {
  const labels = run.split('.');
  const last = labels.length - 1;
  // The length of the top-level domain each label starts with, where one ends at a word boundary
  // (the label's end, or a `-` in it), else 0.
  const tld = labels.map((label, j) => {
    if (j === 0) return 0;
    const dash = label.indexOf('-');
    const name = dash < 0 ? label : label.slice(0, dash);
    if (!isTld(name)) return 0;
    return dash >= 0 || j < last || !wordAt(s, offset + run.length) ? name.length : 0;
  });
  // For each label, the first label after it that starts with a top-level domain, with no label
  // longer than 63 characters between them; -1 where there is none.
  const next = new Array<number>(labels.length).fill(-1);
  for (let i = last - 1; i >= 0; i--) {
    const after = labels[i + 1] as string;
    next[i] =
      (tld[i + 1] as number) > 0 ? i + 1 : after.length > MAX_LABEL ? -1 : (next[i + 1] as number);
  }
  const starts = new Array<number>(labels.length);
  for (let j = 0, at = 0; j <= last; j++) {
    starts[j] = at;
    at += (labels[j] as string).length + 1;
  }
  let out = '';
  let copied = 0; // run[0, copied) is in `out`
  let i = 0; // the label `p` is in
  for (let p = 0; p < run.length; p++) {
    while (i < last && p >= (starts[i + 1] as number)) i++;
    const c = run.charCodeAt(p);
    if (c === 0x2e) continue;
    const labelEnd = (starts[i] as number) + (labels[i] as string).length;
    const j = next[i] as number;
    if (j < 0) {
      p = labelEnd; // no host name starts in this label: on to the next one
      continue;
    }
    // A start at a word boundary (Python's `\b`), its label at most 63 characters from it.
    const before = p === 0 ? wordBefore(s, offset) : isAlnum(run.charCodeAt(p - 1));
    if (isAlnum(c) === before || labelEnd - p > MAX_LABEL) continue;
    const end = (starts[j] as number) + (tld[j] as number);
    out += `${run.slice(copied, p)}<hostname>`;
    copied = end;
    p = end - 1; // Sentry reads on from where the match ended
  }
  return copied === 0 ? run : out + run.slice(copied);
}

/** Host names on Sentry's top-level domains as `<hostname>`. */
export function replaceHostnames(s: string): string {
  return s.indexOf('.') < 0
    ? s
    : s.replace(LABEL_RUN, (run, offset: number) => hostnamesIn(run, offset, s));
}
