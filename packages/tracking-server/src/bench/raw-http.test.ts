import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createTcpServer, type AddressInfo } from 'node:net';
import { RawHttpConnection } from './raw-http';

const listen = (server: Server | ReturnType<typeof createTcpServer>) =>
  new Promise<number>((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)),
  );

it('sends each request on one kept-alive connection and reads each answer’s status and body', async () => {
  const seen: { method?: string; url?: string; type?: string; body: string }[] = [];
  let connections = 0;
  const server = createHttpServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString();
      seen.push({ method: req.method, url: req.url, type: req.headers['content-type'], body });
      const answer = JSON.stringify({ got: body.length });
      res.writeHead(body === 'too big' ? 413 : 200, { 'content-length': answer.length });
      res.end(answer);
    });
  });
  server.on('connection', () => connections++);
  const port = await listen(server);
  const c = new RawHttpConnection(port);
  try {
    expect(await c.post('/api/1/envelope/?k=v', 'text/plain', Buffer.from('one'))).toBe(200);
    expect(c.lastBody.toString()).toBe('{"got":3}');
    expect(await c.post('/api/1/envelope/', 'text/plain', Buffer.from('too big'))).toBe(413);
    expect(c.lastBody.toString()).toBe('{"got":7}');
    expect(await c.post('/x', 'application/json', Buffer.from('ünï'))).toBe(200);
    expect(c.lastBody.toString()).toBe('{"got":3}');
  } finally {
    c.close();
    server.close();
  }
  expect(connections).toBe(1);
  expect(seen).toEqual([
    { method: 'POST', url: '/api/1/envelope/?k=v', type: 'text/plain', body: 'one' },
    { method: 'POST', url: '/api/1/envelope/', type: 'text/plain', body: 'too big' },
    { method: 'POST', url: '/x', type: 'application/json', body: 'ünï' },
  ]);
});

it('reads an answer that arrives a few bytes at a time, and one closed before it ends as 0', async () => {
  const answers = [
    'HTTP/1.1 429 Too Many Requests\r\nContent-Length: 5\r\nRetry-After: 1\r\n\r\nslow!',
    'HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\ncut',
  ];
  const server = createTcpServer((socket) => {
    socket.on('data', async () => {
      const text = answers.shift() as string;
      // The last answer is cut short: the connection closes before its body's 10 bytes.
      if (answers.length === 0) return void socket.end(text);
      for (let i = 0; i < text.length; i += 3) {
        socket.write(text.slice(i, i + 3));
        await new Promise((r) => setTimeout(r, 1));
      }
    });
  });
  const port = await listen(server);
  const c = new RawHttpConnection(port);
  try {
    expect(await c.post('/', 'text/plain', Buffer.from('a'))).toBe(429);
    expect(c.lastBody.toString()).toBe('slow!');
    expect(await c.post('/', 'text/plain', Buffer.from('b'))).toBe(0);
  } finally {
    c.close();
    server.close();
  }
});

it('sends the extra header lines given with a request, and refuses one that is not a header line', async () => {
  const seen: unknown[][] = [];
  const server = createHttpServer((req, res) => {
    seen.push([req.headers.authorization, req.headers['x-one'], req.headers['content-type']]);
    req.resume();
    req.on('end', () => res.writeHead(204, { 'content-length': 0 }).end());
  });
  const port = await listen(server);
  const c = new RawHttpConnection(port);
  try {
    const headers = ['Authorization: Bearer k1', 'X-One: 1'];
    expect(await c.post('/v1/traces', 'application/json', Buffer.from('{}'), headers)).toBe(204);
    expect(await c.post('/v1/traces', 'application/x-protobuf', Buffer.alloc(0))).toBe(204);
    expect(() => c.post('/', 'text/plain', Buffer.alloc(0), ['X-Two: 2\r\nX-Three: 3'])).toThrow(
      'not an HTTP header line: "X-Two: 2\\r\\nX-Three: 3"',
    );
  } finally {
    c.close();
    server.close();
  }
  expect(seen).toEqual([
    ['Bearer k1', '1', 'application/json'],
    [undefined, undefined, 'application/x-protobuf'],
  ]);
});
