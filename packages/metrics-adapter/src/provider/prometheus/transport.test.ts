// The Prometheus transport against small node:http servers written here: uncompressed requests,
// compressed answers still read, and one retry when a kept-alive connection was closed under it.
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import { localServers } from '../../testing/local-servers';
import { freePort } from '../../testing/prometheus';
import { httpTransport } from './transport';

const servers = localServers();
const serve = servers.serve;
afterEach(servers.closeAll);

const answer = { status: 'success', data: { resultType: 'vector', result: [] } };

test('asks for an uncompressed answer and sends method, headers and body', async () => {
  let seen: { method?: string; encoding?: string; auth?: string; body: string } = { body: '' };
  const url = await serve((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      seen = {
        method: req.method,
        encoding: req.headers['accept-encoding'],
        auth: req.headers.authorization,
        body,
      };
      res.end(JSON.stringify(answer));
    });
  });
  const res = await httpTransport()(`${url}/api/v1/query`, {
    method: 'POST',
    headers: { authorization: 'Bearer t', 'content-type': 'application/x-www-form-urlencoded' },
    body: 'query=up',
  });
  expect(res.status).toBe(200);
  expect(res.ok).toBe(true);
  expect(await res.json()).toEqual(answer);
  expect(seen).toEqual({
    method: 'POST',
    encoding: 'identity',
    auth: 'Bearer t',
    body: 'query=up',
  });
});

test.each([
  ['gzip', gzipSync],
  ['deflate', deflateSync],
  ['br', brotliCompressSync],
])('reads a %s answer from a server that compresses anyway', async (encoding, compress) => {
  const url = await serve((_req, res) => {
    res.writeHead(200, { 'Content-Encoding': encoding, 'Content-Type': 'application/json' });
    res.end(compress(Buffer.from(JSON.stringify(answer))));
  });
  const res = await httpTransport()(`${url}/api/v1/query`, { method: 'GET', headers: {} });
  expect(await res.json()).toEqual(answer);
});

test('an error status is not ok and its body is still readable', async () => {
  const url = await serve((_req, res) => {
    res.writeHead(422, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ status: 'error', error: 'parse error at char 3' }));
  });
  const res = await httpTransport()(`${url}/api/v1/query`, { method: 'GET', headers: {} });
  expect(res.ok).toBe(false);
  expect(res.status).toBe(422);
  expect(await res.json()).toEqual({ status: 'error', error: 'parse error at char 3' });
});

test('retries once on a new connection when the kept-alive one was closed', async () => {
  let requests = 0;
  const url = await serve((req, res) => {
    requests += 1;
    // The second request arrives on the kept-alive socket: drop it without answering, as a
    // server does that closed an idle connection the client was about to reuse.
    if (requests === 2) req.socket.destroy();
    else res.end(JSON.stringify(answer));
  });
  const transport = httpTransport();
  expect(await (await transport(`${url}/a`, { method: 'GET', headers: {} })).json()).toEqual(
    answer,
  );
  expect(await (await transport(`${url}/b`, { method: 'GET', headers: {} })).json()).toEqual(
    answer,
  );
  expect(requests).toBe(3);
});

test('a refused connection is an error, not a retry loop', async () => {
  const url = `http://127.0.0.1:${await freePort()}`; // nothing listens there
  await expect(httpTransport()(`${url}/x`, { method: 'GET', headers: {} })).rejects.toMatchObject({
    code: 'ECONNREFUSED',
  });
});

test('reads a large series answer giving the event loop turns, not in one parse', async () => {
  // 60,000 series, ~7 MB: past the size read in slices (json-slices.ts).
  const data = Array.from({ length: 60_000 }, (_, i) => ({
    __name__: 'container_memory_working_set_bytes',
    container: 'main',
    namespace: `ns-${i % 200}`,
    pod: `web-${i}`,
  }));
  const body = JSON.stringify({ status: 'success', data });
  expect(body.length).toBeGreaterThan(4 << 20);
  const url = await serve((_req, res) => res.end(body));
  const res = await httpTransport()(`${url}/api/v1/series`, { method: 'GET', headers: {} });
  // The body read to its end first (it arrives over turns of its own): what is counted below is
  // the parse alone.
  await new Promise((r) => setTimeout(r, 300));
  // Checked each turn of the event loop while the answer is read: one parse of the whole body
  // resolves before any runs.
  let turns = 0;
  let reading = true;
  const count = () => {
    if (!reading) return;
    turns++;
    setImmediate(count);
  };
  setImmediate(count);
  const parsed = await res.json();
  reading = false;
  expect(parsed).toEqual({ status: 'success', data });
  expect(turns).toBeGreaterThanOrEqual(5);
});
