// How Grafana's plugin proxy picks a route of src/plugin.json and what path it forwards, modelled
// on grafana/grafana pkg/api/pluginproxy/pluginproxy.go (HandleRequest, director) and
// pkg/web/tree.go (Tree.Add / Tree.Match): each route's `path` is a router pattern, matched
// segment by segment; a static pattern matches only that exact path and forwards nothing of it,
// and only a trailing `*` matches the rest, which is appended (unescaped) to the route's `url`.
// The model is checked first against Grafana's own table (TestPluginProxyRoutes in
// pkg/api/pluginproxy/pluginproxy_test.go), then used on the app's routes.
import fs from 'fs';
import path from 'path';
import { TRACKER_API_BASE } from './constants';

interface Route {
  path: string;
  method?: string;
  reqRole?: string;
  url: string;
}

const segments = (p: string) => p.replace(/^\/+/, '').replace(/\/+$/, '').split('/');

/** web.Tree with one pattern: the `*` capture (unescaped), '' when static, undefined when no match. */
function treeMatch(pattern: string, proxyPath: string): string | undefined {
  const want = segments(pattern.replace(/\/$/, ''));
  const got = segments(proxyPath).map((s) => decodeURIComponent(s));
  const glob = want[want.length - 1] === '*';
  const fixed = glob ? want.slice(0, -1) : want;
  if (glob ? got.length <= fixed.length : got.length !== fixed.length) {
    return undefined;
  }
  if (fixed.some((s, i) => s !== got[i])) {
    return undefined;
  }
  return glob ? got.slice(fixed.length).join('/') : '';
}

/** util.JoinURLFragments */
function join(a: string, b: string): string {
  if (b === '') {
    return a;
  }
  const aSlash = a.endsWith('/');
  const bSlash = b.startsWith('/');
  if (aSlash && bSlash) {
    return a + b.slice(1);
  }
  if (!aSlash && !bSlash) {
    return `${a}/${b}`;
  }
  return a + b;
}

/** The first route whose method and pattern match, and the URL path Grafana sends to. */
function proxy(routes: Route[], method: string, proxyPath: string, settings: Record<string, string>) {
  for (const route of routes) {
    if (route.method && route.method !== '*' && route.method !== method) {
      continue;
    }
    const rest = treeMatch(route.path, proxyPath);
    if (rest === undefined) {
      continue;
    }
    const url = new URL(route.url.replace(/\{\{\s*\.JsonData\.(\w+)\s*\}\}/g, (_m, k: string) => settings[k]));
    return { status: 200, reqRole: route.reqRole, forwardedTo: `${url.origin}${join(url.pathname, rest)}` };
  }
  return { status: 404 };
}

describe("Grafana's plugin proxy route matching (model)", () => {
  // grafana/grafana pkg/api/pluginproxy/pluginproxy_test.go, TestPluginProxyRoutes, by hand.
  const upstream: Route[] = [
    { path: '', method: 'GET', url: 'http://localhost' },
    { path: 'some-api', method: 'GET', url: 'http://localhost/api' },
    { path: 'some-api/instances', method: 'GET', url: 'http://localhost/api/instances/' },
    { path: 'some-api/*', method: 'GET', url: 'http://localhost/api' },
    { path: 'some-api/instances/*', method: 'GET', url: 'http://localhost/api/instances' },
    { path: 'some-other-api/*', method: 'GET', url: 'http://localhost/api/v2' },
    { path: 'some-other-api/instances/*', method: 'GET', url: 'http://localhost/api/v2/instances' },
  ];

  test.each([
    ['/notexists', 404, undefined],
    ['/', 200, 'http://localhost/'],
    ['/some-api', 200, 'http://localhost/api'],
    ['/some-api/instances', 200, 'http://localhost/api/instances/'],
    ['/some-api/some/thing', 200, 'http://localhost/api/some/thing'],
    ['/some-api/instances/instance-one', 200, 'http://localhost/api/instances/instance-one'],
    ['/some-other-api/some/thing', 200, 'http://localhost/api/v2/some/thing'],
    ['/some-other-api/instances/instance-one', 200, 'http://localhost/api/v2/instances/instance-one'],
  ])('agrees with Grafana for %s', (proxyPath, status, forwardedTo) => {
    const got = proxy(upstream, 'GET', proxyPath, {});
    expect(got.status).toBe(status);
    if (forwardedTo !== undefined) {
      expect(got).toMatchObject({ forwardedTo });
    }
  });
});

describe("the app's tracker proxy routes, as Grafana matches them", () => {
  const app = JSON.parse(fs.readFileSync(path.join(__dirname, 'plugin.json'), 'utf8'));
  const settings = { trackerUrl: 'http://beacon-tracking-server:9300' };
  // What follows api/plugin-proxy/<plugin id>/ in the client's URLs is Grafana's proxy path.
  const prefix = TRACKER_API_BASE.replace(/^api\/plugin-proxy\/[\w-]+/, '');

  test.each([
    ['GET', '/issues', 'Viewer', 'http://beacon-tracking-server:9300/api/v1/issues'],
    ['GET', '/issues/42/events', 'Viewer', 'http://beacon-tracking-server:9300/api/v1/issues/42/events'],
    ['GET', '/stats', 'Viewer', 'http://beacon-tracking-server:9300/api/v1/stats'],
    ['GET', '/attachments/7', 'Viewer', 'http://beacon-tracking-server:9300/api/v1/attachments/7'],
    ['GET', '/sessions/req-1/export', 'Viewer', 'http://beacon-tracking-server:9300/api/v1/sessions/req-1/export'],
    ['PATCH', '/issues/42', 'Editor', 'http://beacon-tracking-server:9300/api/v1/issues/42'],
    ['POST', '/issues/status', 'Editor', 'http://beacon-tracking-server:9300/api/v1/issues/status'],
  ])('%s %s reaches the tracker (role %s) at %s', (method, apiPath, reqRole, forwardedTo) => {
    expect(proxy(app.routes, method, `${prefix}${apiPath}`, settings)).toEqual({
      status: 200,
      reqRole,
      forwardedTo,
    });
  });

  test('a method the app does not declare finds no route', () => {
    expect(proxy(app.routes, 'DELETE', `${prefix}/issues/42`, settings)).toEqual({ status: 404 });
  });
});
