// The Kubernetes API client's connection handling: a kept-alive connection the API server
// closed as it was reused is retried once on a new one, as Go's http.Transport does.
import { localServers } from '../testing/local-servers';
import { createKubeApi, KubeApiError, WatchIdleError } from './api';

const servers = localServers();
const serve = servers.serve;
afterEach(servers.closeAll);

/** A server that drops, unanswered, the second request it gets on a connection. */
async function droppingSecondOnEachSocket(answer: (path: string) => string) {
  const seen = new WeakMap<object, number>();
  const paths: string[] = [];
  const url = await serve((req, res) => {
    const n = (seen.get(req.socket) ?? 0) + 1;
    seen.set(req.socket, n);
    paths.push(`${req.method} ${req.url} #${n}`);
    if (n === 2) req.socket.destroy();
    else res.end(answer(req.url ?? ''));
  });
  return { url, paths };
}

test('a GET and a POST on a kept-alive connection the server closed are sent again on a new one', async () => {
  const { url, paths } = await droppingSecondOnEachSocket(() => '{"ok":true}');
  const api = createKubeApi({ server: url, insecureSkipTlsVerify: false });
  try {
    expect(await api.json('GET', '/api/v1/namespaces')).toEqual({ ok: true });
    expect(await api.json('GET', '/api/v1/pods')).toEqual({ ok: true });
    expect(
      await api.json('POST', '/apis/authorization.k8s.io/v1/subjectaccessreviews', {}),
    ).toEqual({ ok: true });
    expect(paths).toEqual([
      'GET /api/v1/namespaces #1',
      'GET /api/v1/pods #2', // dropped
      'GET /api/v1/pods #1',
      'POST /apis/authorization.k8s.io/v1/subjectaccessreviews #2', // dropped
      'POST /apis/authorization.k8s.io/v1/subjectaccessreviews #1',
    ]);
  } finally {
    api.close();
  }
});

test('a watch opened on a kept-alive connection the server closed is opened again, not failed', async () => {
  const event = { type: 'ADDED', object: { metadata: { name: 'web-0', resourceVersion: '7' } } };
  const { url, paths } = await droppingSecondOnEachSocket(() => `${JSON.stringify(event)}\n`);
  const api = createKubeApi({ server: url, insecureSkipTlsVerify: false });
  try {
    expect(await api.json('GET', '/api/v1/pods')).toEqual(event);
    const events: unknown[] = [];
    await api.watch('/api/v1/pods?watch=1', (e) => events.push(e));
    expect(events).toEqual([event]);
    expect(paths).toEqual([
      'GET /api/v1/pods #1',
      'GET /api/v1/pods?watch=1 #2',
      'GET /api/v1/pods?watch=1 #1',
    ]);
  } finally {
    api.close();
  }
});

test('a connection dropped twice is an error naming the request, not a retry loop', async () => {
  let requests = 0;
  const url = await serve((req, res) => {
    requests += 1;
    if (requests === 1) res.end('{}');
    else req.socket.destroy();
  });
  const api = createKubeApi({ server: url, insecureSkipTlsVerify: false });
  try {
    await api.json('GET', '/a');
    const err = await api.json('GET', '/b').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KubeApiError);
    expect((err as Error).message).toBe(`GET ${url}/b: socket hang up`);
    expect(requests).toBe(3);
  } finally {
    api.close();
  }
});

// Each test's own timeout: without the idle guard the watch waits for ever (the preset's 60 s).
describe('a watch gone silent', () => {
  it('fails naming its idle time when no answer comes at all', async () => {
    const url = await serve(() => undefined); // never answers: no headers
    const api = createKubeApi({ server: url, insecureSkipTlsVerify: false });
    try {
      const err = await api
        .watch('/api/v1/pods?watch=1', () => undefined, undefined, undefined, 300)
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      expect(err).toBeInstanceOf(WatchIdleError);
      expect((err as Error).message).toBe(
        'watch /api/v1/pods?watch=1: nothing received for 0.3 s, not even a bookmark: the connection is taken for dead',
      );
    } finally {
      api.close();
    }
  });

  it('fails once the stream goes quiet, after the events it sent, and is kept while each comes in time', async () => {
    const event = (rv: number) =>
      `${JSON.stringify({ type: 'BOOKMARK', object: { metadata: { resourceVersion: String(rv) } } })}\n`;
    const url = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      // Twenty events 100 ms apart (past the 1.5 s idle time in all, each well within it), then
      // silence. Not 150 ms apart under a 300 ms idle time: a loaded machine that ran nothing of
      // this process for 150 ms fired the idle timer before the event that was due was read.
      let n = 0;
      const tick = setInterval(() => {
        res.write(event(++n));
        if (n === 20) clearInterval(tick);
      }, 100);
      res.on('close', () => clearInterval(tick));
    });
    const api = createKubeApi({ server: url, insecureSkipTlsVerify: false });
    const seen: unknown[] = [];
    try {
      const err = await api
        .watch('/api/v1/pods?watch=1', (e) => seen.push(e), undefined, undefined, 1_500)
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      expect(err).toBeInstanceOf(WatchIdleError);
      expect(
        seen.map(
          (e) =>
            (e as { object: { metadata: { resourceVersion: string } } }).object.metadata
              .resourceVersion,
        ),
      ).toEqual(Array.from({ length: 20 }, (_, i) => String(i + 1)));
    } finally {
      api.close();
    }
  });
});

test('sends a kubeconfig user’s basic auth as RFC 7617 has it, and a token instead when there is one', async () => {
  const seen: (string | undefined)[] = [];
  const url = await serve((req, res) => {
    seen.push(req.headers.authorization);
    res.end('{}');
  });
  const basic = { username: 'adapter', password: 's3cret' };
  const withBasic = createKubeApi({ server: url, insecureSkipTlsVerify: false, basic });
  const withToken = createKubeApi({ server: url, insecureSkipTlsVerify: false, token: 't' });
  try {
    await withBasic.json('GET', '/api/v1/namespaces');
    await withToken.json('GET', '/api/v1/namespaces');
  } finally {
    withBasic.close();
    withToken.close();
  }
  // `echo -n adapter:s3cret | base64`
  expect(seen).toEqual(['Basic YWRhcHRlcjpzM2NyZXQ=', 'Bearer t']);
});
