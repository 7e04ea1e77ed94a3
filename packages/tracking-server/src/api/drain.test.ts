import { createServer, type ServerResponse } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { drainer } from './drain';

/** A server whose handler hands each response to the test; and a raw connection to it. */
async function setup() {
  const responses: ServerResponse[] = [];
  const server = createServer(
    { keepAliveTimeout: 65_000 },
    (_req, res) => void responses.push(res),
  );
  const drain = drainer(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const socket = connect((server.address() as AddressInfo).port, '127.0.0.1');
  let received = '';
  socket.setEncoding('latin1').on('data', (d: string) => (received += d));
  socket.on('error', () => undefined);
  const closed = new Promise<number>((r) => socket.on('close', () => r(Date.now())));
  socket.write('GET / HTTP/1.1\r\nHost: t\r\n\r\n');
  while (responses.length === 0) await new Promise((r) => setTimeout(r, 5));
  return { drain, response: responses[0] as ServerResponse, closed, received: () => received };
}

describe('drainer', () => {
  it('closes a connection whose response began before the drain once that response ends', async () => {
    const { drain, response, closed, received } = await setup();
    response.writeHead(200, { 'content-type': 'text/plain' });
    response.write('first part, ');
    await new Promise((r) => setTimeout(r, 50));
    const start = Date.now();
    const drained = drain(10_000);
    setTimeout(() => response.end('last part'), 100);
    await drained;
    // Room for a busy machine, still under the 10 s grace period it must not wait out.
    expect((await closed) - start).toBeLessThan(8_000);
    expect(received()).toContain('Connection: keep-alive'); // sent before the drain began
    expect(received()).toMatch(/first part, .*last part/s);
  });

  it('cuts a connection still open when the grace period ends', async () => {
    const { drain, closed } = await setup(); // its handler never answers
    const start = Date.now();
    await drain(300);
    const at = (await closed) - start;
    expect(at).toBeGreaterThanOrEqual(250);
    expect(at).toBeLessThan(8_000);
  });
});
