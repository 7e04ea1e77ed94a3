import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { catalog, createGauge } from '@beacon/metric-catalog';
import { Registry } from 'prom-client';
import {
  freePort,
  serveMetrics,
  startPrometheus,
  type RunningPrometheus,
} from '../../testing/prometheus';
import { createPrometheusClient, PrometheusError } from './client';

/** The time the `old` pod's exposition gives its sample: a whole second, a minute back. */
const AGED_MS = Math.floor(Date.now() / 1000 - 60) * 1000;

describe('the Prometheus client against a real Prometheus', () => {
  let prom: RunningPrometheus;
  const servers: Server[] = [];

  beforeAll(async () => {
    const targets = [];
    for (const [pod, connections] of [
      ['collab-a', 7],
      ['collab-b', 12.5],
    ] as const) {
      const registry = new Registry();
      createGauge(catalog.platform.websocketConnections, registry).set(connections);
      const { server, address } = await serveMetrics(registry);
      servers.push(server);
      targets.push({ address, labels: { namespace: 'platform', pod, service: 'collaboration' } });
    }
    // Namespace `aged`: one pod scraped as usual, one whose exposition dates its sample a minute
    // back (as a federation or a stalled exporter's does), still within the lookback.
    const fresh = new Registry();
    createGauge(catalog.platform.websocketConnections, fresh).set(1);
    const served = await serveMetrics(fresh);
    servers.push(served.server);
    targets.push({ address: served.address, labels: { namespace: 'aged', pod: 'fresh' } });
    const old = createServer((_req, res) =>
      res.end(`${catalog.platform.websocketConnections.name} 2 ${AGED_MS}\n`),
    );
    await new Promise<void>((r) => old.listen(0, '127.0.0.1', r));
    servers.push(old);
    const oldPort = (old.address() as AddressInfo).port;
    targets.push({ address: `127.0.0.1:${oldPort}`, labels: { namespace: 'aged', pod: 'old' } });
    prom = await startPrometheus(targets);
  });

  afterAll(async () => {
    await prom?.stop();
    for (const s of servers) s.close();
  });

  it.each(['GET', 'POST'] as const)(
    'runs an instant query with %s and returns each sample as sent',
    async (verb) => {
      const client = createPrometheusClient({ url: prom.url, verb });
      const before = Date.now() / 1000;
      const samples = await client.query('websocket_connections{namespace="platform"}');
      const byPod = Object.fromEntries(samples.map((s) => [s.labels.pod, s.value]));
      expect(byPod).toEqual({ 'collab-a': '7', 'collab-b': '12.5' });
      for (const s of samples) {
        expect(s.labels).toMatchObject({
          __name__: 'websocket_connections',
          service: 'collaboration',
        });
        expect(s.timestamp).toBeGreaterThan(before - 5);
      }
    },
  );

  it("dates the values at their series' oldest sample, not at the evaluation time", async () => {
    const client = createPrometheusClient({ url: prom.url });
    // Evaluated a minute after now: a plain instant query dates every value then, while the
    // samples it reads (within the 5-minute lookback) were scraped before now.
    const at = new Date(Date.now() + 60_000);
    const expr = 'sum(websocket_connections{namespace="platform"}) by (pod)';
    const plain = await client.query(expr, at);
    expect(plain.map((s) => s.timestamp)).toEqual([at.getTime() / 1000, at.getTime() / 1000]);
    // What Prometheus itself says the oldest sample time is (before and after, as a scrape may
    // land between the queries).
    const oldest = async () =>
      Math.min(
        ...(await client.query('timestamp(websocket_connections{namespace="platform"})', at)).map(
          (s) => Number(s.value),
        ),
      );
    const before = await oldest();
    const timed = await client.query(expr, at, {
      series: 'websocket_connections',
      matchers: ['namespace="platform"'],
    });
    const after = await oldest();
    expect(Object.fromEntries(timed.map((s) => [s.labels.pod, s.value]))).toEqual({
      'collab-a': '7',
      'collab-b': '12.5',
    });
    for (const s of timed) {
      expect([s.timestamp >= before, s.timestamp <= after]).toEqual([true, true]);
      expect(s.timestamp).toBeLessThan(at.getTime() / 1000 - 50);
    }
  });

  it('dates an answer at its oldest sample: one a minute old is not passed off as fresh', async () => {
    const client = createPrometheusClient({ url: prom.url });
    const timed = await client.query(
      'sum(websocket_connections{namespace="aged"}) by (pod)',
      undefined,
      {
        series: 'websocket_connections',
        matchers: ['namespace="aged"'],
      },
    );
    expect(timed.map((s) => [s.labels.pod, s.value, s.timestamp]).sort()).toEqual([
      ['fresh', '1', AGED_MS / 1000],
      ['old', '2', AGED_MS / 1000],
    ]);
  });

  it('asks a query that answers a scalar as it is, at the evaluation time', async () => {
    const client = createPrometheusClient({ url: prom.url });
    const at = new Date(Date.now() + 60_000);
    const [only, ...rest] = await client.query(
      'scalar(sum(websocket_connections{namespace="platform"}))',
      at,
      { series: 'websocket_connections', matchers: ['namespace="platform"'] },
    );
    expect([only?.value, only?.timestamp, rest]).toEqual(['19.5', at.getTime() / 1000, []]);
    // Marked as a scalar's value, which has no labels (an external item's metricLabels: null).
    expect(only?.scalar).toBe(true);
  });

  it('lists series for discovery', async () => {
    const client = createPrometheusClient({ url: prom.url });
    const series = await client.series(['{__name__="websocket_connections",namespace="platform"}']);
    expect(series.map((s) => s.pod).sort()).toEqual(['collab-a', 'collab-b']);
  });

  it('reports a query Prometheus rejects as bad_query, with Prometheus\u2019 reason', async () => {
    const client = createPrometheusClient({ url: prom.url });
    const err = await client.query('sum(websocket_connections').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PrometheusError);
    expect((err as PrometheusError).kind).toBe('bad_query');
    expect((err as Error).message).toMatch(/prometheus rejected the query: .*unclosed|expected/);
  });

  it('sends the configured headers, and the credentials of auth.ts as Authorization', async () => {
    let seen: string | undefined;
    let authorization: string | undefined;
    const server = createServer((req, res) => {
      seen = req.headers['x-scope-orgid'] as string | undefined;
      authorization = req.headers.authorization;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ status: 'success', data: { resultType: 'vector', result: [] } }));
    });
    // Port 0: the kernel picks a free port as it binds (a port picked earlier can be taken since).
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as AddressInfo;
    try {
      await createPrometheusClient({
        url: `http://127.0.0.1:${port}`,
        headers: { 'X-Scope-OrgID': 'platform' },
        authorization: () => 'Basic YWRhcHRlcjpzM2NyZXQ=',
      }).query('up');
      expect([seen, authorization]).toEqual(['platform', 'Basic YWRhcHRlcjpzM2NyZXQ=']);
    } finally {
      server.close();
    }
  });
});

describe('the Prometheus client when Prometheus is down or slow', () => {
  it('reports a closed port as unavailable', async () => {
    const port = await freePort();
    const err = await createPrometheusClient({ url: `http://127.0.0.1:${port}` })
      .query('up')
      .catch((e: unknown) => e);
    expect((err as PrometheusError).kind).toBe('unavailable');
    expect((err as Error).message).toContain(
      `prometheus at http://127.0.0.1:${port} is unreachable`,
    );
  });

  /** What a query with a 200 ms deadline fails with against `handler`, and how long it took. */
  async function queryFailure(handler: Parameters<typeof createServer>[1]) {
    const server = createServer(handler);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as AddressInfo;
    try {
      const started = Date.now();
      const err = await createPrometheusClient({ url: `http://127.0.0.1:${port}`, timeoutMs: 200 })
        .query('up')
        .catch((e: unknown) => e);
      return { err: err as PrometheusError, ms: Date.now() - started, port };
    } finally {
      server.closeAllConnections();
      server.close();
    }
  }

  it('gives up after the timeout', async () => {
    const { err, ms } = await queryFailure(() => {
      /* never answers */
    });
    expect(err.kind).toBe('timeout');
    expect(ms).toBeLessThan(5_000);
  });

  it('counts a body that stops coming as a timeout, not as a bad answer', async () => {
    const { err, ms, port } = await queryFailure((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"status":"success","data":{"resultType":"vector","result":['); // and no more
    });
    expect(err.kind).toBe('timeout');
    expect(err.message).toBe(`prometheus at http://127.0.0.1:${port} did not answer within 200ms`);
    expect(ms).toBeLessThan(5_000);
  });
});
