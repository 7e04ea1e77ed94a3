// Test support: GET over HTTPS with an optional client certificate and headers.
import type { ClientRequest, IncomingMessage } from 'node:http';
import { type Agent, request } from 'node:https';

export interface HttpsOptions {
  readonly ca: string;
  readonly cert?: string;
  readonly key?: string;
  /** A list sends the header once per value, each on its own line. */
  readonly headers?: Record<string, string | string[]>;
  /** A keep-alive agent to send on; by default a connection of the request's own. */
  readonly agent?: Agent;
}

export interface Reply {
  readonly status: number;
  readonly type: string | undefined;
  readonly text: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read bodies loosely
  readonly body: any;
  /** Whether the request went on a connection an earlier request had opened. */
  readonly reusedSocket: boolean;
}

export function httpsGet(url: string, o: HttpsOptions): Promise<Reply> {
  return send(url, o, (res, req, resolve) => {
    let text = '';
    res.setEncoding('utf8');
    res.on('data', (c: string) => (text += c));
    res.on('end', () => {
      let body: unknown = text;
      try {
        body = JSON.parse(text);
      } catch {
        /* plain text */
      }
      resolve({
        status: res.statusCode ?? 0,
        type: res.headers['content-type'],
        text,
        body,
        reusedSocket: req.reusedSocket,
      });
    });
  });
}

/**
 * The status of a GET over HTTPS, as soon as the answer's head comes (its body discarded): for a
 * server that closes the connection after answering, as one does a request it refuses whole.
 */
export function httpsStatus(url: string, o: HttpsOptions): Promise<number> {
  return send(url, o, (res, _req, resolve) => {
    res.resume();
    resolve(res.statusCode ?? 0);
  });
}

/** Sends the GET; `answer` reads the response and settles the promise. */
function send<T>(
  url: string,
  o: HttpsOptions,
  answer: (res: IncomingMessage, req: ClientRequest, resolve: (v: T) => void) => void,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { ca: o.ca, cert: o.cert, key: o.key, headers: o.headers, agent: o.agent ?? false },
      (res) => answer(res, req, resolve),
    );
    req.on('error', reject);
    req.end();
  });
}
