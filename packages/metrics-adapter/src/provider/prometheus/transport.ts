// How the Prometheus client reaches Prometheus: node:http(s) over kept-alive connections.
// Measured against the global fetch (undici) on the benchmark's 1,500-pod answer, fetch cost the
// adapter several milliseconds more per query (its spec machinery and web streams), and asking
// for gzip made Prometheus compress and the adapter inflate ~100 KB per query to save bandwidth a
// pod network does not need. So answers are requested uncompressed; a compressed one (a proxy that
// ignores the request, or `--prometheus-header=Accept-Encoding=gzip`) is still inflated. Redirects
// are followed as Go's http.Client follows them, the client prometheus-adapter sends through.
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { isIP } from 'node:net';
import type { Readable } from 'node:stream';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import type { PrometheusTls } from './auth';
import { parseJsonInSlices } from './json-slices';

export interface TransportInit {
  readonly method: string;
  readonly headers: Readonly<Record<string, string | string[]>>;
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

/** Go's defaultCheckRedirect: the 11th redirect is an error. */
const MAX_REDIRECTS = 10;
/** Headers Go's client keeps across a redirect only to the same host or a subdomain of it. */
const SENSITIVE = new Set(['authorization', 'www-authenticate', 'cookie', 'cookie2']);

/** Go's isDomainOrSubdomain: `host` is `parent` or under it; an IP address only itself. */
function sameOrSubdomain(host: string, parent: string): boolean {
  if (host === parent) return true;
  if (isIP(host.replace(/^\[|\]$/g, '')) !== 0) return false;
  return host.endsWith(`.${parent}`);
}

/**
 * The request a redirect leads to, as Go's http.Client makes it (what prometheus-adapter sends
 * through): 301, 302 and 303 turn a POST into a GET without its body (and its Content-Type), 307
 * and 308 send the same method and body again; credentials and cookies go only to the host first
 * asked or its subdomains, and once left behind are not sent again. Undefined: no redirect.
 */
function redirected(
  status: number,
  location: string | undefined,
  from: URL,
  first: URL,
  init: TransportInit,
): { url: URL; init: TransportInit } | undefined {
  if (location === undefined) return undefined;
  let url: URL;
  if (status === 301 || status === 302 || status === 303) {
    url = new URL(location, from);
    if (init.method !== 'GET' && init.method !== 'HEAD') {
      const headers = Object.fromEntries(
        Object.entries(init.headers).filter(([k]) => k.toLowerCase() !== 'content-type'),
      );
      init = { method: 'GET', headers, signal: init.signal };
    }
  } else if (status === 307 || status === 308) url = new URL(location, from);
  else return undefined;
  if (!sameOrSubdomain(url.hostname, first.hostname)) {
    const headers = Object.fromEntries(
      Object.entries(init.headers).filter(([k]) => !SENSITIVE.has(k.toLowerCase())),
    );
    init = { ...init, headers };
  }
  return { url, init };
}

/** `tls`: the CA that signs Prometheus and the client certificate shown to it (auth.ts). */
export function httpTransport(tls: PrometheusTls = {}): Transport {
  const agents = {
    http: new HttpAgent({ keepAlive: true }),
    https: new HttpsAgent({ keepAlive: true, ...tls }),
  };
  /** `first`: the URL asked before any redirect; `hops`: the redirects followed to `url`. */
  const send = (
    url: URL,
    init: TransportInit,
    retry: boolean,
    first = url,
    hops = 0,
  ): Promise<TransportResponse> =>
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
          const next = redirected(status, res.headers.location, url, first, init);
          if (next) {
            res.resume(); // read and dropped: the connection goes back to the pool
            if (hops === MAX_REDIRECTS)
              reject(new Error(`stopped after ${MAX_REDIRECTS} redirects`));
            else send(next.url, next.init, true, first, hops + 1).then(resolve, reject);
            return;
          }
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
          send(url, init, false, first, hops).then(resolve, reject);
        } else reject(err);
      });
      req.end(init.body);
    });
  return (url, init) => send(new URL(url), init, true);
}
