import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Repository } from '../store/repository';
import { openSqlite } from '../store/sqlite';
import { workerWriter, type EventWriter } from '../store/writer';
import { silentLogger } from '../telemetry/logger';
import { createTrackerMetrics } from '../telemetry/metrics';
import { createApp } from './app';

jest.setTimeout(30_000);

describe('/healthz (the liveness and readiness probes)', () => {
  let dir: string;
  let server: Server | undefined;
  let writer: EventWriter | undefined;
  let repo: Repository | undefined;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'beacon-health-'));
  });
  afterEach(async () => {
    await new Promise((r) => (server ? server.close(r) : r(undefined)));
    await writer?.close();
    repo?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** A tracker's handler over a real store and writer thread, listening on a free port. */
  async function serveWith(dbFile: string): Promise<string> {
    repo = openSqlite(join(dir, 'tracker.db'));
    writer = workerWriter(dbFile);
    const app = createApp({
      repo,
      writer,
      projects: () => [],
      apiToken: 't',
      metrics: createTrackerMetrics({ defaultMetrics: false }),
      logger: silentLogger,
    });
    server = createServer(app);
    await new Promise<void>((r) => server?.listen(0, '127.0.0.1', r));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}/healthz`;
  }

  it('answers ok while the store writer runs', async () => {
    const url = await serveWith(join(dir, 'tracker.db'));
    const res = await fetch(url);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('ok');
  });

  it('answers 503 naming the cause once the store writer thread has died', async () => {
    // The writer thread cannot open its database, so it dies as it starts; ingest would fail
    // from then on, and only a restart (the failed liveness probe) mends that.
    const url = await serveWith(join(dir, 'gone', 'tracker.db'));
    let res = await fetch(url);
    // A deadline in time: on a busy machine the thread can take seconds to start and die.
    for (const deadline = Date.now() + 20_000; res.status === 200 && Date.now() < deadline;) {
      await new Promise((r) => setTimeout(r, 25));
      res = await fetch(url);
    }
    expect(res.status).toBe(503);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(await res.text()).toMatch(/^the store writer thread failed: .*directory does not exist/);
  });
});
