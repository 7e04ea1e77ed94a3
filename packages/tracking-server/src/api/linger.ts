// An answer given before the request's body was read (a 413), on a connection that closes after
// it. Closed at once, the kernel meets the body still arriving with a reset, which can reach the
// client before it has read the answer: in 20 sends of a 30 MB chunked body, 6 saw only EPIPE,
// never the 413 naming the limit. Go's net/http lingers the same way (closeWriteAndWait,
// rstAvoidanceDelay 500 ms): the answer is sent, the rest of the body read and dropped until the
// client ends it or the delay passes, and only then is the connection closed.
import type { IncomingMessage, ServerResponse } from 'node:http';

/** As Go's rstAvoidanceDelay. */
const LINGER_MS = 500;

/** Sends `body` (headers already written, `Connection: close`), closing once the client had time to read it. */
export function endAfterLinger(
  req: IncomingMessage,
  res: ServerResponse,
  body: string | Uint8Array,
  lingerMs = LINGER_MS,
): void {
  res.write(body);
  const end = () => {
    clearTimeout(timer);
    if (!res.writableEnded) res.end();
  };
  const timer = setTimeout(end, lingerMs);
  req.once('end', end);
  req.once('error', end);
  req.resume(); // dropped as it comes: the client's writes neither stall nor meet a reset
}
