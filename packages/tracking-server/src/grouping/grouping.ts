// Which issue an event belongs to, in Sentry's order of preference, recording the rule used:
//   1. a custom fingerprint (with `{{ default }}` standing for what the rules below give, and
//      Sentry's other variables resolved: fingerprint.ts);
//   2. the in-app stack frames: module (or normalised filename) + function, and the line of code
//      for the platforms Sentry reads it for, per exception, with Sentry's per-platform clean-ups
//      and recursion counted once (frames.ts); a browser frame's module is made from its URL as
//      Sentry makes it (generate-module.ts); an exception with no in-app frame counts by its type
//      and value;
//   3. the exception type + value with ids, numbers, hex, IP addresses, URLs, dates, host names
//      and quoted values stripped (parameterize.ts), its first two non-empty lines only, as
//      Sentry's normalize_message_for_grouping keeps (values.ts);
//   4. the message template (logentry.message before formatting), normalised the same way.
// The exceptions hashed in 2 and 3 are Sentry's choice among an exception group's
// (exception-groups.ts).
import { hash } from 'node:crypto';
import { chooseExceptions, mainException } from './exception-groups';
import { fingerprintParts, fingerprintVariable, resolveFingerprintVariable } from './fingerprint';
import {
  contextLineKey,
  filenameKey,
  functionKey,
  isNoiseFrame,
  isRecursiveFrame,
  isSourceMapped,
  moduleFromUrl,
  moduleKey,
} from './frames';
import { DATE, TIME, replaceHostnames, replaceUrlsAndQuoted } from './parameterize';
import { isObj, type Obj } from '../ingest/json';
import { firstTwoLines, text } from './values';

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
  readonly package?: string;
  readonly function?: string;
  readonly in_app?: boolean;
  /** As sent: compared, never read (a recursive call repeats its frame's). */
  readonly lineno?: unknown;
  readonly colno?: unknown;
  /** The frame's own platform, where it differs from the event's. */
  readonly platform?: string;
  /** The line of code the frame is at (hashed for some platforms: frames.ts contextLineKey). */
  readonly context_line?: string;
  /** Processing data, as sent: `sourcemap` where the frame was mapped through one. */
  readonly data?: unknown;
}

export interface ExceptionValue {
  readonly type?: string;
  readonly value?: string;
  readonly module?: string;
  readonly stacktrace?: { readonly frames?: readonly Frame[] };
  /** `exception_id`, `parent_id`, `is_exception_group`, `synthetic`…, as sent. */
  readonly mechanism?: unknown;
}

export interface SentryEventLike {
  readonly platform?: unknown;
  readonly sdk?: unknown;
  readonly transaction?: unknown;
  readonly level?: unknown;
  readonly logger?: unknown;
  readonly tags?: unknown;
  readonly fingerprint?: unknown;
  /** `{ values: [...] }`, or the older bare list; read through `exceptionValues`. */
  readonly exception?: unknown;
  readonly message?: unknown;
  readonly logentry?: unknown;
  /** A stack with no exception (attachStacktrace), or the threads of a native crash. */
  readonly stacktrace?: unknown;
  readonly threads?: unknown;
}

const textOrAbsent = (v: unknown) => v === undefined || typeof v === 'string';

function cleanFrame(f: Obj): Frame {
  if (
    textOrAbsent(f.filename) &&
    textOrAbsent(f.abs_path) &&
    textOrAbsent(f.module) &&
    textOrAbsent(f.function) &&
    textOrAbsent(f.package) &&
    textOrAbsent(f.platform) &&
    textOrAbsent(f.context_line) &&
    (f.in_app === undefined || typeof f.in_app === 'boolean')
  )
    return f as Frame;
  const out: { -readonly [K in keyof Frame]: Frame[K] } = {};
  const texts = [
    'filename',
    'abs_path',
    'module',
    'package',
    'function',
    'platform',
    'context_line',
  ] as const;
  for (const k of texts) {
    const v = text(f[k]);
    if (v !== undefined) out[k] = v;
  }
  if (f.in_app === true) out.in_app = true;
  if (f.lineno !== undefined) out.lineno = f.lineno;
  if (f.colno !== undefined) out.colno = f.colno;
  if (f.data !== undefined) out.data = f.data;
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

/**
 * Strips what varies between occurrences of one error: URLs, quoted values, dates, ids, IPs,
 * times, emails, host names, hex and numbers (parameterize.ts says why in this order).
 */
export function normaliseText(text: string): string {
  return replaceHostnames(
    replaceUrlsAndQuoted(text)
      .replace(DATE, '<date>')
      .replace(UUID, '<uuid>')
      .replace(IPV4, '<ip>')
      .replace(BRACKETED_IPV6, '<ip>')
      .replace(BARE_IPV6, '<ip>')
      .replace(TIME, '<date>')
      .replace(EMAIL, '<email>'),
  )
    .replace(HEX_LITERAL, '<hex>')
    .replace(HEX_ID, '<hex>')
    .replace(NUMBER, '<num>')
    .replace(/\s+/g, ' ')
    .trim();
}

/** A message or an exception's value as grouped: its first two non-empty lines, normalised. */
const groupingText = (s: string) => normaliseText(firstTwoLines(s));

/**
 * `name` without its query or fragment: from the first `?` or `#` after its last line break on,
 * as `name.replace(/[?#].*$/, '')` cuts it (`.` stops at a line break), which tried each `?` or `#`
 * before the break to its end: quadratic, 40,000 of them took 4 s.
 */
function withoutQuery(name: string): string {
  const lastLine =
    Math.max(
      name.lastIndexOf('\n'),
      name.lastIndexOf('\r'),
      name.lastIndexOf('\u2028'),
      name.lastIndexOf('\u2029'),
    ) + 1;
  const cut = name.slice(lastLine).search(/[?#]/);
  return cut < 0 ? name : name.slice(0, lastLine + cut);
}

/** A filename without what differs between builds and machines: directories, hashes, query. */
export function normaliseFilename(name: string): string {
  let f = withoutQuery(name)
    .replace(/\\/g, '/')
    .replace(/^[a-z][a-z0-9+.-]*:\/\/[^/]*\//i, '');
  const nm = f.lastIndexOf('/node_modules/');
  if (nm >= 0) f = f.slice(nm + '/node_modules/'.length);
  // No `scheme://host` is left in front of a `/` (the line above cut it): a pattern for one here
  // only backtracked, from each end of the host, to each `/` after it (quadratic: `a://` and
  // 40,000 letters took 1.6 s).
  else f = f.replace(/^\/?(?:.*\/)?(?=(?:src|lib|app|dist|build)\/)/i, '');
  return f.replace(/[.-][0-9a-f]{8,}(?=\.[a-z]+$)/i, '');
}

/** Where a frame is: its module (sent, or Sentry's from its URL), else its normalised file name. */
function whereKey(f: Frame, platform: string | undefined, eventPlatform: string | undefined) {
  const module = f.module || moduleFromUrl(f, platform, eventPlatform);
  // A module made from a URL whose file is named by its md5 or sha1 alone is empty, and as in
  // Sentry it still stands in for the file name: such frames count by their function.
  if (module === '') return '';
  const key = module ? moduleKey(module, platform, f.abs_path) : '';
  if (key) return key;
  const file = f.filename || f.abs_path;
  return file ? filenameKey(normaliseFilename(file), platform) : '';
}

/**
 * A frame as hashed: where it is and its function, and its line of code where Sentry hashes one
 * (`where:function:line`; a frame without one keeps the key it always had).
 */
function frameKey(f: Frame, eventPlatform: string | undefined): string | undefined {
  const platform = f.platform ?? eventPlatform;
  if (isNoiseFrame(f, platform)) return undefined;
  const where = whereKey(f, platform, eventPlatform);
  const line = contextLineKey(f, platform);
  const fn =
    f.function && !(line && isSourceMapped(f, platform)) ? functionKey(f.function, platform) : '';
  if (line) return `${where}:${fn}:${line}`;
  return where || fn ? `${where}:${fn}` : undefined;
}

/** The keys of the in-app frames; a frame that repeats the one before it (recursion) once. */
function inAppKeys(frames: readonly Frame[], platform: string | undefined, into: string[]): void {
  let previous: Frame | undefined;
  for (const f of frames) {
    const recursive = previous !== undefined && isRecursiveFrame(f, previous);
    previous = f;
    if (f.in_app !== true || recursive) continue;
    const key = frameKey(f, platform);
    if (key) into.push(key);
  }
}

/** An exception's own grouping, which tells alike exceptions of a group apart from others. */
function exceptionKey(e: ExceptionValue, platform: string | undefined): string {
  const keys: string[] = [e.type ?? 'Error'];
  inAppKeys(e.stacktrace?.frames ?? [], platform, keys);
  return keys.length > 1 ? keys.join('\u0000') : `${keys[0]}: ${groupingText(e.value ?? '')}`;
}

export interface EventExceptions {
  /** The event's exceptions, as sent. */
  readonly all: readonly ExceptionValue[];
  /** Those hashed: an exception group's wrapper and repeated children left out, as Sentry does. */
  readonly grouped: readonly ExceptionValue[];
  /** The one that titles the issue (Sentry's main exception): the last, or a group's child. */
  readonly main: ExceptionValue | undefined;
}

export function eventExceptions(event: SentryEventLike): EventExceptions {
  const all = exceptionValues(event.exception);
  const platform = text(event.platform);
  const { grouped, mainId } = chooseExceptions(all, event, (e) => exceptionKey(e, platform));
  return { all, grouped, main: mainException(all, mainId) };
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

/** An exception with no in-app frames, as its part of a hash by frames: its type and value. */
function typeAndValue(e: ExceptionValue): string {
  const type = e.type ?? 'Error';
  const value = groupingText(e.value ?? '');
  return value ? `${type}: ${value}` : type;
}

function defaultGrouping(event: SentryEventLike, exceptions: readonly ExceptionValue[]): Grouping {
  const platform = text(event.platform);
  const inApp: string[] = [];
  // Which exceptions have no in-app frame of their own (only made when one has none).
  let frameless: boolean[] | undefined;
  for (let i = 0; i < exceptions.length; i++) {
    const before = inApp.length;
    inAppKeys((exceptions[i] as ExceptionValue).stacktrace?.frames ?? [], platform, inApp);
    if (inApp.length === before) (frameless ??= [])[i] = true;
  }
  if (inApp.length > 0) {
    // As Sentry's single_exception: an exception's value counts unless its stack does, and a stack
    // with no in-app frame does not (in the app variant). So a cause without one (Node's
    // ECONNREFUSED or ENOTFOUND under `TypeError: fetch failed`) counts by its type and value.
    const types = exceptions.map((e, i) =>
      frameless?.[i] ? typeAndValue(e) : (e.type ?? 'Error'),
    );
    const components = [...types, ...inApp];
    return { hash: sha(['frames', ...components]), groupedBy: 'in-app frames', components };
  }
  if (exceptions.length === 0) {
    inAppKeys(stackWithoutException(event), platform, inApp);
    if (inApp.length > 0)
      return { hash: sha(['frames', ...inApp]), groupedBy: 'in-app frames', components: inApp };
  }
  const last = exceptions[exceptions.length - 1];
  if (last && (last.type || last.value)) {
    const components = exceptions.map(
      (e) => `${e.type ?? 'Error'}: ${groupingText(e.value ?? '')}`,
    );
    return {
      hash: sha(['exception', ...components]),
      groupedBy: 'exception type and value',
      components,
    };
  }
  const logentry = isObj(event.logentry) ? event.logentry : {};
  // sentry-java and sentry-cocoa send `message` as the Message interface: its template when it
  // has params, else its formatted text alone (which was not read: every such message one issue).
  const message = isObj(event.message) ? event.message : undefined;
  const template =
    text(logentry.message) ??
    (message ? text(message.message) : text(event.message)) ??
    text(logentry.formatted) ??
    (message ? text(message.formatted) : undefined) ??
    '';
  const components = [groupingText(template) || '<empty message>'];
  return { hash: sha(['message', ...components]), groupedBy: 'message', components };
}

/**
 * The event's grouping. `exceptions` are its exceptions as eventExceptions reads them, passed by
 * a caller that has them already.
 */
export function groupEvent(
  event: SentryEventLike,
  exceptions: EventExceptions = eventExceptions(event),
): Grouping {
  const parts = fingerprintParts(event.fingerprint);
  if (parts.length === 0) return defaultGrouping(event, exceptions.grouped); // none, or `[null]`
  const variables = parts.map(fingerprintVariable);
  if (parts.length === 1 && variables[0] === 'default')
    return defaultGrouping(event, exceptions.grouped);
  let base: Grouping | undefined;
  const components = parts.flatMap((part, i) => {
    const variable = variables[i];
    if (variable === undefined) return [part];
    if (variable === 'default')
      return (base ??= defaultGrouping(event, exceptions.grouped)).components;
    return [resolveFingerprintVariable(variable, event, exceptions.all, normaliseText)];
  });
  return { hash: sha(['fingerprint', ...components]), groupedBy: 'fingerprint', components };
}
