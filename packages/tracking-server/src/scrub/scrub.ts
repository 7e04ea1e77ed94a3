// PII scrubbing before anything is stored: values under sensitive keys, and sensitive shapes
// anywhere in a string — Luhn-valid card numbers, `Bearer …` tokens, PEM private keys, secret
// URL query parameters — become "[Filtered]". Ordinary words ("Authentication failed") stay:
// key rules look at keys, string rules at shapes, never at bare words.

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
const SECRET_PARAM =
  /([?&](?:access_token|token|api_key|apikey|key|secret|password|passwd|pwd|signature|sig|auth|client_secret|refresh_token|session|sessionid)=)[^&#\s"']+/gi;

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

/** Cheap test for whether any string rule could match, so most strings skip the regexes. */
const MAYBE_SENSITIVE = /\d{4}|bearer|private key|[?&][a-z_]+=/i;

export function scrubString(s: string): string {
  if (s.length < 8 || !MAYBE_SENSITIVE.test(s)) return s;
  return s
    .replace(PEM, FILTERED)
    .replace(BEARER, `Bearer ${FILTERED}`)
    .replace(SECRET_PARAM, `$1${FILTERED}`)
    .replace(CARD, (m) => {
      const digits = m.replace(/[ -]/g, '');
      return digits.length >= 13 && digits.length <= 19 && luhn(digits) ? FILTERED : m;
    });
}

/**
 * A scrubber for one project's options. It rewrites the value in place (the event was just
 * parsed from the request and belongs to us) and returns it, so a 5 KB event is not copied.
 */
export function createScrubber(options: ScrubOptions): (value: unknown) => unknown {
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
  const walk = (value: unknown, depth: number): unknown => {
    if (typeof value === 'string') return scrubString(value);
    if (depth > 64 || value === null || typeof value !== 'object') return value;
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) value[i] = walk(value[i], depth + 1);
      return value;
    }
    const obj = value as Record<string, unknown>;
    for (const k of Object.keys(obj)) {
      const v = obj[k];
      if (!sensitive(k)) obj[k] = walk(v, depth + 1);
      else if (v !== null && typeof v === 'object') obj[k] = filterAll(v);
      else if (v !== null && v !== undefined && v !== '') obj[k] = FILTERED;
    }
    return obj;
  };
  return (value) => walk(value, 0);
}

/** Everything under a sensitive key: leaves become [Filtered], the shape stays. */
function filterAll(value: object): unknown {
  if (Array.isArray(value))
    return value.map((v) => (v !== null && typeof v === 'object' ? filterAll(v) : FILTERED));
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => [
      k,
      v !== null && typeof v === 'object' ? filterAll(v) : FILTERED,
    ]),
  );
}
