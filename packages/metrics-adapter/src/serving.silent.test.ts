// A connection that completes its TLS handshake and then says nothing: Go's http.Server (which
// k8s.io/apiserver's SecureServingInfo.Serve gives ReadHeaderTimeout 32 s) sets that deadline
// right after the handshake (net/http conn.serve) and, when it passes, closes the connection
// without a word (a read that timed out is not answered). Here the timeout is shortened to 1 s.
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

/**
 * Milliseconds until `socket` closes and what it was sent before, or `undefined` if it is still
 * open after `withinMs`. The socket is read, so its end is seen whether or not bytes came first.
 */
const closesWithin = (socket: TLSSocket, withinMs: number) =>
  new Promise<{ afterMs: number; received: string } | undefined>((resolve) => {
    const started = Date.now();
    let received = '';
    const timer = setTimeout(() => resolve(undefined), withinMs);
    socket.on('error', () => undefined);
    socket.on('data', (chunk: Buffer) => (received += chunk.toString()));
    socket.once('close', () => {
      clearTimeout(timer);
      resolve({ afterMs: Date.now() - started, received });
    });
  });

it('closes a connection that sends no request within the read-header timeout, unanswered, as Go does', async () => {
  const socket = await open();
  // The window only bounds a connection that stays open; a close ends the wait at once.
  const closed = await closesWithin(socket, 30_000);
  socket.destroy();
  expect(closed).toBeDefined();
  expect(closed?.afterMs).toBeGreaterThanOrEqual(TIMEOUT_MS - 100);
  expect(closed?.received).toBe('');
});

it('closes a connection whose request headers do not end within that timeout, unanswered', async () => {
  const socket = await open();
  socket.write('GET /healthz HTTP/1.1\r\nHost: localhost\r\n');
  const closed = await closesWithin(socket, 30_000);
  socket.destroy();
  expect(closed).toBeDefined();
  expect(closed?.afterMs).toBeGreaterThanOrEqual(TIMEOUT_MS - 100);
  expect(closed?.received).toBe('');
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
  // Idle for twice the timeout: keepAliveTimeout (90 s) governs it now, not the read-header one.
  const closedAfter = await closesWithin(socket, TIMEOUT_MS * 2);
  expect(closedAfter).toBeUndefined();
  socket.destroy();
});
