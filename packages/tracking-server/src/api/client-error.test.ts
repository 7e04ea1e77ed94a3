// What a request Node's HTTP parser refuses is answered, on a running tracker, over a raw socket.
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serve, type RunningTracker } from '../main';
import { silentLogger } from '../telemetry/logger';

let dir: string;
let tracker: RunningTracker;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'beacon-client-error-'));
  tracker = await serve({ port: 0, host: '127.0.0.1', dataDir: dir, logger: silentLogger });
});
afterAll(async () => {
  await tracker.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Sends `request` as is and reads until the server closes the connection. */
const raw = (request: string) =>
  new Promise<{ head: string; body: string }>((resolve, reject) => {
    const socket = connect(tracker.port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', reject);
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const at = text.indexOf('\r\n\r\n');
      resolve({ head: text.slice(0, at), body: text.slice(at + 4) });
    });
    socket.end(request);
  });

it('answers a request line past 16 KiB (a long q) 431, saying why in the REST API’s error shape', async () => {
  const { head, body } = await raw(
    `GET /api/v1/issues?q=${'a'.repeat(20_000)} HTTP/1.1\r\nHost: tracker\r\n\r\n`,
  );
  expect(head).toMatch(/^HTTP\/1\.1 431 Request Header Fields Too Large\r\n/);
  expect(head).toMatch(/\r\nContent-Type: application\/json/i);
  expect(head).toMatch(/\r\nX-Sentry-Error: the request line and headers are over 16 KiB/);
  expect(JSON.parse(body)).toEqual({ error: expect.stringContaining('over 16 KiB') });
});

it('answers a malformed request 400 with a JSON error naming the fault, and keeps serving', async () => {
  const { head, body } = await raw('GET / HTTP/1.1\r\nHost: tracker\r\nBad Header\r\n\r\n');
  expect(head).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
  expect((JSON.parse(body) as { error: string }).error).toMatch(/^malformed HTTP request: \S/);
  const health = await fetch(`${tracker.url}/healthz`);
  expect(await health.text()).toBe('ok');
});
