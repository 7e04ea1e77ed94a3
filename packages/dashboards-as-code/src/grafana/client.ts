// The seam to a live Grafana: the few calls of its HTTP API that diff and push need, on the
// long-standing `/api/...` endpoints that Grafana 9 to 12 all serve. `GrafanaApi` is what the
// rest of the package depends on; `createGrafanaClient` implements it with fetch.

/** A dashboard as Grafana stores it (`dashboard` of GET /api/dashboards/uid/:uid). */
export type DashboardModel = Record<string, unknown>;

/** GET /api/dashboards/uid/:uid → 200 body (the parts we read). */
export interface StoredDashboard {
  dashboard: DashboardModel;
  meta: { folderUid?: string; folderTitle?: string; provisioned?: boolean; url?: string };
}

/** POST /api/dashboards/db request body. */
export interface SaveDashboardRequest {
  dashboard: DashboardModel;
  folderUid?: string;
  overwrite: boolean;
  message?: string;
}

/** POST /api/dashboards/db → 200 body. */
export interface SaveDashboardResponse {
  id: number;
  uid: string;
  url: string;
  status: string;
  version: number;
  slug?: string;
}

/** GET /api/folders/:uid and POST /api/folders → 200 body (the parts we read). */
export interface Folder {
  uid: string;
  title: string;
  url?: string;
}

/** One entry of GET /api/search. */
export interface SearchHit {
  uid: string;
  title: string;
  type: string;
  tags: string[];
  folderUid?: string;
  folderTitle?: string;
  url?: string;
}

export interface GrafanaApi {
  /** The dashboard with this uid, or undefined when Grafana answers 404 with its JSON error. */
  getDashboard(uid: string): Promise<StoredDashboard | undefined>;
  saveDashboard(req: SaveDashboardRequest): Promise<SaveDashboardResponse>;
  deleteDashboard(uid: string): Promise<void>;
  /** The folder with this uid, or undefined when Grafana answers 404 with its JSON error. */
  getFolder(uid: string): Promise<Folder | undefined>;
  createFolder(folder: { uid: string; title: string }): Promise<Folder>;
  /** Dashboards (type dash-db) carrying `tag`. */
  searchDashboardsByTag(tag: string): Promise<SearchHit[]>;
}

/** Grafana answered with an error status; the message says what it means for the user. */
export class GrafanaError extends Error {
  constructor(
    message: string,
    readonly status: number,
    /** Grafana's `status` field (412 answers: version-mismatch, name-exists, plugin-dashboard). */
    readonly reason?: string,
  ) {
    super(message);
    this.name = 'GrafanaError';
  }
}

export interface ClientOptions {
  /** Grafana's root URL, e.g. `https://grafana.example.com` or `http://127.0.0.1:3000/grafana`. */
  url: string;
  /** A service-account token (or API key); sent as `Authorization: Bearer <token>`. */
  token: string;
  /** Per-request timeout in milliseconds (default 30 000). */
  timeoutMs?: number;
  /** Waits between attempts (tests pass a recording one that does not wait). */
  sleep?: (ms: number) => Promise<void>;
  /** The clock a Retry-After HTTP-date is measured against (default Date.now). */
  now?: () => number;
}

/** Attempts per request: the first and up to two retries. */
export const MAX_ATTEMPTS = 3;
/** The waits before the second and third attempt when Grafana gives no Retry-After. */
export const BACKOFF_MS = [500, 1000] as const;
/** The longest Retry-After honoured; a longer one is waited this long. */
export const MAX_RETRY_AFTER_MS = 30_000;
/** Statuses of a Grafana (or the proxy before it) that is busy or restarting: tried again. */
const RETRY_STATUSES = new Set([429, 502, 503, 504]);

/**
 * The wait a Retry-After header asks for (delay-seconds or an HTTP-date), capped at
 * MAX_RETRY_AFTER_MS; undefined when the header is absent or unreadable.
 */
export function retryAfterMs(header: string | null, now: number): number | undefined {
  if (header === null) return undefined;
  const v = header.trim();
  let ms: number;
  if (/^\d+$/.test(v)) ms = Number(v) * 1000;
  else {
    const at = Date.parse(v);
    if (Number.isNaN(at) || !/[a-z]/i.test(v)) return undefined;
    ms = at - now;
  }
  return Math.min(Math.max(ms, 0), MAX_RETRY_AFTER_MS);
}

/** A URL for a message: user and password masked, so nothing secret is printed. */
function masked(url: URL): string {
  if (!url.username && !url.password) return url.href;
  const shown = new URL(url.href);
  if (shown.username) shown.username = '***';
  if (shown.password) shown.password = '***';
  return shown.href;
}

/** Parses and checks `--grafana-url`; throws naming the bad value. */
export function parseGrafanaUrl(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new Error(`invalid Grafana URL ${JSON.stringify(raw)}: not an absolute URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new Error(`invalid Grafana URL ${JSON.stringify(raw)}: must be http or https`);
  }
  // A bare `?` or `#` leaves search and hash empty but stays in the href, where it would end up
  // between the base and every API path (`http://h/?/api/...`): check the href too.
  if (url.search || url.hash || /[?#]/.test(url.href)) {
    throw new Error(`invalid Grafana URL ${JSON.stringify(raw)}: no query or fragment allowed`);
  }
  // fetch refuses URLs with credentials, and the message would echo them: a token is as likely
  // given as the user (`https://glsa_…@grafana/`) as the password, so both are masked.
  if (url.username || url.password) {
    throw new Error(
      `invalid Grafana URL ${JSON.stringify(masked(url))}: no user or password in the URL; give a token with --token or GRAFANA_TOKEN`,
    );
  }
  return url;
}

interface ErrorBody {
  message?: string;
  status?: string;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);

/**
 * Grafana's `message` and `status` from an error answer, kept only when they are strings; when
 * the body has no message (an HTML page from a proxy, plain text), the start of its text.
 */
function errorBody(parsed: unknown, text: string): ErrorBody {
  const body: ErrorBody = {};
  if (isObj(parsed)) {
    if (typeof parsed.message === 'string' && parsed.message !== '') body.message = parsed.message;
    if (typeof parsed.status === 'string' && parsed.status !== '') body.status = parsed.status;
  }
  if (body.message === undefined) {
    const plain = text
      .replace(/<(script|style)\b[\s\S]*?<\/\1\s*>/gi, ' ')
      .replace(/<[^>]*>/g, ' ')
      .replace(/\s+/g, ' ')
      .trim();
    if (plain !== '') body.message = plain.length > 160 ? `${plain.slice(0, 157)}…` : plain;
  }
  return body;
}

/** What a 412 from POST /api/dashboards/db means, by Grafana's `status` field. */
function preconditionMessage(subject: string, body: ErrorBody): string {
  const said = body.message ? ` (Grafana: "${body.message}")` : '';
  switch (body.status) {
    case 'version-mismatch':
      return `${subject}: 412 version-mismatch — the dashboard was changed in Grafana after it was read; run diff to see the change, then push again${said}`;
    case 'name-exists':
      return `${subject}: 412 name-exists — another dashboard with the same title already exists in the target folder; rename or delete that one${said}`;
    case 'plugin-dashboard':
      return `${subject}: 412 plugin-dashboard — the dashboard belongs to a plugin and cannot be overwritten${said}`;
    default:
      return `${subject}: 412 precondition failed (${body.status ?? 'no status'})${said}`;
  }
}

function errorMessage(subject: string, status: number, body: ErrorBody, baseUrl: string): string {
  const said = body.message ? ` (Grafana: "${body.message}")` : '';
  switch (status) {
    case 401:
      return `${subject}: 401 Unauthorized — Grafana at ${baseUrl} rejected the token; check --token is a valid service-account token for this Grafana${said}`;
    case 403:
      return `${subject}: 403 Forbidden — the token is valid but its account may not do this; it needs the Editor role (dashboards:write, folders:create, dashboards:delete) in the target folder${said}`;
    case 412:
      return preconditionMessage(subject, body);
    default:
      return `${subject}: Grafana answered ${status}${said}`;
  }
}

/** A certificate the server showed was refused: trying again cannot help. */
function certificateError(err: unknown): boolean {
  const code = (err as { cause?: { code?: unknown } }).cause?.code;
  return typeof code === 'string' && /CERT|SELF_SIGNED|UNABLE_TO_|DEPTH_ZERO|ERR_TLS/.test(code);
}

function reason(err: unknown): string {
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (err as Error).message;
}

interface RequestOptions {
  body?: unknown;
  /**
   * Resolve to undefined on Grafana's own 404 (its JSON error object) instead of throwing. A
   * 404 with any other body (a proxy's HTML page, nothing) is not Grafana saying "no such
   * dashboard": it is an error that asks about --grafana-url.
   */
  allow404?: boolean;
  /** Accept a 2xx answer with an empty body (resolves to undefined). */
  allowEmpty?: boolean;
  /**
   * Called on a 409 to a retried attempt (an earlier one may have been carried out without its
   * answer arriving): its non-undefined result is taken as the answer.
   */
  recover409?: () => Promise<unknown>;
}

/** Grafana's error answers are JSON objects with a string `message` (response.Error, errhttp). */
const isGrafanaErrorBody = (parsed: unknown): boolean =>
  isObj(parsed) && typeof parsed.message === 'string';

/** A GrafanaApi over HTTP(S) with fetch. */
export function createGrafanaClient(options: ClientOptions): GrafanaApi {
  const base = parseGrafanaUrl(options.url);
  const baseUrl = base.toString().replace(/\/+$/, '');
  const timeoutMs = options.timeoutMs ?? 30_000;
  const sleep =
    options.sleep ?? ((ms: number) => new Promise<void>((done) => setTimeout(done, ms)));
  const now = options.now ?? Date.now;
  if (!options.token) throw new Error('a Grafana token is required');
  // fetch refuses such a header value with a TypeError, which would read as "cannot reach
  // Grafana"; say what is wrong with the token instead (without echoing it). fetch strips
  // whitespace from the value's ends only: the token's end is the value's, its start is not
  // (`Bearer \n…` cannot be sent).
  const sent = options.token.replace(/[\t\n\r ]+$/, '');
  const unsendable = (c: string) => {
    const n = c.charCodeAt(0);
    return (n < 0x20 && n !== 0x09) || n === 0x7f || n > 0xff;
  };
  if ([...sent].some(unsendable)) {
    throw new Error(
      'invalid Grafana token: it holds a control character or a character past U+00FF; check --token or GRAFANA_TOKEN',
    );
  }

  /** What a redirect from Grafana's URL means: not followed, the URL to give instead named. */
  const redirectError = (subject: string, res: Response, url: string, path: string) => {
    const location = res.headers.get('location');
    let target: URL | undefined;
    try {
      target = location === null ? undefined : new URL(location, url);
    } catch {
      target = undefined;
    }
    const apiPath = path.replace(/\?.*$/, '');
    let advice = "give Grafana's root URL (where it answers /api/...) as --grafana-url";
    if (target && target.pathname.endsWith(apiPath)) {
      const root = new URL(target.href);
      root.pathname = target.pathname.slice(0, -apiPath.length) || '/';
      root.search = '';
      root.hash = '';
      advice = `give the URL it redirects to as --grafana-url ${masked(root).replace(/\/+$/, '')}`;
    }
    const where = target
      ? masked(target)
      : location === null
        ? 'nowhere (no Location header)'
        : JSON.stringify(location);
    return new GrafanaError(
      `${subject}: Grafana at ${baseUrl} answered ${res.status} redirecting to ${where}; redirects are not followed (one to another origin drops the token, a 301/302 turns a save into a GET): ${advice}`,
      res.status,
    );
  };

  const request = async (
    method: string,
    path: string,
    subject: string,
    { body, allow404 = false, allowEmpty = false, recover409 }: RequestOptions = {},
  ): Promise<unknown> => {
    const url = `${baseUrl}${path}`;
    for (let attempt = 1; ; attempt++) {
      const last = attempt >= MAX_ATTEMPTS;
      const backoff: number = BACKOFF_MS[Math.min(attempt, BACKOFF_MS.length) - 1] ?? 1000;
      const after = attempt > 1 ? ` (after ${attempt} attempts)` : '';
      let res: Response;
      try {
        res = await fetch(url, {
          method,
          headers: {
            Accept: 'application/json',
            Authorization: `Bearer ${options.token}`,
            ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
          },
          body: body === undefined ? undefined : JSON.stringify(body),
          redirect: 'manual',
          signal: AbortSignal.timeout(timeoutMs),
        });
      } catch (err) {
        if (!last && !certificateError(err)) {
          await sleep(backoff);
          continue;
        }
        throw new Error(`${subject}: cannot reach Grafana at ${baseUrl} (${reason(err)})${after}`, {
          cause: err,
        });
      }
      if (res.status >= 300 && res.status < 400) {
        await res.body?.cancel().catch(() => undefined);
        throw redirectError(subject, res, url, path);
      }
      // The body can still fail after the headers (connection reset, the timeout): name the subject.
      let text: string;
      try {
        text = await res.text();
      } catch (err) {
        if (!last) {
          await sleep(backoff);
          continue;
        }
        throw new Error(
          `${subject}: Grafana at ${baseUrl} broke off its ${res.status} answer (${reason(err)})${after}`,
          { cause: err },
        );
      }
      if (RETRY_STATUSES.has(res.status) && !last) {
        await sleep(retryAfterMs(res.headers.get('retry-after'), now()) ?? backoff);
        continue;
      }
      let parsed: unknown;
      try {
        parsed = text === '' ? undefined : JSON.parse(text);
      } catch {
        parsed = undefined;
      }
      if (res.status === 404 && allow404 && isGrafanaErrorBody(parsed)) return undefined;
      if (res.status === 409 && attempt > 1 && recover409) {
        const recovered = await recover409();
        if (recovered !== undefined) return recovered;
      }
      if (!res.ok) {
        const errBody = errorBody(parsed, text);
        let message = errorMessage(subject, res.status, errBody, baseUrl);
        if (res.status === 404 && !isGrafanaErrorBody(parsed)) {
          message += `; that is not Grafana's answer (it answers JSON): is --grafana-url Grafana's root URL, including any sub-path it is served under (e.g. https://example.com/grafana)?`;
        }
        if (res.status === 412 && attempt > 1) {
          message += `; an earlier attempt may have saved the dashboard before its answer was lost: run diff`;
        }
        throw new GrafanaError(message + after, res.status, errBody.status);
      }
      if (parsed === undefined && text !== '') {
        throw new Error(
          `${subject}: Grafana at ${baseUrl} answered ${res.status} with a body that is not JSON: ${JSON.stringify(text.slice(0, 120))}`,
        );
      }
      if (parsed === undefined && !allowEmpty) {
        throw new Error(`${subject}: Grafana answered ${res.status} with an empty body`);
      }
      return parsed;
    }
  };
  /** Grafana's answer when it is a JSON object; otherwise an error naming what came instead. */
  const object = (v: unknown, subject: string, what = 'answer'): Obj => {
    if (isObj(v)) return v;
    const got = Array.isArray(v) ? 'a list' : v === null ? 'null' : typeof v;
    throw new Error(`${subject}: Grafana's ${what} is ${got}, not a JSON object`);
  };
  const enc = encodeURIComponent;

  const api: GrafanaApi = {
    async getDashboard(uid) {
      const subject = `reading dashboard ${uid}`;
      const v = await request('GET', `/api/dashboards/uid/${enc(uid)}`, subject, {
        allow404: true,
      });
      if (v === undefined) return undefined;
      const answer = object(v, subject);
      const dashboard = object(answer.dashboard, subject, '"dashboard"');
      const meta = isObj(answer.meta) ? answer.meta : {};
      return { ...answer, dashboard, meta } as StoredDashboard;
    },
    async saveDashboard(req) {
      const uid = String(req.dashboard.uid);
      const subject = `saving dashboard ${uid}`;
      const v = await request('POST', '/api/dashboards/db', subject, { body: req });
      return object(v, subject) as unknown as SaveDashboardResponse;
    },
    async deleteDashboard(uid) {
      await request('DELETE', `/api/dashboards/uid/${enc(uid)}`, `deleting dashboard ${uid}`, {
        allowEmpty: true,
      });
    },
    async getFolder(uid) {
      const subject = `reading folder ${uid}`;
      const v = await request('GET', `/api/folders/${enc(uid)}`, subject, { allow404: true });
      return v === undefined ? undefined : (object(v, subject) as unknown as Folder);
    },
    async createFolder(folder) {
      const subject = `creating folder ${folder.uid}`;
      // Retried like every call: when an attempt's answer was lost, Grafana may have created the
      // folder, and the next attempt gets 409. The folder read back with our uid is then the
      // answer; a 409 for another reason (a folder with the same title) is still the error.
      const v = await request('POST', '/api/folders', subject, {
        body: folder,
        recover409: async () => {
          const found = await api.getFolder(folder.uid);
          return found?.uid === folder.uid ? found : undefined;
        },
      });
      return object(v, subject) as unknown as Folder;
    },
    async searchDashboardsByTag(tag) {
      const subject = `searching dashboards tagged ${tag}`;
      const hits = await request(
        'GET',
        `/api/search?tag=${enc(tag)}&type=dash-db&limit=5000`,
        subject,
      );
      if (!Array.isArray(hits)) throw new Error(`${subject}: Grafana's answer is not a list`);
      return hits.map((h: unknown, i): SearchHit => {
        const hit = object(h, subject, `hit ${i}`);
        if (typeof hit.uid !== 'string') {
          throw new Error(`${subject}: Grafana's hit ${i} has no uid`);
        }
        // Go encodes an empty list as null; sync reads tags and type of every hit.
        const tags = Array.isArray(hit.tags) ? hit.tags.filter((t) => typeof t === 'string') : [];
        const type = typeof hit.type === 'string' ? hit.type : '';
        const title = typeof hit.title === 'string' ? hit.title : hit.uid;
        return { ...hit, uid: hit.uid, title, type, tags } as SearchHit;
      });
    },
  };
  return api;
}
