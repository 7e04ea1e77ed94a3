// PII scrubbing before anything is stored: values under sensitive keys, and sensitive shapes
// anywhere in a string — Luhn-valid card numbers (not a UUID's digits), `Bearer …` tokens, PEM
// private keys, secret URL query parameters — become "[Filtered]". Ordinary words
// ("Authentication failed") stay: key rules look at keys, string rules at shapes, never at bare
// words.

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
const BEARER = /\bBearer\s+[A-Za-z0-9\-._~+/]+=*/gi;
const PEM =
  /-----BEGIN (?:[A-Z]+ )?PRIVATE KEY-----[\s\S]*?(?:-----END (?:[A-Z]+ )?PRIVATE KEY-----|$)/g;
const SECRET_PARAM_NAME =
  '[?&](?:access_token|token|api_key|apikey|key|secret|password|passwd|pwd|signature|sig|auth|client_secret|refresh_token|session|sessionid)=';
const SECRET_PARAM = new RegExp(`(${SECRET_PARAM_NAME})[^&#\\s"']+`, 'gi');
/**
 * A UUID (8-4-4-4-12 hex digits). Its digit groups can have a card number's shape and checksum
 * (12345678-1234-1232-…), but it is an id — an event's, a request's correlation id — and one
 * filtered would be an event refused or a debug session split.
 */
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;
/** At least 13 digits, single spaces or dashes allowed between them: the shape a card number needs. */
const DIGIT_RUN = '\\d(?:[ -]?\\d){12}';

/**
 * Whether any rule could match, in one scan: most strings in an event (frames, breadcrumbs,
 * messages) match none, and scrubbing is on every ingest request's path. Each rule's own test
 * comes after it; this one only ever says yes more often than they do.
 */
const HINT = new RegExp(`PRIVATE KEY|bearer\\s|${SECRET_PARAM_NAME}|${DIGIT_RUN}`, 'i');
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

/** Whether [start, end) of `s` overlaps a UUID. */
function inUuid(s: string, start: number, end: number): boolean {
  if (!s.includes('-')) return false;
  for (const u of s.matchAll(UUID)) if (u.index < end && u.index + u[0].length > start) return true;
  return false;
}

export function scrubString(s: string): string {
  if (s.length < 8 || !HINT.test(s)) return s;
  let out = s;
  if (out.includes('PRIVATE KEY')) out = out.replace(PEM, FILTERED);
  if (BEARER_HINT.test(out)) out = out.replace(BEARER, `Bearer ${FILTERED}`);
  if (out.includes('=')) out = out.replace(SECRET_PARAM, `$1${FILTERED}`);
  if (CARD_HINT.test(out)) {
    out = out.replace(CARD, (m, at: number, whole: string) => {
      const digits = m.replace(/[ -]/g, '');
      if (digits.length < 13 || digits.length > 19 || !luhn(digits)) return m;
      return inUuid(whole, at, at + m.length) ? m : FILTERED;
    });
  }
  return out;
}

/** What a scrubber found: whether it changed anything (so an unchanged event's text can be kept). */
export interface ScrubReport {
  changed: boolean;
}

/**
 * A scrubber for one project's options. It rewrites the value in place (the event was just
 * parsed from the request and belongs to us) and returns it, so a 5 KB event is not copied.
 * `report.changed` is set when anything was filtered.
 */
export function createScrubber(
  options: ScrubOptions,
): (value: unknown, report?: ScrubReport) => unknown {
  if (!options.enabled) return (v) => v;
  const keys = [...DEFAULT_KEYS, ...(options.extraKeys ?? [])].map((k) => k.toLowerCase());
  const safe = new Set((options.safeKeys ?? []).map((k) => k.toLowerCase()));
  const verdicts = new Map<string, boolean>(); // keys repeat across events: decide each once
  const sensitive = (key: string) => {
    let v = verdicts.get(key);
    if (v === undefined) {
      const k = key.toLowerCase();
      v = !safe.has(k) && keys.some((s) => k.includes(s));
      if (verdicts.size < 10_000) verdicts.set(key, v);
    }
    return v;
  };
  let changed = false;
  const walk = (value: unknown, depth: number): unknown => {
    if (typeof value === 'string') {
      const s = scrubString(value);
      if (s !== value) changed = true;
      return s;
    }
    if (value === null || typeof value !== 'object') return value;
    if (depth > 64) {
      // Deeper than any real event: not walked (the stack), so not kept either.
      changed = true;
      return FILTERED;
    }
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) value[i] = walk(value[i], depth + 1);
      return value;
    }
    const obj = value as Record<string, unknown>;
    for (const k in obj) {
      if (!Object.prototype.hasOwnProperty.call(obj, k)) continue;
      const v = obj[k];
      let next = v;
      if (!sensitive(k)) {
        // Only strings and containers can change; skip the call for numbers and booleans.
        if (v !== null && (typeof v === 'string' || typeof v === 'object'))
          next = walk(v, depth + 1);
      } else if (v !== null && typeof v === 'object') {
        next = filterAll(v);
        changed = true;
      } else if (v !== null && v !== undefined && v !== '' && v !== FILTERED) {
        next = FILTERED;
        changed = true;
      }
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
  return (value, report) => {
    changed = false;
    const out = walk(value, 0);
    if (report) report.changed = changed;
    return out;
  };
}

export type Scrubber = ReturnType<typeof createScrubber>;

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

/** Everything under a sensitive key: leaves become [Filtered], the shape stays. */
function filterAll(value: object): unknown {
  if (Array.isArray(value))
    return value.map((v) => (v !== null && typeof v === 'object' ? filterAll(v) : FILTERED));
  // Object.fromEntries defines properties, so a "__proto__" key stays a key.
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => [
      k,
      v !== null && typeof v === 'object' ? filterAll(v) : FILTERED,
    ]),
  );
}
