// Test support: GET over HTTPS with an optional client certificate and headers.
import { request } from 'node:https';

export interface HttpsOptions {
  readonly ca: string;
  readonly cert?: string;
  readonly key?: string;
  readonly headers?: Record<string, string>;
}

export interface Reply {
  readonly status: number;
  readonly type: string | undefined;
  readonly text: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read bodies loosely
  readonly body: any;
}

export function httpsGet(url: string, o: HttpsOptions): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { ca: o.ca, cert: o.cert, key: o.key, headers: o.headers, agent: false },
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
          resolve({ status: res.statusCode ?? 0, type: res.headers['content-type'], text, body });
        });
      },
    );
    req.on('error', reject);
    req.end();
  });
}
