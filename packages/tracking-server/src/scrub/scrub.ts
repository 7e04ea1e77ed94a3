// PII scrubbing before anything is stored: values under sensitive keys (object keys, and the
// first item of each pair in Sentry's pair lists), and sensitive shapes anywhere — Luhn-valid card
// numbers in strings (not a UUID's digits) or as JSON numbers, `Bearer …` tokens, PEM private
// keys, secret query or form parameters, a URL's password — become "[Filtered]". Ordinary words
// ("Authentication failed", "the bearer of this card") stay: key rules look at keys, string rules
// at shapes, never at bare words. Ids that join data (event, trace and span ids, the correlation id, user.id) are
// not shapes: as Relay does for fields it does not take as PII, only key rules filter them.
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
] as const;

export interface ScrubOptions {
  readonly enabled: boolean;
  /** Extra key substrings for this project. */
  readonly extraKeys?: readonly string[];
  /** Keys never filtered (e.g. `session_id` for a project that wants it). */
  readonly safeKeys?: readonly string[];
}

const CARD = /\b(?:\d[ -]?){12,18}\d\b/g;
const BEARER = /\bBearer\s+([A-Za-z0-9\-._~+/]+=*)/gi;
/** What English has after "bearer": one word, in lower case or capitalised. */
const PLAIN_WORD = /^[A-Z]?[a-z]+$/;
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
  if (keys.some((w) => k.includes(w))) return true;
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

/**
 * Whether any rule could match, in one scan: most strings in an event (frames, breadcrumbs,
 * messages) match none, and scrubbing is on every ingest request's path. Each rule's own test
 * comes after it; this one only ever says yes more often than they do.
 */
const HINT = new RegExp(`PRIVATE KEY|bearer\\s|${DIGIT_RUN}`, 'i');
/**
 * The secret parameters' hint, asked only of a string with an `=`: in the one scan above, their
 * names after every word boundary made it three times slower, on strings that have no `=`.
 * Any word a secret name holds (`key` and `sig` stand for `api_key`, `signature`, …).
 */
const PARAM_HINT = /passw|secret|key|auth|credentials|token|bearer|cookie|session|pwd|sig/i;

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

/**
 * `s` with every sensitive shape filtered; secret query parameters by the default keys, or by
 * a project's (its scrubber's `text`). Masked in place (`mask`), `s` keeps its length: what
 * `Bearer` and a parameter's name are kept of is kept as it was.
 */
export function scrubString(s: string, params: ParamRule = DEFAULT_PARAMS, mask = false): string {
  if (s.length < params.shortest) return s;
  if (
    !HINT.test(s) &&
    !(s.includes('=') && params.hint.test(s)) &&
    !(s.includes('@') && URL_PASSWORD_HINT.test(s))
  )
    return s;
  const hide = mask ? maskInPlace : replaceWhole;
  let out = s;
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
  if (out.includes('=')) out = filterSecretParams(out, params, hide);
  if (CARD_HINT.test(out)) {
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
 * A scrubber for one project's options. It rewrites the value in place (the event was just
 * parsed from the request and belongs to us) and returns it, so a 5 KB event is not copied.
 * `report.changed` is set when anything was filtered.
 */
export function createScrubber(options: ScrubOptions): Scrubber {
  if (!options.enabled)
    return Object.assign((v: unknown) => v, { text: (s: string) => s, mask: (s: string) => s });
  const extraKeys = (options.extraKeys ?? []).map(normaliseKey);
  const keys = withJoined([...DEFAULT_KEYS.map(normaliseKey), ...extraKeys]);
  const safe = new Set(withJoined((options.safeKeys ?? []).map(normaliseKey)));
  const params = paramRule(extraKeys, keys, safe);
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
  const rules = new Map<string, KeyRule>(); // keys repeat across events: decide each once
  const ruleOf = (key: string): KeyRule => {
    let rule = rules.get(key);
    if (rule === undefined) {
      const k = normaliseKey(key);
      rule = safe.has(k) || !keys.some((s) => k.includes(s)) ? 'plain' : ruleOfSensitive(key, k);
      if (rules.size < 10_000) rules.set(key, rule);
    }
    return rule;
  };
  let changed = false;
  /** The object keys walked since the count was last reset: a text with more repeats one. */
  let keysWalked = 0;
  const text = (s: string): string => {
    const out = scrubString(s, params);
    if (out !== s) changed = true;
    return out;
  };
  /** `value` at `depth`; `ids` is where ids are under it (none, past the paths). */
  const walk = (value: unknown, depth: number, ids?: IdPath): unknown => {
    if (typeof value === 'string') return text(value);
    if (typeof value === 'number') {
      if (!isCardNumber(value)) return value;
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
          pair[0] = text(key);
          pair[1] = scrubEntry(key, pair[1], depth + 2, idsUnder(ids, key));
        }
        return value;
      }
      for (let i = 0; i < value.length; i++) {
        const item = value[i];
        // An array of ids (a fingerprint's parts) is ids; what an id holds nested is not.
        if (ids === true && (typeof item === 'string' || typeof item === 'number')) continue;
        value[i] = walk(item, depth + 1, ids === true ? undefined : ids);
      }
      return value;
    }
    const obj = value as Record<string, unknown>;
    for (const k in obj) {
      if (!Object.prototype.hasOwnProperty.call(obj, k)) continue;
      keysWalked++;
      const v = obj[k];
      const next = scrubEntry(k, v, depth + 1, idsUnder(ids, k));
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
  /** What `v`, found under `key` at `depth`, is stored as; `ids` is the key's id path. */
  const scrubEntry = (key: string, v: unknown, depth: number, ids: IdPath | undefined): unknown => {
    const rule = ruleOf(key);
    if (
      rule === 'plain' ||
      (rule === 'count' && (typeof v === 'number' || typeof v === 'boolean'))
    ) {
      // Most values are line numbers, counts, flags: too short for a card, no call for them.
      if (v === null || typeof v === 'boolean' || (typeof v === 'number' && v < 1e12 && v > -1e12))
        return v;
      if (ids === true)
        return typeof v === 'object' ? walk(v, depth, Array.isArray(v) || undefined) : v;
      return walk(v, depth, ids);
    }
    if (v === null || v === undefined || v === '' || v === FILTERED) return v;
    changed = true;
    return typeof v === 'object' ? filterAll(v, depth) : FILTERED;
  };
  /**
   * An event's `request.data` sent as JSON text (@sentry/node sends a parsed body as
   * `JSON.stringify`'s text) is read as what it holds, as Relay's normalize_data parses it before
   * scrubbing, so that its keys are read as keys (`{"password":"…"}`). It is written back as
   * text, and only when something in it was filtered or it repeats a key; the walk then reads it
   * as any string.
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
    walk(parsed, 2);
    if (changed || keyColons(data) > keysWalked) {
      (request as Record<string, unknown>).data = JSON.stringify(parsed);
      changed = true;
    }
    changed ||= before;
  };
  const scrub = (value: unknown, report?: ScrubReport, sent?: string) => {
    changed = false;
    scrubJsonBody(value);
    keysWalked = 0;
    const out = walk(value, 0, ID_PATHS);
    // Only when nothing else changed is every key walked, and the text a candidate to keep.
    if (!changed && sent !== undefined && keyColons(sent) > keysWalked) changed = true;
    if (report) report.changed = changed;
    return out;
  };
  return Object.assign(scrub, {
    text: (s: string) => scrubString(s, params),
    mask: (s: string) => scrubString(s, params, true),
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
