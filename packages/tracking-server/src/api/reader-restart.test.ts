// The REST API while its reader thread dies and a new one starts (store/reader.ts): the read in
// flight is a 500, /healthz is a 503 naming the restart until a new thread has opened its
// connection, and then both answer as before, the new thread reading what was committed meanwhile.
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { workerReader, type StoreReader } from '../store/reader';
import type { Repository } from '../store/repository';
import { openSqlite } from '../store/sqlite';
import { inlineWriter } from '../store/writer';
import { createLogger } from '../telemetry/logger';
import { createTrackerMetrics } from '../telemetry/metrics';
import { MORTAL_READER_THREAD, MORTAL_SESSION } from '../testing/mortal-reader-thread';
import { createApp } from './app';

const NOW = Date.UTC(2026, 11, 3, 12);

let dir: string;
let repo: Repository;
let reader: StoreReader;
let server: Server;
let url: string;
const logged: { level: string; msg: string; error?: string; restartInMs?: number }[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'beacon-reader-restart-'));
  repo = openSqlite(join(dir, 'tracker.db'));
  // Logged as serve logs it (main.ts); a wait long enough that the probe meets it.
  const logger = createLogger('info', (line) => logged.push(JSON.parse(line)));
  reader = workerReader(join(dir, 'tracker.db'), {
    threadModule: MORTAL_READER_THREAD,
    restartDelay: { firstMs: 1_000, maxMs: 1_000 },
    onFailure: (error, restartInMs) => logger.error('reader died', { error, restartInMs }),
  });
  const app = createApp({
    repo,
    writer: inlineWriter(repo),
    reader,
    projects: () => [],
    apiToken: 't',
    metrics: createTrackerMetrics({ defaultMetrics: false }),
    logger,
  });
  server = createServer(app);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((r) => server?.close(r));
  await reader?.close();
  repo?.close();
  rmSync(dir, { recursive: true, force: true });
});

const get = async (path: string) => {
  const res = await fetch(`${url}${path}`, { headers: { authorization: 'Bearer t' } });
  return { status: res.status, text: await res.text() };
};

/** One operation of session `id`. */
const operation = (id: string, start: number) => ({
  traceId: id.padEnd(32, '0'),
  spanId: 'c'.repeat(16),
  name: 'GET /cart',
  service: 'api',
  start,
  end: start + 40,
  status: 'ok' as const,
  correlationId: id,
  attributes: {},
});

const sessionIds = async () => {
  const res = await get('/api/v1/sessions');
  expect(res.status).toBe(200);
  return (JSON.parse(res.text) as { items: { id: string }[] }).items.map((s) => s.id);
};

it('answers reads again once a new reader thread runs, without a restart of the process', async () => {
  repo.ingestTraces(1, [operation('s1', NOW - 60_000)], []);
  expect(await sessionIds()).toEqual(['s1']);
  expect(await get('/healthz')).toEqual({ status: 200, text: 'ok' });

  // The read that ends the thread: a 500, as any read the store failed.
  expect(await get(`/api/v1/sessions/${MORTAL_SESSION}`)).toEqual({
    status: 500,
    text: JSON.stringify({ error: 'internal error' }),
  });
  const probe = await get('/healthz');
  expect(probe.status).toBe(503);
  expect(probe.text).toMatch(
    /^the store reader thread exited \(3\); restarting it (in 1000 ms|now)$/,
  );
  expect(logged).toContainEqual(
    expect.objectContaining({
      level: 'error',
      msg: 'reader died',
      error: 'the store reader thread exited (3)',
      restartInMs: 1000,
    }),
  );

  // Committed while no thread reads.
  repo.ingestTraces(1, [operation('s2', NOW - 30_000)], []);
  let health = await get('/healthz');
  for (const deadline = Date.now() + 20_000; health.status !== 200 && Date.now() < deadline;) {
    await new Promise((r) => setTimeout(r, 25));
    health = await get('/healthz');
  }
  expect(health).toEqual({ status: 200, text: 'ok' });
  expect(await sessionIds()).toEqual(['s2', 's1']);
  const s2 = await get('/api/v1/sessions/s2');
  expect(s2.status).toBe(200);
  expect((JSON.parse(s2.text) as { timeline: { name: string }[] }).timeline).toEqual([
    expect.objectContaining({ name: 'GET /cart' }),
  ]);
});
