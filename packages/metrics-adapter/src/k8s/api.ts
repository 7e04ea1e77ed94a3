// A small Kubernetes API client: JSON requests and watch streams over one keep-alive agent,
// authenticated as the kubeconfig says. (@kubernetes/client-node 1.x is ESM-only, and this
// package is CommonJS; the adapter needs four calls, so it makes them itself.)
import { readFileSync } from 'node:fs';
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { basicAuthorization, type KubeConnection } from './kubeconfig';

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

/**
 * A watch that received nothing, not even a bookmark, for longer than the server sends them: its
 * connection is taken for dead (an API server host gone without closing it, which TCP
 * keep-alive would notice only after ~11 minutes). client-go notices the same through HTTP/2
 * pings.
 */
export class WatchIdleError extends KubeApiError {
  constructor(path: string, idleMs: number) {
    super(
      0,
      `watch ${path}: nothing received for ${idleMs / 1000} s, not even a bookmark: the connection is taken for dead`,
    );
    this.name = 'WatchIdleError';
  }
}

/** A request's socket that was silent for its whole timeout. */
class NoAnswerError extends Error {
  constructor(timeoutMs: number) {
    super(`no answer within ${timeoutMs}ms`);
  }
}

/** A list's ListMeta: where the list stands, and the token of its next page when it has one. */
export interface ListMeta {
  readonly resourceVersion?: string;
  readonly continue?: string;
}

export interface KubeApi {
  /** A JSON request; resolves with the parsed body of a 2xx answer. */
  json<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T>;
  /**
   * A list request whose items are parsed one at a time as the body arrives and handed to
   * `onItem`, so a list of thousands of objects is never one string or one `JSON.parse`
   * (kube-apiserver answers resourceVersion=0 from its watch cache whole, ignoring `limit`).
   * Resolves with the list's metadata.
   */
  list(path: string, onItem: (item: unknown) => void, accept?: string): Promise<ListMeta>;
  /**
   * Opens a watch: calls `onEvent` per event line until the stream ends (resolves) or fails.
   * Given `idleMs`, a watch that receives nothing for that long (from the request on) fails with
   * a WatchIdleError.
   */
  watch(
    path: string,
    onEvent: (event: unknown) => void,
    signal?: AbortSignal,
    accept?: string,
    idleMs?: number,
  ): Promise<void>;
  close(): void;
}

/** How often a token file is read again: client-go's cached file token source reads it each minute. */
export const TOKEN_REREAD_MS = 60_000;

/** The bearer token to send now; `reset` after a 401 to a request sent at `sentAt`. */
export interface TokenSource {
  (): string | undefined;
  reset(sentAt: number): void;
}

/**
 * The bearer token to send now. A token file (the pod's service-account token, a kubeconfig's
 * tokenFile) is read again once a minute, so a rotated token is picked up; a read that fails or
 * finds the file empty (mid-rotation) keeps the last token. A 401 to a request that carried a
 * token read before it was sent makes the next request read the file again, as client-go's
 * tokenSourceTransport resets its cached file token (ResetTokenOlderThan).
 */
export function tokenSource(conn: KubeConnection, now: () => number): TokenSource {
  let token = conn.token;
  let readAt = now();
  const file = conn.tokenFile;
  if (!file) return Object.assign(() => token, { reset: () => undefined });
  const current = () => {
    if (now() - readAt < TOKEN_REREAD_MS) return token;
    readAt = now();
    try {
      token = readFileSync(file, 'utf8').trim() || token;
    } catch {
      // Keep the last token; look again in a minute.
    }
    return token;
  };
  return Object.assign(current, {
    reset(sentAt: number) {
      if (readAt < sentAt) readAt = Number.NEGATIVE_INFINITY;
    },
  });
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
        servername: conn.tlsServerName,
        rejectUnauthorized: !conn.insecureSkipTlsVerify,
      })
    : new HttpAgent({ keepAlive: true });
  const send = tls ? httpsRequest : httpRequest;
  const basic = conn.basic && basicAuthorization(conn.basic);
  const headers = (extra: Record<string, string>) => {
    const t = token();
    const authorization = t ? `Bearer ${t}` : basic;
    return { ...(authorization ? { authorization } : {}), ...extra };
  };

  function open(
    method: string,
    path: string,
    body: string | undefined,
    timeout: number,
    signal?: AbortSignal,
    accept = 'application/json',
    retry = true,
  ): Promise<IncomingMessage> {
    const sentAt = now();
    return new Promise<IncomingMessage>((resolve, reject) => {
      const req = send(
        conn.server + path,
        {
          method,
          agent,
          signal,
          timeout,
          headers: headers({
            accept,
            ...(body === undefined
              ? {}
              : {
                  'content-type': 'application/json',
                  'content-length': String(Buffer.byteLength(body)),
                }),
          }),
        },
        (res) => {
          if (res.statusCode === 401) token.reset(sentAt);
          resolve(res);
        },
      );
      req.on('timeout', () => req.destroy(new NoAnswerError(timeout)));
      req.on('error', (err: NodeJS.ErrnoException) => {
        // The API server closed a kept-alive connection as it was reused (a restart, an idle
        // timeout): once more on a new one, as Go's transport retries a request on a dead
        // pooled connection. Without it a restart cost the pod watch a relist. The POSTs here
        // are reviews, which store nothing, so sending one twice is harmless.
        if (retry && req.reusedSocket && err.code === 'ECONNRESET')
          open(method, path, body, timeout, signal, accept, false).then(resolve, reject);
        else
          reject(
            new KubeApiError(0, `${method} ${conn.server}${path}: ${err.message}`, { cause: err }),
          );
      });
      req.end(body);
    });
  }

  async function readAll(res: IncomingMessage): Promise<string> {
    let text = '';
    res.setEncoding('utf8');
    for await (const chunk of res) text += chunk as string;
    return text;
  }

  /** The error of a non-2xx answer, with the message of the Status it carries. */
  async function failure(method: string, path: string, res: IncomingMessage) {
    const text = await readAll(res);
    const status = res.statusCode ?? 0;
    let message = text.slice(0, 300);
    try {
      message = (JSON.parse(text) as { message?: string }).message ?? message;
    } catch {
      /* not a Status */
    }
    return new KubeApiError(status, `${method} ${path}: ${status} ${message}`);
  }
  const ok = (res: IncomingMessage) => (res.statusCode ?? 0) >= 200 && (res.statusCode ?? 0) < 300;

  return {
    async json<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
      const res = await open(
        method,
        path,
        body === undefined ? undefined : JSON.stringify(body),
        timeoutMs,
      );
      if (!ok(res)) throw await failure(method, path, res);
      const text = await readAll(res);
      const status = res.statusCode ?? 0;
      try {
        return JSON.parse(text) as T;
      } catch (err) {
        throw new KubeApiError(status, `${method} ${path}: answer is not JSON`, { cause: err });
      }
    },
    async list(path, onItem, accept) {
      const res = await open('GET', path, undefined, timeoutMs, undefined, accept);
      if (!ok(res)) throw await failure('GET', path, res);
      const splitter = new ListSplitter(onItem);
      res.setEncoding('utf8');
      try {
        for await (const chunk of res) splitter.write(chunk as string);
        return splitter.end();
      } catch (err) {
        throw new KubeApiError(res.statusCode ?? 0, `GET ${path}: answer is not a JSON list`, {
          cause: err,
        });
      }
    },
    async watch(path, onEvent, signal, accept, idleMs = 0) {
      let res: IncomingMessage;
      try {
        // Until the answer's headers, the socket's own timeout: connecting, or waiting.
        res = await open('GET', path, undefined, idleMs, signal, accept);
      } catch (err) {
        if ((err as Error).cause instanceof NoAnswerError) throw new WatchIdleError(path, idleMs);
        throw err;
      }
      if ((res.statusCode ?? 0) !== 200) {
        const text = await readAll(res);
        throw new KubeApiError(
          res.statusCode ?? 0,
          `watch ${path}: ${res.statusCode} ${text.slice(0, 300)}`,
        );
      }
      // Then a timer each chunk sets back: the socket's timeout would end the stream as a
      // connection reset, a watch's normal end (below).
      res.socket.setTimeout(0);
      let idle = false;
      const timer =
        idleMs > 0
          ? setTimeout(() => {
              idle = true;
              res.destroy();
            }, idleMs)
          : undefined;
      res.setEncoding('utf8');
      let buffered = '';
      try {
        for await (const chunk of res) {
          timer?.refresh();
          buffered += chunk as string;
          let nl: number;
          while ((nl = buffered.indexOf('\n')) >= 0) {
            const line = buffered.slice(0, nl).trim();
            buffered = buffered.slice(nl + 1);
            if (line) onEvent(JSON.parse(line));
          }
        }
      } catch (err) {
        if (idle) throw new WatchIdleError(path, idleMs);
        // A stream cut off (the API server restarting, a proxy closing it) ends the watch as its
        // close does, as apimachinery's StreamWatcher takes an error net.IsProbableEOF matches:
        // the reflector watches again from the last resourceVersion, without a relist.
        if (signal?.aborted || !isProbableEof(err)) throw err;
      } finally {
        clearTimeout(timer);
      }
      if (idle) throw new WatchIdleError(path, idleMs);
    },
    close() {
      agent.destroy();
    },
  };
}

/**
 * apimachinery's net.IsProbableEOF, for what Node reports: the connection reset, closed or cut
 * off mid-answer (`aborted`). Errors of the events themselves (JSON, an ERROR event) are not.
 */
function isProbableEof(err: unknown): boolean {
  const e = err as { code?: unknown; message?: unknown } | null;
  if (typeof e !== 'object' || e === null) return false;
  if (e.code === 'ECONNRESET' || e.code === 'EPIPE' || e.code === 'ERR_STREAM_PREMATURE_CLOSE')
    return true;
  return e.message === 'aborted';
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACE = 0x7d;
const CLOSE_BRACKET = 0x5d;

/**
 * Splits a JSON list (`{"metadata": {…}, "items": [{…}, …]}`) as its text arrives: each item is
 * parsed alone as soon as it is complete, and the rest of the list (its metadata) is kept with
 * `items` emptied. Only one item's text is held at a time.
 */
export class ListSplitter {
  private depth = 0;
  private inString = false;
  private escaped = false;
  private inItems = false;
  /** The list without its items. */
  private envelope = '';
  /** The text of the item being read, up to the current chunk. */
  private item = '';

  constructor(private readonly onItem: (item: unknown) => void) {}

  write(chunk: string): void {
    // Where the part of this chunk not yet copied starts (into the envelope or the item).
    let from = 0;
    for (let i = 0; i < chunk.length; i++) {
      const c = chunk.charCodeAt(i);
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (c === BACKSLASH) this.escaped = true;
        else if (c === QUOTE) this.inString = false;
        continue;
      }
      if (c === QUOTE) this.inString = true;
      else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
        if (this.depth === 1 && c === OPEN_BRACKET && this.opensItems(chunk.slice(from, i))) {
          this.envelope += chunk.slice(from, i + 1);
          this.inItems = true;
          from = i + 1;
        } else if (this.inItems && this.depth === 2) from = i; // an item starts
        this.depth++;
      } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
        this.depth--;
        if (this.inItems && this.depth === 2) {
          this.onItem(JSON.parse(this.item + chunk.slice(from, i + 1)));
          this.item = '';
        } else if (this.inItems && this.depth === 1) {
          this.inItems = false;
          from = i; // the envelope goes on with `]`
        }
      }
    }
    if (!this.inItems) this.envelope += chunk.slice(from);
    else if (this.depth > 2) this.item += chunk.slice(from);
  }

  /** The list's metadata, once the whole body has been written. */
  end(): ListMeta {
    // An empty list's items may be `null` (a nil slice), so only the envelope is checked.
    const list = JSON.parse(this.envelope) as { metadata?: ListMeta } | null;
    if (typeof list !== 'object' || list === null) throw new Error('not a list');
    return list.metadata ?? {};
  }

  /** Whether the array opening after `text` (the rest of the envelope) is the list's `items`. */
  private opensItems(text: string): boolean {
    return /"items"\s*:\s*$/.test(this.envelope.slice(-64) + text);
  }
}
