// DESIGN.md's HPA flow without a cluster: prom-client targets built from the metric catalog, a
// real Prometheus scraping them, and the metrics adapter from its built CLI
// (`beacon-metrics-adapter`, a process of its own, as a Deployment runs it) over TLS with a
// client CA, for the real kubectl to read with a client certificate.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { catalog, createGauge } from '@beacon/metric-catalog';
import { writeClientCertKubeconfig } from '@beacon/metrics-adapter/dist/testing/kubeconfig';
import { createPki, type Pki } from '@beacon/metrics-adapter/dist/testing/pki';
import {
  FAST_DISCOVERY_FLAGS,
  serveMetrics,
  startPrometheus,
  type RunningPrometheus,
  type ScrapeTarget,
} from '@beacon/metrics-adapter/dist/testing/prometheus';
import type { Server } from 'node:http';
import { Registry } from 'prom-client';
import { waitFor } from './servers';

export const ADAPTER_CLI = require.resolve('@beacon/metrics-adapter/dist/cli.js');

export interface Platform {
  readonly prometheus: RunningPrometheus;
  close(): Promise<void>;
}

/**
 * Scrape targets as the platform's pods expose them, and a real Prometheus scraping them (ready
 * once it has scraped every one): WebSocket connections of collab-a (3) and collab-b (1.5), the
 * render (12000) and encode (30) queues of video-0, and kube-state-metrics' pod labels
 * (app=collab for the two collab pods), from which the adapter resolves label selectors.
 */
export async function startPlatform(): Promise<Platform> {
  const servers: Server[] = [];
  const target = async (
    fill: (r: Registry) => void,
    labels?: Record<string, string>,
  ): Promise<ScrapeTarget> => {
    const registry = new Registry();
    fill(registry);
    const { server, address } = await serveMetrics(registry);
    servers.push(server);
    return { address, ...(labels ? { labels } : {}) };
  };
  const pod = (name: string, service: string) => ({ namespace: 'platform', pod: name, service });
  const ws = (n: number) => (r: Registry) =>
    createGauge(catalog.platform.websocketConnections, r).set(n);
  const closeServers = () => {
    for (const s of servers) s.close();
  };
  try {
    const targets = [
      await target(ws(3), pod('collab-a', 'collaboration')),
      await target(ws(1.5), pod('collab-b', 'collaboration')),
      await target(
        (r) => {
          const g = createGauge(catalog.platform.jobQueueLength, r);
          g.set({ queue: 'render' }, 12000);
          g.set({ queue: 'encode' }, 30);
        },
        pod('video-0', 'video-processing'),
      ),
      await target((r) => {
        const g = createGauge(catalog.kubeStateMetrics.podLabels, r);
        for (const [name, app] of [
          ['collab-a', 'collab'],
          ['collab-b', 'collab'],
          ['video-0', 'video'],
        ]) {
          g.set({ namespace: 'platform', pod: name, uid: name, label_app: app }, 1);
        }
      }),
    ];
    const prometheus = await startPrometheus(targets);
    return {
      prometheus,
      async close() {
        await prometheus.stop();
        closeServers();
      },
    };
  } catch (err) {
    closeServers();
    throw err;
  }
}

export interface RunningAdapter {
  readonly url: string;
  /** A kubeconfig for the adapter: its serving CA trusted, a client certificate as the user. */
  readonly kubeconfig: string;
  log(): string;
  stop(): Promise<void>;
}

/**
 * `beacon-metrics-adapter` from its built CLI, serving HTTPS on a loopback port it binds itself
 * (`--secure-port=0`, the port read from its `serving` log line), with a self-signed serving
 * certificate written to `dir` and client certificates checked against a CA of `pki`.
 */
export async function startAdapter(
  prometheusUrl: string,
  pki: Pki,
  dir: string,
): Promise<RunningAdapter> {
  const ca = pki.ca('client-ca');
  const client = pki.client(ca, 'kubectl', '/CN=jane/O=platform-team');
  const child = spawn(
    process.execPath,
    [
      ADAPTER_CLI,
      `--prometheus-url=${prometheusUrl}`,
      '--secure-port=0',
      '--bind-address=127.0.0.1',
      `--cert-dir=${dir}`,
      `--client-ca-file=${ca.certFile}`,
      ...FAST_DISCOVERY_FLAGS,
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  const closed = new Promise<void>((r) => child.once('close', () => r()));
  let log = '';
  let port: number | undefined;
  child.stderr?.on('data', (b: Buffer) => {
    log += b.toString();
    for (const line of log.split('\n')) {
      try {
        const entry = JSON.parse(line) as { msg?: string; port?: number };
        if (entry.msg === 'serving') port = entry.port;
      } catch {
        // a line not yet whole
      }
    }
  });
  const running = () => child.exitCode === null && child.signalCode === null;
  const stop = async () => {
    if (running()) child.kill('SIGTERM');
    await closed;
  };
  try {
    await waitFor(
      () => port !== undefined || !running(),
      60_000,
      () => `the adapter did not start serving:\n${log}`,
    );
    if (port === undefined) throw new Error(`the adapter exited:\n${log}`);
  } catch (err) {
    await stop();
    throw err;
  }
  const url = `https://127.0.0.1:${port}`;
  const kubeconfig = writeClientCertKubeconfig(path.join(dir, 'kubeconfig'), {
    server: url,
    caFile: path.join(dir, 'apiserver.crt'),
    certFile: client.certFile,
    keyFile: client.keyFile,
    user: 'jane',
  });
  return { url, kubeconfig, log: () => log, stop };
}

export { createPki };
