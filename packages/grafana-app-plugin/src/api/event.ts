import type { StoredEvent } from './types';

export interface Frame {
  filename: string;
  function: string;
  lineno?: number;
  colno?: number;
  inApp: boolean;
  /** Source lines around the frame's line: [line number, text, is the frame's own line]. */
  context: Array<[number, string, boolean]>;
}

export interface ExceptionView {
  type: string;
  value: string;
  /** Innermost call first, as Sentry shows them. */
  frames: Frame[];
}

export interface Breadcrumb {
  time?: string;
  category: string;
  level: string;
  message: string;
}

export interface EventView {
  id: string;
  timestamp: string;
  level: string;
  release: string;
  environment: string;
  message?: string;
  /** Outermost first; an event with none has the stack it was grouped by here, if it has one. */
  exceptions: ExceptionView[];
  tags: Array<[string, string]>;
  breadcrumbs: Breadcrumb[];
  user?: string;
  /** The debug session this event belongs to: its correlation id, else its trace id. */
  sessionId?: string;
}

type Obj = Record<string, unknown>;

/*
 * The payload is whatever an SDK sent (typed as Sentry documents it, but nothing checks that), so
 * every part is read by what it is: a field that should be text and is an object would reach
 * React as a child and take the page down, a null frame or a string `frames` would throw here.
 */
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Text, or a number or boolean sent where text goes (`"value": 42`); anything else is absent. */
function textOf(v: unknown): string | undefined {
  if (typeof v === 'string') {
    return v;
  }
  return (typeof v === 'number' && Number.isFinite(v)) || typeof v === 'boolean' ? String(v) : undefined;
}

const numberOf = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

/** Sentry's Values<T>: `{ values: [...] }` or a bare list (the tracker wraps a bare exception at ingest). */
function listOf(value: unknown): Obj[] {
  const list = Array.isArray(value) ? value : isObj(value) && Array.isArray(value.values) ? value.values : [];
  return list.filter(isObj);
}

function linesOf(v: unknown): string[] {
  return Array.isArray(v) ? v.map((line) => textOf(line) ?? '') : [];
}

function frameOf(f: Obj): Frame {
  const lineno = numberOf(f.lineno);
  const contextLine = textOf(f.context_line);
  const context: Frame['context'] = [];
  if (lineno !== undefined && contextLine !== undefined) {
    const pre = linesOf(f.pre_context);
    pre.forEach((line, i) => context.push([lineno - pre.length + i, line, false]));
    context.push([lineno, contextLine, true]);
    linesOf(f.post_context).forEach((line, i) => context.push([lineno + 1 + i, line, false]));
  }
  return {
    filename: textOf(f.filename) ?? textOf(f.abs_path) ?? textOf(f.module) ?? '<unknown>',
    function: textOf(f.function) ?? '<anonymous>',
    lineno,
    colno: numberOf(f.colno),
    inApp: f.in_app === true,
    context,
  };
}

function exceptionOf(e: Obj): ExceptionView {
  const stacktrace = isObj(e.stacktrace) ? e.stacktrace : {};
  const frames = (Array.isArray(stacktrace.frames) ? stacktrace.frames : []).filter(isObj).map(frameOf).reverse();
  return { type: textOf(e.type) ?? 'Error', value: textOf(e.value) ?? '', frames };
}

/**
 * The stack of an event with no exception, chosen as the tracker's `stackWithoutException` chooses
 * the frames it groups by (tracking-server src/grouping/grouping.ts): the event's own `stacktrace`
 * (a message sent with attachStacktrace), else the crashed thread (a native crash), else the
 * current one (sentry-python's log records and attach_stacktrace), else a lone thread. The page said "no stack
 * trace" for these while "Why grouped" listed their frames. Like the tracker, a chosen stack without
 * frames does not fall back to another thread: there is nothing to show. Titled as Sentry titles a
 * thread's stack: its name, else "Stack trace", with the event's message.
 */
function stackOf(e: Obj, message: string | undefined): ExceptionView[] {
  let stacktrace = e.stacktrace;
  let type = 'Stack trace';
  if (!isObj(stacktrace)) {
    const threads = listOf(e.threads);
    const thread =
      threads.find((t) => t.crashed === true) ??
      threads.find((t) => t.current === true) ??
      (threads.length === 1 ? threads[0] : undefined);
    stacktrace = thread?.stacktrace;
    type = textOf(thread?.name) || type;
  }
  const view = exceptionOf({ type, value: message, stacktrace });
  return view.frames.length > 0 ? [view] : [];
}

/** Epoch seconds or an RFC 3339 string; seconds outside what a Date holds are no time (toISOString would throw). */
function timeOf(t: unknown): string | undefined {
  if (typeof t === 'number') {
    // Rounded: float seconds times 1000 can land a hair under the millisecond (2185770398.831 s is
    // 2185770398830.9998 ms), which a Date would truncate to the one before.
    const d = new Date(Math.round(t * 1000));
    return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
  }
  return typeof t === 'string' ? t : undefined;
}

function dataOf(data: unknown): string {
  if (!isObj(data) || Object.keys(data).length === 0) {
    return '';
  }
  try {
    return JSON.stringify(data);
  } catch {
    // Nested deeper than the stack goes: the breadcrumb still shows, without its data.
    return '';
  }
}

function breadcrumbOf(b: Obj): Breadcrumb {
  return {
    time: timeOf(b.timestamp),
    category: textOf(b.category) ?? textOf(b.type) ?? 'default',
    level: textOf(b.level) ?? 'info',
    message: textOf(b.message) ?? dataOf(b.data),
  };
}

/** A tag value as the tracker indexes it (its jsonText): text as is, anything else as its JSON. */
function tagText(v: unknown): string {
  if (typeof v === 'string') {
    return v;
  }
  try {
    return JSON.stringify(v) ?? '';
  } catch {
    return '';
  }
}

/**
 * Tags as an object or as [key, value] pairs, a repeated key keeping its last value, as the tracker
 * reads them: String() showed an object value as "[object Object]", and a repeated pair twice.
 */
function tagsOf(tags: unknown): Array<[string, string]> {
  const pairs = Array.isArray(tags)
    ? tags.filter((t): t is [unknown, unknown] => Array.isArray(t) && t.length === 2)
    : isObj(tags)
      ? Object.entries(tags)
      : [];
  return [...new Map(pairs.map(([k, v]) => [tagText(k), tagText(v)]))];
}

/** `message` as a string or Sentry's Message interface, else `logentry` (as the tracker titles the event). */
function messageOf(e: Obj): string | undefined {
  for (const m of [e.message, e.logentry]) {
    const text = isObj(m) ? (textOf(m.formatted) ?? textOf(m.message)) : textOf(m);
    if (text !== undefined) {
      return text;
    }
  }
  return undefined;
}

/** Reads what the pages show out of a stored Sentry event, tolerating any missing part. */
export function eventView(stored: StoredEvent): EventView {
  const e: Obj = isObj(stored.event) ? stored.event : {};
  const tags = tagsOf(e.tags);
  const user = isObj(e.user)
    ? (textOf(e.user.email) ?? textOf(e.user.username) ?? textOf(e.user.id) ?? textOf(e.user.ip_address))
    : undefined;
  const message = messageOf(e);
  const exceptions = listOf(e.exception).map(exceptionOf).reverse();
  return {
    id: stored.id,
    timestamp: stored.timestamp,
    level: stored.level,
    release: stored.release,
    environment: stored.environment,
    message,
    exceptions: exceptions.length > 0 ? exceptions : stackOf(e, message),
    tags: tags.sort(([a], [b]) => a.localeCompare(b)),
    breadcrumbs: listOf(e.breadcrumbs).map(breadcrumbOf),
    user,
    sessionId: stored.correlationId ?? stored.traceId,
  };
}
