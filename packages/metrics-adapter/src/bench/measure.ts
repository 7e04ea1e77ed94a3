// The benchmark's measuring side, the same for every path it compares: one Go client
// (client/main.go — the adapter's callers are Go programs) with one kept-alive connection to each
// server, the aggregator's client certificate where it calls the adapter, gzip asked for or not,
// one request at a time, every path measured in the same rounds, each round in an order of its
// own, so a busy moment on the machine (a scrape, another process, a GC, what the request before
// left to do) lands on all of them alike. And a node:http(s) getter for what the bench reads
// outside the measured rounds.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

export interface Getter {
  /** GETs `path` and resolves with the whole answer; rejects unless it is a 200. */
  get(path: string): Promise<Buffer>;
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

/** A client for one server, for what the bench reads outside the measured rounds. */
export function getter(base: string, identity?: Identity): Getter {
  const tls = base.startsWith('https:');
  const { headers = {}, ...credentials } = identity ?? {};
  const agent = tls
    ? new HttpsAgent({ keepAlive: true, maxSockets: 1, ...credentials })
    : new HttpAgent({ keepAlive: true, maxSockets: 1 });
  const request = tls ? httpsRequest : httpRequest;
  return {
    get: (path) =>
      new Promise((resolve, reject) => {
        request(base + path, { agent, headers }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const body = Buffer.concat(chunks);
            if (res.statusCode === 200) resolve(body);
            else reject(new Error(`GET ${path}: ${res.statusCode}: ${body.toString()}`));
          });
          res.on('error', reject);
        })
          .on('error', reject)
          .end();
      }),
    close: () => agent.destroy(),
  };
}

/** One path measured: which client GETs which URL, and how the answer is read (client/main.go). */
export interface Case {
  readonly name: string;
  /** A key of the plan's clients. */
  readonly client: string;
  readonly url: string;
  /** Ask for gzip (as client-go does) and fail when the answer is not gzipped. */
  readonly gzip?: boolean;
  /** Decode the whole answer as JSON. */
  readonly parse?: boolean;
  /** Text the answer's last KiB must hold. */
  readonly expect?: string;
}

export interface Plan {
  readonly clients: Readonly<Record<string, Omit<Identity, 'ca'> & { ca?: string }>>;
  readonly cases: readonly Case[];
}

/** The Go client measuring a plan's cases: `rounds(n)` gives milliseconds per case, in order. */
export interface Measurer {
  rounds(n: number): Promise<number[][]>;
  close(): void;
}

/**
 * Builds and starts the measuring client (client/main.go, standard library only) with `plan`:
 * every case once per round, each round in an order of its own (shuffled by a seeded generator:
 * the same orders every run), so each case follows each other one as often, and a busy moment
 * lands on all of them alike.
 */
export async function startMeasurer(plan: Plan): Promise<Measurer> {
  const source = join(__dirname, '..', '..', 'src', 'bench', 'client');
  const dir = mkdtempSync(join(tmpdir(), 'beacon-bench-client-'));
  const binary = join(dir, 'client');
  const build = spawnSync('go', ['build', '-o', binary, '.'], { cwd: source, encoding: 'utf8' });
  if (build.error || build.status !== 0) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(
      `could not build the bench's client (Go 1.22+ on PATH is needed): ${build.error?.message ?? build.stderr}`,
    );
  }
  const child = spawn(binary, [], { stdio: ['pipe', 'pipe', 'inherit'] });
  // A client that has exited is reported by the next answer it does not give (below); a write to
  // it fails too, and that failure must not end this process.
  child.stdin.on('error', () => undefined);
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const next = async (): Promise<Record<string, unknown>> => {
    const line = await lines.next();
    if (line.done) throw new Error(`the bench's client exited (${child.exitCode})`);
    const answer = JSON.parse(line.value) as Record<string, unknown>;
    if (typeof answer.error === 'string') throw new Error(`the bench's client: ${answer.error}`);
    return answer;
  };
  const close = () => {
    child.stdin.end();
    child.kill();
    rmSync(dir, { recursive: true, force: true });
  };
  child.stdin.write(JSON.stringify(plan) + '\n');
  try {
    await next(); // ready: the plan is read and its clients made
  } catch (err) {
    close();
    throw err;
  }
  return {
    async rounds(n) {
      child.stdin.write(JSON.stringify({ rounds: n }) + '\n');
      return (await next()).times as number[][];
    },
    close,
  };
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
