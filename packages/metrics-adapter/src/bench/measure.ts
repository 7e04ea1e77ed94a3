// The benchmark's measuring side, the same for every path it compares: one client (node:http or
// node:https — with the aggregator's client certificate where it calls the adapter — one
// kept-alive connection, gzip asked for or not, only the answer's tail kept),
// one request at a time, and every path measured in the same rounds in a rotating order, so a
// busy moment on the machine (a scrape, another process, a GC) lands on all of them alike.
import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { gunzipSync } from 'node:zlib';

export interface Getter {
  /**
   * GETs `path`; resolves with the answer's last 1 KiB (or the whole answer with `whole`). With
   * `gzip` it asks for gzip and inflates what comes gzipped, as Go's http.Transport (client-go's)
   * does.
   */
  get(path: string, whole?: boolean, gzip?: boolean): Promise<Buffer>;
  /** How many answers came gzipped. */
  gzipped(): number;
  close(): void;
}

/** How an HTTPS client proves who it is: a CA to trust, a client certificate, headers. */
export interface Identity {
  readonly ca: string;
  readonly cert?: string;
  readonly key?: string;
  /** Sent with every request (the front proxy's X-Remote-User and X-Remote-Group). */
  readonly headers?: Readonly<Record<string, string>>;
}

/**
 * A client for one server. Keeping only the tail means the measuring process does not copy
 * every 100–300 KB answer (its garbage collection would be timed as the server's latency).
 */
export function getter(base: string, identity?: Identity): Getter {
  const tls = base.startsWith('https:');
  const { headers: identityHeaders = {}, ...credentials } = identity ?? {};
  const agent = tls
    ? new HttpsAgent({ keepAlive: true, maxSockets: 1, ...credentials })
    : new HttpAgent({ keepAlive: true, maxSockets: 1 });
  const request = tls ? httpsRequest : httpRequest;
  let gzipped = 0;
  return {
    get: (path, whole = false, gzip = false) =>
      new Promise((resolve, reject) => {
        const headers = gzip ? { ...identityHeaders, 'accept-encoding': 'gzip' } : identityHeaders;
        request(base + path, { agent, headers }, (res) => {
          // A gzipped answer (~20 KB) is kept whole and inflated in one call when it ends.
          const gz = res.headers['content-encoding'] === 'gzip';
          if (gz) gzipped++;
          const chunks: Buffer[] = [];
          let tail: Buffer = Buffer.alloc(0);
          res.on('data', (c: Buffer) => {
            if (whole || gz) chunks.push(c);
            else
              tail =
                c.length >= 1024
                  ? c.subarray(c.length - 1024)
                  : Buffer.concat([tail, c]).subarray(-1024);
          });
          res.on('end', () => {
            let body = whole || gz ? Buffer.concat(chunks) : tail;
            if (gz) body = whole ? gunzipSync(body) : gunzipSync(body).subarray(-1024);
            if (res.statusCode === 200) resolve(body);
            else reject(new Error(`GET ${path}: ${res.statusCode}: ${body.toString()}`));
          });
          res.on('error', reject);
        })
          .on('error', reject)
          .end();
      }),
    gzipped: () => gzipped,
    close: () => agent.destroy(),
  };
}

export interface Case {
  readonly name: string;
  run(): Promise<void>;
}

/**
 * Runs every case once per round, starting each round one case further along, so no case always
 * follows the same other one. Milliseconds per case, in case order.
 */
export async function interleaved(cases: readonly Case[], rounds: number): Promise<number[][]> {
  const times = cases.map(() => [] as number[]);
  for (let r = 0; r < rounds; r++) {
    for (let k = 0; k < cases.length; k++) {
      const i = (r + k) % cases.length;
      const started = performance.now();
      await (cases[i] as Case).run();
      (times[i] as number[]).push(performance.now() - started);
    }
  }
  return times;
}

export interface Summary {
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
}

export function summarise(times: readonly number[]): Summary {
  const sorted = [...times].sort((a, b) => a - b);
  const q = (p: number) => sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)];
  return {
    p50: q(0.5) as number,
    p99: q(0.99) as number,
    max: sorted[sorted.length - 1] as number,
  };
}
