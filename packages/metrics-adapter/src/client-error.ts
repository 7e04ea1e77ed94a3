// A request Node's parser refuses before the app sees it (headers past 1 MiB, a malformed
// request line) is answered as Node answers it by default, but the connection is then
// half-closed and drained, not destroyed at once. Destroyed with the client still sending (a
// 2 MB header), the kernel met its bytes with a reset, which could reach the client before the
// 431 did: CI saw "socket hang up". Go's net/http closes the same way (closeWriteAndWait,
// rstAvoidanceDelay 500 ms). Headers not in within the read-header timeout are not answered:
// Go's conn.serve sends nothing after a read that timed out (isCommonNetReadError) and closes
// the connection, where Node would answer 408.
import type { Server } from 'node:https';
import type { Duplex } from 'node:stream';

/** Node's own answers (lib/_http_server.js socketOnError). */
const ANSWERS: Record<string, string> = {
  HPE_HEADER_OVERFLOW: '431 Request Header Fields Too Large',
  HPE_CHUNK_EXTENSIONS_OVERFLOW: '413 Payload Too Large',
};

/** As Go's rstAvoidanceDelay. */
const LINGER_MS = 500;

export function answerClientErrorsThenLinger(server: Server): void {
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
    if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT') {
      socket.destroy();
      return;
    }
    if (socket.writable && (socket as { bytesWritten?: number }).bytesWritten === 0) {
      const status = ANSWERS[err.code ?? ''] ?? '400 Bad Request';
      socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\n\r\n`);
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
