import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { workerReader, type StoreReader } from '../store/reader';
import type { Repository } from '../store/repository';
import { openSqlite } from '../store/sqlite';
import { workerWriter, type EventWriter } from '../store/writer';
import { silentLogger } from '../telemetry/logger';
import { createTrackerMetrics } from '../telemetry/metrics';
import { createApp } from './app';

describe('/healthz (the liveness and readiness probes)', () => {
  let dir: string;
  let server: Server | undefined;
  let writer: EventWriter | undefined;
  let reader: StoreReader | undefined;
  let repo: Repository | undefined;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'beacon-health-'));
  });
  afterEach(async () => {
    await new Promise((r) => (server ? server.close(r) : r(undefined)));
    await writer?.close();
    await reader?.close();
    repo?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /**
   * A tracker's handler over a real store and its writer and reader threads (opening the files
   * given), listening on a free port.
   */
  async function serveWith(writerFile: string, readerFile = writerFile): Promise<string> {
    repo = openSqlite(join(dir, 'tracker.db'));
    writer = workerWriter(writerFile);
    reader = workerReader(readerFile);
    const app = createApp({
      repo,
      writer,
      reader,
      projects: () => [],
      apiToken: 't',
      metrics: createTrackerMetrics({ defaultMetrics: false }),
      logger: silentLogger,
    });
    server = createServer(app);
    await new Promise<void>((r) => server?.listen(0, '127.0.0.1', r));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}/healthz`;
  }

  it('answers ok while the store threads run', async () => {
    const url = await serveWith(join(dir, 'tracker.db'));
    const res = await fetch(url);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('ok');
  });

  /** The probe's answer once it is no longer 200, or the 200 after 20 s. */
  async function probeUntilFailing(url: string): Promise<Response> {
    let res = await fetch(url);
    // A deadline in time: on a busy machine the thread can take seconds to start and die.
    for (const deadline = Date.now() + 20_000; res.status === 200 && Date.now() < deadline;) {
      await new Promise((r) => setTimeout(r, 25));
      res = await fetch(url);
    }
    return res;
  }

  it('answers 503 naming the cause once the store writer thread has died', async () => {
    // The writer thread cannot open its database, so it dies as it starts; ingest would fail
    // from then on, and only a restart (the failed liveness probe) mends that.
    const gone = join(dir, 'gone', 'tracker.db');
    const res = await probeUntilFailing(await serveWith(gone, join(dir, 'tracker.db')));
    expect(res.status).toBe(503);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(await res.text()).toMatch(/^the store writer thread failed: .*directory does not exist/);
  });

  it('answers 503 naming the cause once the store reader thread has died', async () => {
    // Every API read would fail from then on.
    const gone = join(dir, 'gone', 'tracker.db');
    const res = await probeUntilFailing(await serveWith(join(dir, 'tracker.db'), gone));
    expect(res.status).toBe(503);
    expect(await res.text()).toMatch(/^the store reader thread failed: .*directory does not exist/);
  });
});
