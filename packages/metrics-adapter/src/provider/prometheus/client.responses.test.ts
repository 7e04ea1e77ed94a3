// The Prometheus client against a stand-in written here that answers what Prometheus' HTTP API
// (web/api/v1/api.go) answers: error bodies and their status codes, each result type, native
// histogram samples, and the URL a --prometheus-url with a path and query parameters leads to.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createPrometheusClient } from './client';

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(
    servers.splice(0).map(
      (s) =>
        new Promise((r) => {
          s.closeAllConnections();
          s.close(r);
        }),
    ),
  );
});

interface Seen {
  method: string;
  url: string;
  type: string | undefined;
  body: string;
}

/** A server answering every request with `status` and `body`; what it was asked, in order. */
async function stub(status: number, body: string, type = 'application/json') {
  const seen: Seen[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let text = '';
    req.on('data', (c) => (text += c));
    req.on('end', () => {
      seen.push({
        method: req.method ?? '',
        url: req.url ?? '',
        type: req.headers['content-type'],
        body: text,
      });
      res.writeHead(status, { 'content-type': type });
      res.end(body);
    });
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

const vector = (result: unknown[]) =>
  JSON.stringify({ status: 'success', data: { resultType: 'vector', result } });

describe('the URL each call goes to', () => {
  it.each([
    ['GET', '/prefix/api/v1/query?dedup=false&query=up', ''],
    ['POST', '/prefix/api/v1/query?dedup=false', 'query=up'],
  ] as const)(
    'keeps the --prometheus-url path as a prefix and its query parameters, with %s',
    async (verb, url, body) => {
      const prom = await stub(200, vector([]));
      const client = createPrometheusClient({ url: `${prom.url}/prefix/?dedup=false`, verb });
      await client.query('up');
      expect(prom.seen).toEqual([
        {
          method: verb,
          url,
          type: verb === 'POST' ? 'application/x-www-form-urlencoded' : undefined,
          body,
        },
      ]);
    },
  );

  it('lists series under the prefix too, each match[] as its own parameter', async () => {
    const prom = await stub(200, JSON.stringify({ status: 'success', data: [] }));
    await createPrometheusClient({ url: `${prom.url}/thanos` }).series(['{a="1"}', '{b="2"}']);
    expect(prom.seen.map((s) => s.url)).toEqual([
      '/thanos/api/v1/series?match%5B%5D=%7Ba%3D%221%22%7D&match%5B%5D=%7Bb%3D%222%22%7D',
    ]);
  });
});

describe('--prometheus-header', () => {
  it('refuses a header Node could not send, when the client is made', () => {
    expect(() =>
      createPrometheusClient({
        url: 'http://127.0.0.1:9',
        headers: { 'X-Scope-OrgID: platform': '' },
      }),
    ).toThrow(
      '--prometheus-header "X-Scope-OrgID: platform": not a valid HTTP header name (write it Name=Value, not Name: Value)',
    );
    expect(() =>
      createPrometheusClient({ url: 'http://127.0.0.1:9', headers: { 'X-A': 'one\r\nX-B: two' } }),
    ).toThrow('--prometheus-header X-A: the value "one\\r\\nX-B: two" has a line break or NUL');
  });
});
