// The HTTPS server's connection limits, as k8s.io/apiserver's SecureServingInfo.Serve sets them
// on its http.Server: MaxHeaderBytes 1 << 20, ReadHeaderTimeout 32 s, IdleTimeout 90 s.
import { httpsStatus } from './testing/https';
import { startOfflineAdapter, type OfflineAdapter } from './testing/offline-adapter';

// Health is the server's own, which is all these tests ask: no Prometheus is needed.
let running: OfflineAdapter;
beforeAll(async () => {
  running = await startOfflineAdapter();
});
afterAll(() => running.close());

/** The status of GET /healthz with one extra header of `bytes` bytes. */
const statusWithHeader = (bytes: number) =>
  httpsStatus(`${running.adapter.url}/healthz`, {
    ca: running.ca,
    headers: { 'x-padding': 'a'.repeat(bytes) },
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
  expect(running.adapter.server.headersTimeout).toBe(32_000);
  expect(running.adapter.server.keepAliveTimeout).toBe(90_000);
});
