// A connection that completes its TLS handshake and then says nothing: Go's http.Server (which
// k8s.io/apiserver's SecureServingInfo.Serve gives ReadHeaderTimeout 32 s) sets that deadline
// right after the handshake (net/http conn.serve), so such a connection is closed; Node's
// headersTimeout only starts with a request's first byte. Here the timeout is shortened to 1 s.
import { connect, type TLSSocket } from 'node:tls';
import { startOfflineAdapter, type OfflineAdapter } from './testing/offline-adapter';

const TIMEOUT_MS = 1_000;
let running: OfflineAdapter;
beforeAll(async () => {
  running = await startOfflineAdapter([], { readHeaderTimeoutMs: TIMEOUT_MS });
});
afterAll(() => running.close());

/** A TLS connection to the adapter, once its handshake is done. */
const open = () =>
  new Promise<TLSSocket>((resolve, reject) => {
    const socket = connect({
      host: '127.0.0.1',
      port: running.adapter.port,
      ca: running.ca,
      servername: 'localhost',
    });
    socket.once('secureConnect', () => resolve(socket));
    socket.once('error', reject);
  });

/** Milliseconds until `socket` closes, or `undefined` if it is still open after `withinMs`. */
const closesWithin = (socket: TLSSocket, withinMs: number) =>
  new Promise<number | undefined>((resolve) => {
    const started = Date.now();
    const timer = setTimeout(() => resolve(undefined), withinMs);
    socket.on('error', () => undefined);
    socket.once('close', () => {
      clearTimeout(timer);
      resolve(Date.now() - started);
    });
  });

it('closes a connection that sends no request within the read-header timeout, as Go does', async () => {
  const socket = await open();
  const closedAfter = await closesWithin(socket, TIMEOUT_MS * 5);
  socket.destroy();
  expect(closedAfter).toBeDefined();
  expect(closedAfter).toBeGreaterThanOrEqual(TIMEOUT_MS - 100);
});

it('keeps a connection whose first request came in time, idle past that timeout', async () => {
  const socket = await open();
  const answered = new Promise<string>((resolve) => {
    let text = '';
    socket.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      if (text.endsWith('ok')) resolve(text);
    });
  });
  socket.write('GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n');
  expect(await answered).toMatch(/^HTTP\/1\.1 200 /);
  // Idle for twice the timeout: keepAliveTimeout (90 s) governs it now, not the first-request timer.
  const closedAfter = await closesWithin(socket, TIMEOUT_MS * 2);
  expect(closedAfter).toBeUndefined();
  socket.destroy();
});
