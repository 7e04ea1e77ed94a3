// Test support: a real Prometheus (Debian's `prometheus` binary) on a free loopback port,
// scraping the given targets every second. Fails loudly when the binary is missing: the
// repository's `npm test` installs it (package.json "beacon.requires").
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer, type AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface ScrapeTarget {
  readonly address: string;
  readonly labels?: Readonly<Record<string, string>>;
}

export interface RunningPrometheus {
  readonly url: string;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

function requireBinary(name: string, pkg: string): string {
  const r = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' });
  const path = r.stdout.trim();
  if (r.status !== 0 || !path) {
    throw new Error(
      `${name} is not installed: run \`npm test\` from the repository root, which installs it, or apt-get install -y ${pkg}`,
    );
  }
  return path;
}

/** Prometheus exited at once because the port picked for it was taken before it could bind it. */
class PortTaken extends Error {}

export async function startPrometheus(
  targets: readonly ScrapeTarget[],
  options: { scrapeInterval?: string } = {},
): Promise<RunningPrometheus> {
  const binary = requireBinary('prometheus', 'prometheus');
  // The port is picked (freePort) before Prometheus binds it, and another process of a busy
  // machine can take it in between: Prometheus then exits at once, and starts again on another.
  for (let attempt = 1; ; attempt++) {
    try {
      return await startPrometheusOn(binary, await freePort(), targets, options);
    } catch (err) {
      if (!(err instanceof PortTaken) || attempt === 3) throw err;
    }
  }
}

async function startPrometheusOn(
  binary: string,
  port: number,
  targets: readonly ScrapeTarget[],
  options: { scrapeInterval?: string },
): Promise<RunningPrometheus> {
  const dir = mkdtempSync(join(tmpdir(), 'beacon-prom-'));
  const config = {
    global: { scrape_interval: options.scrapeInterval ?? '1s', evaluation_interval: '1s' },
    scrape_configs: [
      {
        job_name: 'app',
        static_configs: targets.map((t) => ({ targets: [t.address], labels: { ...t.labels } })),
      },
    ],
  };
  writeFileSync(join(dir, 'prometheus.yml'), JSON.stringify(config)); // JSON is YAML
  const child: ChildProcess = spawn(
    binary,
    [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  // Set once the child has exited and its stderr is read to the end ('close' comes after both).
  let exited: string | undefined;
  child.once('close', (code, signal) => (exited = `exited (${code ?? signal})`));
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    // A child that has exited (a bad flag, its port taken) fails at once, with what it said.
    await waitFor(
      // Each ask bounded: a port taken by a server that never answers would hold it for ever.
      async () =>
        exited !== undefined ||
        (await fetch(`${url}/-/ready`, { signal: AbortSignal.timeout(2_000) })).ok,
      20_000,
      () => `prometheus did not become ready: ${stderr}`,
    );
    if (exited !== undefined) {
      const Failure = /address already in use/.test(stderr) ? PortTaken : Error;
      throw new Failure(`prometheus ${exited}: ${stderr}`);
    }
    // Every target scraped at least once.
    await waitFor(
      async () => {
        const res = await fetch(
          `${url}/api/v1/query?query=${encodeURIComponent('count(up == 1)')}`,
        );
        const body = (await res.json()) as { data: { result: { value: [number, string] }[] } };
        return Number(body.data.result[0]?.value[1] ?? 0) === targets.length;
      },
      20_000,
      () => 'prometheus did not scrape every target',
    );
  } catch (err) {
    await stop();
    throw err;
  }
  return { url, stop };
}

export async function waitFor(
  check: () => Promise<boolean> | boolean,
  timeoutMs: number,
  why: () => string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if (await check()) return;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) throw new Error(why());
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A scrape target: a loopback HTTP server answering with a prom-client registry. */
export async function serveMetrics(
  registry: Registry,
): Promise<{ server: Server; address: string }> {
  const server = createHttpServer((_req, res) => {
    void registry.metrics().then((text) => {
      res.writeHead(200, { 'content-type': registry.contentType });
      res.end(text);
    });
  });
  // Port 0: the kernel picks a free port as it binds (a port picked earlier can be taken since).
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return { server, address: `127.0.0.1:${port}` };
}

/**
 * Discovery for tests: a relist every second, looking back 10 minutes rather than one relist
 * interval, so that a series a slow scrape left stale for a moment stays discovered.
 */
export const FAST_DISCOVERY_FLAGS = ['--metrics-relist-interval=1s', '--metrics-max-age=10m'];
