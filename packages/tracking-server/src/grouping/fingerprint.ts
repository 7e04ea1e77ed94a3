// A client's custom fingerprint as Sentry reads it: its parts as Relay keeps them
// (relay-event-schema protocol/fingerprint.rs, LenientString), and its variables resolved
// (grouping/fingerprinting/utils.py: resolve_fingerprint_values, resolve_fingerprint_variable).
// Kept as literal text, `["{{ transaction }}", "timeout"]` would merge every transaction's
// timeouts into one issue.
import { levelOf } from '../ingest/normalise';
import { moduleFromUrl } from './frames';
import type { ExceptionValue } from './grouping';
import { isObj, type Obj } from '../ingest/json';
import { text } from './values';

const NO_PARTS: readonly string[] = [];
// Beyond 2^53 a JSON number is not exact: Relay drops it.
const EXACT_LIMIT = 2 ** 53;

/**
 * The fingerprint's parts as Relay keeps them: strings as sent, `true`/`false` as `True`/`False`
 * (Python's), a number as its integer part, and nothing else (null, objects, lists, numbers
 * beyond 2^53). Not a list: none.
 */
export function fingerprintParts(fingerprint: unknown): readonly string[] {
  if (!Array.isArray(fingerprint) || fingerprint.length === 0) return NO_PARTS;
  const parts: string[] = [];
  for (const p of fingerprint) {
    if (typeof p === 'string') parts.push(p);
    else if (typeof p === 'boolean') parts.push(p ? 'True' : 'False');
    else if (typeof p === 'number' && Math.abs(p) < EXACT_LIMIT) parts.push(String(Math.trunc(p)));
  }
  return parts;
}

const VARIABLE = /^\{\{\s*(\S+)\s*\}\}$/;

/** The name of the variable a part is (`{{ transaction }}` → `transaction`), if it is one. */
export function fingerprintVariable(part: string): string | undefined {
  return part.startsWith('{{') ? VARIABLE.exec(part)?.[1] : undefined;
}

/** What a resolved variable reads of the event. */
export interface FingerprintEvent {
  readonly transaction?: unknown;
  readonly level?: unknown;
  readonly logger?: unknown;
  readonly tags?: unknown;
  readonly logentry?: unknown;
  readonly message?: unknown;
  readonly stacktrace?: unknown;
  readonly threads?: unknown;
  readonly platform?: unknown;
}

const framesIn = (stacktrace: unknown): unknown[] | undefined =>
  isObj(stacktrace) && Array.isArray(stacktrace.frames) && stacktrace.frames.length > 0
    ? stacktrace.frames
    : undefined;

/**
 * Sentry's crash frame (get_crash_frame_from_event_data): in the last exception's stack, else the
 * event's, else a lone thread's, the innermost in-app frame, else the innermost frame.
 */
function crashFrame(
  event: FingerprintEvent,
  exceptions: readonly ExceptionValue[],
): Obj | undefined {
  const threads = isObj(event.threads) ? event.threads.values : undefined;
  const frames =
    framesIn(exceptions[exceptions.length - 1]?.stacktrace) ??
    framesIn(event.stacktrace) ??
    (Array.isArray(threads) && threads.length === 1 && isObj(threads[0])
      ? framesIn(threads[0].stacktrace)
      : undefined) ??
    [];
  let innermost: Obj | undefined;
  for (let i = frames.length - 1; i >= 0; i--) {
    const frame = frames[i];
    if (!isObj(frame)) continue;
    if (frame.in_app === true) return frame;
    innermost ??= frame;
  }
  return innermost;
}

/** Sentry's message for grouping: the log entry's text, else the last exception's value. */
function canonicalMessage(event: FingerprintEvent, exceptions: readonly ExceptionValue[]): string {
  const log = isObj(event.logentry) ? event.logentry : undefined;
  const message = isObj(event.message) ? event.message : undefined;
  return (
    text(log?.formatted) ||
    text(log?.message) ||
    // `message` is Relay's input for logentry: a string, or the legacy object.
    (message ? text(message.formatted) || text(message.message) : text(event.message)) ||
    exceptions[exceptions.length - 1]?.value ||
    ''
  );
}

/** The first value of tag `name`, tags being an object or Sentry's [key, value] pairs. */
function tagValue(tags: unknown, name: string): string | undefined {
  if (Array.isArray(tags)) {
    for (const pair of tags)
      if (Array.isArray(pair) && pair[0] === name && pair[1] !== null && pair[1] !== undefined)
        return text(pair[1]);
    return undefined;
  }
  return isObj(tags) && Object.hasOwn(tags, name) ? text(tags[name]) : undefined;
}

/**
 * The module Sentry's JavaScript preprocessing writes on a crash frame sent without one, from
 * its URL (frames.ts moduleFromUrl): `{{ module }}` reads the frame after it, as grouping does.
 */
function crashFrameUrlModule(
  event: FingerprintEvent,
  exceptions: readonly ExceptionValue[],
): string | undefined {
  const f = crashFrame(event, exceptions);
  if (!f) return undefined;
  const eventPlatform = text(event.platform);
  const absPath = text(f.abs_path);
  return moduleFromUrl(
    absPath === undefined ? {} : { abs_path: absPath },
    text(f.platform) ?? eventPlatform,
    eventPlatform,
  );
}

/** A package path's last segment (POSIX or Windows). */
const basename = (path: string) =>
  path.slice(Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\')) + 1);

/**
 * A fingerprint variable's value, with Sentry's text for one the event lacks (`<no-transaction>`)
 * or does not know (`<unrecognized-variable-X>`). `exceptions` are the event's, as sent: `type`
 * and `value` are the last one's. `message` is normalised as message grouping normalises it.
 */
export function resolveFingerprintVariable(
  name: string,
  event: FingerprintEvent,
  exceptions: readonly ExceptionValue[],
  normalise: (message: string) => string,
): string {
  const last = exceptions[exceptions.length - 1];
  const frame = (field: string) => text(crashFrame(event, exceptions)?.[field]);
  switch (name) {
    case 'transaction':
      return text(event.transaction) || '<no-transaction>';
    case 'message': {
      const message = canonicalMessage(event, exceptions);
      return message ? normalise(message) : '<no-message>';
    }
    case 'raw_message':
      return canonicalMessage(event, exceptions) || '<no-message>';
    case 'type':
    case 'error.type':
      return last?.type || '<no-type>';
    case 'value':
    case 'raw_value':
    case 'error.value':
    case 'error.raw_value':
      return last?.value || '<no-value>';
    case 'function':
    case 'stack.function':
      return frame('function') || '<no-function>';
    case 'path':
    case 'stack.abs_path':
      return frame('abs_path') || frame('filename') || '<no-abs-path>';
    case 'stack.filename':
      return frame('filename') || frame('abs_path') || '<no-filename>';
    case 'module':
    case 'stack.module':
      return frame('module') || crashFrameUrlModule(event, exceptions) || '<no-module>';
    case 'package':
    case 'stack.package': {
      const pkg = frame('package');
      return (pkg && basename(pkg)) || '<no-package>';
    }
    case 'level':
      // Relay gives every event a level, `error` when it sent none it knows.
      return levelOf(event.level) ?? 'error';
    case 'logger':
      return text(event.logger) || '<no-logger>';
    default:
      if (name.startsWith('tags.')) {
        const tag = name.slice(5);
        return tagValue(event.tags, tag) ?? `<no-value-for-tag-${tag}>`;
      }
      return `<unrecognized-variable-${name}>`;
  }
}
