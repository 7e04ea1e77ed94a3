import type { SentryBreadcrumb, SentryEventPayload, SentryException, SentryFrame, StoredEvent } from './types';

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
  exceptions: ExceptionView[];
  tags: Array<[string, string]>;
  breadcrumbs: Breadcrumb[];
  user?: string;
  /** The debug session this event belongs to: its correlation id, else its trace id. */
  sessionId?: string;
}

const listOf = <T>(value: { values?: T[] } | T[] | undefined): T[] =>
  Array.isArray(value) ? value : Array.isArray(value?.values) ? value.values : [];

function frameOf(f: SentryFrame): Frame {
  const context: Frame['context'] = [];
  if (typeof f.lineno === 'number' && typeof f.context_line === 'string') {
    const pre = f.pre_context ?? [];
    pre.forEach((line, i) => context.push([f.lineno! - pre.length + i, line, false]));
    context.push([f.lineno, f.context_line, true]);
    (f.post_context ?? []).forEach((line, i) => context.push([f.lineno! + 1 + i, line, false]));
  }
  return {
    filename: f.filename ?? f.abs_path ?? f.module ?? '<unknown>',
    function: f.function ?? '<anonymous>',
    lineno: f.lineno,
    colno: f.colno,
    inApp: f.in_app === true,
    context,
  };
}

function exceptionOf(e: SentryException): ExceptionView {
  const frames = (e.stacktrace?.frames ?? []).map(frameOf).reverse();
  return { type: e.type ?? 'Error', value: e.value ?? '', frames };
}

function timeOf(t: number | string | undefined): string | undefined {
  if (typeof t === 'number') {
    return new Date(t * 1000).toISOString();
  }
  return typeof t === 'string' ? t : undefined;
}

function breadcrumbOf(b: SentryBreadcrumb): Breadcrumb {
  const data = b.data && Object.keys(b.data).length > 0 ? JSON.stringify(b.data) : '';
  return {
    time: timeOf(b.timestamp),
    category: b.category ?? b.type ?? 'default',
    level: b.level ?? 'info',
    message: b.message ?? data,
  };
}

function tagsOf(tags: SentryEventPayload['tags']): Array<[string, string]> {
  if (Array.isArray(tags)) {
    return tags.filter((t) => Array.isArray(t) && t.length === 2).map(([k, v]) => [String(k), String(v)]);
  }
  if (tags && typeof tags === 'object') {
    return Object.entries(tags).map(([k, v]) => [k, String(v)]);
  }
  return [];
}

function messageOf(m: SentryEventPayload['message']): string | undefined {
  if (typeof m === 'string') {
    return m;
  }
  return m?.formatted ?? m?.message;
}

/** Reads what the pages show out of a stored Sentry event, tolerating any missing part. */
export function eventView(stored: StoredEvent): EventView {
  const e = stored.event ?? {};
  const tags = tagsOf(e.tags);
  const user = e.user ? (e.user.email ?? e.user.username ?? e.user.id ?? e.user.ip_address) : undefined;
  const exceptions = listOf(e.exception as { values?: SentryException[] } | SentryException[] | undefined);
  return {
    id: stored.id,
    timestamp: stored.timestamp,
    level: stored.level,
    release: stored.release,
    environment: stored.environment,
    message: messageOf(e.message),
    exceptions: exceptions.map(exceptionOf).reverse(),
    tags: tags.sort(([a], [b]) => a.localeCompare(b)),
    breadcrumbs: listOf(e.breadcrumbs).map(breadcrumbOf),
    user,
    sessionId: stored.correlationId ?? stored.traceId,
  };
}
