// How the Prometheus client reaches Prometheus: node:http(s) over kept-alive connections.
// Measured against the global fetch (undici) on the benchmark's 1,500-pod answer, fetch cost the
// adapter several milliseconds more per query (its spec machinery and web streams), and asking
// for gzip made Prometheus compress and the adapter inflate ~100 KB per query to save bandwidth a
// pod network does not need. So answers are requested uncompressed; a compressed one (a proxy that
// ignores the request, or `--prometheus-header=Accept-Encoding=gzip`) is still inflated.
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { Readable } from 'node:stream';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import type { PrometheusTls } from './auth';
import { parseJsonInSlices } from './json-slices';

export interface TransportInit {
  readonly method: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string;
  readonly signal?: AbortSignal;
}

/** The part of a fetch Response the client reads. */
export interface TransportResponse {
  readonly status: number;
  readonly ok: boolean;
  json(): Promise<unknown>;
}

/** fetch's shape, narrowed to what the client uses: the global fetch is one too. */
export type Transport = (url: string, init: TransportInit) => Promise<TransportResponse>;

function decoded(res: IncomingMessage): Readable {
  switch (res.headers['content-encoding']) {
    case 'gzip':
      return res.pipe(createGunzip());
    case 'deflate':
      return res.pipe(createInflate());
    case 'br':
      return res.pipe(createBrotliDecompress());
    default:
      return res;
  }
}

function readBody(res: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const body = decoded(res);
    body.on('data', (c: Buffer) => chunks.push(c));
    body.on('end', () => resolve(Buffer.concat(chunks)));
    body.on('error', reject);
    res.on('error', reject);
  });
}

/** `tls`: the CA that signs Prometheus and the client certificate shown to it (auth.ts). */
export function httpTransport(tls: PrometheusTls = {}): Transport {
  const agents = {
    http: new HttpAgent({ keepAlive: true }),
    https: new HttpsAgent({ keepAlive: true, ...tls }),
  };
  const send = (url: URL, init: TransportInit, retry: boolean): Promise<TransportResponse> =>
    new Promise((resolve, reject) => {
      const tls = url.protocol === 'https:';
      const req = (tls ? httpsRequest : httpRequest)(
        url,
        {
          method: init.method,
          headers: { 'accept-encoding': 'identity', ...init.headers },
          agent: tls ? agents.https : agents.http,
          ...(init.signal ? { signal: init.signal } : {}),
        },
        (res) => {
          const status = res.statusCode ?? 0;
          const body = readBody(res);
          body.catch(() => undefined); // read through json(); never an unhandled rejection
          resolve({
            status,
            ok: status >= 200 && status < 300,
            json: async () => parseJsonInSlices(await body),
          });
        },
      );
      req.on('error', (err: NodeJS.ErrnoException) => {
        // The server closed a kept-alive connection as we reused it: try once on a new one.
        if (retry && req.reusedSocket && err.code === 'ECONNRESET') {
          send(url, init, false).then(resolve, reject);
        } else reject(err);
      });
      req.end(init.body);
    });
  return (url, init) => send(new URL(url), init, true);
}
