// Closing a keep-alive HTTP server without cutting off what it was already sent, as a rolling
// update needs: new connections are refused, requests in flight are answered (their events
// commit first) with `Connection: close` so their clients send nothing more on that connection,
// idle connections are closed at once, and whatever is still open when the grace period ends is
// cut. node's server.close() alone keeps a kept-alive connection open until its client closes it
// or the keep-alive timeout (65 s) passes; closeAllConnections() alone resets requests in flight,
// and an SDK that sees a reset may drop the event it was sending. (The metrics adapter closes
// its server the same way, in its own src/api/drain.ts: the two are deployed apart, and no
// runtime package is shared between them.)
import type { Server, ServerResponse } from 'node:http';

/** Watches `server`'s requests; the function returned closes it as above. */
export function drainer(server: Server): (graceMs: number) => Promise<void> {
  let draining = false;
  const inFlight = new Set<ServerResponse>();
  const closeWhenIdle = () => setImmediate(() => server.closeIdleConnections());
  server.prependListener('request', (_req, res: ServerResponse) => {
    if (draining) res.setHeader('connection', 'close');
    inFlight.add(res);
    res.once('close', () => {
      inFlight.delete(res);
      // A response whose headers went out before the drain began kept its connection alive.
      if (draining) closeWhenIdle();
    });
  });
  return (graceMs) => {
    draining = true;
    for (const res of inFlight) if (!res.headersSent) res.setHeader('connection', 'close');
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    const cut = setTimeout(() => server.closeAllConnections(), graceMs);
    return closed.finally(() => clearTimeout(cut));
  };
}
