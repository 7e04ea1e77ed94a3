// A stand-in for Grafana's HTTP API, for tests: no Grafana runs here, so this server answers
// the endpoints diff and push use with the status codes and response bodies Grafana's HTTP API
// documentation gives (dashboard, folder and search APIs, Grafana 9–12), keeps dashboards and
// folders in maps, and records every request it receives. It is a real HTTP server: tests talk
// to it over loopback with the real client.
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

type Obj = Record<string, unknown>;

export interface StoredFolder {
  id: number;
  uid: string;
  title: string;
}

export interface StoredEntry {
  id: number;
  version: number;
  folderUid: string;
  /** The dashboard JSON as saved (Grafana adds id and version to it). */
  dashboard: Obj;
  /**
   * Provisioned from a file whose provider does not allow UI updates: GET shows
   * `meta.provisioned: true`, and the API refuses to save (400 "Cannot save provisioned
   * dashboard", pkg/api/dashboard.go) or delete it (400 provisioned-dashboard).
   */
  provisioned?: boolean;
}

/**
 * A trouble injected before the fake's own handling of the next `times` requests whose
 * `METHOD /path` starts with `call`: an answer of its own (`status`, `headers`, `body`: e.g. a
 * 503 with Retry-After), the connection dropped without an answer (`drop`), or the request
 * carried out and then its answer lost (`lose`).
 */
export interface Fault {
  call: string;
  times: number;
  status?: number;
  headers?: Record<string, string>;
  body?: string;
  drop?: boolean;
  lose?: boolean;
}

export interface FakeGrafanaState {
  /** The only token accepted (as `Authorization: Bearer <token>`); others get 401. */
  token: string;
  folders: Map<string, StoredFolder>;
  dashboards: Map<string, StoredEntry>;
  /** `METHOD /path` prefixes this token may not call: answered 403 as Grafana's RBAC does. */
  forbidden: string[];
  /** Troubles to inject (each used up request by request). */
  faults: Fault[];
}

export interface RecordedRequest {
  method: string;
  /** Path and query, e.g. `/api/search?tag=beacon&type=dash-db&limit=5000`. */
  url: string;
  authorization: string | undefined;
  contentType: string | undefined;
  /** Parsed JSON body, when there was one. */
  body: unknown;
}

const slugify = (title: string) =>
  title
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');

const TIME = '2025-01-15T10:00:00Z';

function folderBody(f: StoredFolder): Obj {
  return {
    id: f.id,
    uid: f.uid,
    title: f.title,
    url: `/dashboards/f/${f.uid}/${slugify(f.title)}`,
    hasAcl: false,
    canSave: true,
    canEdit: true,
    canAdmin: true,
    canDelete: true,
    createdBy: 'admin',
    created: TIME,
    updatedBy: 'admin',
    updated: TIME,
    version: 1,
  };
}

/** A server that plays Grafana's API over `state`; it does not listen (see startFakeGrafana). */
export function createFakeGrafana(state: FakeGrafanaState, requests: RecordedRequest[]): Server {
  let nextId = 100;
  let lose = false;
  const send = (res: ServerResponse, status: number, body: unknown) => {
    if (lose) {
      lose = false;
      res.socket?.destroy();
      return;
    }
    const text = JSON.stringify(body);
    res.writeHead(status, {
      'Content-Type': 'application/json',
      'Content-Length': Buffer.byteLength(text),
    });
    res.end(text);
  };

  const handle = (req: IncomingMessage, res: ServerResponse, raw: string) => {
    const method = req.method ?? 'GET';
    const url = new URL(req.url ?? '/', 'http://grafana.invalid');
    let body: unknown;
    try {
      body = raw === '' ? undefined : JSON.parse(raw);
    } catch {
      return send(res, 400, { message: 'bad request data' });
    }
    requests.push({
      method,
      url: url.pathname + url.search,
      authorization: req.headers.authorization,
      contentType: req.headers['content-type'],
      body,
    });

    if (req.headers.authorization !== `Bearer ${state.token}`) {
      return send(res, 401, {
        extra: null,
        message: 'Invalid API key',
        messageId: 'api-key.invalid',
        statusCode: 401,
        traceID: '',
      });
    }
    const call = `${method} ${url.pathname}`;
    const fault = state.faults.find((f) => f.times > 0 && call.startsWith(f.call));
    if (fault) {
      fault.times -= 1;
      if (fault.drop) {
        res.socket?.destroy();
        return;
      }
      if (fault.lose) lose = true;
      else {
        res.writeHead(fault.status ?? 503, {
          'Content-Type': 'application/json',
          ...fault.headers,
        });
        res.end(fault.body ?? '');
        return;
      }
    }
    const denied = state.forbidden.find((p) => call.startsWith(p));
    if (denied) {
      return send(res, 403, {
        accessErrorId: 'ACE3521788213',
        message: `You'll need additional permissions to perform this action. Permissions needed: ${method === 'DELETE' ? 'dashboards:delete' : method === 'POST' ? 'dashboards:create' : 'dashboards:read'}`,
        title: 'Access denied',
      });
    }

    let m: RegExpExecArray | null;
    if ((m = /^\/api\/dashboards\/uid\/([^/]+)$/.exec(url.pathname))) {
      const uid = decodeURIComponent(m[1] as string);
      const entry = state.dashboards.get(uid);
      if (!entry) return send(res, 404, { message: 'Dashboard not found' });
      if (method === 'GET') {
        const folder = state.folders.get(entry.folderUid);
        const title = String(entry.dashboard.title);
        return send(res, 200, {
          dashboard: entry.dashboard,
          meta: {
            type: 'db',
            canSave: true,
            canEdit: true,
            canAdmin: true,
            canStar: true,
            canDelete: true,
            slug: slugify(title),
            url: `/d/${uid}/${slugify(title)}`,
            expires: '0001-01-01T00:00:00Z',
            created: TIME,
            updated: TIME,
            updatedBy: 'admin',
            createdBy: 'admin',
            version: entry.version,
            hasAcl: false,
            isFolder: false,
            folderId: folder?.id ?? 0,
            folderUid: entry.folderUid,
            folderTitle: folder?.title ?? 'General',
            folderUrl: folder ? `/dashboards/f/${folder.uid}/${slugify(folder.title)}` : '',
            provisioned: entry.provisioned === true,
            provisionedExternalId: entry.provisioned === true ? `${uid}.json` : '',
          },
        });
      }
      if (method === 'DELETE') {
        if (entry.provisioned) {
          return send(res, 400, {
            message: 'Dashboard cannot be deleted because it was provisioned',
            status: 'provisioned-dashboard',
          });
        }
        state.dashboards.delete(uid);
        const title = String(entry.dashboard.title);
        return send(res, 200, {
          id: entry.id,
          message: `Dashboard ${title} deleted`,
          title,
        });
      }
    }

    if (call === 'POST /api/dashboards/db') {
      const b = (body ?? {}) as Obj;
      const d = b.dashboard as Obj | undefined;
      if (!d || typeof d.title !== 'string' || d.title === '') {
        return send(res, 400, { message: 'Dashboard title cannot be empty' });
      }
      const folderUid = typeof b.folderUid === 'string' ? b.folderUid : '';
      if (folderUid !== '' && !state.folders.has(folderUid)) {
        return send(res, 400, { message: 'folder not found', status: 'not-found' });
      }
      const uid = typeof d.uid === 'string' && d.uid !== '' ? d.uid : `gen${nextId}`;
      const existing = state.dashboards.get(uid);
      const overwrite = b.overwrite === true;
      if (existing && !overwrite && d.version !== existing.version) {
        return send(res, 412, {
          message: 'The dashboard has been changed by someone else',
          status: 'version-mismatch',
        });
      }
      for (const [otherUid, other] of state.dashboards) {
        if (
          otherUid !== uid &&
          !overwrite &&
          other.folderUid === folderUid &&
          other.dashboard.title === d.title
        ) {
          return send(res, 412, {
            message: 'A dashboard with the same name in the folder already exists',
            status: 'name-exists',
          });
        }
      }
      if (existing?.provisioned) {
        return send(res, 400, { message: 'Cannot save provisioned dashboard' });
      }
      const id = existing?.id ?? nextId++;
      const version = (existing?.version ?? 0) + 1;
      state.dashboards.set(uid, { id, version, folderUid, dashboard: { ...d, id, uid, version } });
      return send(res, 200, {
        id,
        uid,
        url: `/d/${uid}/${slugify(d.title)}`,
        status: 'success',
        version,
        slug: slugify(d.title),
        folderUid,
      });
    }

    if ((m = /^\/api\/folders\/([^/]+)$/.exec(url.pathname)) && method === 'GET') {
      const folder = state.folders.get(decodeURIComponent(m[1] as string));
      if (!folder) return send(res, 404, { message: 'folder not found', status: 'not-found' });
      return send(res, 200, folderBody(folder));
    }
    if (call === 'POST /api/folders') {
      const b = (body ?? {}) as Obj;
      if (typeof b.title !== 'string' || b.title === '') {
        return send(res, 400, { message: 'folder title cannot be empty' });
      }
      const uid = typeof b.uid === 'string' && b.uid !== '' ? b.uid : `f${nextId}`;
      if (state.folders.has(uid)) {
        return send(res, 409, { message: 'a folder with the same uid already exists' });
      }
      const folder = { id: nextId++, uid, title: b.title };
      state.folders.set(uid, folder);
      return send(res, 200, folderBody(folder));
    }
    if (call === 'GET /api/search') {
      const tags = url.searchParams.getAll('tag');
      const type = url.searchParams.get('type');
      const hits = [...state.dashboards.entries()]
        .filter(([, e]) => {
          const dt = Array.isArray(e.dashboard.tags) ? (e.dashboard.tags as string[]) : [];
          return tags.every((t) => dt.includes(t)) && (type === null || type === 'dash-db');
        })
        .map(([uid, e]) => {
          const title = String(e.dashboard.title);
          const folder = state.folders.get(e.folderUid);
          return {
            id: e.id,
            uid,
            orgId: 1,
            title,
            uri: `db/${slugify(title)}`,
            url: `/d/${uid}/${slugify(title)}`,
            slug: '',
            type: 'dash-db',
            tags: e.dashboard.tags ?? [],
            isStarred: false,
            ...(folder
              ? {
                  folderId: folder.id,
                  folderUid: folder.uid,
                  folderTitle: folder.title,
                  folderUrl: `/dashboards/f/${folder.uid}/${slugify(folder.title)}`,
                }
              : {}),
            sortMeta: 0,
          };
        });
      return send(res, 200, hits);
    }
    return send(res, 404, { message: 'Not found' });
  };

  return createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => handle(req, res, Buffer.concat(chunks).toString('utf8')));
  });
}

export interface FakeGrafana {
  /** `http://127.0.0.1:<port>` */
  url: string;
  state: FakeGrafanaState;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

/** Starts a fake Grafana on a free loopback port. */
export async function startFakeGrafana(seed: Partial<FakeGrafanaState> = {}): Promise<FakeGrafana> {
  const state: FakeGrafanaState = {
    token: seed.token ?? 'glsa_test_token',
    folders: seed.folders ?? new Map(),
    dashboards: seed.dashboards ?? new Map(),
    forbidden: seed.forbidden ?? [],
    faults: seed.faults ?? [],
  };
  const requests: RecordedRequest[] = [];
  const server = createFakeGrafana(state, requests);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    state,
    requests,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}
