// A small Kubernetes API client: JSON requests and watch streams over one keep-alive agent,
// authenticated as the kubeconfig says. (@kubernetes/client-node 1.x is ESM-only, and this
// package is CommonJS; the adapter needs four calls, so it makes them itself.)
import { readFileSync } from 'node:fs';
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { KubeConnection } from './kubeconfig';

export class KubeApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'KubeApiError';
  }
}

export interface KubeApi {
  /** A JSON request; resolves with the parsed body of a 2xx answer. */
  json<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T>;
  /** Opens a watch: calls `onEvent` per event line until the stream ends (resolves) or fails. */
  watch(path: string, onEvent: (event: unknown) => void, signal?: AbortSignal): Promise<void>;
  close(): void;
}

/** How often a token file is read again: client-go's cached file token source reads it each minute. */
export const TOKEN_REREAD_MS = 60_000;

/**
 * The bearer token to send now. A token file (the pod's service-account token, a kubeconfig's
 * tokenFile) is read again once a minute, so a rotated token is picked up; a read that fails or
 * finds the file empty (mid-rotation) keeps the last token.
 */
export function tokenSource(conn: KubeConnection, now: () => number): () => string | undefined {
  let token = conn.token;
  let readAt = now();
  const file = conn.tokenFile;
  if (!file) return () => token;
  return () => {
    if (now() - readAt < TOKEN_REREAD_MS) return token;
    readAt = now();
    try {
      token = readFileSync(file, 'utf8').trim() || token;
    } catch {
      // Keep the last token; look again in a minute.
    }
    return token;
  };
}

export function createKubeApi(
  conn: KubeConnection,
  timeoutMs = 10_000,
  now: () => number = Date.now,
): KubeApi {
  const token = tokenSource(conn, now);
  const tls = conn.server.startsWith('https:');
  const agent = tls
    ? new HttpsAgent({
        keepAlive: true,
        ca: conn.ca,
        cert: conn.cert,
        key: conn.key,
        rejectUnauthorized: !conn.insecureSkipTlsVerify,
      })
    : new HttpAgent({ keepAlive: true });
  const send = tls ? httpsRequest : httpRequest;
  const headers = (extra: Record<string, string>) => {
    const t = token();
    return { accept: 'application/json', ...(t ? { authorization: `Bearer ${t}` } : {}), ...extra };
  };

  function open(
    method: string,
    path: string,
    body: string | undefined,
    timeout: number,
    signal?: AbortSignal,
  ) {
    return new Promise<IncomingMessage>((resolve, reject) => {
      const req = send(
        conn.server + path,
        {
          method,
          agent,
          signal,
          timeout,
          headers: headers(
            body === undefined
              ? {}
              : {
                  'content-type': 'application/json',
                  'content-length': String(Buffer.byteLength(body)),
                },
          ),
        },
        resolve,
      );
      req.on('timeout', () => req.destroy(new Error(`no answer within ${timeout}ms`)));
      req.on('error', (err) =>
        reject(
          new KubeApiError(0, `${method} ${conn.server}${path}: ${err.message}`, { cause: err }),
        ),
      );
      req.end(body);
    });
  }

  async function readAll(res: IncomingMessage): Promise<string> {
    let text = '';
    res.setEncoding('utf8');
    for await (const chunk of res) text += chunk as string;
    return text;
  }

  return {
    async json<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
      const res = await open(
        method,
        path,
        body === undefined ? undefined : JSON.stringify(body),
        timeoutMs,
      );
      const text = await readAll(res);
      const status = res.statusCode ?? 0;
      if (status < 200 || status >= 300) {
        let message = text.slice(0, 300);
        try {
          message = (JSON.parse(text) as { message?: string }).message ?? message;
        } catch {
          /* not a Status */
        }
        throw new KubeApiError(status, `${method} ${path}: ${status} ${message}`);
      }
      try {
        return JSON.parse(text) as T;
      } catch (err) {
        throw new KubeApiError(status, `${method} ${path}: answer is not JSON`, { cause: err });
      }
    },
    async watch(path, onEvent, signal) {
      const res = await open('GET', path, undefined, 0, signal);
      if ((res.statusCode ?? 0) !== 200) {
        const text = await readAll(res);
        throw new KubeApiError(
          res.statusCode ?? 0,
          `watch ${path}: ${res.statusCode} ${text.slice(0, 300)}`,
        );
      }
      res.setEncoding('utf8');
      let buffered = '';
      for await (const chunk of res) {
        buffered += chunk as string;
        let nl: number;
        while ((nl = buffered.indexOf('\n')) >= 0) {
          const line = buffered.slice(0, nl).trim();
          buffered = buffered.slice(nl + 1);
          if (line) onEvent(JSON.parse(line));
        }
      }
    },
    close() {
      agent.destroy();
    },
  };
}
