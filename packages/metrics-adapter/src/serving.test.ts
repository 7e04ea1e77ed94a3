// The HTTPS server's connection limits, as k8s.io/apiserver's SecureServingInfo.Serve sets them
// on its http.Server: MaxHeaderBytes 1 << 20, ReadHeaderTimeout 32 s, IdleTimeout 90 s.
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseFlags } from './flags';
import { startAdapter, type RunningAdapter } from './main';
import { memoryLogger } from './telemetry/logger';

let dir: string;
let adapter: RunningAdapter;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'beacon-serving-'));
  adapter = await startAdapter(
    parseFlags([
      // Nothing listens there: health is the server's own, which is all these tests ask.
      '--prometheus-url=http://127.0.0.1:1',
      '--secure-port=0',
      '--bind-address=127.0.0.1',
      `--cert-dir=${dir}`,
      '--insecure-serve-anonymous',
    ]),
    { logger: memoryLogger(), inCluster: null, env: {} },
  );
});
afterAll(async () => {
  await adapter.close();
  rmSync(dir, { recursive: true, force: true });
});

/** The status of GET /healthz with one extra header of `bytes` bytes. */
const statusWithHeader = (bytes: number) =>
  new Promise<number>((resolve, reject) => {
    const req = request(
      `${adapter.url}/healthz`,
      { rejectUnauthorized: false, agent: false, headers: { 'x-padding': 'a'.repeat(bytes) } },
      (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      },
    );
    req.on('error', reject);
    req.end();
  });

it('takes request headers up to 1 MiB, as Go with MaxHeaderBytes 1 << 20 does', async () => {
  // 64 KiB: a front-proxy request for a user in many groups; Node's default limit is 16 KiB.
  expect(await statusWithHeader(64 * 1024)).toBe(200);
  expect(await statusWithHeader(1_000_000)).toBe(200);
});

it('answers a request with a 2 MB header 431 Request Header Fields Too Large', async () => {
  expect(await statusWithHeader(2_000_000)).toBe(431);
});

it('closes a connection that has not sent its headers after 32 s, and an idle one after 90 s', () => {
  expect(adapter.server.headersTimeout).toBe(32_000);
  expect(adapter.server.keepAliveTimeout).toBe(90_000);
});
