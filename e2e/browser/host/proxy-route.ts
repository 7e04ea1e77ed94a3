// Grafana's plugin proxy, for the routes a plugin.json declares: `api/plugin-proxy/<id>/<rest>`
// goes to the first route whose method matches and whose `path` pattern matches `<rest>`, as
// grafana/grafana's pluginproxy.HandleRequest matches it with a pkg/web tree: a static path
// (`tracker`) matches only itself and forwards nothing of the request's path; a trailing `*`
// (`tracker/*`) matches what follows it and forwards that, after the route's `url`. The tree
// compares and hands over the path unescaped (pkg/web/tree.go, url.PathUnescape), and Go's client
// escapes it again as a path, so an escaped `/` (`%2F`) reaches the service as `/`.
// `{{ .JsonData.x }}` and `{{ .SecureJsonData.x }}` are filled from the app's settings as Go's
// text/template fills them (an unset one is `<no value>`), the route's headers added, and the
// user's role must reach the route's `reqRole`. Refusals carry Grafana's own messages.

export interface PluginRoute {
  path: string;
  method?: string;
  reqRole?: 'Viewer' | 'Editor' | 'Admin';
  url?: string;
  headers?: { name: string; content: string }[];
}

export interface AppSettings {
  jsonData: Record<string, unknown>;
  secureJsonData: Record<string, string>;
  /** The app's enabled and pinned state; an app whose settings were never saved counts as both. */
  enabled?: boolean;
  pinned?: boolean;
}

export type Role = 'Viewer' | 'Editor' | 'Admin';
const rank: Record<Role, number> = { Viewer: 0, Editor: 1, Admin: 2 };

export type ProxyTarget =
  | { ok: true; url: string; headers: Record<string, string> }
  | { ok: false; status: number; message: string };

/**
 * `{{ .JsonData.trackerUrl }}` → the setting's value. An unset one is no error: Go's text/template
 * (pluginproxy's interpolateString, default missingkey) writes `<no value>`, so Grafana sends
 * `Bearer <no value>` for an unset token and fails to reach `<no value>/…` for an unset URL.
 */
export function interpolate(template: string, settings: AppSettings): string {
  return template.replace(
    /\{\{\s*\.(JsonData|SecureJsonData)\.(\w+)\s*\}\}/g,
    (_all, scope: string, key: string) => {
      const source: Record<string, unknown> =
        scope === 'JsonData' ? settings.jsonData : settings.secureJsonData;
      const value = source[key];
      return value === undefined || value === null ? '<no value>' : String(value);
    },
  );
}

/** Go's url.PathUnescape, byte for byte (no UTF-8 check); undefined for a bad escape. */
function pathUnescape(escaped: string): Buffer | undefined {
  const bytes: number[] = [];
  const raw = Buffer.from(escaped, 'utf8');
  for (let i = 0; i < raw.length; i++) {
    if (raw[i] !== 0x25) {
      bytes.push(raw[i]!);
      continue;
    }
    const hex = raw.subarray(i + 1, i + 3).toString('latin1');
    if (!/^[0-9a-fA-F]{2}$/.test(hex)) return undefined;
    bytes.push(parseInt(hex, 16));
    i += 2;
  }
  return Buffer.from(bytes);
}

/** How Go's client writes an unescaped path (url.URL.EscapedPath, escape(path, encodePath)). */
function goEscapePath(path: Buffer): string {
  let out = '';
  for (const byte of path) {
    const c = String.fromCharCode(byte);
    out += /[A-Za-z0-9\-_.~$&+,/:;=@]/.test(c)
      ? c
      : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/**
 * What of the escaped `path` a route of `pattern` forwards, escaped as Grafana sends it
 * (`/api/v1/issues` for `tracker/*`, '' for a static pattern equal to it), or undefined when the
 * pattern does not match it. Segments are compared unescaped, as pkg/web's tree compares them.
 */
function forwarded(pattern: string, path: string): string | undefined {
  const glob = pattern.endsWith('/*');
  const wanted = (glob ? pattern.slice(0, -2) : pattern).split('/');
  const trimmed = path.replace(/^\//, '');
  // The tree drops one trailing slash before matching (web.Tree.Match).
  const segments = (glob ? trimmed : trimmed.replace(/\/$/, '')).split('/');
  const rest = segments.slice(wanted.length);
  if (
    wanted.some((w, i) => segments[i] === undefined || pathUnescape(segments[i]!)?.toString() !== w)
  )
    return undefined;
  if (!glob) return rest.length === 0 ? '' : undefined;
  const tail = rest.join('/');
  if (tail === '' || tail === '/') return undefined;
  const unescaped = pathUnescape(tail);
  return unescaped === undefined ? undefined : `/${goEscapePath(unescaped)}`;
}

export function resolveProxy(
  routes: readonly PluginRoute[],
  method: string,
  path: string,
  search: string,
  role: Role,
  settings: AppSettings,
): ProxyTarget {
  // Go's HTTP server refuses a path with a bad escape before any handler sees it.
  const bad = /%(?![0-9a-fA-F]{2})/.exec(path);
  if (bad)
    return {
      ok: false,
      status: 400,
      message: `invalid URL escape ${JSON.stringify(path.slice(bad.index, bad.index + 3))}`,
    };
  // The method is compared as it is, case and all (`route.Method != proxy.req.Method`).
  const route = routes.find(
    (r) =>
      forwarded(r.path, path) !== undefined &&
      (!r.method || r.method === '*' || r.method === method),
  );
  if (!route) return { ok: false, status: 404, message: 'plugin route match not found' };
  if (rank[role] < rank[route.reqRole ?? 'Viewer'])
    return { ok: false, status: 403, message: 'plugin proxy route access denied' };
  // A route without a url, or one whose setting is unset, gives a URL nothing can be fetched
  // from: the server answers 502, as Grafana's proxy does when its transport fails.
  const base = interpolate(route.url ?? '', settings).replace(/\/$/, '');
  const headers: Record<string, string> = {};
  for (const h of route.headers ?? []) headers[h.name] = interpolate(h.content, settings);
  return { ok: true, url: `${base}${forwarded(route.path, path)}${search}`, headers };
}
