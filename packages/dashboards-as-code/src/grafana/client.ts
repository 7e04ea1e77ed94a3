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
  /** The dashboard with this uid, or undefined when Grafana answers 404. */
  getDashboard(uid: string): Promise<StoredDashboard | undefined>;
  saveDashboard(req: SaveDashboardRequest): Promise<SaveDashboardResponse>;
  deleteDashboard(uid: string): Promise<void>;
  /** The folder with this uid, or undefined when Grafana answers 404. */
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
  if (url.search || url.hash) {
    throw new Error(`invalid Grafana URL ${JSON.stringify(raw)}: no query or fragment allowed`);
  }
  return url;
}

interface ErrorBody {
  message?: string;
  status?: string;
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

/** A GrafanaApi over HTTP(S) with fetch. */
export function createGrafanaClient(options: ClientOptions): GrafanaApi {
  const base = parseGrafanaUrl(options.url);
  const baseUrl = base.toString().replace(/\/+$/, '');
  const timeoutMs = options.timeoutMs ?? 30_000;
  if (!options.token) throw new Error('a Grafana token is required');

  const request = async <T>(
    method: string,
    path: string,
    subject: string,
    body?: unknown,
    allow404 = false,
  ): Promise<T | undefined> => {
    const url = `${baseUrl}${path}`;
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
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (err) {
      const cause = (err as { cause?: { code?: string; message?: string } }).cause;
      const why = cause?.code ?? cause?.message ?? (err as Error).message;
      throw new Error(`${subject}: cannot reach Grafana at ${baseUrl} (${why})`, { cause: err });
    }
    const text = await res.text();
    let parsed: unknown;
    try {
      parsed = text === '' ? undefined : JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    if (res.status === 404 && allow404) return undefined;
    if (!res.ok) {
      const errBody =
        parsed !== null && typeof parsed === 'object' ? (parsed as ErrorBody) : ({} as ErrorBody);
      throw new GrafanaError(
        errorMessage(subject, res.status, errBody, baseUrl),
        res.status,
        errBody.status,
      );
    }
    if (parsed === undefined && text !== '') {
      throw new Error(
        `${subject}: Grafana at ${baseUrl} answered ${res.status} with a body that is not JSON: ${JSON.stringify(text.slice(0, 120))}`,
      );
    }
    return parsed as T;
  };
  const required = <T>(v: T | undefined, subject: string): T => {
    if (v === undefined) throw new Error(`${subject}: Grafana answered with an empty body`);
    return v;
  };
  const enc = encodeURIComponent;

  return {
    async getDashboard(uid) {
      return request<StoredDashboard>(
        'GET',
        `/api/dashboards/uid/${enc(uid)}`,
        `reading dashboard ${uid}`,
        undefined,
        true,
      );
    },
    async saveDashboard(req) {
      const uid = String(req.dashboard.uid);
      const subject = `saving dashboard ${uid}`;
      return required(
        await request<SaveDashboardResponse>('POST', '/api/dashboards/db', subject, req),
        subject,
      );
    },
    async deleteDashboard(uid) {
      await request('DELETE', `/api/dashboards/uid/${enc(uid)}`, `deleting dashboard ${uid}`);
    },
    async getFolder(uid) {
      return request<Folder>(
        'GET',
        `/api/folders/${enc(uid)}`,
        `reading folder ${uid}`,
        undefined,
        true,
      );
    },
    async createFolder(folder) {
      const subject = `creating folder ${folder.uid}`;
      return required(await request<Folder>('POST', '/api/folders', subject, folder), subject);
    },
    async searchDashboardsByTag(tag) {
      const subject = `searching dashboards tagged ${tag}`;
      const hits = await request<SearchHit[]>(
        'GET',
        `/api/search?tag=${enc(tag)}&type=dash-db&limit=5000`,
        subject,
      );
      if (!Array.isArray(hits)) throw new Error(`${subject}: Grafana's answer is not a list`);
      return hits;
    },
  };
}
