// Grafana's plugin proxy, for the routes a plugin.json declares: `api/plugin-proxy/<id>/<rest>`
// goes to the first route whose method matches and whose `path` pattern matches `<rest>`, as
// grafana/grafana's pluginproxy.HandleRequest matches it with a pkg/web tree: a static path
// (`tracker`) matches only itself and forwards nothing of the request's path; a trailing `*`
// (`tracker/*`) matches what follows it and forwards that, after the route's `url`. `{{ .JsonData.x }}`
// and `{{ .SecureJsonData.x }}` are filled from the app's settings, the route's headers added, and
// the user's role must reach the route's `reqRole`.

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
}

export type Role = 'Viewer' | 'Editor' | 'Admin';
const rank: Record<Role, number> = { Viewer: 0, Editor: 1, Admin: 2 };

export type ProxyTarget =
  | { ok: true; url: string; headers: Record<string, string> }
  | { ok: false; status: number; message: string };

/** `{{ .JsonData.trackerUrl }}` → the setting's value; an unset one is an error, as in Grafana. */
export function interpolate(template: string, settings: AppSettings): string {
  return template.replace(
    /\{\{\s*\.(JsonData|SecureJsonData)\.(\w+)\s*\}\}/g,
    (_all, scope: string, key: string) => {
      const source: Record<string, unknown> =
        scope === 'JsonData' ? settings.jsonData : settings.secureJsonData;
      const value = source[key];
      if (value === undefined || value === '') throw new Error(`${scope}.${key} is not set`);
      return String(value);
    },
  );
}

/**
 * What of `path` a route of `pattern` forwards (`/api/v1/issues` for `tracker/*`, '' for a static
 * pattern equal to it), or undefined when the pattern does not match it.
 */
function forwarded(pattern: string, path: string): string | undefined {
  if (!pattern.endsWith('/*')) return path === pattern ? '' : undefined;
  const base = pattern.slice(0, -1);
  return path.startsWith(base) && path.length > base.length
    ? path.slice(base.length - 1)
    : undefined;
}

export function resolveProxy(
  routes: readonly PluginRoute[],
  method: string,
  path: string,
  search: string,
  role: Role,
  settings: AppSettings,
): ProxyTarget {
  const route = routes.find(
    (r) =>
      forwarded(r.path, path) !== undefined &&
      (!r.method || r.method === '*' || r.method.toUpperCase() === method.toUpperCase()),
  );
  if (!route) return { ok: false, status: 404, message: `no plugin route for ${method} ${path}` };
  if (rank[role] < rank[route.reqRole ?? 'Viewer'])
    return {
      ok: false,
      status: 403,
      message: `the ${route.reqRole} role is required for ${method} ${route.path}`,
    };
  if (!route.url) return { ok: false, status: 404, message: `route ${route.path} has no url` };
  try {
    const base = interpolate(route.url, settings).replace(/\/$/, '');
    const headers: Record<string, string> = {};
    for (const h of route.headers ?? []) headers[h.name] = interpolate(h.content, settings);
    return { ok: true, url: `${base}${forwarded(route.path, path)}${search}`, headers };
  } catch (error) {
    return {
      ok: false,
      status: 502,
      message: `plugin route ${route.path}: ${(error as Error).message}`,
    };
  }
}
