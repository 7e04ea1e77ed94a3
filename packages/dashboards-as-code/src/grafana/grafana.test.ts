// diff and push against a fake Grafana over real HTTP on loopback (no Grafana runs here; the
// fake answers as Grafana's HTTP API documentation says). Every dashboard sent is checked
// against the shared dashboard schema contract.
import { createServer, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { buildAll } from '../build';
import { main } from '../cli';
import { createLinter, loadSchema } from '../lint';
import {
  GrafanaError,
  createGrafanaClient,
  diffJson,
  emptyPushResult,
  normalizeDashboard,
  planSync,
  push,
} from '.';
import type { GrafanaApi, Json } from '.';
import { startFakeGrafana } from './testdata/fake-grafana';
import type { FakeGrafana, RecordedRequest, StoredEntry } from './testdata/fake-grafana';

type Obj = Record<string, unknown>;

const TOKEN = 'glsa_test_token';
const SHARED_SCHEMA = resolve(
  __dirname,
  '../../../../../shared/contracts/grafana/dashboard.schema.json',
);
const lint = createLinter(loadSchema(SHARED_SCHEMA));

const UIDS = [
  'beacon-ai-models',
  'beacon-autoscaling',
  'beacon-business',
  'beacon-database',
  'beacon-debugging',
  'beacon-error-tracking',
  'beacon-infrastructure',
  'beacon-system-overview',
];
const OVERVIEW = 'beacon-system-overview';

let g: FakeGrafana;
const servers: FakeGrafana[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

/** A fake Grafana on a free loopback port, closed after the test. */
async function start(seed: Parameters<typeof startFakeGrafana>[0] = {}): Promise<FakeGrafana> {
  const fake = await startFakeGrafana({ token: TOKEN, ...seed });
  servers.push(fake);
  return fake;
}

/** The waits the clients' retries asked for: recorded, not waited. */
const waits: number[] = [];
const noWait = (ms: number) => {
  waits.push(ms);
  return Promise.resolve();
};
const connect = (url: string, token: string) => createGrafanaClient({ url, token, sleep: noWait });
const client = (token = TOKEN) => connect(g.url, token);
const saves = (rs: RecordedRequest[]) =>
  rs.filter((r) => r.method === 'POST' && r.url === '/api/dashboards/db');
const calls = (rs: RecordedRequest[]) => rs.map((r) => `${r.method} ${r.url}`);

/** A Grafana that already holds every built dashboard in folder beacon, as after one push. */
async function grafanaWithBuild(): Promise<FakeGrafana> {
  const fake = await start();
  await push(connect(fake.url, TOKEN), buildAll());
  fake.requests.length = 0;
  return fake;
}

function stored(uid: string): StoredEntry {
  const e = g.state.dashboards.get(uid);
  if (!e) throw new Error(`fake Grafana has no ${uid}`);
  return e;
}

/** Edits a stored dashboard as a user in Grafana's UI would: content changed, version bumped. */
function editInGrafana(uid: string, edit: (d: Obj) => void): void {
  const e = stored(uid);
  edit(e.dashboard);
  e.version += 1;
  e.dashboard.version = e.version;
}

async function cli(argv: string[], env: Record<string, string> = {}) {
  let stdout = '';
  let stderr = '';
  const code = await main(
    argv,
    { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) },
    { env, connect },
  );
  return { code, stdout, stderr };
}

describe('push', () => {
  it('creates the missing folder, then every dashboard in it, tagged beacon and valid against the schema', async () => {
    g = await start();
    const lines: string[] = [];
    const r = await push(client(), buildAll(), { progress: (l) => lines.push(l) });

    expect(r.folderCreated).toBe(true);
    expect(r.created).toEqual([
      'beacon-system-overview',
      'beacon-ai-models',
      'beacon-infrastructure',
      'beacon-error-tracking',
      'beacon-debugging',
      'beacon-database',
      'beacon-business',
      'beacon-autoscaling',
    ]);
    // Everything is read before the first write (the folder is created after the plan).
    expect(calls(g.requests).slice(0, 3)).toEqual([
      'GET /api/folders/beacon',
      'GET /api/dashboards/uid/beacon-system-overview',
      'GET /api/dashboards/uid/beacon-ai-models',
    ]);
    expect(calls(g.requests).slice(9, 11)).toEqual([
      'POST /api/folders',
      'POST /api/dashboards/db',
    ]);
    expect(g.requests[9]?.body).toEqual({ uid: 'beacon', title: 'Beacon' });
    expect(g.state.folders.get('beacon')?.title).toBe('Beacon');

    const bodies = saves(g.requests).map((s) => s.body as Obj);
    expect(bodies).toHaveLength(8);
    for (const b of bodies) {
      expect(b).toMatchObject({
        folderUid: 'beacon',
        overwrite: false,
        message: 'beacon-dashboards push',
      });
      const d = b.dashboard as Obj;
      expect(d.tags).toContain('beacon');
      expect(d.id).toBeNull();
      expect('version' in d).toBe(false);
      expect(lint(d)).toEqual([]);
    }
    expect([...g.state.dashboards.keys()].sort()).toEqual(UIDS);
    expect(stored(OVERVIEW)).toMatchObject({ folderUid: 'beacon', version: 1 });
    expect(lines[0]).toBe('folder beacon: created ("Beacon")');
    expect(lines[1]).toBe(
      'beacon-system-overview: created (version 1) /d/beacon-system-overview/beacon-system-overview',
    );
    expect(lines).toHaveLength(9);
  });

  it('sends the token as a Bearer Authorization header and JSON bodies', async () => {
    g = await start();
    await push(client(), buildAll());
    for (const r of g.requests) expect(r.authorization).toBe('Bearer glsa_test_token');
    for (const r of saves(g.requests)) expect(r.contentType).toBe('application/json');
  });

  it('saves nothing when Grafana already has the build, and says so per dashboard', async () => {
    g = await grafanaWithBuild();
    const lines: string[] = [];
    const r = await push(client(), buildAll(), { progress: (l) => lines.push(l) });
    expect(r.unchanged).toHaveLength(8);
    expect(r.created).toEqual([]);
    expect(r.updated).toEqual([]);
    expect(saves(g.requests)).toEqual([]);
    expect(lines).toContain('beacon-business: unchanged');
    expect(lines).toHaveLength(8);
  });

  it('updates only a dashboard changed in Grafana, sending the version it read', async () => {
    g = await grafanaWithBuild();
    editInGrafana('beacon-business', (d) => {
      d.description = 'edited in the UI';
    });
    const lines: string[] = [];
    const r = await push(client(), buildAll(), { progress: (l) => lines.push(l) });
    expect(r.updated).toEqual(['beacon-business']);
    const [save] = saves(g.requests);
    const d = (save?.body as Obj).dashboard as Obj;
    expect(d.uid).toBe('beacon-business');
    expect(d.version).toBe(2);
    expect(d.description).toBe(
      'Registrations, sign-ins and OAuth, creative-tool usage, artifacts created and storage.',
    );
    expect(lint(d)).toEqual([]);
    expect(stored('beacon-business').version).toBe(3);
    expect(lines).toContain(
      'beacon-business: updated, 1 change (version 2 → 3) /d/beacon-business/beacon-business',
    );
  });

  it('moves a dashboard found in another folder into the target folder', async () => {
    g = await grafanaWithBuild();
    stored('beacon-debugging').folderUid = '';
    const r = await push(client(), buildAll());
    expect(r.updated).toEqual(['beacon-debugging']);
    expect(stored('beacon-debugging').folderUid).toBe('beacon');
  });

  it('uses an existing folder given with --folder without creating it', async () => {
    g = await start({
      folders: new Map([['platform-obs', { id: 7, uid: 'platform-obs', title: 'Platform' }]]),
    });
    const r = await push(client(), buildAll(), { folderUid: 'platform-obs' });
    expect(r.folderCreated).toBe(false);
    expect(calls(g.requests)).not.toContain('POST /api/folders');
    for (const s of saves(g.requests)) expect((s.body as Obj).folderUid).toBe('platform-obs');
  });

  it('with prune deletes the dashboards tagged beacon that are no longer built, and only those', async () => {
    g = await grafanaWithBuild();
    g.state.dashboards.set('beacon-old-queues', {
      id: 1,
      version: 4,
      folderUid: 'beacon',
      dashboard: { uid: 'beacon-old-queues', title: 'Beacon / Old Queues', tags: ['beacon'] },
    });
    g.state.dashboards.set('team-sales', {
      id: 2,
      version: 1,
      folderUid: '',
      dashboard: { uid: 'team-sales', title: 'Sales', tags: ['team'] },
    });
    const lines: string[] = [];
    const r = await push(client(), buildAll(), { prune: true, progress: (l) => lines.push(l) });
    expect(r.deleted).toEqual(['beacon-old-queues']);
    expect(calls(g.requests)).toContain('GET /api/search?tag=beacon&type=dash-db&limit=5000');
    expect(g.requests.filter((q) => q.method === 'DELETE').map((q) => q.url)).toEqual([
      '/api/dashboards/uid/beacon-old-queues',
    ]);
    expect(g.state.dashboards.has('team-sales')).toBe(true);
    expect(g.state.dashboards.has('beacon-old-queues')).toBe(false);
    expect(lines).toContain('beacon-old-queues: deleted ("Beacon / Old Queues", no longer built)');
  });

  it('without prune leaves dashboards that are no longer built alone', async () => {
    g = await grafanaWithBuild();
    g.state.dashboards.set('beacon-old-queues', {
      id: 1,
      version: 4,
      folderUid: 'beacon',
      dashboard: { uid: 'beacon-old-queues', title: 'Beacon / Old Queues', tags: ['beacon'] },
    });
    await push(client(), buildAll());
    expect(g.requests.some((q) => q.method === 'DELETE' || q.url.startsWith('/api/search'))).toBe(
      false,
    );
    expect(g.state.dashboards.has('beacon-old-queues')).toBe(true);
  });

  it('refuses to overwrite a dashboard with the same uid that is not tagged beacon', async () => {
    g = await start();
    g.state.dashboards.set(OVERVIEW, {
      id: 3,
      version: 9,
      folderUid: '',
      dashboard: { uid: OVERVIEW, title: 'Somebody else', tags: [] },
    });
    await expect(push(client(), buildAll())).rejects.toThrow(
      'dashboard beacon-system-overview exists in Grafana ("Somebody else") without the beacon tag',
    );
    expect(saves(g.requests)).toEqual([]);
  });

  it('explains a 401: the token was rejected', async () => {
    g = await start();
    const err = await push(client('glsa_wrong'), buildAll()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GrafanaError);
    expect((err as GrafanaError).status).toBe(401);
    expect((err as Error).message).toBe(
      `reading folder beacon: 401 Unauthorized — Grafana at ${g.url} rejected the token; check --token is a valid service-account token for this Grafana (Grafana: "Invalid API key")`,
    );
    expect(g.requests[0]?.authorization).toBe('Bearer glsa_wrong');
  });

  it('explains a 403: the token may not save dashboards', async () => {
    g = await start({ forbidden: ['POST /api/dashboards/db'] });
    const err = await push(client(), buildAll()).catch((e: unknown) => e);
    expect((err as GrafanaError).status).toBe(403);
    expect((err as Error).message).toContain(
      'saving dashboard beacon-system-overview: 403 Forbidden',
    );
    expect((err as Error).message).toContain('needs the Editor role');
    expect((err as Error).message).toContain('Permissions needed: dashboards:create');
  });

  it('explains a 412 version-mismatch: the dashboard changed in Grafana after it was read', async () => {
    g = await grafanaWithBuild();
    editInGrafana('beacon-database', (d) => {
      d.title = 'Database (edited)';
    });
    const real = client();
    // Someone saves the dashboard again between push reading it and writing it.
    const racing: GrafanaApi = {
      ...real,
      getDashboard: async (uid) => {
        const got = await real.getDashboard(uid);
        if (uid === 'beacon-database') editInGrafana(uid, () => undefined);
        return got;
      },
    };
    const err = await push(racing, buildAll()).catch((e: unknown) => e);
    expect((err as GrafanaError).status).toBe(412);
    expect((err as GrafanaError).reason).toBe('version-mismatch');
    expect((err as Error).message).toBe(
      'saving dashboard beacon-database: 412 version-mismatch — the dashboard was changed in Grafana after it was read; run diff to see the change, then push again (Grafana: "The dashboard has been changed by someone else")',
    );
    expect(stored('beacon-database').dashboard.title).toBe('Database (edited)');
  });

  it('explains a 412 name-exists: another dashboard in the folder has the same title', async () => {
    g = await start({
      folders: new Map([['beacon', { id: 5, uid: 'beacon', title: 'Beacon' }]]),
    });
    g.state.dashboards.set('hand-made-overview', {
      id: 4,
      version: 2,
      folderUid: 'beacon',
      dashboard: { uid: 'hand-made-overview', title: 'Beacon / System Overview', tags: [] },
    });
    const err = await push(client(), buildAll()).catch((e: unknown) => e);
    expect((err as GrafanaError).status).toBe(412);
    expect((err as GrafanaError).reason).toBe('name-exists');
    expect((err as Error).message).toContain(
      'saving dashboard beacon-system-overview: 412 name-exists — another dashboard with the same title already exists in the target folder',
    );
  });
});

/** A server that answers every request with one fixed status and body; closed after the test. */
async function answering(status: number, contentType: string, body: string): Promise<string> {
  const server = createServer((_req, res) => {
    res.writeHead(status, { 'Content-Type': contentType });
    res.end(body);
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  servers.push({
    close: () => new Promise<void>((ok) => server.close(() => ok())),
  } as FakeGrafana);
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('Grafana error answers', () => {
  // Grafana's pkg/api/apierrors/dashboard.go answers a plugin's dashboard with
  // 412 {"status": "plugin-dashboard", "message": "The dashboard belongs to plugin <name>."}.
  it('explains a 412 plugin-dashboard: the dashboard belongs to a plugin', async () => {
    const url = await answering(
      412,
      'application/json',
      JSON.stringify({
        status: 'plugin-dashboard',
        message: 'The dashboard belongs to plugin Beacon.',
      }),
    );
    const err = await createGrafanaClient({ url, token: TOKEN })
      .saveDashboard({ dashboard: { uid: 'beacon-x', title: 'X' }, overwrite: true })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GrafanaError);
    expect([(err as GrafanaError).status, (err as GrafanaError).reason]).toEqual([
      412,
      'plugin-dashboard',
    ]);
    expect((err as Error).message).toBe(
      'saving dashboard beacon-x: 412 plugin-dashboard — the dashboard belongs to a plugin and cannot be overwritten (Grafana: "The dashboard belongs to plugin Beacon.")',
    );
  });

  it("quotes a proxy's HTML error page by its text, without its stylesheet", async () => {
    const url = await answering(
      502,
      'text/html',
      '<html><head><title>502 Bad Gateway</title><style>\nbody { width: 35em; }\n</style></head>' +
        '<body><h1>502 Bad Gateway</h1></body></html>',
    );
    const err = await connect(url, TOKEN)
      .getFolder('beacon')
      .catch((e: unknown) => e);
    expect((err as Error).message).toBe(
      `reading folder beacon: Grafana answered 502 (Grafana: "502 Bad Gateway 502 Bad Gateway") (after 3 attempts)`,
    );
  });
});

describe('diff', () => {
  it('ignores the id, version and meta Grafana adds: a pushed build is unchanged', async () => {
    g = await grafanaWithBuild();
    expect(stored(OVERVIEW).dashboard).toMatchObject({ id: expect.any(Number), version: 1 });
    const plan = await planSync(client(), buildAll());
    expect(plan.dashboards.map((d) => d.status)).toEqual(Array(8).fill('unchanged'));
  });

  it('names a changed panel by its title and shows old and new values', async () => {
    g = await grafanaWithBuild();
    editInGrafana('beacon-business', (d) => {
      const panel = (d.panels as Obj[])[1] as Obj;
      ((panel.targets as Obj[])[0] as Obj).expr = 'sum(user_registrations_total)';
    });
    const plan = await planSync(client(), buildAll());
    const business = plan.dashboards.find((d) => d.uid === 'beacon-business');
    expect(business?.status).toBe('changed');
    expect(business?.changes).toEqual([
      {
        kind: 'changed',
        path: 'panels[1 "Registrations by method"].targets[0].expr',
        from: 'sum(user_registrations_total)',
        to: 'sum by (method) (increase(user_registrations_total{namespace=~"$namespace", service=~"$service"}[$__interval]))',
      },
    ]);
  });

  it('exits 0 and prints unchanged per dashboard when nothing would change', async () => {
    g = await grafanaWithBuild();
    const r = await cli(['diff', '--grafana-url', g.url, '--token', TOKEN]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('beacon-ai-models: unchanged\n');
    expect(r.stdout.endsWith('summary: 0 new, 0 changed, 8 unchanged\n')).toBe(true);
    expect(g.requests.every((q) => q.method === 'GET')).toBe(true);
  });

  it('exits 1 with a per-dashboard change summary when something would change', async () => {
    g = await grafanaWithBuild();
    editInGrafana('beacon-business', (d) => {
      d.description = 'edited in the UI';
      d.tags = ['beacon', 'business', 'extra'];
    });
    g.state.dashboards.delete('beacon-debugging');
    const r = await cli(['diff', `--grafana-url=${g.url}`, `--token=${TOKEN}`]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(
      'beacon-business: 2 changes (Grafana version 2)\n' +
        '  ~ description: "edited in the UI" → "Registrations, sign-ins and OAuth, creative-tool usage, artifacts created and storage."\n' +
        '  - tags[2]: "extra"\n',
    );
    expect(r.stdout).toContain('beacon-debugging: new (not in Grafana yet)\n');
    expect(r.stdout).toContain('summary: 1 new, 1 changed, 6 unchanged\n');
    expect(saves(g.requests)).toEqual([]);
  });

  it('with --prune counts the owned dashboards push would remove', async () => {
    g = await grafanaWithBuild();
    g.state.dashboards.set('beacon-old-queues', {
      id: 1,
      version: 4,
      folderUid: 'beacon',
      dashboard: { uid: 'beacon-old-queues', title: 'Beacon / Old Queues', tags: ['beacon'] },
    });
    const r = await cli(['diff', '--grafana-url', g.url, '--token', TOKEN, '--prune']);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(
      'beacon-old-queues: removed (tagged beacon in Grafana, no longer built)\n',
    );
    expect(r.stdout).toContain('summary: 0 new, 0 changed, 8 unchanged, 1 removed\n');
    expect(g.state.dashboards.has('beacon-old-queues')).toBe(true);
  });

  it('exits 2 and explains when Grafana rejects the token', async () => {
    g = await start();
    const r = await cli(['diff', '--grafana-url', g.url, '--token', 'nope']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(
      'beacon-dashboards diff: reading dashboard beacon-system-overview: 401 Unauthorized',
    );
  });

  it('exits 2 when Grafana cannot be reached', async () => {
    g = await start();
    // A loopback port that was just free: nothing listens there.
    const probe = createServer();
    await new Promise<void>((ok) => probe.listen(0, '127.0.0.1', ok));
    const { port } = probe.address() as AddressInfo;
    await new Promise<void>((ok) => probe.close(() => ok()));
    const r = await cli(['diff', '--grafana-url', `http://127.0.0.1:${port}`, '--token', TOKEN]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`cannot reach Grafana at http://127.0.0.1:${port} (ECONNREFUSED)`);
  });

  it('exits 2 on a usage error', async () => {
    g = await start();
    expect((await cli(['diff', '--token', TOKEN])).stderr).toContain('needs --grafana-url <url>');
    expect((await cli(['diff', '--grafana-url', g.url])).code).toBe(2);
    const bad = await cli(['diff', '--grafana-url', 'ftp://grafana', '--token', TOKEN]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('invalid Grafana URL "ftp://grafana": must be http or https');
    expect(g.requests).toEqual([]);
  });
});

describe('beacon-dashboards push', () => {
  it('prints a progress line per dashboard and a total, taking the token from GRAFANA_TOKEN', async () => {
    g = await start();
    const r = await cli(['push', '--grafana-url', g.url], { GRAFANA_TOKEN: TOKEN });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(10);
    expect(lines[0]).toBe('folder beacon: created ("Beacon")');
    expect(lines[9]).toBe('pushed: 8 created, 0 updated, 0 unchanged');
    expect(g.requests[0]?.authorization).toBe('Bearer glsa_test_token');
  });

  it('--token wins over GRAFANA_TOKEN', async () => {
    g = await start();
    const r = await cli(['push', '--grafana-url', g.url, '--token', TOKEN], {
      GRAFANA_TOKEN: 'stale',
    });
    expect(r.code).toBe(0);
  });

  it('exits 1 with the explanation when Grafana answers 403', async () => {
    g = await start({ forbidden: ['POST /api/folders'] });
    const r = await cli(['push', '--grafana-url', g.url, '--token', TOKEN, '--prune']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('creating folder beacon: 403 Forbidden');
    expect(saves(g.requests)).toEqual([]);
  });

  it('--prune with --folder pushes there and removes stale owned dashboards', async () => {
    g = await start();
    g.state.dashboards.set('beacon-old-queues', {
      id: 1,
      version: 4,
      folderUid: '',
      dashboard: { uid: 'beacon-old-queues', title: 'Beacon / Old Queues', tags: ['beacon'] },
    });
    const r = await cli([
      'push',
      '--grafana-url',
      g.url,
      '--token',
      TOKEN,
      '--folder',
      'obs',
      '--prune',
    ]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('folder obs: created ("obs")\n');
    expect(r.stdout).toContain(
      'beacon-old-queues: deleted ("Beacon / Old Queues", no longer built)\n',
    );
    expect(r.stdout).toContain('pushed: 8 created, 0 updated, 0 unchanged, 1 deleted\n');
    expect(stored(OVERVIEW).folderUid).toBe('obs');
  });

  it('rejects an invalid folder uid', async () => {
    g = await start();
    const r = await cli(['push', '--grafana-url', g.url, '--token', TOKEN, '--folder', 'a/b']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('invalid folder uid "a/b"');
  });
});

describe('diffJson and normalizeDashboard', () => {
  it('ignore key order and the fields Grafana adds', () => {
    const grafana = { version: 7, id: 12, b: 1, a: { y: 2, x: 1 } };
    const built = { a: { x: 1, y: 2 }, b: 1 };
    expect(diffJson(normalizeDashboard(grafana), normalizeDashboard(built))).toEqual([]);
  });

  it('report added, removed and changed members with readable paths', () => {
    const from: Json = { panels: [{ title: 'A', unit: 's' }], 'odd key': 1, gone: true };
    const to: Json = { panels: [{ title: 'A', unit: 'ms' }, { title: 'B' }], 'odd key': 2 };
    expect(diffJson(from, to)).toEqual([
      { kind: 'removed', path: 'gone', from: true },
      { kind: 'changed', path: '["odd key"]', from: 1, to: 2 },
      { kind: 'changed', path: 'panels[0 "A"].unit', from: 's', to: 'ms' },
      { kind: 'added', path: 'panels[1 "B"]', to: { title: 'B' } },
    ]);
  });
});

// --- Found by the audit of 2026-12-07 ----------------------------------------------------------
// The Grafana here is the stand-in (no Grafana runs here): fake-grafana.ts answers with the
// bodies Grafana's source and documentation give — a missing dashboard 404
// `{"message":"Dashboard not found"}` (pkg/api/dashboard.go), a provisioned one's GET with
// `meta.provisioned: true` and its save with 400 `{"message":"Cannot save provisioned
// dashboard"}`. The front servers stand in for an nginx or an ingress before Grafana, as the
// audit's proxy.js and redir.js did.

const NGINX_404 =
  '<html>\r\n<head><title>404 Not Found</title></head>\r\n<body>\r\n<center><h1>404 Not Found</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n';

/**
 * A server before the fake Grafana: `subpath` serves it under /grafana/ only (nginx's HTML 404
 * elsewhere); `redirect-into-subpath` does too and 301s every other path into /grafana (same
 * origin); `redirect-origin` 301s every request to another origin, `http://localhost:<port>`
 * of the fake — the origin changes as at an http→https ingress, and fetch follows such a
 * redirect without the Authorization header.
 */
async function front(
  upstream: FakeGrafana,
  mode: 'subpath' | 'redirect-into-subpath' | 'redirect-origin',
): Promise<string> {
  const up = new URL(upstream.url);
  const server = createServer((req, res) => {
    const url = req.url ?? '/';
    if (mode === 'redirect-origin') {
      res.writeHead(301, { Location: `http://localhost:${up.port}${url}` }).end();
      return;
    }
    if (!url.startsWith('/grafana/')) {
      if (mode === 'redirect-into-subpath') res.writeHead(301, { Location: `/grafana${url}` });
      else res.writeHead(404, { 'Content-Type': 'text/html' });
      res.end(mode === 'subpath' ? NGINX_404 : undefined);
      return;
    }
    const p = httpRequest(
      {
        host: up.hostname,
        port: up.port,
        path: url.slice('/grafana'.length),
        method: req.method,
        headers: req.headers,
      },
      (r) => {
        res.writeHead(r.statusCode ?? 502, r.headers);
        r.pipe(res);
      },
    );
    req.pipe(p);
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  servers.push({
    close: () =>
      new Promise<void>((ok) => {
        server.closeAllConnections();
        server.close(() => ok());
      }),
  } as FakeGrafana);
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('redirects are not followed', () => {
  it('push through an ingress that redirects to another origin names it, instead of "rejected the token"', async () => {
    g = await start();
    const url = await front(g, 'redirect-origin');
    const r = await cli(['push', '--grafana-url', url, '--token', TOKEN]);
    expect(r.code).toBe(1);
    const port = new URL(g.url).port;
    expect(r.stderr).toBe(
      `beacon-dashboards push: reading folder beacon: Grafana at ${url} answered 301 redirecting to http://localhost:${port}/api/folders/beacon; redirects are not followed (one to another origin drops the token, a 301/302 turns a save into a GET): give the URL it redirects to as --grafana-url http://localhost:${port}\n`,
    );
    expect(r.stderr).not.toContain(TOKEN);
    expect(r.stdout).toBe('stopped on the error: nothing was changed in Grafana\n');
    expect(g.requests).toEqual([]);
  });

  it('push through a same-origin 301 into /grafana names the sub-path, instead of saving by GET', async () => {
    g = await start();
    const url = await front(g, 'redirect-into-subpath');
    const r = await cli(['push', '--grafana-url', url, '--token', TOKEN]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`give the URL it redirects to as --grafana-url ${url}/grafana\n`);
    expect(g.requests).toEqual([]);
    // Given that URL, the push goes through.
    const ok = await cli(['push', '--grafana-url', `${url}/grafana`, '--token', TOKEN]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('pushed: 8 created, 0 updated, 0 unchanged\n');
  });

  it('diff exits 2 on a redirect', async () => {
    g = await start();
    const url = await front(g, 'redirect-origin');
    const r = await cli(['diff', '--grafana-url', url, '--token', TOKEN]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('answered 301 redirecting to http://localhost:');
  });
});

describe("a 404 that is not Grafana's", () => {
  it('diff exits 2 asking about --grafana-url when the sub-path is missing, instead of "every dashboard is new"', async () => {
    g = await grafanaWithBuild();
    const url = await front(g, 'subpath');
    const r = await cli(['diff', '--grafana-url', url, '--token', TOKEN]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      `beacon-dashboards diff: reading dashboard beacon-system-overview: Grafana answered 404 (Grafana: "404 Not Found 404 Not Found nginx"); that is not Grafana's answer (it answers JSON): is --grafana-url Grafana's root URL, including any sub-path it is served under (e.g. https://example.com/grafana)?\n`,
    );
    const ok = await cli(['diff', '--grafana-url', `${url}/grafana/`, '--token', TOKEN]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('summary: 0 new, 0 changed, 8 unchanged\n');
  });

  it('push stops at the folder read, before any write', async () => {
    g = await start();
    const url = await front(g, 'subpath');
    const r = await cli(['push', '--grafana-url', url, '--token', TOKEN]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      'reading folder beacon: Grafana answered 404 (Grafana: "404 Not Found',
    );
    expect(r.stderr).toContain("is --grafana-url Grafana's root URL, including any sub-path");
    expect(g.requests).toEqual([]);
  });
});

describe('dashboards provisioned by a file', () => {
  /** A Grafana with the build, where `uids` are provisioned and edited (push would save them). */
  async function withProvisioned(uids: string[]): Promise<FakeGrafana> {
    const fake = await grafanaWithBuild();
    g = fake;
    for (const uid of uids) {
      stored(uid).provisioned = true;
      editInGrafana(uid, (d) => {
        d.description = 'from the provisioned file';
      });
    }
    return fake;
  }

  it('diff marks them', async () => {
    await withProvisioned(['beacon-database', 'beacon-business']);
    stored('beacon-debugging').provisioned = true;
    const r = await cli(['diff', '--grafana-url', g.url, '--token', TOKEN]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(
      'beacon-database: 1 change (Grafana version 2) — provisioned by a file: cannot be pushed\n',
    );
    expect(r.stdout).toContain(
      'beacon-business: 1 change (Grafana version 2) — provisioned by a file: cannot be pushed\n',
    );
    expect(r.stdout).toContain('beacon-debugging: unchanged (provisioned by a file)\n');
    expect(r.stdout).toContain(
      'summary: 0 new, 2 changed, 6 unchanged, 2 provisioned (push refuses)\n',
    );
  });

  it('push refuses before saving anything, naming all of them', async () => {
    await withProvisioned(['beacon-database', 'beacon-business']);
    editInGrafana('beacon-ai-models', (d) => {
      d.description = 'edited in the UI';
    });
    const r = await cli(['push', '--grafana-url', g.url, '--token', TOKEN]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      'beacon-dashboards push: refusing to push, nothing was changed: Grafana holds these dashboards from file provisioning (meta.provisioned), and its API refuses to save or delete them (400 "Cannot save provisioned dashboard"): beacon-database, beacon-business. Change them in the provisioned files, or take them out of the provisioning (or set allowUiUpdates: true on its provider), then push again\n',
    );
    expect(r.stdout).toBe('stopped on the error: nothing was changed in Grafana\n');
    expect(g.requests.filter((q) => q.method !== 'GET')).toEqual([]);
    expect(stored('beacon-ai-models').dashboard.description).toBe('edited in the UI');
  });

  it('push goes ahead when the provisioned ones need no save', async () => {
    g = await grafanaWithBuild();
    stored('beacon-database').provisioned = true;
    editInGrafana('beacon-ai-models', (d) => {
      d.description = 'edited in the UI';
    });
    const r = await cli(['push', '--grafana-url', g.url, '--token', TOKEN]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('pushed: 0 created, 1 updated, 7 unchanged\n');
  });

  it('push --prune refuses a stale one that is provisioned (its delete would be refused)', async () => {
    g = await grafanaWithBuild();
    g.state.dashboards.set('beacon-old-queues', {
      id: 1,
      version: 4,
      folderUid: 'beacon',
      dashboard: { uid: 'beacon-old-queues', title: 'Beacon / Old Queues', tags: ['beacon'] },
      provisioned: true,
    });
    const d = await cli(['diff', '--grafana-url', g.url, '--token', TOKEN, '--prune']);
    expect(d.stdout).toContain(
      'beacon-old-queues: removed (tagged beacon in Grafana, no longer built) — provisioned by a file: cannot be pushed\n',
    );
    const r = await cli(['push', '--grafana-url', g.url, '--token', TOKEN, '--prune']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('refuses to save or delete them');
    expect(r.stderr).toContain('): beacon-old-queues.');
    expect(g.state.dashboards.has('beacon-old-queues')).toBe(true);
  });
});

describe('push stopped midway', () => {
  it('prints what was done before the error', async () => {
    const built = buildAll();
    const third = built[2] as Record<string, unknown>;
    g = await start();
    // A dashboard with the third one's title in the folder: its save is refused (412).
    g.state.folders.set('beacon', { id: 5, uid: 'beacon', title: 'Beacon' });
    g.state.dashboards.set('hand-made', {
      id: 4,
      version: 1,
      folderUid: 'beacon',
      dashboard: { uid: 'hand-made', title: third.title, tags: [] },
    });
    const r = await cli(['push', '--grafana-url', g.url, '--token', TOKEN]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`saving dashboard ${String(third.uid)}: 412 name-exists`);
    expect(r.stdout).toBe(
      'beacon-system-overview: created (version 1) /d/beacon-system-overview/beacon-system-overview\n' +
        'beacon-ai-models: created (version 1) /d/beacon-ai-models/beacon-ai-models\n' +
        'stopped on the error, after: 2 created, 0 updated, 0 unchanged (the rest was not pushed: run diff, then push again)\n',
    );
  });

  it('push() fills in the tally it is given', async () => {
    g = await start({ forbidden: ['DELETE'] });
    g.state.dashboards.set('beacon-old-queues', {
      id: 1,
      version: 4,
      folderUid: '',
      dashboard: { uid: 'beacon-old-queues', title: 'Beacon / Old Queues', tags: ['beacon'] },
    });
    const tally = emptyPushResult();
    await expect(push(client(), buildAll(), { prune: true, tally })).rejects.toThrow(
      'deleting dashboard beacon-old-queues: 403 Forbidden',
    );
    expect(tally.folderCreated).toBe(true);
    expect(tally.created).toHaveLength(8);
    expect(tally.deleted).toEqual([]);
  });
});

describe('busy Grafana', () => {
  beforeEach(() => {
    waits.length = 0;
  });

  it('push waits out a 503 with Retry-After on a save and goes on', async () => {
    g = await start({
      faults: [
        {
          call: 'POST /api/dashboards/db',
          times: 1,
          status: 503,
          headers: { 'Retry-After': '2' },
          body: '{"message":"Service Unavailable"}',
        },
      ],
    });
    const r = await cli(['push', '--grafana-url', g.url, '--token', TOKEN]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('pushed: 8 created, 0 updated, 0 unchanged\n');
    expect(waits).toEqual([2000]);
    expect(saves(g.requests)).toHaveLength(9);
  });

  it('push creates the folder once when the answer to its creation is lost (the retry gets 409)', async () => {
    g = await start({ faults: [{ call: 'POST /api/folders', times: 1, lose: true }] });
    const r = await cli(['push', '--grafana-url', g.url, '--token', TOKEN]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('folder beacon: created ("Beacon")\n');
    expect(calls(g.requests).filter((c) => c.includes('/api/folders'))).toEqual([
      'GET /api/folders/beacon',
      'POST /api/folders',
      'POST /api/folders',
      'GET /api/folders/beacon',
    ]);
    expect(waits).toEqual([500]);
  });

  it('diff rides out dropped connections', async () => {
    g = await grafanaWithBuild();
    g.state.faults.push({ call: 'GET /api/dashboards/uid/beacon-business', times: 2, drop: true });
    const r = await cli(['diff', '--grafana-url', g.url, '--token', TOKEN]);
    expect(r.code).toBe(0);
    expect(waits).toEqual([500, 1000]);
  });
});
