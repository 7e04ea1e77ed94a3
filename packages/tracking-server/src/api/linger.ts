// An answer given before the request's body was read (an ingest 413, a REST 401), on a connection
// that closes after it. Closed at once, the kernel meets the body still arriving with a reset,
// which can reach the client before it has read the answer: in 20 sends of a 30 MB chunked body,
// 6 saw only EPIPE, never the 413 naming the limit. Go's net/http lingers the same way
// (closeWriteAndWait, rstAvoidanceDelay 500 ms): the answer is sent, the rest of the body read
// and dropped until the client ends it or the delay passes, and only then is the connection
// closed.
import type { IncomingMessage, ServerResponse } from 'node:http';

/** As Go's rstAvoidanceDelay. */
const LINGER_MS = 500;

/** Reads and drops the rest of `req`'s body, then calls `end` once: at its end, or after lingerMs. */
function lingerThen(req: IncomingMessage, end: () => void, lingerMs: number): void {
  let ended = false;
  const once = () => {
    clearTimeout(timer);
    if (ended) return;
    ended = true;
    end();
  };
  const timer = setTimeout(once, lingerMs);
  req.once('end', once);
  req.once('error', once);
  req.resume(); // dropped as it comes: the client's writes neither stall nor meet a reset
}

/** Sends `body` (headers already written, `Connection: close`), closing once the client had time to read it. */
export function endAfterLinger(
  req: IncomingMessage,
  res: ServerResponse,
  body: string | Uint8Array,
  lingerMs = LINGER_MS,
): void {
  res.write(body);
  lingerThen(req, () => void (res.writableEnded || res.end()), lingerMs);
}

/** Whether `req` says it has a body (RFC 9112 §6.3: Transfer-Encoding, or a Content-Length above 0). */
const hasBody = (req: IncomingMessage) =>
  req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;

/**
 * Whether an answer given now comes before `req`'s body has arrived whole, on a connection that
 * closes after it (the client sent `Connection: close`, or HTTP/1.0): one to send with
 * endAfterLinger. On a connection kept alive, Node reads and drops the rest of the body itself.
 */
export const answersBeforeBody = (req: IncomingMessage, res: ServerResponse): boolean =>
  !req.complete && !res.shouldKeepAlive && hasBody(req);

/** Answers lingerBeforeBody has taken: each once (the REST API's router asks again). */
const lingering = new WeakSet<ServerResponse>();

/**
 * Has the answer `res` ends with linger as endAfterLinger's when it is given before `req`'s body
 * has arrived whole, on a connection that closes after it: for a framework that answers through
 * `res.end` (express's 401, 404, 405 or 415 before its body parser reads anything). Node closes
 * such a connection at once (a kept-alive one it keeps, reading the rest of the body itself): a
 * client that sent `Connection: close` (HTTP/1.0, nginx's proxy_pass by default) and reads the
 * answer only once it has sent its whole body met EPIPE in each of 20 sends of 30 MB. An answer
 * given once the body was read, or on a connection kept alive, ends as it would.
 */
export function lingerBeforeBody(
  req: IncomingMessage,
  res: ServerResponse,
  lingerMs = LINGER_MS,
): void {
  if (!hasBody(req) || req.complete || lingering.has(res)) return;
  lingering.add(res);
  const end = res.end.bind(res) as (...args: unknown[]) => ServerResponse;
  res.end = ((chunk?: unknown, encoding?: unknown, done?: unknown) => {
    const last = !res.shouldKeepAlive || /\bclose\b/i.test(String(res.getHeader('connection')));
    if (req.complete || !last) return end(chunk, encoding, done);
    // end(done), end(chunk, done), end(chunk, encoding, done)
    if (typeof chunk === 'function') [done, chunk] = [chunk, undefined];
    else if (typeof encoding === 'function') [done, encoding] = [encoding, undefined];
    if (!res.headersSent) res.setHeader('Connection', 'close');
    if (chunk !== undefined && chunk !== null)
      res.write(chunk as string | Uint8Array, encoding as BufferEncoding);
    lingerThen(req, () => void end(done), lingerMs);
    return res;
  }) as ServerResponse['end'];
}
