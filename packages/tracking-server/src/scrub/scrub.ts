// PII scrubbing before anything is stored: values under sensitive keys (object keys, the first
// item of each pair in Sentry's pair lists, and keys written as text: `"password": "…"`,
// `'password': '…'`, `password: …`), and sensitive shapes anywhere — Luhn-valid card numbers in
// strings (not a UUID's digits) or as JSON numbers, `Bearer …` tokens, PEM private keys, secret
// query or form parameters, a URL's password, US social security numbers, IBANs, the user name in
// a home directory's path — become "[Filtered]". Ordinary words ("Authentication failed", "the
// bearer of this card", "Invalid token: expired") stay: key rules look at keys, string rules at
// shapes, never at bare words. Ids that join data (event, trace and span ids, the correlation id,
// user.id) are not shapes: as Relay does for fields it does not take as PII, only key rules filter
// them. A project may also keep IP addresses out (Sentry's "Prevent Storing of IP Addresses").
import { isObj } from '../ingest/json';
import { keyColons } from './key-colons';

export const FILTERED = '[Filtered]';

export const DEFAULT_KEYS = [
  'password',
  'secret',
  'passwd',
  'api_key',
  'apikey',
  'auth',
  'credentials',
  'token',
  'bearer',
  'private_key',
  'cookie',
  'session',
  // Relay's default password rule (relay-pii regexes.rs PASSWORD_KEY_REGEX), as in MySQL's
  // environment variable MYSQL_PWD.
  'mysql_pwd',
] as const;

/**
 * Keys sensitive only as the whole key, as Relay's `^otp$` and `^two[-_]factor$`: `otp` is in
 * `hotplug` and `footprint`.
 */
export const WHOLE_KEYS = ['otp', 'two_factor'] as const;

export interface ScrubOptions {
  readonly enabled: boolean;
  /** Extra key substrings for this project. */
  readonly extraKeys?: readonly string[];
  /** Keys never filtered (e.g. `session_id` for a project that wants it). */
  readonly safeKeys?: readonly string[];
  /**
   * Keep IP addresses out of the store (Sentry's "Prevent Storing of IP Addresses", Relay's
   * scrub_ip_addresses): `user.ip_address` is not filled in from the sender's address, it,
   * `request.env.REMOTE_ADDR` and `sdk.client_ip` are removed, and addresses in text become
   * `[ip]`. Applies whether or not `enabled` is.
   */
  readonly ipAddresses?: boolean;
}

const CARD = /\b(?:\d[ -]?){12,18}\d\b/g;
const BEARER = /\bBearer\s+([A-Za-z0-9\-._~+/]+=*)/gi;
/** What English has after "bearer": one word, in lower case or capitalised. */
const PLAIN_WORD = /^[A-Z]?[a-z]+$/;
/**
 * A word of a sentence after a key written in it (`Invalid token: expired.`): a plain word, or
 * MySQL's YES and NO (`using password: YES`), with the sentence's stop if it ends there.
 */
const SENTENCE_WORD = /^(?:[A-Z]?[a-z]+|YES|NO)[.!?]?$/;
const PEM =
  /-----BEGIN (?:[A-Z]+ )?PRIVATE KEY-----[\s\S]*?(?:-----END (?:[A-Z]+ )?PRIVATE KEY-----|$)/g;
/**
 * A parameter's `name=` before a value, the name starting after `?`, `&`, or anything else no
 * name holds: SDKs send `query_string` without its `?`, and a form body (`password=…&user=…`) has
 * none. A name may be percent-encoded (`user%5Bpassword%5D`, as qs and URLSearchParams write
 * brackets). (The look-behind starts a name at its first character only: from each of the others
 * too was quadratic in a long word. Inside a percent escape is no first character either: from
 * the digits after each `%`, a 40,000-character run of `%41` took half a second.)
 */
const PARAM = /(?<![\w.\-[\]]|%(?=[0-9A-Fa-f]{2}))((?:[\w.\-[\]]|%[0-9A-Fa-f]{2})+)=(?=[^&#\s"'])/g;
/** A name's percent escapes decoded, byte by byte: enough to read the key words in it. */
const unescapeName = (name: string) =>
  name.includes('%')
    ? name.replace(/%([0-9A-Fa-f]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)))
    : name;
const PARAM_VALUE = /[^&#\s"']+/y;
/** Names secret when they are one whole part of a name (`key`, `x-key`; not `monkey`, `sort_key`). */
const SECRET_PARAM_PARTS = new Set(['key', 'pwd', 'signature', 'sig']);
/**
 * Whether a parameter's name is secret: it holds a sensitive key word, as a key would
 * (`auth_token`, `client-api-key`, `user[password]`), or its last part is a secret name; unless
 * the project named it safe. As Relay applies its key rule to each key of a query string.
 */
function isSecretParam(sent: string, keys: readonly string[], safe: ReadonlySet<string>): boolean {
  const name = unescapeName(sent);
  const k = normaliseKey(name);
  if (safe.has(k)) return false;
  if (WHOLE_KEY_WORDS.has(k) || keys.some((w) => k.includes(w))) return true;
  const partAt = Math.max(...['-', '.', '[', ']'].map((c) => name.lastIndexOf(c))) + 1;
  return SECRET_PARAM_PARTS.has(name.slice(partAt).toLowerCase());
}
/**
 * A UUID (8-4-4-4-12 hex digits). Its digit groups can have a card number's shape and checksum
 * (12345678-1234-1232-…), but it is an id — an event's, a request's correlation id — and one
 * filtered would be an event refused or a debug session split.
 */
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;
/**
 * A URL's password (`redis://redis:foo@localhost:6379/0`): Relay's `@urlauth:legacy`, part of
 * its default `@common:filter` (relay-pii builtin.rs, Sentry's URL_PASSWORD_RE), which filters
 * the password and keeps the user.
 */
const URL_PASSWORD = /\b((?:[a-z0-9]+:)?\/\/[a-zA-Z0-9%_.-]+:)([a-zA-Z0-9%_.-]+)@/g;
/**
 * Its hint, asked only of a string with an `@` (as the parameters' of one with an `=`): in the
 * one scan, it made that scan a quarter slower on strings that have none.
 */
const URL_PASSWORD_HINT = /\/\/[a-z0-9%_.-]+:[a-z0-9%_.-]+@/i;
/** At least 13 digits, single spaces or dashes allowed between them: the shape a card number needs. */
const DIGIT_RUN = '\\d(?:[ -]?\\d){12}';

/** Deeper than any real event; what is nested deeper is filtered, not walked (the stack). */
const MAX_DEPTH = 64;

/** The shortest string a default rule can change: `key=x`. */
const SHORTEST_MATCH = 5;
/** The shortest IP address: `::1`. */
const SHORTEST_IP = 3;

/**
 * A US social security number (`078-05-1120`, Relay's `@usssn`), not part of a longer run of
 * digits and dashes; none the SSA ever issued (area 000, 666 or 9xx, group 00, serial 0000) is
 * taken for one.
 */
const SSN = /(?<![\w-])(\d{3})-(\d\d)-(\d{4})(?![\w-])/g;
const isIssuedSsn = (area: string, group: string, serial: string) =>
  area !== '000' && area !== '666' && area[0] !== '9' && group !== '00' && serial !== '0000';
/**
 * Where an IBAN (Relay's `@iban`) can start: a country's code and two check digits, not inside
 * a word. ibanEnd reads the rest.
 */
const IBAN_START = /(?<![A-Za-z0-9])[A-Z]{2}\d\d/g;
/** The countries whose IBANs the registry lists, and those Relay knows besides. */
const IBAN_COUNTRIES = new Set(
  (
    'AD AE AL AO AT AZ BA BE BF BG BH BI BJ BR BY CF CG CH CI CM CR CV CY CZ DE DJ DK DO DZ EE EG ' +
    'ES FI FK FO FR GA GB GE GI GL GQ GR GT GW HN HR HU IE IL IQ IR IS IT JO KM KW KZ LB LC LI LT ' +
    'LU LV LY MA MC MD ME MG MK ML MN MR MT MU MZ NE NI NL NO OM PK PL PS PT QA RO RS RU SA SC SD ' +
    'SE SI SK SM SN SO ST SV TD TG TL TN TR UA VA VG XK YE'
  ).split(' '),
);
/**
 * Its hint, asked of a string of 15 characters or more: in the one scan, where it is a letter's
 * alternative, it made that scan a third slower.
 */
const IBAN_HINT = /[A-Z]{2}\d\d/;
const SHORTEST_IBAN = 15;
/** `r` with the digits of the character `c` after it (a letter as 10–35), mod 97. */
const mod97 = (r: number, c: number): number => {
  const n = c <= 0x39 ? c - 0x30 : (c | 0x20) - 0x61 + 10; // digits, letters in either case
  return (r * (n < 10 ? 10 : 100) + n) % 97;
};
/** 10^6 mod 97: a country's code and check digits are six digits (`DE89` is 131489). */
const SIX_DIGITS = 1_000_000 % 97;
const isAlnum = (c: number) =>
  (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
/**
 * Where the IBAN starting at `at` ends, or -1: 11 to 30 letters or digits after the check digits,
 * unbroken, or in groups of four after single spaces as it is printed (`DE89 3704 0044 0532 0130
 * 00`, its last group shorter), ending where a word does, the longest whose check digits are
 * right (ISO 13616: its first four characters moved to its end, letters as 10–35, mod 97 is 1).
 * Unlike Relay's, only an IBAN whose check digits are right is taken for one: an id or a token
 * that starts with two capitals and two digits is not. At most 42 characters are read, each once.
 */
function ibanEnd(s: string, at: number): number {
  if (!IBAN_COUNTRIES.has(s.slice(at, at + 2))) return -1;
  let head = 0;
  for (let i = at; i < at + 4; i++) head = mod97(head, s.charCodeAt(i));
  /** Whether the characters read (`rest` their value mod 97, `n` of them) make an IBAN. */
  const checks = (rest: number, n: number) =>
    n >= 11 && n <= 30 && (rest * SIX_DIGITS + head) % 97 === 1;
  let rest = 0;
  let end = at + 4;
  while (end < s.length && end - at <= 34 && isAlnum(s.charCodeAt(end)))
    rest = mod97(rest, s.charCodeAt(end++));
  if (end > at + 4) return !isAlnum(s.charCodeAt(end)) && checks(rest, end - at - 4) ? end : -1;
  let found = -1;
  let n = 0;
  for (let i = end; s.charCodeAt(i) === 0x20 && i - at < 42;) {
    let j = i + 1;
    let group = rest;
    while (j < s.length && j - i <= 4 && isAlnum(s.charCodeAt(j)))
      group = mod97(group, s.charCodeAt(j++));
    if (j === i + 1 || isAlnum(s.charCodeAt(j))) break; // no group, or one longer than four
    rest = group;
    n += j - i - 1;
    if (checks(rest, n)) found = j;
    if (j - i < 5) break; // a shorter group is the last
    i = j;
  }
  return found;
}

/**
 * The user name in a home directory's path: `/Users/alice/…` (macOS), `/home/alice/…` (Linux),
 * `C:\Users\alice\…`, `C:\Documents and Settings\alice\…`, `\Profiles\alice\…` (Windows), as
 * Relay's `@userpath` finds them (relay-pii regexes.rs PATH_REGEX), but only where a path starts
 * (after a space, a quote, `=`, `:`, or `file://`), so an API's route is not read as one: not
 * `https://api/v1/users/alice`, `GET /users/42` or `/users/{id}`. Frames' files and modules and
 * debug images keep theirs (Relay's DATASCRUBBER_IGNORE): grouping and symbolication read them.
 */
const UNIX_HOME =
  /(?:(?<![\w.~%/\\\]*-])(?<!(?:^|[\s"'`])(?:GET|HEAD|POST|PUT|PATCH|DELETE|OPTIONS) )|(?<=file:\/\/))\/(?:Users|home)\/([A-Za-z_](?:[\w@$-]|\.(?=[\w@$-]))*)/g;
/**
 * The same on Windows (`\`; `C:/Users/…` is read as the macOS form), where folders are read in
 * any case and names may hold spaces (not `"/\[]:;|=,+*?<>`, which Windows refuses in them).
 */
const WINDOWS_HOME =
  /(?:(?<![\w.~%\]*-])[A-Za-z]:\\|(?<![\w.~%/\\:\]*-])\\|(?<=[^\\/\s])\\(?=[Pp]))(?:[Uu][Ss][Ee][Rr][Ss]|[Dd][Oo][Cc][Uu][Mm][Ee][Nn][Tt][Ss] [Aa][Nn][Dd] [Ss][Ee][Tt][Tt][Ii][Nn][Gg][Ss]|[Pp][Rr][Oo][Ff][Ii][Ll][Ee][Ss])[\\/]([^\\/\r\n\0"'<>|:*?[\];=,+]+?(?=[\\/])|[^\\/\s"'<>|:*?[\];=,+]+)/g;
/** Their hints, asked of a string with a `/`, and with a `\`. */
const UNIX_HOME_HINT = /\/(?:Users|home)\//;
const WINDOWS_HOME_HINT = /\\(?:users|documents and settings|profiles)[\\/]/i;

/** An IPv4 address's part: 0–255 (a leading 0 allowed, as Relay's). */
const OCTET = '(?:25[0-5]|2[0-4]\\d|[01]?\\d\\d?)';
/**
 * An IPv4 address, not part of a longer dotted run (`1.2.3.4.5`) or a word (`v1.2.3.4`, nor
 * `[Filtered]1.2.3.4`: what a rule hid stands for a word).
 */
const IPV4 = new RegExp(`(?<![\\w.\\]*])${OCTET}(?:\\.${OCTET}){3}(?![\\w[*]|\\.\\d)`, 'g');
const IPV4_WHOLE = new RegExp(`^${OCTET}(?:\\.${OCTET}){3}$`);
/**
 * What could be an IPv6 address: two to seven groups of up to four hex digits ended by `:`,
 * then a group or an IPv4 address, then a zone (`%eth0`); isIpv6 decides. Of bounded length, so
 * each place it is tried at costs little.
 */
const IPV6 =
  /(?<![\w:.%\]*])(?:[\da-f]{0,4}:){2,7}(?:\d{1,3}(?:\.\d{1,3}){3}|[\da-f]{0,4})(?:%[\w.-]{1,32})?(?![\w:%[*]|\.\w)/gi;
const HEX_GROUP = /^[\da-f]{1,4}$/i;
/** Whether a candidate is an IPv6 address: eight groups, or fewer with one `::` (not `::` alone). */
function isIpv6(candidate: string): boolean {
  const zone = candidate.indexOf('%');
  const halves = (zone < 0 ? candidate : candidate.slice(0, zone)).split('::');
  if (halves.length > 2) return false;
  let groups = 0;
  for (let h = 0; h < halves.length; h++) {
    const half = halves[h] as string;
    if (half === '') continue;
    const parts = half.split(':');
    for (let i = 0; i < parts.length; i++) {
      const part = parts[i] as string;
      if (h === halves.length - 1 && i === parts.length - 1 && part.includes('.')) {
        if (!IPV4_WHOLE.test(part)) return false;
        groups += 2;
      } else if (HEX_GROUP.test(part)) groups++;
      else return false;
    }
  }
  return halves.length === 2 ? groups > 0 && groups <= 7 : groups === 8;
}
/**
 * Where an IP address could be: a dotted quad's digits, `::`, or three colons with hex between
 * (not a time's two, `16:13:32`, nor a stack line's, `app.js:95:5`).
 */
const IP_HINT = /\d\.\d{1,3}\.\d{1,3}\.\d|::|:[\da-f]{1,4}:[\da-f]{1,4}:/i;
/** What an IP address becomes, as Relay's `@ip:replace` writes it. */
export const IP_REPLACEMENT = '[ip]';

/**
 * Whether any rule could match, in one scan: most strings in an event (frames, breadcrumbs,
 * messages) match none, and scrubbing is on every ingest request's path. Each rule's own test
 * comes after it; this one only ever says yes more often than they do. (An SSN's digits and a
 * card's start with a digit: as one alternative, the scan is no slower than with the card's
 * alone.)
 */
const HINT = new RegExp(`PRIVATE KEY|bearer\\s|\\d(?:\\d\\d-\\d\\d-\\d{4}|(?:[ -]?\\d){12})`, 'i');
/**
 * Keys written as text: a colon after a quote or a blank (`"key": …`, `"key" : …`), or before a
 * blank (`key: …`). Asked of a string with a `:`, before the key words are looked for.
 */
const KEY_VALUE_HINT = /["' \t]:|:[ \t]/;
/** What a key (`:`, `=`), a URL's password (`@`) or a path (`/`, `\`) needs. */
const SIGNS = /[:=@/\\]/;
/**
 * The secret parameters' hint, asked only of a string with an `=` (or a `:`, for keys written as
 * text): in the one scan above, their names after every word boundary made it three times
 * slower, on strings that have no `=`. Any word a secret name holds (`key` and `sig` stand for
 * `api_key`, `signature`, …; `factor` for `two_factor`).
 */
const PARAM_HINT =
  /passw|secret|key|auth|credentials|token|bearer|cookie|session|pwd|sig|otp|factor/i;

/** Which query string parameters a scrubber filters: a project's keys, as its keys are read. */
interface ParamRule {
  /** Matches wherever a secret parameter's name could be (it may say yes more often). */
  readonly hint: RegExp;
  readonly isSecret: (name: string) => boolean;
  /** The shortest string any rule can change (`key=x`; `k=x` for a one-letter extra key). */
  readonly shortest: number;
}
const NO_SAFE_KEYS: ReadonlySet<string> = new Set();
const DEFAULT_KEY_WORDS = withJoined(DEFAULT_KEYS.map(normaliseKey));
const WHOLE_KEY_WORDS: ReadonlySet<string> = new Set(withJoined(WHOLE_KEYS));
const DEFAULT_PARAMS: ParamRule = {
  hint: PARAM_HINT,
  isSecret: (name) => isSecretParam(name, DEFAULT_KEY_WORDS, NO_SAFE_KEYS),
  shortest: SHORTEST_MATCH,
};

/**
 * What a normalised key's character may be written as in a parameter's name: itself (any case),
 * its percent escape, and for `_` any of the separators normaliseKey folds into it.
 */
function hintOf(c: string): string {
  const escape = (ch: string) => `%${ch.charCodeAt(0).toString(16).padStart(2, '0')}`;
  // Optional: a camelCase name (`cardNumber`) joins the words (see withJoined).
  if (c === '_') return `(?:[-._\\s]|${['_', '-', '.', ' '].map(escape).join('|')})?`;
  if (/[a-z0-9]/.test(c)) return c;
  const literal = c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  return c.charCodeAt(0) < 0x80 ? `(?:${literal}|${escape(c)})` : literal;
}

/** The rule for a project's extra and safe keys (normalised, as normaliseKey writes them). */
function paramRule(
  extraKeys: readonly string[],
  keys: readonly string[],
  safe: ReadonlySet<string>,
): ParamRule {
  if (extraKeys.length === 0 && safe.size === 0) return DEFAULT_PARAMS;
  const words = extraKeys.map((k) => [...k].map(hintOf).join(''));
  return {
    hint: new RegExp([PARAM_HINT.source, ...words].join('|'), 'i'),
    isSecret: (name: string) => isSecretParam(name, keys, safe),
    // `k=x`, the key's words joined (`cardNumber=x`) being its shortest spelling
    shortest: Math.min(SHORTEST_MATCH, ...extraKeys.map((k) => k.replace(/_/g, '').length + 2)),
  };
}

/** What a scrubber looks for in a string: its project's keys and whether IP addresses go. */
interface TextRules {
  /** The secret keys and shapes (scrubbing on); without them, only IP addresses are looked for. */
  readonly secrets: boolean;
  readonly params: ParamRule;
  /** What a key's values become, for keys written in text (`"password": …`). */
  readonly keyRule: (key: string) => KeyRule;
  /** IP addresses become `[ip]` (the project's `ipAddresses`). */
  readonly ip: boolean;
  /** The shortest string any of them can change. */
  readonly shortest: number;
}
const DEFAULT_TEXT: TextRules = {
  secrets: true,
  params: DEFAULT_PARAMS,
  keyRule: keyRules(DEFAULT_KEY_WORDS, NO_SAFE_KEYS),
  ip: false,
  shortest: SHORTEST_MATCH,
};

// Rules a string is exempt from by where it is (scrubString's `off`, from the walk's path):
/** The user name in a path: a frame's file or module, a debug image's, the transaction's name. */
const KEEP_PATHS = 1;
/** IP addresses: what holds a version (`120.0.0.0`), a frame's file, a User-Agent. */
const KEEP_IPS = 2;
/** Keys written as text. */
const KEEP_KEYS = 4;
/** SSNs and IBANs. */
const KEEP_IDS = 8;
/**
 * A frame's source lines, which Relay does not scrub and grouping reads (a JavaScript frame's
 * context line): code, where a path, an address, an SSN or an IBAN is a literal, not a user's
 * data. A secret written there is still filtered, by key as by shape.
 */
const KEEP_IN_SOURCE = KEEP_PATHS | KEEP_IPS | KEEP_IDS;
const BEARER_HINT = /bearer\s/i;
const CARD_HINT = new RegExp(DIGIT_RUN);

function luhn(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

/** The first digit of a card network's numbers (Mastercard 2 and 5, Amex 3, Visa 4, Discover 6). */
const CARD_NETWORK_DIGIT = /^[2-6]/;

/**
 * A JSON number with a card number's digits: 13–19 of them, Luhn-valid, and a card network's
 * first digit (2–6). Numbers this long are mostly times and ids — epoch milliseconds,
 * microseconds, nanoseconds, snowflakes, all starting with 1 for decades yet — and one in ten
 * of them passes Luhn by chance. Past 2^53 (17–19 digits) JSON.parse has rounded away the
 * sender's last digits, so the checksum cannot be asked: a number there that starts as a card
 * network's does is taken for one, as its first 15 or so digits would still give most of a
 * 19-digit card away.
 */
function isCardNumber(n: number): boolean {
  const a = Math.abs(n);
  if (!Number.isInteger(a) || a < 1e12 || a >= 1e19) return false;
  const digits = String(a); // every digit below 1e21
  return CARD_NETWORK_DIGIT.test(digits) && (a > Number.MAX_SAFE_INTEGER || luhn(digits));
}

/** Whether what follows "Bearer" is a token rather than the next word of a sentence. */
function looksLikeToken(run: string): boolean {
  const t = run.replace(/[.=]+$/, ''); // a sentence's full stop, base64 padding
  return t.length >= 8 && (t.length >= 16 || !PLAIN_WORD.test(t));
}

/**
 * Whether a span overlaps a UUID of `s`, asked of spans in the order they are in `s`. The UUIDs
 * are found once: found again for each card-shaped run, a 40,000-character run of them took 3 s.
 */
function uuidOverlap(s: string): (start: number, end: number) => boolean {
  const starts: number[] = [];
  const ends: number[] = [];
  if (s.includes('-'))
    for (const u of s.matchAll(UUID)) {
      starts.push(u.index);
      ends.push(u.index + u[0].length);
    }
  let i = 0; // the first UUID that ends after the spans asked so far start
  return (start, end) => {
    while (i < ends.length && (ends[i] as number) <= start) i++;
    return i < starts.length && (starts[i] as number) < end;
  };
}

/**
 * How a secret found in text is hidden: replaced by "[Filtered]", or (bytes, which must keep their
 * length) each of its characters made `*`, as Relay masks attachments.
 */
type Hide = (secret: string) => string;
const replaceWhole: Hide = () => FILTERED;
const maskInPlace: Hide = (secret) => '*'.repeat(secret.length);

/**
 * `s` with the value of each secret parameter hidden. Another parameter's value is read on
 * (`next=/login?token=…`); a hidden one is not.
 */
function filterSecretParams(s: string, params: ParamRule, hide: Hide): string {
  let out = '';
  let kept = 0; // what of `s` is in `out`
  PARAM.lastIndex = 0;
  for (let m = PARAM.exec(s); m !== null; m = PARAM.exec(s)) {
    const name = m[1] as string;
    if (!params.isSecret(name)) continue;
    PARAM_VALUE.lastIndex = PARAM.lastIndex;
    PARAM_VALUE.test(s);
    out += `${s.slice(kept, m.index)}${name}=${hide(s.slice(PARAM.lastIndex, PARAM_VALUE.lastIndex))}`;
    kept = PARAM.lastIndex = PARAM_VALUE.lastIndex;
  }
  return kept === 0 ? s : out + s.slice(kept);
}

/** The longest key read in text, and the most blanks read around one. */
const MAX_KEY = 128;
const MAX_BLANKS = 64;
const QUOTE = 0x22;
const APOSTROPHE = 0x27;
const COLON = 0x3a;
const isSpace = (c: number) => c === 0x20 || c === 0x09;
const isEol = (c: number) => c === 0x0a || c === 0x0d;
/** A character of a key written bare (`api_key: …`, as YAML and util.inspect write keys). */
const isKeyChar = (c: number) =>
  (c >= 0x30 && c <= 0x39) ||
  (c >= 0x41 && c <= 0x5a) ||
  (c >= 0x61 && c <= 0x7a) ||
  c === 0x5f || // _
  c === 0x2d || // -
  c === 0x2e || // .
  c === 0x24; // $
/** Where a bare value's word ends: a blank, a separator, a closing bracket, a quote. */
const endsWord = (c: number) =>
  c <= 0x20 || // blanks, line ends
  c === 0x2c || // ,
  c === 0x3b || // ;
  c === 0x7d || // }
  c === 0x5d || // ]
  c === 0x29 || // )
  c === QUOTE ||
  c === APOSTROPHE ||
  c === 0x60 || // `
  c === 0x5c || // \
  c === 0x3c || // <
  c === 0x3e; // >
/** Values that say there is none: kept. */
const NO_VALUE = new Set(['null', 'None', 'nil', '~', 'undefined', 'NULL']);
/** What Python writes before a string's quote: bytes, raw, f-strings. */
const STRING_PREFIX = /^[bBrRuUfF]{1,2}$/;
/** A count (under a key whose last word is `tokens`): kept. */
const COUNT_TEXT = /^(?:-?\d+(?:\.\d+)?|true|false)$/;
/** A value the Bearer rule has already filtered, or masked: kept as it is. */
const HIDDEN_BEARER = /^Bearer\s+(?:\[Filtered\]|\*+)$/i;
/** Sentences' words after a key at a line's start (`Password: too short`): not a value. */
const PROSE = /^[A-Za-z][a-z]*(?:[,;]?[ \t]+[A-Za-z][a-z]*)+[.!?]?$/;
/** The schemes of an Authorization header's value, after which the next word is the secret. */
const AUTH_SCHEME = /^(?:basic|bearer|digest|negotiate|ntlm|token)$/i;

/** The index of the quote closing a string opened before `from`, or of the line's end. */
function closingQuote(s: string, from: number, quote: number): number {
  for (let i = from; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x5c) i++;
    else if (c === quote || isEol(c)) return i;
  }
  return s.length;
}

/** The index after the bracket closing the one at `from` (quoted text skipped), or the end. */
function closingBracket(s: string, from: number): number {
  let depth = 0;
  for (let i = from; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === QUOTE || c === APOSTROPHE) i = closingQuote(s, i + 1, c);
    else if (c === 0x7b || c === 0x5b) depth++;
    else if ((c === 0x7d || c === 0x5d) && --depth === 0) return i + 1;
  }
  return s.length;
}

/**
 * Where a key written bare stands: at a line's start (YAML's `key: value`, a header's line, a
 * list's `- key: value`), in a flow (`{key: v, key: v}`, util.inspect's), or in a sentence.
 */
function placeOf(s: string, keyStart: number): 'line' | 'flow' | 'text' {
  let i = keyStart;
  const blanksFrom = (at: number) => {
    let j = at;
    while (j > 0 && at - j < MAX_BLANKS && isSpace(s.charCodeAt(j - 1))) j--;
    return j;
  };
  i = blanksFrom(i);
  if (s.charCodeAt(i - 1) === 0x2d) i = blanksFrom(i - 1); // `- key:`
  if (i === 0 || isEol(s.charCodeAt(i - 1))) return 'line';
  const c = s.charCodeAt(i - 1);
  return c === 0x7b || c === 0x5b || c === 0x2c || c === 0x3b ? 'flow' : 'text';
}

/**
 * `s` with the value of each sensitive key written as text hidden: JSON's `"key": value`,
 * Python's repr `'key': value`, YAML's and util.inspect's `key: value` (Relay filters such values
 * as it reads them as data; in a string it would filter the whole string, which the words around
 * them are kept from here). A key is read as keys are (`keyRule`). A value is what is quoted, or
 * bracketed (`[…]`, `{…}`), or else a word (with the string after it, Python's `b'…'`). A bare
 * key's value at a line's start is the rest of the line, unless that is words of a sentence
 * (`Password: too short`); in a sentence it is kept when it is one plain word (`Invalid token:
 * expired`), unless that names an Authorization scheme (`Basic …`). A bare key needs a blank
 * after its colon, as YAML's does: `auth.js:10:5` is a file and line. `null`, empty and counts
 * are kept. Each colon is looked at once, and what is read around it is bounded or, when hidden,
 * not read again: linear time.
 */
function filterKeyValues(s: string, rules: TextRules, hide: Hide, mask: boolean): string {
  let out = '';
  let kept = 0; // what of `s` is in `out`
  let next = 0;
  for (let colon = s.indexOf(':'); colon !== -1; colon = s.indexOf(':', next)) {
    next = colon + 1;
    let keyEnd = colon;
    while (keyEnd > kept && colon - keyEnd < MAX_BLANKS && isSpace(s.charCodeAt(keyEnd - 1)))
      keyEnd--;
    let keyStart = -1;
    let quote = 0; // the key's quote: its value is filtered wherever the key is
    const last = s.charCodeAt(keyEnd - 1);
    if (keyEnd > kept && (last === QUOTE || last === APOSTROPHE)) {
      for (let i = keyEnd - 2; i >= kept && keyEnd - i <= MAX_KEY + 2; i--)
        if (s.charCodeAt(i) === last) {
          keyStart = i + 1;
          quote = last;
          break;
        }
      // No opening quote: a key whose quote closed a value before it (unbalanced text); its
      // name is read bare before the quote, and its value taken as a quoted key's would be.
      keyEnd--;
      if (keyStart < 0) quote = last;
    }
    if (keyStart < 0) {
      let i = keyEnd;
      while (i > kept && keyEnd - i < MAX_KEY && isKeyChar(s.charCodeAt(i - 1))) i--;
      // None, or longer than a key, or (bare) part of a path (`/app/auth.js: …`).
      if (i === keyEnd || (i > kept && isKeyChar(s.charCodeAt(i - 1)))) continue;
      if (quote === 0 && (s.charCodeAt(i - 1) === 0x2f || s.charCodeAt(i - 1) === 0x5c)) continue;
      keyStart = i;
    }
    const rule = rules.keyRule(s.slice(keyStart, keyEnd));
    if (rule === 'plain') continue;
    let v = colon + 1;
    const after = s.charCodeAt(v);
    if (after === COLON) continue; // `auth::login`
    if (quote === 0 && !isSpace(after)) continue; // `auth.js:10`, `token:x`
    while (v < s.length && v - colon <= MAX_BLANKS && isSpace(s.charCodeAt(v))) v++;
    if (v >= s.length) continue;
    const c = s.charCodeAt(v);
    if (isEol(c)) continue;
    if (s.startsWith(FILTERED, v)) {
      // Hidden already (scrubbed twice): as when hidden here, no key reads back across it.
      out += s.slice(kept, v + FILTERED.length);
      kept = next = v + FILTERED.length;
      continue;
    }
    let start = v;
    let end: number;
    let resume: number; // where the next colon is looked for: past the value
    let wrap = ''; // the quote written around "[Filtered]" in place of an unquoted JSON value
    if (c === QUOTE || c === APOSTROPHE) {
      start = v + 1;
      end = closingQuote(s, start, c);
      resume = end < s.length && s.charCodeAt(end) === c ? end + 1 : end;
      if (end === start) continue;
    } else {
      if (c === 0x7b || c === 0x5b) end = closingBracket(s, v);
      else {
        end = v;
        while (end < s.length && !endsWord(s.charCodeAt(end))) end++;
        const word = s.slice(v, end);
        const quoteAfter = s.charCodeAt(end);
        const prefixed =
          (quoteAfter === QUOTE || quoteAfter === APOSTROPHE) && STRING_PREFIX.test(word);
        if (prefixed) {
          // Python's b'…', r"…": the string with its prefix.
          end = closingQuote(s, end + 1, quoteAfter);
          if (s.charCodeAt(end) === quoteAfter) end++;
        }
        if (NO_VALUE.has(word) || (rule === 'count' && COUNT_TEXT.test(word))) continue;
        if (quote === 0) {
          const place = placeOf(s, keyStart);
          if (end === v && place !== 'line') continue; // `key: (…)`, `key: <…>`: no word
          if (place === 'line') {
            let lineEnd = end;
            while (lineEnd < s.length && !isEol(s.charCodeAt(lineEnd))) lineEnd++;
            while (lineEnd > end && s.charCodeAt(lineEnd - 1) <= 0x20) lineEnd--;
            if (PROSE.test(s.slice(v, lineEnd))) continue;
            end = lineEnd;
          } else if (place === 'text' && !prefixed && SENTENCE_WORD.test(word)) {
            // `Authorization: Basic dXNlcjpwYXNz`: the scheme and its credentials.
            if (!AUTH_SCHEME.test(word) || s.charCodeAt(end) !== 0x20) continue;
            // Hidden already by the Bearer rule (`Bearer [Filtered]`): the scheme stays to read.
            if (s.startsWith(FILTERED, end + 1)) continue;
            let credentials = end + 1;
            while (credentials < s.length && !endsWord(s.charCodeAt(credentials))) credentials++;
            if (credentials === end + 1) continue;
            end = credentials;
          }
        }
      }
      resume = end;
      if (quote !== 0 && !mask) wrap = String.fromCharCode(quote);
    }
    const value = s.slice(start, end);
    if (value === FILTERED || HIDDEN_BEARER.test(value)) {
      out += s.slice(kept, resume);
      kept = next = resume;
      continue;
    }
    out += `${s.slice(kept, start)}${wrap}${hide(value)}${wrap}`;
    kept = next = resume;
    if (resume > end) out += s.slice(end, resume);
  }
  return kept === 0 ? s : out + s.slice(kept);
}

/** `s` with each IP address `[ip]` (or masked). */
function filterIps(s: string, hide: Hide): string {
  const hideIp = hide === replaceWhole ? () => IP_REPLACEMENT : hide;
  let out = s;
  if (out.includes(':')) out = out.replace(IPV6, (m) => (isIpv6(m) ? hideIp(m) : m));
  if (out.includes('.')) out = out.replace(IPV4, hideIp);
  return out;
}

/**
 * `s` with each SSN (`ssn`), IBAN (`iban`) and home directory's user name (`paths`) hidden, as
 * their hints allow.
 */
function filterShapes(s: string, hide: Hide, ssn: boolean, iban: boolean, paths: boolean): string {
  let out = s;
  if (ssn && out.includes('-'))
    out = out.replace(SSN, (m, area: string, group: string, serial: string) =>
      isIssuedSsn(area, group, serial) ? hide(m) : m,
    );
  if (iban) {
    let hidden = '';
    let kept = 0;
    IBAN_START.lastIndex = 0;
    for (let m = IBAN_START.exec(out); m !== null; m = IBAN_START.exec(out)) {
      const end = ibanEnd(out, m.index);
      if (end < 0) continue;
      hidden += out.slice(kept, m.index) + hide(out.slice(m.index, end));
      kept = IBAN_START.lastIndex = end;
    }
    if (kept > 0) out = hidden + out.slice(kept);
  }
  if (paths) {
    const hideName = (m: string, name: string) => m.slice(0, m.length - name.length) + hide(name);
    // Windows' first: a name it hides can be what stood before a macOS path, which is then one.
    if (out.includes('\\')) out = out.replace(WINDOWS_HOME, hideName);
    if (out.includes('/')) out = out.replace(UNIX_HOME, hideName);
  }
  return out;
}

/**
 * `s` with every sensitive shape filtered; secret query parameters and keys written as text by
 * the default keys, or by a project's (its scrubber's `text`), and IP addresses when the project
 * keeps them out. Masked in place (`mask`), `s` keeps its length: what `Bearer` and a
 * parameter's name are kept of is kept as it was. `off` (the KEEP_ bits) names the rules
 * that the place `s` is in leaves out.
 */
export function scrubString(
  s: string,
  rules: TextRules = DEFAULT_TEXT,
  mask = false,
  off = 0,
): string {
  if (s.length < rules.shortest) return s;
  const secrets = rules.secrets;
  const hinted = secrets && HINT.test(s);
  const ids = (off & KEEP_IDS) === 0;
  const iban = secrets && ids && s.length >= SHORTEST_IBAN && IBAN_HINT.test(s);
  const ip = rules.ip && (off & KEEP_IPS) === 0 && IP_HINT.test(s);
  // The rules a sign starts (a key's `:` or `=`, a URL's `@`, a path's `/` or `\`), asked only of
  // the strings that have one: one scan for all five, most strings having none.
  let keyValues = false;
  let keyed = false;
  let paths = false;
  let urlPassword = false;
  if (secrets && SIGNS.test(s)) {
    keyValues = (off & KEEP_KEYS) === 0 && s.includes(':') && KEY_VALUE_HINT.test(s);
    keyed = (keyValues || s.includes('=')) && rules.params.hint.test(s);
    paths =
      (off & KEEP_PATHS) === 0 &&
      ((s.includes('/') && UNIX_HOME_HINT.test(s)) ||
        (s.includes('\\') && WINDOWS_HOME_HINT.test(s)));
    urlPassword = s.includes('@') && URL_PASSWORD_HINT.test(s);
  }
  if (!hinted && !keyed && !iban && !paths && !ip && !urlPassword) return s;
  const hide = mask ? maskInPlace : replaceWhole;
  let out = s;
  if (secrets) {
    if (out.includes('PRIVATE KEY')) out = out.replace(PEM, hide);
    if (out.includes('@'))
      out = out.replace(
        URL_PASSWORD,
        (_, user: string, password: string) => `${user}${hide(password)}@`,
      );
    if (BEARER_HINT.test(out))
      out = out.replace(BEARER, (m, run: string) =>
        !looksLikeToken(run)
          ? m
          : mask
            ? `${m.slice(0, m.length - run.length)}${hide(run)}`
            : `Bearer ${FILTERED}`,
      );
  }
  // Addresses before keys: `[ip]` in a parameter's name (`x[10.0.0.1]=…`) is there when it is read.
  if (ip) out = filterIps(out, hide);
  if (secrets) {
    if (keyed && keyValues) out = filterKeyValues(out, rules, hide, mask);
    if (out.includes('=')) out = filterSecretParams(out, rules.params, hide);
  }
  out = filterShapes(out, hide, hinted && ids, iban, paths);
  if (hinted && CARD_HINT.test(out)) {
    let inUuid: ((start: number, end: number) => boolean) | undefined;
    out = out.replace(CARD, (m, at: number, whole: string) => {
      const digits = m.replace(/[ -]/g, '');
      if (digits.length < 13 || digits.length > 19 || !luhn(digits)) return m;
      // Unbroken, it is mostly a time or an id, as a JSON number is (isCardNumber): a card only
      // when it starts as a card network's number does.
      if (digits.length === m.length && !CARD_NETWORK_DIGIT.test(digits)) return m;
      return (inUuid ??= uuidOverlap(whole))(at, at + m.length) ? m : hide(m);
    });
  }
  // And after: what the rules since hid can have stood before an address (`"token":{]10.0.0.1` is
  // `"token":"[Filtered]"10.0.0.1` once its value is filtered), which scrubbing again would find.
  if (ip && out !== s) out = filterIps(out, hide);
  return out;
}

/**
 * What a scrubber found: whether it changed anything, so that the text an unchanged value was
 * parsed from can be stored as sent. A text given to the scrubber that repeats a key counts as
 * changed: it holds a value its parse dropped, unscrubbed.
 */
export interface ScrubReport {
  changed: boolean;
}

/** Key spellings compared as one: `X-Api-Key`, `x.api.key` and `X API Key` are `x_api_key`. */
function normaliseKey(key: string): string {
  return key.toLowerCase().replace(/[-.\s]/g, '_');
}

/**
 * Keys with each `a_b` also as `ab`: a camelCase key (`privateKey`, JavaScript's and Java's
 * spelling) has no separator to fold into `_`, so it holds `privatekey`, which Relay's default
 * password rule lists beside `private_key` (relay-pii regexes.rs PASSWORD_KEY_REGEX).
 */
function withJoined(keys: readonly string[]): string[] {
  const out = new Set(keys);
  for (const k of keys) if (k.includes('_')) out.add(k.replace(/_/g, ''));
  return [...out];
}

/**
 * Sentry's PairList form (`[["Cookie", "sid=…"], …]`) of headers, cookies, query strings and
 * tags. Only an array whose every item is a [string, value] pair, so a frame's `["a", "b"]`
 * arguments or a list of rows stay ordinary arrays. (A loop, not `every`, which skips holes.)
 */
function isPairList(a: readonly unknown[]): a is [string, unknown][] {
  if (a.length === 0) return false;
  for (let i = 0; i < a.length; i++) {
    const p = a[i];
    if (!Array.isArray(p) || p.length !== 2 || typeof p[0] !== 'string') return false;
  }
  return true;
}

const TOKENS = 'tokens';
/** A last word `tokens`: after the start or a separator in any case, or camelCase `…Tokens`. */
const ENDS_IN_TOKENS = /(?:(?:^|[-_.\s])(?:tokens|Tokens|TOKENS)|[a-z\d]Tokens)$/;

/**
 * Where the word `tokens` counts something in a key (`gen_ai.usage.input_tokens`,
 * `gen_ai.request.max_tokens`, `promptTokens`), or -1: the key's last word, or the last word of
 * the dotted part before its last, Sentry's parts of a count (`ai.total_tokens.used`,
 * `gen_ai.usage.input_tokens.cached`). Words are split on `_`, `-`, spaces and camelCase.
 */
function tokenCountAt(key: string): number {
  if (ENDS_IN_TOKENS.test(key)) return key.length - TOKENS.length;
  const dot = key.lastIndexOf('.');
  if (dot > 0 && ENDS_IN_TOKENS.test(key.slice(0, dot))) return dot - TOKENS.length;
  return -1;
}

/**
 * What a key's values become: kept (`plain`), filtered (`sensitive`), or filtered unless a
 * number or boolean (`count`).
 */
type KeyRule = 'plain' | 'sensitive' | 'count';

/**
 * Where ids are, from the root of what is scrubbed (an event, a transaction, an OTLP span's
 * attributes): a string or number there skips the shape rules, as Relay leaves fields it does not
 * take as PII. An all-digit span id or correlation id can pass Luhn (1790000000000000005), and one
 * filtered is an id that no longer joins, or a transaction refused. Sensitive keys still filter.
 * An array's items have its node (`spans`; an array of ids, `fingerprint`, is ids); pairs are
 * looked up by key as entries are (`tags`).
 */
type IdPath = true | ReadonlyMap<string, IdPath>;
const idPaths = (o: Record<string, IdPath>): IdPath => new Map(Object.entries(o));
const CORRELATION = idPaths({ correlation_id: true });
// A transaction's spans carry a correlation id of their own in tags or data, and its trace
// context in data (transaction.ts reads all three).
const traceIds = (extra: Record<string, IdPath>) =>
  idPaths({ trace_id: true, span_id: true, parent_span_id: true, ...extra });
const ID_PATHS = idPaths({
  event_id: true,
  correlation_id: true, // an OTLP span's attribute
  contexts: idPaths({ trace: traceIds({ data: CORRELATION }) }),
  spans: traceIds({ tags: CORRELATION, data: CORRELATION }),
  tags: CORRELATION,
  user: idPaths({ id: true }),
  // The developer's grouping key (Relay: pii false), its parts ids more often than not: one
  // filtered for a card number's shape (an order id, `12-1796626894007`) made fingerprints the
  // SDK kept apart one issue.
  fingerprint: true,
});

/**
 * What keys' values become, by the keys (normalised, joined words too) whose names are secret
 * anywhere in a key, the whole keys (WHOLE_KEYS) and the project's safe keys. Keys repeat across
 * events: each is decided once (up to 10,000).
 */
function keyRules(keys: readonly string[], safe: ReadonlySet<string>): (key: string) => KeyRule {
  /**
   * A key that is sensitive only for the default name `token` inside its count word (`input_tokens`)
   * names a count: a number or boolean under it is not a credential, a string may be. Any other
   * sensitive name in it (`session.total_tokens`, `access_token.max_tokens`) still filters it.
   */
  const ruleOfSensitive = (key: string, k: string): KeyRule => {
    const at = tokenCountAt(key);
    if (at < 0) return 'sensitive';
    const rest = normaliseKey(`${key.slice(0, at)}_${key.slice(at + TOKENS.length)}`);
    return keys.some((s) => (s === 'token' ? rest : k).includes(s)) ? 'sensitive' : 'count';
  };
  const rules = new Map<string, KeyRule>();
  return (key) => {
    let rule = rules.get(key);
    if (rule === undefined) {
      const k = normaliseKey(key);
      rule = safe.has(k)
        ? 'plain'
        : WHOLE_KEY_WORDS.has(k)
          ? 'sensitive'
          : !keys.some((s) => k.includes(s))
            ? 'plain'
            : ruleOfSensitive(key, k);
      if (rules.size < 10_000) rules.set(key, rule);
    }
    return rule;
  };
}

/**
 * Where a project that keeps IP addresses out has them removed (Relay's KNOWN_IP_FIELDS, removed
 * whatever they hold): `user.ip_address` (`{{auto}}` included, so none is filled in),
 * `request.env.REMOTE_ADDR` (an object or pairs), `sdk.client_ip`, and an OTLP span's
 * `client.address` attribute. Whether any was there.
 */
function removeIpFields(root: Record<string, unknown>): boolean {
  let removed = false;
  const remove = (o: unknown, key: string) => {
    if (isObj(o) && Object.prototype.hasOwnProperty.call(o, key)) {
      delete o[key];
      removed = true;
    }
  };
  remove(root.user, 'ip_address');
  remove(root.sdk, 'client_ip');
  remove(root, 'client.address');
  const env = isObj(root.request) ? root.request.env : undefined;
  if (Array.isArray(env)) {
    const at = env.findIndex((p) => Array.isArray(p) && p[0] === 'REMOTE_ADDR');
    if (at >= 0) {
      env.splice(at, 1);
      removed = true;
    }
  } else remove(env, 'REMOTE_ADDR');
  return removed;
}

/** Events scrubbed for a project that keeps IP addresses out (keepsIpAddressesOut). */
const WITHOUT_IP_ADDRESSES = new WeakSet<object>();

/**
 * Whether `event` was scrubbed for a project that keeps IP addresses out: normalise.ts then fills
 * in no `user.ip_address` from the sender's address (it runs after scrubbing, on the same object).
 */
export function keepsIpAddressesOut(event: object): boolean {
  return WITHOUT_IP_ADDRESSES.has(event);
}

// Where in an event rules are left out (the walk's `off`, with the KEEP_ bits):
/** The items of a `frames` array: stack frames. */
const IN_FRAMES = 16;
/** A stack frame's fields. */
const IN_FRAME = 32;
/** What a string's place passes on to what is under it. */
const PASSED_ON = KEEP_PATHS | KEEP_IPS | KEEP_KEYS | KEEP_IDS;
/**
 * A frame's fields grouping and symbolication read: kept as sent by the path and IP rules (Relay's
 * DATASCRUBBER_IGNORE keeps its file and path from every rule).
 */
const FRAME_FILES = new Set(['filename', 'abs_path', 'module', 'package']);
/** A frame's source lines (KEEP_IN_SOURCE). */
const FRAME_SOURCE = new Set(['context_line', 'pre_context', 'post_context']);
/** Keys of versions (`120.0.0.0`, `1.0.0.0`) and User-Agents (`Chrome/120.0.0.0`): no IPs. */
const NOT_IPS = new Set([
  'release',
  'dist',
  'version',
  'build',
  'user-agent',
  'user_agent',
  'http_user_agent',
]);

/**
 * A scrubber for one project's options. It rewrites the value in place (the event was just
 * parsed from the request and belongs to us) and returns it, so a 5 KB event is not copied.
 * `report.changed` is set when anything was filtered. With `enabled` false it changes nothing,
 * unless the project keeps IP addresses out (`ipAddresses`), which it then does alone.
 */
export function createScrubber(options: ScrubOptions): Scrubber {
  const secrets = options.enabled;
  const ips = options.ipAddresses === true;
  if (!secrets && !ips)
    return Object.assign((v: unknown) => v, { text: (s: string) => s, mask: (s: string) => s });
  const extraKeys = secrets ? (options.extraKeys ?? []).map(normaliseKey) : [];
  const keys = withJoined([...DEFAULT_KEYS.map(normaliseKey), ...extraKeys]);
  const safe = new Set(withJoined((options.safeKeys ?? []).map(normaliseKey)));
  const params = paramRule(extraKeys, keys, safe);
  const keyRule = keyRules(keys, safe);
  const ruleOf = secrets ? keyRule : (): KeyRule => 'plain';
  const textRules: TextRules = {
    secrets,
    params,
    keyRule,
    ip: ips,
    shortest: Math.min(secrets ? params.shortest : Infinity, ips ? SHORTEST_IP : Infinity),
  };
  let changed = false;
  /** The object keys walked since the count was last reset: a text with more repeats one. */
  let keysWalked = 0;
  /** `request.data` as scrubJsonBody wrote it: read as JSON, so not read again as text. */
  let jsonBody: string | undefined;
  const text = (s: string, off: number): string => {
    const out = scrubString(s, textRules, false, off);
    if (out !== s) changed = true;
    return out;
  };
  /**
   * What the place of `value`, under `key` in a value at `depth - 1` whose place is `off`, leaves
   * out: a frame's files and modules (KEEP_PATHS, KEEP_IPS), its source lines (KEEP_IN_SOURCE), a debug
   * image's (`debug_meta`), a version's IP-like digits and the User-Agent's (KEEP_IPS), and
   * whether it is frames.
   */
  const offUnder = (key: string, value: unknown, depth: number, off: number): number => {
    let o = off & PASSED_ON;
    if ((off & IN_FRAME) !== 0 && FRAME_FILES.has(key)) o |= KEEP_PATHS | KEEP_IPS;
    else if ((off & IN_FRAME) !== 0 && FRAME_SOURCE.has(key)) o |= KEEP_IN_SOURCE;
    else if (key === 'frames' && Array.isArray(value)) o |= IN_FRAMES;
    else if (depth === 1 && (key === 'debug_meta' || key === 'transaction'))
      o |= key === 'debug_meta' ? KEEP_PATHS | KEEP_IPS : KEEP_PATHS;
    if (ips && holdsNoIps(key)) o |= KEEP_IPS;
    return o;
  };
  const noIpKeys = new Map<string, boolean>(); // keys repeat across events: each lowered once
  const holdsNoIps = (key: string): boolean => {
    let kept = noIpKeys.get(key);
    if (kept === undefined) {
      kept = NOT_IPS.has(key.toLowerCase());
      if (noIpKeys.size < 10_000) noIpKeys.set(key, kept);
    }
    return kept;
  };
  /** `value` at `depth`; `ids` is where ids are under it (none, past the paths); `off` its place. */
  const walk = (value: unknown, depth: number, ids: IdPath | undefined, off: number): unknown => {
    if (typeof value === 'string') return value === jsonBody ? value : text(value, off);
    if (typeof value === 'number') {
      if (!secrets || !isCardNumber(value)) return value;
      changed = true;
      return FILTERED;
    }
    if (value === null || typeof value !== 'object') return value;
    if (depth > MAX_DEPTH) {
      // Not walked, so not kept either.
      changed = true;
      return FILTERED;
    }
    if (Array.isArray(value)) {
      // A pair one level down past MAX_DEPTH is left to the generic walk, which filters it whole.
      if (depth < MAX_DEPTH && isPairList(value)) {
        for (const pair of value) {
          const key = pair[0];
          pair[0] = text(key, off & PASSED_ON);
          pair[1] = scrubEntry(key, pair[1], depth + 2, idsUnder(ids, key), off);
        }
        return value;
      }
      const itemOff = (off & PASSED_ON) | ((off & IN_FRAMES) !== 0 ? IN_FRAME : 0);
      for (let i = 0; i < value.length; i++) {
        const item = value[i];
        // An array of ids (a fingerprint's parts) is ids; what an id holds nested is not.
        if (ids === true && (typeof item === 'string' || typeof item === 'number')) continue;
        value[i] = walk(item, depth + 1, ids === true ? undefined : ids, itemOff);
      }
      return value;
    }
    const obj = value as Record<string, unknown>;
    for (const k in obj) {
      if (!Object.prototype.hasOwnProperty.call(obj, k)) continue;
      keysWalked++;
      const v = obj[k];
      const next = scrubEntry(k, v, depth + 1, idsUnder(ids, k), off);
      // A "__proto__" key parsed from JSON is an own property; assigning it would set the prototype.
      if (next !== v)
        Object.defineProperty(obj, k, {
          value: next,
          enumerable: true,
          writable: true,
          configurable: true,
        });
    }
    return obj;
  };
  /**
   * What `v`, found under `key` at `depth` in a value whose place is `off`, is stored as; `ids` is
   * the key's id path.
   */
  const scrubEntry = (
    key: string,
    v: unknown,
    depth: number,
    ids: IdPath | undefined,
    off: number,
  ): unknown => {
    const rule = ruleOf(key);
    if (
      rule === 'plain' ||
      (rule === 'count' && (typeof v === 'number' || typeof v === 'boolean'))
    ) {
      // Most values are line numbers, counts, flags: too short for a card, no call for them.
      if (v === null || typeof v === 'boolean' || (typeof v === 'number' && v < 1e12 && v > -1e12))
        return v;
      if (ids === true)
        return typeof v === 'object' ? walk(v, depth, Array.isArray(v) || undefined, 0) : v;
      // Most places leave nothing out: a few comparisons say so.
      const place =
        off === 0 && depth !== 1 && !ips
          ? key === 'frames' && Array.isArray(v)
            ? IN_FRAMES
            : 0
          : offUnder(key, v, depth, off);
      return walk(v, depth, ids, place);
    }
    if (v === null || v === undefined || v === '' || v === FILTERED) return v;
    changed = true;
    return typeof v === 'object' ? filterAll(v, depth) : FILTERED;
  };
  /**
   * An event's `request.data` sent as JSON text (@sentry/node sends a parsed body as
   * `JSON.stringify`'s text) is read as what it holds, as Relay's normalize_data parses it before
   * scrubbing, so that its keys are read as keys (`{"password":"…"}`). It is written back as
   * text, and only when something in it was filtered or it repeats a key; the walk does not read
   * it again as text (the keys written in it were read as keys, its strings as strings: read as
   * text, a sensitive key's object, filtered keeping its shape, would be filtered whole).
   */
  const scrubJsonBody = (event: unknown) => {
    const request = isObj(event) ? event.request : undefined;
    const data = isObj(request) ? request.data : undefined;
    if (typeof data !== 'string' || !JSON_TEXT.test(data)) return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(data);
    } catch {
      return; // not JSON: the walk reads it as text (a form body's parameters)
    }
    const before = changed;
    changed = false;
    keysWalked = 0;
    walk(parsed, 2, undefined, 0);
    if (changed || keyColons(data) > keysWalked) {
      (request as Record<string, unknown>).data = jsonBody = JSON.stringify(parsed);
      changed = true;
    } else jsonBody = data;
    changed ||= before;
  };
  const scrub = (value: unknown, report?: ScrubReport, sent?: string) => {
    changed = false;
    jsonBody = undefined;
    if (ips && isObj(value)) {
      WITHOUT_IP_ADDRESSES.add(value);
      if (removeIpFields(value)) changed = true;
    }
    if (secrets) scrubJsonBody(value);
    keysWalked = 0;
    const out = walk(value, 0, ID_PATHS, 0);
    // Only when nothing else changed is every key walked, and the text a candidate to keep.
    if (!changed && sent !== undefined && keyColons(sent) > keysWalked) changed = true;
    if (report) report.changed = changed;
    return out;
  };
  return Object.assign(scrub, {
    text: (s: string) => scrubString(s, textRules),
    mask: (s: string) => scrubString(s, textRules, true),
  });
}

/** Text that is a JSON object or array, if it parses. */
const JSON_TEXT = /^\s*[[{]/;

/** The id path of `key` under `ids`. */
function idsUnder(ids: IdPath | undefined, key: string): IdPath | undefined {
  return ids === undefined || ids === true ? undefined : ids.get(key);
}

/**
 * One project's scrubber: rewrites a parsed value in place and returns it. `sent` is the JSON
 * text the value was parsed from, when it is to be stored as sent if nothing changes.
 */
export interface Scrubber {
  (value: unknown, report?: ScrubReport, sent?: string): unknown;
  /** A string alone (a span's name): its sensitive shapes and the project's secret parameters. */
  text(s: string): string;
  /**
   * The same, each character of what `text` filters made `*` instead: `s` keeps its length, so
   * bytes read as text can be masked where they are (attachment.ts).
   */
  mask(s: string): string;
}

/**
 * Scrubbers (and their key verdicts) by the options object they were made for: a project keeps
 * its options object until its config is read again, which brings new objects, so new settings.
 */
export function scrubberCache(): (options: ScrubOptions) => Scrubber {
  const made = new WeakMap<ScrubOptions, Scrubber>();
  return (options) => {
    let s = made.get(options);
    if (!s) made.set(options, (s = createScrubber(options)));
    return s;
  };
}

/**
 * Everything under a sensitive key, `value` being at `depth`: leaves become [Filtered], the shape
 * stays down to the depth `walk` stops at, and below it (the stack) is one [Filtered] too.
 */
function filterAll(value: object, depth: number): unknown {
  if (depth > MAX_DEPTH) return FILTERED;
  const filter = (v: unknown) =>
    v !== null && typeof v === 'object' ? filterAll(v, depth + 1) : FILTERED;
  if (Array.isArray(value)) return value.map(filter);
  // Object.fromEntries defines properties, so a "__proto__" key stays a key.
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, filter(v)]));
}
