// The bench's Go client (client/main.go) against small servers here: what it sends (the client
// certificate, the headers, gzip asked for), how it reads answers, and that it refuses an answer
// that is not what the case expects, rather than timing it.
import {
  createServer as createHttp,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttps } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { gzipSync } from 'node:zlib';
import { createPki, type Pki } from '../testing/pki';
import { startMeasurer, summarise, type Measurer } from './measure';

const BODY = Buffer.from(`{"items":[${'"x",'.repeat(5000)}"collab-01499"]}`);

interface Seen {
  readonly path: string;
  readonly cn?: string;
  readonly user?: string;
  readonly encoding?: string;
}

/** Answers BODY (gzipped when asked, except on /plain), 500 on /fail; records each request. */
function answer(seen: Seen[]) {
  return (req: IncomingMessage, res: ServerResponse) => {
    const socket = req.socket as Partial<TLSSocket>;
    const peer = socket.getPeerCertificate?.();
    seen.push({
      path: req.url ?? '',
      ...(peer?.subject ? { cn: peer.subject.CN as string } : {}),
      ...(req.headers['x-remote-user'] ? { user: req.headers['x-remote-user'] as string } : {}),
      ...(req.headers['accept-encoding'] ? { encoding: req.headers['accept-encoding'] } : {}),
    });
    if (req.url === '/fail') {
      res.writeHead(500).end('it broke');
      return;
    }
    const gzip = req.headers['accept-encoding'] === 'gzip' && req.url !== '/plain';
    const body = gzip ? gzipSync(BODY) : BODY;
    res.writeHead(200, {
      'content-length': body.length,
      ...(gzip ? { 'content-encoding': 'gzip' } : {}),
    });
    res.end(body);
  };
}

const listen = async (server: Server) => {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return (server.address() as AddressInfo).port;
};

describe("the bench's measuring client", () => {
  let pki: Pki;
  let measurer: Measurer | undefined;
  const servers: Server[] = [];
  beforeAll(() => {
    pki = createPki();
  });
  afterEach(async () => {
    measurer?.close();
    measurer = undefined;
    for (const s of servers.splice(0)) {
      s.closeAllConnections();
      await new Promise((r) => s.close(r));
    }
  });
  afterAll(() => pki.remove());

  it('times every case once a round, over TLS with the client certificate and headers given', async () => {
    const ca = pki.ca('ca');
    const serving = pki.server(ca, 'server');
    const proxy = pki.client(ca, 'proxy', '/CN=front-proxy-client');
    const seen: Seen[] = [];
    const tls = createHttps(
      { cert: serving.cert, key: serving.key, ca: ca.cert, requestCert: true },
      answer(seen),
    );
    const plain = createHttp(answer(seen));
    servers.push(tls, plain);
    const [tlsPort, plainPort] = [await listen(tls), await listen(plain)];
    measurer = await startMeasurer({
      clients: {
        aggregator: {
          ca: ca.cert,
          cert: proxy.cert,
          key: proxy.key,
          headers: { 'X-Remote-User': 'hpa' },
        },
        prometheus: {},
      },
      cases: [
        {
          name: 'tls',
          client: 'aggregator',
          url: `https://127.0.0.1:${tlsPort}/tls`,
          expect: 'collab-01499',
        },
        {
          name: 'gzip',
          client: 'aggregator',
          url: `https://127.0.0.1:${tlsPort}/gzip`,
          gzip: true,
          expect: 'collab-01499',
        },
        {
          name: 'parsed',
          client: 'prometheus',
          url: `http://127.0.0.1:${plainPort}/parsed`,
          parse: true,
        },
      ],
    });
    const times = await measurer.rounds(30);
    expect(times.map((t) => t.length)).toEqual([30, 30, 30]);
    for (const t of times.flat()) expect(t).toBeGreaterThan(0);
    expect(summarise(times[0] as number[]).max).toBe(Math.max(...(times[0] as number[])));
    // Every round asks each case once, in an order of its own: within the rounds, each case
    // comes right after each other one. A fixed rotation (tls, gzip, parsed; then gzip, parsed,
    // tls; …) would only ever put gzip after tls, parsed after gzip and tls after parsed.
    const paths = seen.map((s) => s.path);
    const following = new Set<string>();
    for (let r = 0; r < 30; r++) {
      const round = paths.slice(r * 3, r * 3 + 3);
      expect([...round].sort()).toEqual(['/gzip', '/parsed', '/tls']);
      following.add(`${round[0]} → ${round[1]}`).add(`${round[1]} → ${round[2]}`);
    }
    expect([...following].sort()).toEqual([
      '/gzip → /parsed',
      '/gzip → /tls',
      '/parsed → /gzip',
      '/parsed → /tls',
      '/tls → /gzip',
      '/tls → /parsed',
    ]);
    expect(seen.find((s) => s.path === '/tls')).toEqual({
      path: '/tls',
      cn: 'front-proxy-client',
      user: 'hpa',
    });
    expect(seen.find((s) => s.path === '/gzip')).toMatchObject({ encoding: 'gzip' });
    expect(seen.find((s) => s.path === '/parsed')).toEqual({ path: '/parsed' });
  });

  it.each([
    ['/plain', { gzip: true }, /the answer was not gzipped/],
    ['/tls', { expect: 'collab-99999' }, /incomplete answer/],
    ['/fail', {}, /GET http:\/\/127\.0\.0\.1:\d+\/fail: 500: it broke/],
    ['/tls', { parse: true, expect: 'nothing' }, /incomplete answer/],
  ])('refuses to time an answer that is not what %s %j expects', async (path, extra, message) => {
    const server = createHttp(answer([]));
    servers.push(server);
    const port = await listen(server);
    measurer = await startMeasurer({
      clients: { c: {} },
      cases: [{ name: 'case', client: 'c', url: `http://127.0.0.1:${port}${path}`, ...extra }],
    });
    await expect(measurer.rounds(1)).rejects.toThrow(message);
  });

  it('refuses a plan whose case names no client', async () => {
    await expect(
      startMeasurer({ clients: {}, cases: [{ name: 'lost', client: 'nobody', url: 'http://x/' }] }),
    ).rejects.toThrow(/case "lost": no client "nobody"/);
  });
});
