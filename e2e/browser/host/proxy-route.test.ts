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
  expect(resolveProxy(routes, 'PATCH', 'tracker/api/v1/issues/1', '', 'Viewer', settings)).toEqual({
    ok: false,
    status: 403,
    message: 'the Editor role is required for PATCH tracker/*',
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
  expect(resolveProxy(routes, 'GET', 'trackers/x', '', 'Admin', settings)).toMatchObject({
    ok: false,
    status: 404,
  });
});

test('an unset setting is named in a 502', () => {
  const unset = { jsonData: {}, secureJsonData: { apiToken: 's3cret' } };
  expect(resolveProxy(routes, 'GET', 'tracker/api/v1/stats', '', 'Viewer', unset)).toEqual({
    ok: false,
    status: 502,
    message: 'plugin route tracker/*: JsonData.trackerUrl is not set',
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
