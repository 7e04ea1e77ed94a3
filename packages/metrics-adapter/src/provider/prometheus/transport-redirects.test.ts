// Redirects from Prometheus (or a proxy in front of it), followed as Go's http.Client follows
// them for prometheus-adapter: against small node:http servers written here, on two loopback
// addresses so that a redirect can lead to another host.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { localServers } from '../../testing/local-servers';
import { httpTransport, type TransportInit } from './transport';

const servers = localServers();
const listen = servers.serve;
afterEach(servers.closeAll);

interface Seen {
  readonly method: string;
  readonly url: string;
  readonly type?: string;
  readonly auth?: string;
  readonly cookie?: string;
  readonly body: string;
}

/** A server on `host` that answers with `handler` and records what it was sent. */
async function serve(
  host: string,
  handler: (req: IncomingMessage, res: ServerResponse) => void,
): Promise<{ url: string; seen: Seen[] }> {
  const seen: Seen[] = [];
  const url = await listen((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      seen.push({
        method: req.method ?? '',
        url: req.url ?? '',
        type: req.headers['content-type'],
        auth: req.headers.authorization,
        cookie: req.headers.cookie,
        body,
      });
      handler(req, res);
    });
  }, host);
  return { url, seen };
}

const answer = { status: 'success', data: { resultType: 'vector', result: [] } };
const ok = (_req: IncomingMessage, res: ServerResponse) => res.end(JSON.stringify(answer));
const redirect =
  (status: number, location: string) => (_req: IncomingMessage, res: ServerResponse) =>
    res.writeHead(status, { location }).end('<a href="...">moved</a>');

const post: TransportInit = {
  method: 'POST',
  headers: {
    authorization: 'Bearer t',
    cookie: 'c=1',
    'content-type': 'application/x-www-form-urlencoded',
  },
  body: 'query=up',
};

describe('redirects', () => {
  it('follows a GET through a relative Location and reads the last answer', async () => {
    const prom = await serve('127.0.0.1', (req, res) =>
      req.url === '/api/v1/query?query=up'
        ? redirect(302, '/prometheus/api/v1/query?query=up')(req, res)
        : ok(req, res),
    );
    const res = await httpTransport()(`${prom.url}/api/v1/query?query=up`, {
      method: 'GET',
      headers: {},
    });
    expect([res.status, await res.json()]).toEqual([200, answer]);
    expect(prom.seen.map((s) => `${s.method} ${s.url}`)).toEqual([
      'GET /api/v1/query?query=up',
      'GET /prometheus/api/v1/query?query=up',
    ]);
  });

  it.each([307, 308])('sends a POST again with its body and headers after a %d', async (status) => {
    const target = await serve('127.0.0.1', ok);
    const proxy = await serve('127.0.0.1', redirect(status, `${target.url}/api/v1/query`));
    const res = await httpTransport()(`${proxy.url}/api/v1/query`, post);
    expect(await res.json()).toEqual(answer);
    expect(target.seen).toEqual([
      {
        method: 'POST',
        url: '/api/v1/query',
        type: 'application/x-www-form-urlencoded',
        auth: 'Bearer t',
        cookie: 'c=1',
        body: 'query=up',
      },
    ]);
  });

  it.each([301, 302, 303])(
    'turns a POST into a GET without its body after a %d',
    async (status) => {
      const target = await serve('127.0.0.1', ok);
      const proxy = await serve('127.0.0.1', redirect(status, `${target.url}/api/v1/query`));
      await httpTransport()(`${proxy.url}/api/v1/query`, post);
      expect(target.seen).toEqual([
        { method: 'GET', url: '/api/v1/query', auth: 'Bearer t', cookie: 'c=1', body: '' },
      ]);
    },
  );

  it('sends credentials and cookies to another host never, and not again once left behind', async () => {
    const back = await serve('127.0.0.1', ok);
    const other = await serve('127.0.0.2', redirect(307, `${back.url}/last`));
    const first = await serve('127.0.0.1', redirect(307, `${other.url}/elsewhere`));
    await httpTransport()(`${first.url}/api/v1/query`, post);
    expect(first.seen.map((s) => [s.auth, s.cookie])).toEqual([['Bearer t', 'c=1']]);
    expect(other.seen.map((s) => [s.auth, s.cookie, s.body])).toEqual([
      [undefined, undefined, 'query=up'],
    ]);
    expect(back.seen.map((s) => [s.auth, s.cookie, s.body])).toEqual([
      [undefined, undefined, 'query=up'],
    ]);
  });

  it('follows ten redirects and refuses the eleventh', async () => {
    const hops = (n: number) =>
      serve('127.0.0.1', (req, res) => {
        const i = Number(req.url?.slice(1));
        if (i < n) redirect(302, `/${i + 1}`)(req, res);
        else ok(req, res);
      });
    const ten = await hops(10);
    expect(
      await (await httpTransport()(`${ten.url}/0`, { method: 'GET', headers: {} })).json(),
    ).toEqual(answer);
    const eleven = await hops(11);
    await expect(
      httpTransport()(`${eleven.url}/0`, { method: 'GET', headers: {} }),
    ).rejects.toThrow('stopped after 10 redirects');
    expect(eleven.seen).toHaveLength(11);
  });

  it('hands back a redirect without a Location as the answer it is', async () => {
    const prom = await serve('127.0.0.1', (_req, res) => res.writeHead(302).end('moved'));
    const res = await httpTransport()(`${prom.url}/api/v1/query`, { method: 'GET', headers: {} });
    expect([res.status, res.ok]).toEqual([302, false]);
    expect(prom.seen).toHaveLength(1);
  });
});
