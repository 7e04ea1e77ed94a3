// node:http servers a test file starts on loopback, as stand-ins for Prometheus, a proxy or an
// API server: each is closed after every test, its open connections cut first (a request left
// unanswered would hold close() open).
import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * Registers the closing with jest's afterEach (call it once, at the top of a test file) and
 * answers a `serve(handler, host)` that starts a server and answers its URL, `http://host:port`.
 */
export function localServers(): (handler: RequestListener, host?: string) => Promise<string> {
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
  return async (handler, host = '127.0.0.1') => {
    const server = createServer(handler);
    servers.push(server);
    await new Promise<void>((r) => server.listen(0, host, r));
    return `http://${host}:${(server.address() as AddressInfo).port}`;
  };
}
