// The host server's plugin proxy over real HTTP, against a service that records what reaches it:
// what Grafana's proxy sends on and answers (pluginproxy.go, proxyutil/reverse_proxy.go).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type RunningHost, startHost } from './server';

const ID = 'test-app';
let dist: string;
let service: Server;
let serviceUrl: string;
const received: { url?: string; authorization?: string }[] = [];
let host: RunningHost;

beforeAll(async () => {
  dist = mkdtempSync(join(tmpdir(), 'beacon-host-test-'));
  const route = {
    path: 'tracker/*',
    method: 'GET',
    url: '{{ .JsonData.trackerUrl }}',
    headers: [{ name: 'Authorization', content: 'Bearer {{ .SecureJsonData.apiToken }}' }],
  };
  writeFileSync(
    join(dist, 'plugin.json'),
    JSON.stringify({ id: ID, type: 'app', routes: [route] }),
  );
  service = createServer(async (req, res) => {
    received.push({ url: req.url, authorization: req.headers.authorization });
    if (req.url?.endsWith('/slow')) await new Promise((resolve) => setTimeout(resolve, 300));
    res.writeHead(req.headers.authorization === 'Bearer s3cret' ? 200 : 401, {
      'Content-Type': 'application/json',
    });
    res.end('{"error":"checked"}');
  });
  await new Promise<void>((resolve) => service.listen(0, '127.0.0.1', resolve));
  serviceUrl = `http://127.0.0.1:${(service.address() as AddressInfo).port}`;
  host = await startHost({
    pluginDist: dist,
    hostDir: dist,
    settings: { jsonData: { trackerUrl: serviceUrl }, secureJsonData: { apiToken: 's3cret' } },
  });
});

afterAll(async () => {
  await host?.close();
  await new Promise((resolve) => service?.close(resolve));
  rmSync(dist, { recursive: true, force: true });
});

beforeEach(() => {
  received.length = 0;
  host.unanswered.length = 0;
  host.proxied.length = 0;
  host.settings.jsonData = { trackerUrl: serviceUrl };
  host.settings.secureJsonData = { apiToken: 's3cret' };
});

const get = (rest: string, signal?: AbortSignal) =>
  fetch(`${host.url}/api/plugin-proxy/${ID}/${rest}`, { signal });

test('an escaped slash in the path reaches the service as a slash; the query as it was', async () => {
  const res = await get('tracker/api/v1/sessions/req%2F42/export?x=1%2F2');
  expect(res.status).toBe(200);
  expect(received).toEqual([
    { url: '/api/v1/sessions/req/42/export?x=1%2F2', authorization: 'Bearer s3cret' },
  ]);
});

test('an unset token is sent as Bearer <no value>, and the service’s 401 comes back', async () => {
  host.settings.secureJsonData = {};
  const res = await get('tracker/api/v1/stats');
  expect([res.status, await res.json()]).toEqual([401, { error: 'checked' }]);
  expect(received).toEqual([{ url: '/api/v1/stats', authorization: 'Bearer <no value>' }]);
});

test('an unreachable service or an unset URL is a 502 with no body', async () => {
  host.settings.jsonData = { trackerUrl: 'http://127.0.0.1:9' };
  const unreachable = await get('tracker/api/v1/stats');
  expect([unreachable.status, await unreachable.text()]).toEqual([502, '']);
  host.settings.jsonData = {};
  const unset = await get('tracker/api/v1/stats');
  expect([unset.status, await unset.text()]).toEqual([502, '']);
  expect(received).toEqual([]);
});

test('settled() waits for a request whose caller has gone, so it is recorded where it was sent', async () => {
  const gone = new AbortController();
  const sent = get('tracker/api/v1/slow', gone.signal).catch(() => 'aborted');
  while (received.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
  gone.abort();
  expect(await sent).toBe('aborted');
  expect(host.proxied).toEqual([]); // the service has not answered yet
  await host.settled();
  expect(host.proxied).toEqual(['GET tracker/api/v1/slow → 200']);
});

test('settled() names the requests still handled when they outlast its time', async () => {
  const sent = get('tracker/api/v1/slow');
  while (received.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
  await expect(host.settled(50)).rejects.toThrow(
    'the host was still handling 1 request(s) after 50 ms',
  );
  expect((await sent).status).toBe(200);
  await host.settled();
});

test('no route and a bad escape are answered with Grafana’s JSON, not a host error', async () => {
  const none = await get('other/x');
  expect([none.status, await none.json()]).toEqual([
    404,
    { message: 'plugin route match not found' },
  ]);
  const bad = await get('tracker/api/v1/sessions/%zz');
  expect([bad.status, await bad.json()]).toEqual([400, { message: 'invalid URL escape "%zz"' }]);
  const badElsewhere = await fetch(`${host.url}/a/${ID}/%zz`);
  expect(badElsewhere.status).toBe(400);
  expect(received).toEqual([]);
});

describe('the app settings API, as Grafana stores and reads it', () => {
  const settingsUrl = () => `${host.url}/api/plugins/${ID}/settings`;
  const post = (body: string) =>
    fetch(settingsUrl(), { method: 'POST', headers: { 'Content-Type': 'application/json' }, body });
  const read = async () =>
    (await (await fetch(settingsUrl())).json()) as {
      enabled: boolean;
      pinned: boolean;
      jsonData: unknown;
      secureJsonFields: Record<string, boolean>;
    };

  test('jsonData, enabled and pinned are replaced; a secret not sent is kept; secrets never come back', async () => {
    host.settings.jsonData = { trackerUrl: serviceUrl, other: 1 };
    host.settings.secureJsonData = { apiToken: 's3cret', spare: '' };
    const saved = await post(JSON.stringify({ jsonData: { trackerUrl: 'http://t:9300' } }));
    expect([saved.status, await saved.json()]).toEqual([
      200,
      { message: 'Plugin settings updated' },
    ]);
    const meta = await read();
    // An omitted enabled or pinned binds as false (pluginsettings service: Enabled = cmd.Enabled).
    expect([meta.enabled, meta.pinned, meta.jsonData]).toEqual([
      false,
      false,
      { trackerUrl: 'http://t:9300' },
    ]);
    // Only keys holding a value are reported (GetPluginSettingByID: len(v) > 0).
    expect(meta.secureJsonFields).toEqual({ apiToken: true });
    expect(JSON.stringify(meta)).not.toContain('s3cret');
    expect(host.settings.secureJsonData.apiToken).toBe('s3cret');
    await post(
      JSON.stringify({
        enabled: true,
        pinned: true,
        jsonData: {},
        secureJsonData: { apiToken: 'new' },
      }),
    );
    expect(await read()).toMatchObject({
      enabled: true,
      pinned: true,
      secureJsonFields: { apiToken: true },
    });
    expect(host.settings.secureJsonData.apiToken).toBe('new');
  });

  test('a body that does not bind is a 400 "bad request data" and changes nothing', async () => {
    for (const body of [
      '{',
      '[]',
      '{"enabled":"yes"}',
      '{"jsonData":[1]}',
      '{"secureJsonData":{"apiToken":1}}',
    ]) {
      const res = await post(body);
      expect([body, res.status, await res.json()]).toEqual([
        body,
        400,
        { message: 'bad request data' },
      ]);
    }
    expect(host.settings.secureJsonData).toEqual({ apiToken: 's3cret' });
    expect(host.unanswered).toEqual([]);
  });

  test('only an Admin may save them: plugins:write', async () => {
    const editor = await startHost({
      pluginDist: dist,
      hostDir: dist,
      role: 'Editor',
      settings: { jsonData: { trackerUrl: 'http://t:9300' }, secureJsonData: {} },
    });
    try {
      const res = await fetch(`${editor.url}/api/plugins/${ID}/settings`, {
        method: 'POST',
        body: JSON.stringify({ enabled: true, jsonData: {} }),
      });
      // The message Grafana's access control answers with (its plugins:install integration test
      // asserts the same sentence for that permission).
      expect([res.status, ((await res.json()) as { message: string }).message]).toEqual([
        403,
        "You'll need additional permissions to perform this action. Permissions needed: plugins:write",
      ]);
      expect(editor.settings.jsonData).toEqual({ trackerUrl: 'http://t:9300' });
    } finally {
      await editor.close();
    }
  });
});
