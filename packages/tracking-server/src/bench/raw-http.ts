// The load generator's HTTP/1.1 client: one keep-alive connection over a raw socket, one request
// at a time, as wrk and autocannon send theirs. It shares the machine's two cores with the server
// it measures, so it spends as little CPU per request as it can: the request head is one string,
// head and body leave in one write, and of each answer only the status line and Content-Length
// are read (the servers it measures always send one); the body is kept as a view, not parsed.
import { connect, type Socket } from 'node:net';

const HEAD_END = Buffer.from('\r\n\r\n');
const CONTENT_LENGTH = /\r\ncontent-length:\s*(\d+)/i;

export class RawHttpConnection {
  private socket: Socket | undefined;
  private received: Buffer = Buffer.alloc(0);
  private waiting: ((status: number) => void) | undefined;
  /** The body of the last answer read (a view of the bytes received, not a copy). */
  lastBody: Buffer = Buffer.alloc(0);

  constructor(
    private readonly port: number,
    private readonly host = '127.0.0.1',
  ) {}

  /**
   * POSTs `body` to `path`, with `headers` (`Name: value` lines, e.g. `Authorization: Bearer k`)
   * besides the usual ones; resolves with the answer's status, or 0 when the connection failed.
   */
  post(
    path: string,
    contentType: string,
    body: Buffer,
    headers: readonly string[] = [],
  ): Promise<number> {
    const extra = headers.map((line) => {
      if (!/^[!#-'*+.0-9A-Z^-z|~-]+: [\x20-\x7e]*$/.test(line))
        throw new Error(`not an HTTP header line: ${JSON.stringify(line)}`);
      return `${line}\r\n`;
    });
    const socket = (this.socket ??= this.open());
    return new Promise<number>((resolve) => {
      this.waiting = resolve;
      socket.cork();
      socket.write(
        `POST ${path} HTTP/1.1\r\nHost: ${this.host}:${this.port}\r\nContent-Type: ${contentType}\r\nContent-Length: ${body.length}\r\n${extra.join('')}\r\n`,
        'latin1',
      );
      socket.write(body);
      socket.uncork();
    });
  }

  close(): void {
    this.socket?.destroy();
  }

  private open(): Socket {
    const socket = connect(this.port, this.host);
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.read(chunk));
    const fail = () => {
      this.socket = undefined;
      this.received = Buffer.alloc(0);
      this.answer(0);
    };
    socket.on('error', fail);
    socket.on('close', fail);
    return socket;
  }

  private read(chunk: Buffer): void {
    this.received = this.received.length === 0 ? chunk : Buffer.concat([this.received, chunk]);
    const headEnd = this.received.indexOf(HEAD_END);
    if (headEnd < 0) return;
    const head = this.received.toString('latin1', 0, headEnd);
    const length = CONTENT_LENGTH.exec(head);
    if (!length) throw new Error(`an answer without Content-Length: ${head.split('\r\n')[0]}`);
    const end = headEnd + HEAD_END.length + Number(length[1]);
    if (this.received.length < end) return;
    this.lastBody = this.received.subarray(headEnd + HEAD_END.length, end);
    this.received = this.received.subarray(end);
    this.answer(Number(head.slice(9, 12)));
  }

  private answer(status: number): void {
    const resolve = this.waiting;
    this.waiting = undefined;
    resolve?.(status);
  }
}
