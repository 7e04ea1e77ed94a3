// The host's plugin proxy, with routes written here by hand in plugin.json's shape; what Grafana
// matches and forwards as grafana/grafana's TestPluginProxyRoutes (pluginproxy_test.go) has it.
import { type PluginRoute, resolveProxy } from './proxy-route';

const routes: PluginRoute[] = [
  {
    path: 'tracker/*',
    method: 'GET',
    reqRole: 'Viewer',
    url: '{{ .JsonData.trackerUrl }}',
    headers: [{ name: 'Authorization', content: 'Bearer {{ .SecureJsonData.apiToken }}' }],
  },
  { path: 'tracker/*', method: 'PATCH', reqRole: 'Editor', url: '{{ .JsonData.trackerUrl }}' },
];
const settings = {
  jsonData: { trackerUrl: 'http://tracker:9300/' },
  secureJsonData: { apiToken: 's3cret' },
};

test('a GET under the route goes to the URL from jsonData with the header from secureJsonData', () => {
  expect(
    resolveProxy(routes, 'GET', 'tracker/api/v1/issues', '?limit=50', 'Viewer', settings),
  ).toEqual({
    ok: true,
    url: 'http://tracker:9300/api/v1/issues?limit=50',
    headers: { Authorization: 'Bearer s3cret' },
  });
});

test('the method picks the route, and its role is required', () => {
  // Grafana's message (pluginproxy.go HandleRequest), which the plugin shows.
  expect(resolveProxy(routes, 'PATCH', 'tracker/api/v1/issues/1', '', 'Viewer', settings)).toEqual({
    ok: false,
    status: 403,
    message: 'plugin proxy route access denied',
  });
  expect(
    resolveProxy(routes, 'PATCH', 'tracker/api/v1/issues/1', '', 'Editor', settings),
  ).toMatchObject({
    ok: true,
    url: 'http://tracker:9300/api/v1/issues/1',
  });
  expect(
    resolveProxy(routes, 'DELETE', 'tracker/api/v1/issues/1', '', 'Admin', settings),
  ).toMatchObject({
    ok: false,
    status: 404,
  });
});

test('a path that only starts like the route is not the route', () => {
  expect(resolveProxy(routes, 'GET', 'trackers/x', '', 'Admin', settings)).toEqual({
    ok: false,
    status: 404,
    message: 'plugin route match not found',
  });
});

test('the method is compared case and all, as Grafana compares it', () => {
  // `route.Method != proxy.req.Method` in pluginproxy.go; fetch sends `patch` as written.
  expect(
    resolveProxy(routes, 'patch', 'tracker/api/v1/issues/1', '', 'Admin', settings),
  ).toMatchObject({ ok: false, status: 404 });
});

test('an unset setting is filled as Go text/template fills a missing key: <no value>', () => {
  // pluginproxy's interpolateString runs text/template with the default missingkey; `go run` of
  // template.Execute on these two templates with empty maps printed exactly these strings.
  const noToken = { jsonData: { trackerUrl: 'http://tracker:9300' }, secureJsonData: {} };
  expect(resolveProxy(routes, 'GET', 'tracker/api/v1/stats', '', 'Viewer', noToken)).toEqual({
    ok: true,
    url: 'http://tracker:9300/api/v1/stats',
    headers: { Authorization: 'Bearer <no value>' },
  });
  const noUrl = { jsonData: {}, secureJsonData: { apiToken: 's3cret' } };
  expect(resolveProxy(routes, 'GET', 'tracker/api/v1/stats', '', 'Viewer', noUrl)).toMatchObject({
    ok: true,
    url: '<no value>/api/v1/stats',
  });
});

test('the forwarded path is unescaped and escaped again as Go writes a path: %2F becomes /', () => {
  // pkg/web tree.go hands the `*` over through url.PathUnescape, and pluginproxy sets it as
  // req.URL.Path; a Go ReverseProxy doing the same sent a backend these request URIs.
  const sent = (rest: string) =>
    (
      resolveProxy(
        routes,
        'GET',
        `tracker/api/v1/sessions/${rest}`,
        '?x=1%2F2',
        'Viewer',
        settings,
      ) as {
        url: string;
      }
    ).url;
  expect(sent('a%2Fb')).toBe('http://tracker:9300/api/v1/sessions/a/b?x=1%2F2');
  expect(sent('a%20b')).toBe('http://tracker:9300/api/v1/sessions/a%20b?x=1%2F2');
  expect(sent('100%25')).toBe('http://tracker:9300/api/v1/sessions/100%25?x=1%2F2');
  expect(sent('a%3Fb')).toBe('http://tracker:9300/api/v1/sessions/a%3Fb?x=1%2F2');
  expect(sent("x!y*(z)'")).toBe('http://tracker:9300/api/v1/sessions/x%21y%2A%28z%29%27?x=1%2F2');
  expect(sent('%C3%A9')).toBe('http://tracker:9300/api/v1/sessions/%C3%A9?x=1%2F2');
  expect(sent('a;b,c')).toBe('http://tracker:9300/api/v1/sessions/a;b,c?x=1%2F2');
  // The route's own segments are compared unescaped too.
  expect(resolveProxy(routes, 'GET', 'trac%6Ber/api', '', 'Viewer', settings)).toMatchObject({
    ok: true,
    url: 'http://tracker:9300/api',
  });
});

test('a bad escape is refused with a 400 naming it, as the Go server refuses the request', () => {
  expect(
    resolveProxy(routes, 'GET', 'tracker/api/v1/sessions/%zz', '', 'Viewer', settings),
  ).toEqual({
    ok: false,
    status: 400,
    message: 'invalid URL escape "%zz"',
  });
});

test('a static path matches only itself and forwards nothing of it; a glob needs something after it', () => {
  const upstream: PluginRoute[] = [
    { path: 'some-api', method: 'GET', url: 'http://localhost/api' },
    { path: 'some-other-api/*', method: 'GET', url: 'http://localhost/api/v2' },
  ];
  const none = { jsonData: {}, secureJsonData: {} };
  expect(resolveProxy(upstream, 'GET', 'some-api', '', 'Viewer', none)).toMatchObject({
    ok: true,
    url: 'http://localhost/api',
  });
  expect(resolveProxy(upstream, 'GET', 'some-api/some/thing', '', 'Viewer', none)).toMatchObject({
    ok: false,
    status: 404,
  });
  expect(
    resolveProxy(upstream, 'GET', 'some-other-api/some/thing', '', 'Viewer', none),
  ).toMatchObject({ ok: true, url: 'http://localhost/api/v2/some/thing' });
  for (const bare of ['some-other-api', 'some-other-api/'])
    expect(resolveProxy(upstream, 'GET', bare, '', 'Viewer', none)).toMatchObject({
      ok: false,
      status: 404,
    });
});
