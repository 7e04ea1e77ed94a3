// A Sentry event (from an envelope `event` item or the legacy store endpoint) read into what the
// tracker keeps: scrubbed payload, issue grouping, severity and type, service, release, user,
// and the ids that join it to a debug session.
import { randomUUID } from 'node:crypto';
import {
  classifySeverity,
  classifyType,
  type ErrorType,
  type Severity,
} from '../grouping/classify';
import type { ScrubReport } from '../scrub/scrub';
import type { KeptAttachment } from './attachment';
import { isObj, jsonText, type Obj } from './json';
import { normaliseEvent } from './normalise';
import {
  eventExceptions,
  stackWithoutException,
  groupEvent,
  type EventExceptions,
  type ExceptionValue,
  type Frame,
  type Grouping,
} from '../grouping/grouping';
import { moduleFromUrl } from '../grouping/frames';
import { firstLine, truncateChars } from '../grouping/values';

export class EventError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EventError';
  }
}

export interface TrackedEvent {
  readonly eventId: string;
  readonly projectId: number;
  readonly receivedAt: number;
  readonly timestamp: number;
  readonly level: string;
  readonly severity: Severity;
  readonly type: ErrorType;
  readonly service: string;
  readonly environment: string;
  readonly release: string;
  readonly user?: string;
  readonly traceId?: string;
  readonly correlationId?: string;
  readonly title: string;
  readonly culprit: string;
  readonly grouping: Grouping;
  /** The scrubbed event as JSON text, as stored and returned by the API. */
  readonly payload: string;
  /** The attachments sent with it, scrubbed (attachment.ts). */
  readonly attachments?: readonly KeptAttachment[];
}

const str = (v: unknown) =>
  typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined;

const UUID_TEXT = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * A trace id as it is kept: lower case, and a UUID's hyphens left out, as Relay's TraceId (a
 * Uuid, parse_str) reads `0af76519-16cd-43dd-8448-eb211c80319c` and writes it in 32 digits, the
 * form OTLP's trace ids and every other record's take.
 */
export function traceIdText(id: string): string {
  return (UUID_TEXT.test(id) ? id.replace(/-/g, '') : id).toLowerCase();
}

/**
 * A tag's key or value as Relay reads one (a LenientString: text, or a number or bool written as
 * text); a null, an object or a list is no value, and its tag is left out. Stored as `"null"`,
 * a null correlation_id joined every event that sent one into one session named `null`, and a
 * null service named a service `null`.
 */
const tagText = (v: unknown): string | undefined =>
  typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean'
    ? jsonText(v)
    : undefined;

/** Sentry sends tags as an object or as [key, value] pairs. */
export function tagsOf(event: Obj): Record<string, string> {
  const tags = event.tags;
  const pairs: [unknown, unknown][] = Array.isArray(tags)
    ? tags.filter((t): t is [unknown, unknown] => Array.isArray(t) && t.length === 2)
    : isObj(tags)
      ? Object.entries(tags)
      : [];
  const read: [string, string][] = [];
  for (const [k, v] of pairs) {
    const key = tagText(k);
    const value = tagText(v);
    if (key !== undefined && value !== undefined) read.push([key, value]);
  }
  return Object.fromEntries(read);
}

/** The digits of a time's seconds fraction past the millisecond: `456` of `00.123456`. */
const SUB_MS = /[Tt ]\d\d:\d\d:\d\d\.\d{3}(\d+)/;

/** Seconds since the epoch written as text, or NaN. */
const secondsText = (v: string) => (v.trim() === '' ? NaN : Number(v));

/**
 * An event protocol timestamp in milliseconds to the fraction sent, or NaN: seconds since the
 * epoch as a number or numeric string, or an ISO 8601 time, UTC when it names no zone (as Relay
 * reads a NaiveDateTime), its digits past the millisecond kept (sentry-python sends
 * microseconds, sentry-go nanoseconds: Date.parse drops them, and a 0.4 ms span lasted 0 or 1).
 */
export function exactTimestamp(v: unknown): number {
  if (typeof v === 'number') return v * 1000;
  if (typeof v !== 'string') return NaN;
  const n = secondsText(v);
  if (Number.isFinite(n)) return n * 1000;
  const ms = Date.parse(/[zZ]|[+-]\d\d:?\d\d$/.test(v) ? v : `${v}Z`);
  const sub = SUB_MS.exec(v)?.[1];
  return sub ? ms + Number(`0.${sub}`) : ms;
}

/**
 * An event protocol timestamp in whole milliseconds, or NaN: seconds rounded, and an ISO 8601
 * time's digits past the millisecond dropped (as an event's time is kept).
 */
export function parseTimestamp(v: unknown): number {
  const ms = exactTimestamp(v);
  return typeof v === 'string' && !Number.isFinite(secondsText(v))
    ? Math.floor(ms)
    : Math.round(ms);
}

function timestampOf(v: unknown, fallback: number, maxPastMs: number): number {
  const t = parseTimestamp(v);
  // A time still over a minute ahead of arrival, or further before it than the project keeps
  // events, once clock drift is corrected, is a client's clock, not the event's (Relay's
  // max_secs_in_future and max_secs_in_past): left as sent, it would head the last-seen order
  // for good, or date an issue's first sight to a device's 1970. Events as received are moved
  // to their arrival before they are read (clock-drift.ts, withTimestampInRange); this covers
  // one read directly.
  return validMillis(t) && t <= fallback + MAX_AHEAD_MS && t >= fallback - maxPastMs ? t : fallback;
}

/**
 * How far ahead of its arrival an event's own time may be: Relay's `max_secs_in_future`
 * (relay-config's default_max_secs_in_future, 60 s).
 */
export const MAX_AHEAD_MS = 60_000;
/**
 * How far before its arrival an event's own time may be (an SDK's offline queue): Relay's
 * `max_secs_in_past` as relay-config's default_max_secs_in_past has it, 30 days.
 */
export const MAX_BEHIND_MS = 30 * 86_400_000;

/**
 * How far before its arrival a project's event may be dated: its retention, as Relay takes
 * max_secs_in_past from the project's event_retention (an older event would go at the next
 * sweep); MAX_BEHIND_MS for a project that keeps events for ever (retention 0).
 */
export const maxPastMs = (retentionDays: number): number =>
  retentionDays > 0 ? retentionDays * 86_400_000 : MAX_BEHIND_MS;

/** Milliseconds a Date can hold (±8.64e15); a time outside them is no time. */
export const validMillis = (ms: number) => Number.isFinite(ms) && Math.abs(ms) <= 8.64e15;

function messageOf(event: Obj): string {
  if (typeof event.message === 'string') return event.message;
  if (isObj(event.message)) return str(event.message.formatted) ?? str(event.message.message) ?? '';
  if (isObj(event.logentry))
    return str(event.logentry.formatted) ?? str(event.logentry.message) ?? '';
  return '';
}

const TITLE_LIMIT = 100;
const TYPE_LIMIT = 128;
/** Sentry's MAX_CULPRIT_LENGTH. */
const CULPRIT_LIMIT = 200;

/** Sentry's issue title (eventtypes/error.py, default.py compute_title): one line, cut at 100. */
function titleOf(main: ExceptionValue | undefined, message: string): string {
  if (!main) {
    const line = firstLine(message.trim());
    return line ? truncateChars(line, TITLE_LIMIT) : '<no message>';
  }
  const type = truncateChars(main.type ?? 'Error', TYPE_LIMIT);
  return main.value ? `${type}: ${truncateChars(firstLine(main.value), TITLE_LIMIT)}` : type;
}

/**
 * A stored event's own title, made as its issue's was from its first event (a stored payload is
 * the event as read): the errors of a debug session are each its own, where they were shown
 * under their issue's title, another request's message.
 */
export const eventTitle = (event: Obj): string =>
  titleOf(eventExceptions(event).main, messageOf(event));

const isSynthetic = (e: ExceptionValue | undefined) =>
  isObj(e?.mechanism) && e.mechanism.synthetic === true;
const hasFrames = (e: ExceptionValue) => (e.stacktrace?.frames?.length ?? 0) > 0;

/** Sentry's get_frame_culprit: where the frame is, in the form its platform writes it. */
function frameCulprit(f: Frame, eventPlatform: string | undefined): string {
  const platform = f.platform ?? eventPlatform;
  const fn = f.function || '?';
  if (platform === 'objc' || platform === 'cocoa' || platform === 'native') return fn;
  // The module Sentry's JavaScript preprocessing gives a frame from its URL counts as sent.
  const where = f.module || moduleFromUrl(f, platform, eventPlatform) || f.filename;
  if (!where) return '';
  return platform === 'javascript' || platform === 'node' ? `${fn}(${where})` : `${where} in ${fn}`;
}

/** Sentry's get_stacktrace_culprit: the innermost in-app frame with a place, else innermost. */
function stackCulprit(frames: readonly Frame[], platform: string | undefined): string {
  let innermost: string | undefined;
  for (let i = frames.length - 1; i >= 0; i--) {
    const f = frames[i] as Frame;
    if (f.in_app) {
      const culprit = frameCulprit(f, platform);
      if (culprit) return culprit;
    } else innermost ??= frameCulprit(f, platform);
  }
  return innermost ?? '';
}

/**
 * Sentry's culprit (culprit.py generate_culprit), unless the event names one or its transaction:
 * the stack of the main exception, else of the last exception that has frames (a chained error's
 * outermost often has none), else the event's own stack or crashed thread; else the request's
 * URL. None for a synthetic exception (a stack an SDK attached to a message).
 */
function culpritOf(event: Obj, exceptions: EventExceptions): string {
  const explicit = str(event.culprit) ?? str(event.transaction);
  if (explicit) return explicit;
  const { all, main } = exceptions;
  if (isSynthetic(all[all.length - 1])) return '';
  const withFrames = main && hasFrames(main) ? main : all.findLast(hasFrames);
  const frames: readonly Frame[] =
    all.length > 0 ? (withFrames?.stacktrace?.frames ?? []) : stackWithoutException(event);
  const request = isObj(event.request) ? event.request : undefined;
  const culprit = stackCulprit(frames, str(event.platform)) || str(request?.url) || '';
  return truncateChars(culprit, CULPRIT_LIMIT);
}

/** Who the event happened to: Sentry's EventUser order, the first field with a value. */
/**
 * Who the event happened to, as Sentry's `user` tag names them (eventuser.py's tag_value): the
 * first of id, username, email and address the SDK sent, after the field's name, so user id
 * `alice` and username `alice` are two users.
 */
function userOf(user: unknown): string | undefined {
  if (!isObj(user)) return undefined;
  for (const [field, key] of USER_KEYS) {
    const value = str(user[field]);
    if (value) return `${key}:${value}`;
  }
  return undefined;
}
const USER_KEYS = [
  ['id', 'id'],
  ['username', 'username'],
  ['email', 'email'],
  ['ip_address', 'ip'],
] as const;

/**
 * Reads one event. `scrub` runs before anything else looks at the data, so nothing derived
 * (title, culprit, tags) can carry what it filtered. `text` is the JSON `raw` was parsed from:
 * when scrubbing changed nothing, the text repeats no key and the event_id needs no rewriting,
 * it is stored as sent, which spares serialising the event again.
 */
export function readEvent(
  raw: unknown,
  projectId: number,
  scrub: (v: unknown, report?: ScrubReport, sent?: string) => unknown,
  now: number,
  text?: string,
  clientIp?: string,
  maxPast = MAX_BEHIND_MS,
): TrackedEvent {
  if (!isObj(raw)) throw new EventError('event must be a JSON object');
  const report: ScrubReport = { changed: true };
  const scrubbed = scrub(raw, report, text) as Obj;
  const event = normaliseEvent(scrubbed, clientIp);
  if (event !== scrubbed) report.changed = true;
  const rawId = str(event.event_id);
  if (rawId !== undefined && !/^[0-9a-f]{32}$/i.test(rawId.replace(/-/g, ''))) {
    throw new EventError(`event_id ${JSON.stringify(rawId)} is not 32 hex digits`);
  }
  const eventId = (rawId ?? randomUUID()).replace(/-/g, '').toLowerCase();
  const tags = tagsOf(event);
  const chosen = eventExceptions(event);
  const exceptions = chosen.all;
  const message = messageOf(event);
  const unhandled = exceptions.some(
    (e) => isObj((e as Obj).mechanism) && ((e as Obj).mechanism as Obj).handled === false,
  );
  const type = classifyType(exceptions, message, tags.error_type);
  const level = str(event.level) ?? 'error';
  const contexts = isObj(event.contexts) ? event.contexts : {};
  const trace = isObj(contexts.trace) ? contexts.trace : {};
  const user = userOf(event.user);
  return {
    eventId,
    projectId,
    receivedAt: now,
    timestamp: timestampOf(event.timestamp, now, maxPast),
    level,
    severity: classifySeverity(level, type, unhandled),
    type,
    service: tags.service ?? str(event.server_name) ?? 'unknown',
    environment: str(event.environment) ?? tags.environment ?? 'production',
    release: str(event.release) ?? '',
    ...(user ? { user } : {}),
    ...(str(trace.trace_id) ? { traceId: traceIdText(str(trace.trace_id) as string) } : {}),
    ...(tags.correlation_id ? { correlationId: tags.correlation_id } : {}),
    title: titleOf(chosen.main, message),
    culprit: culpritOf(event, chosen),
    grouping: groupEvent(event, chosen),
    payload:
      text !== undefined && !report.changed && event.event_id === eventId
        ? text
        : serialise({ ...event, event_id: eventId }),
  };
}

/** The event's JSON, or an EventError when it nests too deeply to write (scrubbing off). */
function serialise(event: Obj): string {
  try {
    return JSON.stringify(event);
  } catch (err) {
    if (err instanceof RangeError)
      throw new EventError('event nests too deeply to be stored: keep it under 64 levels');
    throw err;
  }
}
