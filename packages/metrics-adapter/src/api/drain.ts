// Closing a keep-alive HTTPS server as Go's http.Server.Shutdown closes k8s.io/apiserver's:
// new connections are refused, requests in flight are answered with `Connection: close` so their
// clients send nothing more on that connection, idle connections are closed at once, and whatever
// is still open when the grace period ends is cut. node's server.close() alone keeps a kept-alive
// connection open until its client closes it; closeAllConnections() alone resets requests in
// flight, which the aggregator turns into 503s for the HPA. (The tracking server closes its
// server the same way, in its own src/api/drain.ts: the two are deployed apart.)
//
// Nothing is done per request until the drain begins: connections are tracked as they open (a
// few a minute), and a connection's response in flight is node's `socket._httpMessage`, as
// http-terminator reads it. Without it (a node that renamed it), a request in flight is still
// answered, with `keep-alive`, and its connection cut when the grace period ends.
import type { ServerResponse } from 'node:http';
import type { Server } from 'node:https';
import type { TLSSocket } from 'node:tls';

/** Watches `server`'s connections; the function returned closes it as above. */
export function drainer(server: Server): (graceMs: number) => Promise<void> {
  const sockets = new Set<TLSSocket>();
  // The TLS socket is the one that carries HTTP (and a response in flight).
  server.on('secureConnection', (socket: TLSSocket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  return (graceMs) => {
    const closeWhenIdle = () => setImmediate(() => server.closeIdleConnections());
    // Requests read from now on are the last of their connections.
    server.prependListener('request', (_req, res: ServerResponse) =>
      res.setHeader('connection', 'close'),
    );
    for (const socket of sockets) {
      const res = (socket as TLSSocket & { _httpMessage?: ServerResponse })._httpMessage;
      if (!res) continue;
      if (!res.headersSent) res.setHeader('connection', 'close');
      // Its headers went out with `keep-alive`: the connection is idle once it ends.
      else res.once('close', closeWhenIdle);
    }
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    const cut = setTimeout(() => server.closeAllConnections(), graceMs);
    return closed.finally(() => clearTimeout(cut));
  };
}
