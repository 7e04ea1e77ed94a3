// A request Node's parser refuses before the app sees it (a request line and headers past
// Node's 16 KiB, a malformed request line) is answered with the status Node gives it, but with a
// JSON body in the REST API's error shape: the requests that grow that large are the REST API's
// (a long `q`, a filter's hundred values), and through Grafana's proxy the plugin showed a bare
// 431 with no reason. X-Sentry-Error says the same to a Sentry SDK.
//
// The connection is then half-closed and drained, not destroyed at once: destroyed with the
// client still sending, the kernel met its bytes with a reset that could reach the client before
// the answer did (the metrics adapter's src/client-error.ts does the same, after Go's net/http).
import type { Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { ApiErrorBody } from './wire';

/** Node's default maxHeaderSize, which this server keeps (`node --max-http-header-size`). */
const HEADER_LIMIT = '16 KiB';

const ANSWERS: Record<string, [status: string, error: string]> = {
  HPE_HEADER_OVERFLOW: [
    '431 Request Header Fields Too Large',
    `the request line and headers are over ${HEADER_LIMIT}: send a shorter query (q, or fewer filter values)`,
  ],
  HPE_CHUNK_EXTENSIONS_OVERFLOW: ['413 Payload Too Large', 'chunk extensions are too large'],
};

/** As Go's rstAvoidanceDelay. */
const LINGER_MS = 500;

export function answerClientErrors(server: Server): void {
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
    if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT' || err.code === 'ECONNRESET') {
      socket.destroy();
      return;
    }
    if (socket.writable && (socket as { bytesWritten?: number }).bytesWritten === 0) {
      const [status, error] = ANSWERS[err.code ?? ''] ?? [
        '400 Bad Request',
        `malformed HTTP request: ${err.message.replace(/[^\x20-\x7e]/g, '?')}`,
      ];
      const body = JSON.stringify({ error } satisfies ApiErrorBody);
      socket.end(
        `HTTP/1.1 ${status}\r\nContent-Type: application/json; charset=utf-8\r\n` +
          `Content-Length: ${Buffer.byteLength(body)}\r\nX-Sentry-Error: ${error}\r\n` +
          `Connection: close\r\n\r\n${body}`,
      );
    }
    const close = () => {
      clearTimeout(timer);
      socket.destroy();
    };
    const timer = setTimeout(close, LINGER_MS);
    socket.once('end', close);
    socket.once('error', close);
    socket.resume(); // what the client still sends is dropped
  });
}
