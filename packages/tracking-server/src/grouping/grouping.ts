// Which issue an event belongs to, in Sentry's order of preference, recording the rule used:
//   1. a custom fingerprint (with `{{ default }}` standing for what the rules below give);
//   2. the in-app stack frames: module (or normalised filename) + function, per exception;
//   3. the exception type + value with ids, numbers, hex and IP addresses stripped;
//   4. the message template (logentry.message before formatting), normalised the same way.
import { hash } from 'node:crypto';
import { jsonText } from '../ingest/json';

export const GROUPED_BY = [
  'fingerprint',
  'in-app frames',
  'exception type and value',
  'message',
] as const;
/** Which rule grouped an issue's events ("why grouped"). */
export type GroupedBy = (typeof GROUPED_BY)[number];

export interface Grouping {
  readonly hash: string;
  readonly groupedBy: GroupedBy;
  /** The parts that were hashed, for "why grouped". */
  readonly components: readonly string[];
}

export interface Frame {
  readonly filename?: string;
  readonly abs_path?: string;
  readonly module?: string;
  readonly function?: string;
  readonly in_app?: boolean;
  readonly lineno?: number;
}

export interface ExceptionValue {
  readonly type?: string;
  readonly value?: string;
  readonly module?: string;
  readonly stacktrace?: { readonly frames?: readonly Frame[] };
}

export interface SentryEventLike {
  readonly fingerprint?: unknown;
  /** `{ values: [...] }`, or the older bare list; read through `exceptionValues`. */
  readonly exception?: unknown;
  readonly message?: unknown;
  readonly logentry?: unknown;
  /** A stack with no exception (attachStacktrace), or the threads of a native crash. */
  readonly stacktrace?: unknown;
  readonly threads?: unknown;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
/** A text field as sent: strings, and numbers or booleans as text; anything else is absent. */
const text = (v: unknown): string | undefined =>
  typeof v === 'string'
    ? v
    : typeof v === 'number' || typeof v === 'boolean'
      ? String(v)
      : undefined;
const textOrAbsent = (v: unknown) => v === undefined || typeof v === 'string';

function cleanFrame(f: Obj): Frame {
  if (
    textOrAbsent(f.filename) &&
    textOrAbsent(f.abs_path) &&
    textOrAbsent(f.module) &&
    textOrAbsent(f.function) &&
    (f.in_app === undefined || typeof f.in_app === 'boolean')
  )
    return f as Frame;
  const out: { -readonly [K in keyof Frame]: Frame[K] } = {};
  for (const k of ['filename', 'abs_path', 'module', 'function'] as const) {
    const v = text(f[k]);
    if (v !== undefined) out[k] = v;
  }
  if (f.in_app === true) out.in_app = true;
  return out;
}

function cleanException(e: Obj): ExceptionValue {
  const st = e.stacktrace;
  const frames = isObj(st) ? st.frames : undefined;
  const framesClean =
    st === undefined ||
    (isObj(st) &&
      (frames === undefined || (Array.isArray(frames) && frames.every(isObj))) &&
      (frames ?? []).every((f) => cleanFrame(f as Obj) === f));
  if (textOrAbsent(e.type) && textOrAbsent(e.value) && textOrAbsent(e.module) && framesClean)
    return e as ExceptionValue;
  const out: Obj = { ...e };
  for (const k of ['type', 'value', 'module'] as const) {
    const v = text(e[k]);
    if (v === undefined) delete out[k];
    else out[k] = v;
  }
  out.stacktrace = {
    frames: Array.isArray(frames) ? frames.filter(isObj).map(cleanFrame) : [],
  };
  return out as ExceptionValue;
}

/**
 * The exceptions of an event (`exception.values`, or a bare list), each with text fields as
 * text and frames as a list of objects — whatever JSON the SDK sent. Well-formed values are
 * returned as they are, without a copy.
 */
export function exceptionValues(exception: unknown): ExceptionValue[] {
  const values = isObj(exception) ? exception.values : exception;
  if (!Array.isArray(values)) return [];
  return values.filter(isObj).map(cleanException);
}

// One-shot hashing: a Hash object per event cost ~1.2 µs more on the ingest path.
const sha = (parts: readonly string[]) => hash('sha1', parts.join('\u0000'), 'hex').slice(0, 32);

// Token edges: not an ASCII letter or digit. Unlike `\b`, `_` is an edge too, so `user_1001` and
// `job_<sha>` are stripped; anything `\b` bounded still is, so text the rules stripped before
// normalises as it did and the issues it was grouped into keep their hashes.
const START = '(?<![0-9a-z])';
const END = '(?![0-9a-z])';
const pattern = (source: string) => new RegExp(source, 'gi');

const UUID = pattern(`${START}[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}${END}`);
// A dotted quad glued to a word (`host10.0.0.1`) is still an address; an optional port goes too.
const IPV4 = /(?<!\d)(?:\d{1,3}\.){3}\d{1,3}(?::\d+)?(?!\d)/g;
// IPv6 runs after IPv4, so an embedded IPv4 address (`::ffff:1.2.3.4`) is already `<ip>`.
const H = '[0-9a-f]{1,4}';
const GROUPS = `${H}(?::${H}){0,6}`;
// `::` forms need a digit (or an embedded IPv4), so `Face::add` and other hex-letter words stay.
// An address is at most 39 characters: looking further for the digit made long runs of `:`
// quadratic.
const COMPRESSED = `(?=[0-9a-f:]{0,38}(?:\\d|<ip>))(?:${GROUPS})?::(?:(?:${H}:){0,5}<ip>|${GROUPS})?`;
const MAPPED = `(?:${H}:){6}<ip>`;
const FULL = `(?:${H}:){2,7}${H}`; // the earlier rule, 3 to 8 groups, kept as it was
const IPV6 = `(?:${COMPRESSED}|${MAPPED}|${FULL})`;
const BRACKETED_IPV6 = pattern(`\\[${IPV6}\\](?::\\d+)?`);
const BARE_IPV6 = pattern(`${START}${IPV6}${END}`);
// A local part is at most 64 characters (RFC 5321). Unbounded, each start in a long run of
// `1-1-1…` read to the run's end looking for the `@`: 7.5 s for 100,000 characters of a message.
const EMAIL = /\b[\w.+-]{1,64}@[\w-]+\.[\w.-]+\b/g;
const HEX_LITERAL = pattern(`${START}0x[0-9a-f]+${END}`);
// A hex id has a digit and a letter; a run of hex letters alone (`face`, `decade`) is a word.
const HEX_ID = pattern(`${START}(?=[0-9a-f]*\\d)(?=[0-9a-f]*[a-f])[0-9a-f]{7,}${END}`);
// Every digit run is a number (`1532ms`, `30s`, `user_1001`, `user1001`) except one of at most
// three digits with no fraction glued after a letter: that names a thing (utf8, sha256, ipv6,
// Int32, x86, http2, e2e, v2), and stripping it would merge different errors.
const NUMBER = /(?<!\d)(?:(?<![a-z])|(?=\d{4}|\d+\.\d))\d+(?:\.\d+)?/gi;

/** Strips what varies between occurrences of one error: ids, numbers, hex, IPs, emails, quotes. */
export function normaliseText(text: string): string {
  return text
    .replace(UUID, '<uuid>')
    .replace(IPV4, '<ip>')
    .replace(BRACKETED_IPV6, '<ip>')
    .replace(BARE_IPV6, '<ip>')
    .replace(EMAIL, '<email>')
    .replace(HEX_LITERAL, '<hex>')
    .replace(HEX_ID, '<hex>')
    .replace(NUMBER, '<num>')
    .replace(/\s+/g, ' ')
    .trim();
}

/** A filename without what differs between builds and machines: directories, hashes, query. */
export function normaliseFilename(name: string): string {
  let f = name
    .replace(/[?#].*$/, '')
    .replace(/\\/g, '/')
    .replace(/^[a-z][a-z0-9+.-]*:\/\/[^/]*\//i, '');
  const nm = f.lastIndexOf('/node_modules/');
  if (nm >= 0) f = f.slice(nm + '/node_modules/'.length);
  else f = f.replace(/^(?:[a-z]+:\/\/[^/]+)?\/?(?:.*\/)?(?=(?:src|lib|app|dist|build)\/)/i, '');
  return f.replace(/[.-][0-9a-f]{8,}(?=\.[a-z]+$)/i, '');
}

function frameKey(f: Frame): string | undefined {
  const where =
    f.module || (f.filename || f.abs_path ? normaliseFilename(f.filename || f.abs_path || '') : '');
  const fn = f.function && f.function !== '?' && f.function !== '<anonymous>' ? f.function : '';
  return where || fn ? `${where}:${fn}` : undefined;
}

function inAppKeys(frames: readonly Frame[], into: string[]): void {
  for (const f of frames) {
    if (f.in_app !== true) continue;
    const key = frameKey(f);
    if (key) into.push(key);
  }
}

/**
 * The stack of an event without an exception: its own `stacktrace` (a message sent with
 * attachStacktrace), else the thread that crashed, else the current one, else a lone thread.
 */
export function stackWithoutException(event: SentryEventLike): Frame[] {
  const framesOf = (st: unknown) =>
    isObj(st) && Array.isArray(st.frames) ? st.frames.filter(isObj).map(cleanFrame) : [];
  if (isObj(event.stacktrace)) return framesOf(event.stacktrace);
  const threads = isObj(event.threads) ? event.threads.values : event.threads;
  if (!Array.isArray(threads)) return [];
  const list = threads.filter(isObj);
  const thread =
    list.find((t) => t.crashed === true) ??
    list.find((t) => t.current === true) ??
    (list.length === 1 ? list[0] : undefined);
  return thread ? framesOf(thread.stacktrace) : [];
}

function defaultGrouping(event: SentryEventLike): Grouping {
  const exceptions = exceptionValues(event.exception);
  const inApp: string[] = [];
  for (const ex of exceptions) inAppKeys(ex.stacktrace?.frames ?? [], inApp);
  if (inApp.length > 0) {
    const types = exceptions.map((e) => e.type ?? 'Error');
    const components = [...types, ...inApp];
    return { hash: sha(['frames', ...components]), groupedBy: 'in-app frames', components };
  }
  if (exceptions.length === 0) {
    inAppKeys(stackWithoutException(event), inApp);
    if (inApp.length > 0)
      return { hash: sha(['frames', ...inApp]), groupedBy: 'in-app frames', components: inApp };
  }
  const last = exceptions[exceptions.length - 1];
  if (last && (last.type || last.value)) {
    const components = exceptions.map(
      (e) => `${e.type ?? 'Error'}: ${normaliseText(e.value ?? '')}`,
    );
    return {
      hash: sha(['exception', ...components]),
      groupedBy: 'exception type and value',
      components,
    };
  }
  const logentry = isObj(event.logentry) ? event.logentry : {};
  const template =
    text(logentry.message) ??
    (isObj(event.message) ? text(event.message.message) : text(event.message)) ??
    text(logentry.formatted) ??
    '';
  const components = [normaliseText(template) || '<empty message>'];
  return { hash: sha(['message', ...components]), groupedBy: 'message', components };
}

export function groupEvent(event: SentryEventLike): Grouping {
  const fp = Array.isArray(event.fingerprint) ? event.fingerprint.map(jsonText) : [];
  if (fp.length > 0 && !(fp.length === 1 && /^\{\{\s*default\s*\}\}$/.test(fp[0] as string))) {
    const base = fp.some((p) => /^\{\{\s*default\s*\}\}$/.test(p))
      ? defaultGrouping(event)
      : undefined;
    const components = fp.flatMap((p) =>
      /^\{\{\s*default\s*\}\}$/.test(p) ? (base?.components ?? []) : [p],
    );
    return { hash: sha(['fingerprint', ...components]), groupedBy: 'fingerprint', components };
  }
  return defaultGrouping(event);
}
