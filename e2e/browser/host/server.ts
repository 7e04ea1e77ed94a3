// The server half of the plugin host (host.tsx is the page half). It serves the plugin's built
// dist/ unchanged at /public/plugins/<id>/ as Grafana does, the host page and bundle, Grafana's
// icons, the app settings API the configuration page posts to, and the plugin proxy: requests
// to api/plugin-proxy/<id>/<route>/… are forwarded by the routes in the plugin's own plugin.json
// (proxy-route.ts) to the service they name — here a real tracking server. Requests nobody
// answers are recorded, so a test can fail on them.
import { createReadStream, existsSync, readFileSync, statSync } from 'node:fs';
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, extname, join, normalize } from 'node:path';
import { type AppSettings, type PluginRoute, type Role, resolveProxy } from './proxy-route';

export interface HostOptions {
  /** The plugin's build output (dist/ with plugin.json and module.js). */
  pluginDist: string;
  /** The host bundle (host.js, host.css and their assets). */
  hostDir: string;
  settings: AppSettings;
  role?: Role;
  /** The signed-in user's preferences, as Grafana's boot data carries them; dark and browser if unset. */
  user?: Partial<UserPreferences>;
}

/**
 * The user's theme and time zone (Grafana's `user.theme`, `user.timezone`): `dark` or `light`;
 * `browser`, `utc` or an IANA zone such as `America/New_York`.
 */
export interface UserPreferences {
  theme: 'dark' | 'light';
  timezone: string;
}

export interface RunningHost {
  url: string;
  settings: AppSettings;
  /** The preferences each page is served with from now on (change them between page loads). */
  user: UserPreferences;
  /** Requests answered 404 (nothing behind them), as `METHOD path`. */
  unanswered: string[];
  /** Proxied requests as `METHOD path → status`. */
  proxied: string[];
  /**
   * Resolves once no request is being handled, so a request a closed page sent is recorded in
   * the test that sent it, not in the next one's `proxied` or `unanswered`; rejects, saying how
   * many are left, after `timeoutMs` (30 s).
   */
  settled(timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

const types: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ttf': 'font/ttf',
  '.map': 'application/json',
  '.html': 'text/html; charset=utf-8',
};

// Grafana's Inter and Roboto Mono come with Grafana, not with any npm package: any local TTF
// stands in so the browser gets a font and not a 404.
const fontFile = ['/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf'].find(existsSync);
const systemjsDir = dirname(require.resolve('systemjs/dist/system.js'));
const iconsDir = join(
  dirname(require.resolve('@grafana/ui/package.json')),
  'dist/public/img/icons',
);
const placeholderIcon = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24"></svg>';

/** Static files are cacheable, so each page does not fetch the 8 MiB host bundle again. */
function sendFile(res: ServerResponse, root: string, relative: string): boolean {
  const file = normalize(join(root, relative));
  if (!file.startsWith(normalize(root)) || !existsSync(file) || !statSync(file).isFile())
    return false;
  res.writeHead(200, {
    'Content-Type': types[extname(file)] ?? 'application/octet-stream',
    'Cache-Control': 'max-age=3600',
  });
  createReadStream(file).pipe(res);
  return true;
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  // As Grafana's JsonApiErr / writeJSONErr write it.
  res.writeHead(status, { 'Content-Type': 'application/json; charset=UTF-8' });
  res.end(JSON.stringify(body));
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** The plugin meta Grafana hands an app plugin: plugin.json plus settings, no secrets. */
export function pluginMeta(pluginJson: Record<string, unknown>, settings: AppSettings) {
  const id = String(pluginJson.id);
  return {
    ...pluginJson,
    baseUrl: `public/plugins/${id}`,
    module: `public/plugins/${id}/module.js`,
    enabled: settings.enabled ?? true,
    pinned: settings.pinned ?? true,
    jsonData: settings.jsonData,
    // Only the keys holding a value (GetPluginSettingByID: `if len(v) > 0`).
    secureJsonFields: Object.fromEntries(
      Object.entries(settings.secureJsonData)
        .filter(([, v]) => v.length > 0)
        .map(([k]) => [k, true]),
    ),
  };
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * POST /api/plugins/<id>/settings as Grafana stores it (pkg/api/plugins.go UpdatePluginSetting and
 * the pluginsettings service): `enabled`, `pinned` and `jsonData` are replaced (an absent one is
 * false, or no jsonData), `secureJsonData` is merged key by key, so a secret not sent is kept. A
 * body that does not bind is a 400 "bad request data". Returns that error's message, if any.
 */
export function updateSettings(settings: AppSettings, body: string): string | undefined {
  let update: unknown;
  try {
    update = JSON.parse(body);
  } catch {
    return 'bad request data';
  }
  if (!isObject(update)) return 'bad request data';
  const { enabled, pinned, jsonData, secureJsonData } = update;
  const secure = secureJsonData ?? {};
  if (
    (enabled !== undefined && enabled !== null && typeof enabled !== 'boolean') ||
    (pinned !== undefined && pinned !== null && typeof pinned !== 'boolean') ||
    (jsonData !== undefined && jsonData !== null && !isObject(jsonData)) ||
    !isObject(secure) ||
    Object.values(secure).some((v) => typeof v !== 'string')
  )
    return 'bad request data';
  settings.enabled = enabled === true;
  settings.pinned = pinned === true;
  settings.jsonData = jsonData ?? {};
  Object.assign(settings.secureJsonData, secure);
  return undefined;
}

function page(meta: object, user: UserPreferences): string {
  const bootData = {
    settings: {
      buildInfo: { version: '12.4.2', edition: 'Open Source', env: 'production' },
      featureToggles: {},
    },
    user: {
      id: 1,
      login: 'admin',
      orgRole: 'Admin',
      isSignedIn: true,
      theme: user.theme,
      timezone: user.timezone,
    },
    navTree: [],
  };
  // `<` escaped so no value can close the script element.
  const json = (value: unknown) => JSON.stringify(value).replace(/</g, '\\u003c');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><base href="/"><title>Beacon plugin host</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="host/host.css">
<style>body { margin: 0 } #root { padding: 16px }</style>
<script>window.grafanaBootData = ${json(bootData)}; window.beaconMeta = ${json(meta)};</script>
<script src="host/system.js"></script>
<script src="host/host.js"></script>
<script src="host/amd.js"></script>
</head><body><div id="root"></div>
<script>window.beaconHost.start(window.beaconMeta);</script>
</body></html>`;
}

export async function startHost(options: HostOptions): Promise<RunningHost> {
  const pluginJson = JSON.parse(readFileSync(join(options.pluginDist, 'plugin.json'), 'utf8'));
  const id = String(pluginJson.id);
  const routes = (pluginJson.routes ?? []) as PluginRoute[];
  const settings = options.settings;
  const user: UserPreferences = { theme: 'dark', timezone: 'browser', ...options.user };
  const unanswered: string[] = [];
  const proxied: string[] = [];

  async function proxy(req: IncomingMessage, res: ServerResponse, path: string, search: string) {
    const target = resolveProxy(
      routes,
      req.method ?? 'GET',
      path,
      search,
      options.role ?? 'Admin',
      settings,
    );
    if (!target.ok) {
      proxied.push(`${req.method} ${path} → ${target.status}`);
      return sendJson(res, target.status, { message: target.message });
    }
    const body =
      req.method === 'GET' || req.method === 'HEAD'
        ? undefined
        : new Uint8Array(await readBody(req));
    try {
      const upstream = await fetch(target.url, {
        method: req.method,
        headers: {
          ...(req.headers['content-type'] ? { 'Content-Type': req.headers['content-type'] } : {}),
          Accept: req.headers.accept ?? '*/*',
          ...target.headers,
        },
        body,
      });
      proxied.push(`${req.method} ${path} → ${upstream.status}`);
      const payload = Buffer.from(await upstream.arrayBuffer());
      res.writeHead(upstream.status, {
        'Content-Type': upstream.headers.get('content-type') ?? 'application/octet-stream',
      });
      res.end(payload);
    } catch {
      // Grafana's proxy answers 502 Bad Gateway, with no body, when its transport fails: the
      // service cannot be reached, or the route's URL (unset setting: `<no value>`) is none
      // (proxyutil's errorHandler).
      proxied.push(`${req.method} ${path} → 502`);
      res.writeHead(502);
      res.end();
    }
  }

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? '/', 'http://host');
    const proxyPrefix = `/api/plugin-proxy/${id}/`;
    if (url.pathname.startsWith(proxyPrefix)) {
      return proxy(req, res, url.pathname.slice(proxyPrefix.length), url.search);
    }
    let path: string;
    try {
      path = decodeURIComponent(url.pathname);
    } catch {
      unanswered.push(`${req.method} ${url.pathname}`);
      return sendJson(res, 400, { message: `invalid URL escape in ${url.pathname}` });
    }
    if (path === `/api/plugins/${id}/settings`) {
      if (req.method === 'POST') {
        // Grafana authorizes it with plugins:write, which only an org Admin has (api.go).
        if ((options.role ?? 'Admin') !== 'Admin')
          return sendJson(res, 403, {
            title: 'Access denied',
            message:
              "You'll need additional permissions to perform this action. Permissions needed: plugins:write",
          });
        const problem = updateSettings(settings, (await readBody(req)).toString());
        if (problem) return sendJson(res, 400, { message: problem });
        return sendJson(res, 200, { message: 'Plugin settings updated' });
      }
      return sendJson(res, 200, pluginMeta(pluginJson, settings));
    }
    if (
      path.startsWith(`/public/plugins/${id}/`) &&
      sendFile(res, options.pluginDist, path.slice(`/public/plugins/${id}/`.length))
    )
      return;
    if (path === '/host/system.js' && sendFile(res, systemjsDir, 'system.js')) return;
    if (path === '/host/amd.js' && sendFile(res, join(systemjsDir, 'extras'), 'amd.js')) return;
    if (path.startsWith('/host/') && sendFile(res, options.hostDir, path.slice('/host/'.length)))
      return;
    if (path.startsWith('/public/build/img/icons/')) {
      if (sendFile(res, iconsDir, path.slice('/public/build/img/icons/'.length))) return;
      res.writeHead(200, { 'Content-Type': 'image/svg+xml', 'Cache-Control': 'max-age=3600' });
      return res.end(placeholderIcon);
    }
    if (path.startsWith('/public/fonts/') && fontFile) {
      res.writeHead(200, { 'Content-Type': 'font/ttf', 'Cache-Control': 'max-age=3600' });
      return createReadStream(fontFile).pipe(res);
    }
    if (
      req.method === 'GET' &&
      (path === '/panel' || path.startsWith(`/a/${id}`) || path === `/plugins/${id}`)
    ) {
      res.writeHead(200, { 'Content-Type': types['.html'] });
      return res.end(page(pluginMeta(pluginJson, settings), user));
    }
    unanswered.push(`${req.method} ${path}`);
    sendJson(res, 404, { message: 'not found' });
  }

  let handling = 0;
  let whenIdle: Array<() => void> = [];
  const server: Server = createServer((req, res) => {
    handling++;
    handle(req, res)
      .catch((error) => {
        unanswered.push(`${req.method} ${req.url} (host error: ${(error as Error).message})`);
        if (!res.headersSent) sendJson(res, 500, { message: String(error) });
        else res.end();
      })
      .finally(() => {
        if (--handling > 0) return;
        const waiting = whenIdle;
        whenIdle = [];
        for (const resolve of waiting) resolve();
      });
  });

  async function settled(timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    // A turn first: bytes a page wrote before it closed are parsed into requests in the next
    // poll phase, and only then counted.
    await new Promise((resolve) => setImmediate(resolve));
    while (handling > 0) {
      let timer: NodeJS.Timeout | undefined;
      const idle = new Promise<boolean>((resolve) => whenIdle.push(() => resolve(true)));
      const late = new Promise<boolean>(
        (resolve) => (timer = setTimeout(() => resolve(false), deadline - Date.now())),
      );
      const wasIdle = await Promise.race([idle, late]);
      clearTimeout(timer);
      if (!wasIdle)
        throw new Error(`the host was still handling ${handling} request(s) after ${timeoutMs} ms`);
      await new Promise((resolve) => setImmediate(resolve));
    }
  }
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    settings,
    user,
    unanswered,
    proxied,
    settled,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
