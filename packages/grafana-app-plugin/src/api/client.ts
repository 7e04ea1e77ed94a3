import { fromEvent, lastValueFrom, takeUntil } from 'rxjs';
import { type BackendSrv, type BackendSrvRequest, getBackendSrv } from '@grafana/runtime';
import { TRACKER_API_BASE, sessionIdProblem } from '../constants';
import type {
  BulkStatusResult,
  FeedbackEntry,
  FeedbackQuery,
  IssueDetail,
  IssueFeedback,
  IssueQuery,
  IssueStatus,
  IssueSummary,
  Page,
  ProjectList,
  SessionDetail,
  SessionExport,
  SessionQuery,
  SessionSummary,
  StatsQuery,
  Stats,
  StoredEvent,
} from './types';

/**
 * How a read is asked. `signal`: aborting it cancels the request (a page that no longer wants the
 * answer: another filter, another issue, unmounted); the promise then rejects with an `aborted`
 * TrackerError, and a signal aborted already sends nothing.
 */
export interface ReadOptions {
  signal?: AbortSignal;
}

/** Everything the pages and panels ask of the tracking server. The real one goes through Grafana's proxy. */
export interface TrackerApi {
  /** The projects the tracker knows, by id: names for the lists' project filters. */
  projects(options?: ReadOptions): Promise<ProjectList>;
  listIssues(query: IssueQuery, options?: ReadOptions): Promise<Page<IssueSummary>>;
  getIssue(id: number, options?: ReadOptions): Promise<IssueDetail>;
  issueEvents(id: number, cursor?: string, limit?: number, options?: ReadOptions): Promise<Page<StoredEvent>>;
  /** What users wrote about the issue's events, newest first (the feedback the tracker linked to it). */
  issueFeedback(id: number, cursor?: string, limit?: number, options?: ReadOptions): Promise<Page<IssueFeedback>>;
  /** All user feedback, newest first: with its issue where the tracker linked it to one. */
  listFeedback(query: FeedbackQuery, options?: ReadOptions): Promise<Page<FeedbackEntry>>;
  setStatus(id: number, status: IssueStatus): Promise<IssueDetail>;
  setStatuses(ids: number[], status: IssueStatus): Promise<BulkStatusResult>;
  /** The stats of every project, or of any of `query.project`. */
  stats(query?: StatsQuery, options?: ReadOptions): Promise<Stats>;
  listSessions(query: SessionQuery, options?: ReadOptions): Promise<Page<SessionSummary>>;
  getSession(id: string, options?: ReadOptions): Promise<SessionDetail>;
  exportSession(id: string, options?: ReadOptions): Promise<SessionExport>;
  /** An event's attachment: its bytes as the tracker keeps them (scrubbed). */
  attachment(id: number, options?: ReadOptions): Promise<ArrayBuffer>;
  /** An attachment of a piece of user feedback (the widget's screenshot), as `attachment`. */
  feedbackAttachment(id: number, options?: ReadOptions): Promise<ArrayBuffer>;
}

/**
 * What went wrong, so a page can tell the user what to do about it. `aborted` is no failure: the
 * caller cancelled the request, and no page shows it.
 */
export type TrackerErrorKind =
  'unreachable' | 'not-tracker' | 'unauthorized' | 'forbidden' | 'not-found' | 'bad-request' | 'server' | 'aborted';

export class TrackerError extends Error {
  constructor(
    readonly kind: TrackerErrorKind,
    message: string,
    readonly status?: number,
    options?: { cause?: unknown }
  ) {
    super(message, options);
    this.name = 'TrackerError';
  }
}

/** The rejection of a request its caller cancelled through its signal. */
export function abortedError(what: string, signal?: AbortSignal): TrackerError {
  return new TrackerError('aborted', `${what}: cancelled`, undefined, { cause: signal?.reason });
}

/** Whether a request failed only because its caller cancelled it (ours, or a DOMException 'AbortError'). */
export function isAborted(err: unknown): boolean {
  return err instanceof TrackerError
    ? err.kind === 'aborted'
    : (err as { name?: unknown } | null)?.name === 'AbortError';
}

type Value = string | number | boolean | undefined;
type Params = Record<string, Value | ReadonlyArray<string | number>>;

/** A list is sent as one parameter per value (`service=a&service=b`), as the tracker reads it. */
function queryString(params: Params): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    for (const v of Array.isArray(value) ? value : [value]) {
      if (v !== undefined && v !== '') {
        search.append(key, String(v));
      }
    }
  }
  const s = search.toString();
  return s ? `?${s}` : '';
}

/** The JSON value of bytes, or their text when they are not JSON. */
function jsonOf(bytes: ArrayBuffer): unknown {
  const text = new TextDecoder().decode(bytes);
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** A proxy's HTML error page as its title (nginx's `502 Bad Gateway`), not its markup. */
function textOf(body: string): string {
  if (!/^\s*</.test(body)) {
    return body.trim();
  }
  return /<title>([^<]*)<\/title>/i.exec(body)?.[1]?.trim() ?? '';
}

const notTracker = (what: string, problem: string, options?: { status?: number; cause?: unknown }) =>
  new TrackerError(
    'not-tracker',
    `${what}: the tracker URL does not lead to the tracking server's API (${problem})`,
    options?.status,
    { cause: options?.cause }
  );

/**
 * Turns a Grafana FetchError (or anything thrown) into a TrackerError naming the request. A 404
 * is an object gone (`objectAsked`, an issue or a session) only when the tracker says so in its
 * `{ error }`; on a list, or in another shape, the tracker URL leads elsewhere (it was told as an
 * object "deleted by retention").
 */
export function toTrackerError(err: unknown, what: string, objectAsked = false): TrackerError {
  if (err instanceof TrackerError) {
    return err;
  }
  const e = (err ?? {}) as { status?: number; data?: unknown; statusText?: string; message?: string };
  const status = typeof e.status === 'number' ? e.status : undefined;
  // Asked for bytes (an attachment), the answer to a refusal is bytes too: its JSON is read.
  // (Asked by tag, not instanceof: an ArrayBuffer of another realm, a test's or a frame's, is one too.)
  const bytes = Object.prototype.toString.call(e.data) === '[object ArrayBuffer]';
  const data = (bytes ? jsonOf(e.data as ArrayBuffer) : e.data) as
    { error?: unknown; message?: unknown } | string | undefined;
  // A body of no words (Node's 431 for a search too long for a URL) is named by its status text.
  const detail =
    (typeof data === 'object' && data
      ? String(data.error ?? data.message ?? '')
      : typeof data === 'string'
        ? textOf(data)
        : '') ||
    (e.statusText ?? e.message ?? '');
  const suffix = detail ? `: ${detail}` : '';
  if (status === undefined || status === 0 || status === 502 || status === 503 || status === 504) {
    return new TrackerError('unreachable', `${what}: the tracking server could not be reached${suffix}`, status, {
      cause: err,
    });
  }
  // The tracker never answers 403 (a wrong token is its 401): Grafana's plugin proxy does, with
  // "plugin proxy route access denied", when the user's role is below the route's reqRole.
  if (status === 403) {
    return new TrackerError(
      'forbidden',
      `${what}: Grafana refused it for your role (reading needs Viewer, changing a status Editor)${suffix}`,
      status,
      { cause: err }
    );
  }
  if (status === 401) {
    return new TrackerError('unauthorized', `${what}: the tracking server refused the API token${suffix}`, status, {
      cause: err,
    });
  }
  if (status === 404) {
    const trackers = typeof data === 'object' && data !== null && typeof data.error === 'string';
    return objectAsked && trackers
      ? new TrackerError('not-found', `${what}: not found${suffix}`, status, { cause: err })
      : notTracker(what, `404${suffix}`, { status, cause: err });
  }
  if (status >= 400 && status < 500) {
    return new TrackerError('bad-request', `${what}: rejected (${status})${suffix}`, status, { cause: err });
  }
  return new TrackerError('server', `${what}: the tracking server failed (${status})${suffix}`, status, {
    cause: err,
  });
}

/**
 * A debug session's path, its id one encoded segment. An id that is `.` or `..` cannot be sent:
 * the browser's URL parser (WHATWG URL, which fetch applies to every request) removes such a
 * segment, and its escaped forms `%2E`, `.%2E`, `%2E%2E` too, so the request would reach another
 * route: `/sessions/.` is the session list, `/sessions/./export` the session named "export", and
 * `/sessions/..` is outside the API. Nor can an id with `/`: Grafana's proxy forwards it
 * unescaped, so `a/export` would be the export of session `a`. Such a session can only be listed
 * until the tracker takes the id another way than as a path segment.
 */
function sessionPath(what: string, id: string, rest = ''): string {
  const problem = sessionIdProblem(id);
  if (problem) {
    throw new TrackerError('bad-request', `${what}: the id ${JSON.stringify(id)} cannot be requested, as ${problem}`);
  }
  return `/sessions/${encodeURIComponent(id)}${rest}`;
}

type Fetcher = Pick<BackendSrv, 'fetch'>;

/** The most issue ids `POST /issues/status` takes in one request. */
export const BULK_STATUS_MAX = 1000;

/** The real client: every call goes to `api/plugin-proxy/beacon-observability-app/tracker/api/v1/…`. */
export class ProxyTrackerApi implements TrackerApi {
  constructor(private readonly backend: () => Fetcher = getBackendSrv) {}

  /**
   * Cancelling is unsubscribing: Grafana's BackendSrv.fetch is rxjs `fromFetch`
   * (public/app/core/services/backend_srv.ts, getFromFetchStream), which aborts the browser's
   * fetch when its subscriber unsubscribes before the answer (rxjs 7 `fromFetch`'s teardown calls
   * `controller.abort()`); Grafana's contribute/architecture/frontend-data-requests.md names this
   * `fetch` Observable its way of cancelling requests. (@grafana/runtime 12.4's own types say
   * nothing of unsubscribing; they document `abortSignal` and `requestId`.) `takeUntil`
   * unsubscribes the request when the signal aborts.
   */
  private async request<T>(
    what: string,
    options: Omit<BackendSrvRequest, 'url'> & {
      path: string;
      /** An issue, a session or an attachment: a 404 may say it is gone. */
      object?: true;
    },
    signal?: AbortSignal
  ): Promise<T> {
    if (signal?.aborted) {
      throw abortedError(what, signal);
    }
    const { path, object, ...rest } = options;
    let data: T;
    try {
      const response$ = this.backend().fetch<T>({
        ...rest,
        url: `${TRACKER_API_BASE}${path}`,
        showErrorAlert: false,
        showSuccessAlert: false,
      });
      const response = await lastValueFrom(signal ? response$.pipe(takeUntil(fromEvent(signal, 'abort'))) : response$);
      data = response.data;
    } catch (err) {
      // Cut short by the signal, lastValueFrom rejects with rxjs's EmptyError (no answer came).
      throw signal?.aborted ? abortedError(what, signal) : toTrackerError(err, what, object);
    }
    // Every answer of the tracker's JSON API is an object: another (a page of HTML, which
    // Grafana hands over as its text, or nothing) comes from another server, and was read as a
    // page until something of it was asked for and the page went blank.
    if (rest.responseType !== 'arraybuffer' && (typeof data !== 'object' || data === null)) {
      throw notTracker(what, `it answered ${data === null || data === '' ? 'nothing' : 'something that is not JSON'}`);
    }
    return data;
  }

  projects(options?: ReadOptions) {
    return this.request<ProjectList>('loading projects', { method: 'GET', path: '/projects' }, options?.signal);
  }

  listIssues(query: IssueQuery, options?: ReadOptions) {
    return this.request<Page<IssueSummary>>(
      'listing issues',
      {
        method: 'GET',
        // The tracker reads whole epoch milliseconds: a fraction is rounded into the range, exactly
        // (first and last seen are whole milliseconds).
        path: `/issues${queryString({
          ...query,
          seenAfter: query.seenAfter === undefined ? undefined : Math.ceil(query.seenAfter),
          seenBefore: query.seenBefore === undefined ? undefined : Math.floor(query.seenBefore),
        })}`,
      },
      options?.signal
    );
  }

  getIssue(id: number, options?: ReadOptions) {
    return this.request<IssueDetail>(
      `loading issue ${id}`,
      { method: 'GET', path: `/issues/${id}`, object: true },
      options?.signal
    );
  }

  issueEvents(id: number, cursor?: string, limit?: number, options?: ReadOptions) {
    return this.request<Page<StoredEvent>>(
      `loading events of issue ${id}`,
      { method: 'GET', path: `/issues/${id}/events${queryString({ cursor, limit })}`, object: true },
      options?.signal
    );
  }

  issueFeedback(id: number, cursor?: string, limit?: number, options?: ReadOptions) {
    return this.request<Page<IssueFeedback>>(
      `loading user feedback of issue ${id}`,
      { method: 'GET', path: `/issues/${id}/feedback${queryString({ cursor, limit })}`, object: true },
      options?.signal
    );
  }

  listFeedback(query: FeedbackQuery, options?: ReadOptions) {
    return this.request<Page<FeedbackEntry>>(
      'loading user feedback',
      { method: 'GET', path: `/feedback${queryString({ ...query })}` },
      options?.signal
    );
  }

  setStatus(id: number, status: IssueStatus) {
    return this.request<IssueDetail>(`setting issue ${id} to ${status}`, {
      method: 'PATCH',
      path: `/issues/${id}`,
      data: { status },
      object: true,
    });
  }

  /**
   * The tracker takes 1 to 1000 ids a request (more is a 400), and the issues page can hold
   * 10,000 selected: they go in requests of 1000, one after another, and the answers are joined.
   * If one fails, the error says how many the requests before it had already changed.
   */
  async setStatuses(ids: number[], status: IssueStatus) {
    const what = `setting ${ids.length} issues to ${status}`;
    const updated: number[] = [];
    const notFound: number[] = [];
    for (let start = 0; start === 0 || start < ids.length; start += BULK_STATUS_MAX) {
      let part: BulkStatusResult;
      try {
        part = await this.request<BulkStatusResult>(what, {
          method: 'POST',
          path: '/issues/status',
          data: { ids: ids.slice(start, start + BULK_STATUS_MAX), status },
        });
      } catch (err) {
        const e = err as TrackerError;
        throw start === 0
          ? e
          : new TrackerError(e.kind, `${e.message} (${updated.length} of them had been set)`, e.status, {
              cause: e,
            });
      }
      updated.push(...part.updated);
      notFound.push(...part.notFound);
    }
    return { updated, notFound } satisfies BulkStatusResult;
  }

  stats(query: StatsQuery = {}, options?: ReadOptions) {
    return this.request<Stats>(
      'loading stats',
      { method: 'GET', path: `/stats${queryString({ ...query })}` },
      options?.signal
    );
  }

  listSessions(query: SessionQuery, options?: ReadOptions) {
    return this.request<Page<SessionSummary>>(
      'listing debug sessions',
      { method: 'GET', path: `/sessions${queryString({ ...query })}` },
      options?.signal
    );
  }

  async getSession(id: string, options?: ReadOptions) {
    const what = `loading debug session ${JSON.stringify(id)}`;
    return this.request<SessionDetail>(
      what,
      { method: 'GET', path: sessionPath(what, id), object: true },
      options?.signal
    );
  }

  attachment(id: number, options?: ReadOptions) {
    return this.request<ArrayBuffer>(
      `downloading attachment ${id}`,
      { method: 'GET', path: `/attachments/${id}`, responseType: 'arraybuffer', object: true },
      options?.signal
    );
  }

  feedbackAttachment(id: number, options?: ReadOptions) {
    return this.request<ArrayBuffer>(
      `downloading feedback attachment ${id}`,
      { method: 'GET', path: `/feedback/attachments/${id}`, responseType: 'arraybuffer', object: true },
      options?.signal
    );
  }

  async exportSession(id: string, options?: ReadOptions) {
    const what = `exporting debug session ${JSON.stringify(id)}`;
    return this.request<SessionExport>(
      what,
      { method: 'GET', path: sessionPath(what, id, '/export'), object: true },
      options?.signal
    );
  }
}
