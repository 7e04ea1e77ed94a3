// Test support: GET over HTTPS with an optional client certificate and headers.
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
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { ca: o.ca, cert: o.cert, key: o.key, headers: o.headers, agent: o.agent ?? false },
      (res) => {
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
      },
    );
    req.on('error', reject);
    req.end();
  });
}
