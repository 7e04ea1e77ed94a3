// node:http servers a test file starts on loopback, as stand-ins for Prometheus, a proxy or an
// API server, and closed after each test (`afterEach(servers.closeAll)`), their open connections
// cut first: a request left unanswered would hold close() open.
import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface LocalServers {
  /** Starts a server on `host` (127.0.0.1) and answers its URL, `http://host:port`. */
  serve(handler: RequestListener, host?: string): Promise<string>;
  /** Closes every server started since the last call. */
  closeAll(): Promise<void>;
}

export function localServers(): LocalServers {
  const servers: Server[] = [];
  return {
    async serve(handler, host = '127.0.0.1') {
      const server = createServer(handler);
      servers.push(server);
      await new Promise<void>((r) => server.listen(0, host, r));
      return `http://${host}:${(server.address() as AddressInfo).port}`;
    },
    async closeAll() {
      await Promise.all(
        servers.splice(0).map(
          (s) =>
            new Promise<void>((r) => {
              s.closeAllConnections();
              s.close(() => r());
            }),
        ),
      );
    },
  };
}
