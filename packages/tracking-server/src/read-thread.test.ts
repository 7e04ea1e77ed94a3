// A slow API read does not hold up the requests the main thread receives (ingest among them):
// the REST API reads on the store's reader thread. A search few sessions match reads the
// sessions table whole; made on the main thread, each held every other request until it was done.
import { Agent, request } from 'node:http';
import type { Operation } from './ingest/otlp';
import { storeFile } from './projects';
import { openSqlite } from './store/sqlite';
import { startTestTracker, type TestTracker } from './testing/test-tracker';

jest.setTimeout(120_000);

const NOW = Date.UTC(2026, 11, 3, 12);
/** Sessions stored: enough that one search few match takes tens of milliseconds. */
const SESSIONS = 200_000;
/** Searches sent at once. */
const SEARCHES = 8;

let setup: TestTracker<'platform'>;
const agent = new Agent({ keepAlive: true });

beforeAll(async () => {
  setup = await startTestTracker('read-thread', { platform: {} });
  // Session n: one operation of service `api`, but the two oldest of `rare`: a search for `rare`
  // finds none among the newest and reads the table whole.
  const repo = openSqlite(storeFile(setup.dir));
  try {
    const operations: Operation[] = [];
    for (let n = 0; n < SESSIONS; n++)
      operations.push({
        traceId: n.toString(16).padStart(32, '0'),
        spanId: n.toString(16).padStart(16, '0'),
        name: 'GET /',
        service: n < 2 ? 'rare' : 'api',
        start: NOW + n * 1000,
        end: NOW + n * 1000 + 10,
        status: 'ok',
        correlationId: `sess-${String(n).padStart(6, '0')}`,
        attributes: {},
      });
    repo.ingestTraces(setup.projects.platform.id, operations, []);
  } finally {
    repo.close();
  }
});

afterAll(async () => {
  agent.destroy();
  await setup?.close();
});

/** GETs `path` on its own kept-alive connection; resolves with the status, body and time taken. */
function get(path: string): Promise<{ status: number; body: string; ms: number }> {
  const start = performance.now();
  return new Promise((resolve, reject) => {
    request(
      `${setup.tracker.url}${path}`,
      { agent, headers: { authorization: `Bearer ${setup.tracker.apiToken}` } },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, body, ms: performance.now() - start }),
        );
      },
    )
      .on('error', reject)
      .end();
  });
}

const median = (values: readonly number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;

const SEARCH = '/api/v1/sessions?service=rare&limit=5';

it('answers other requests at once while searches few sessions match are read', async () => {
  // How long one search takes here, alone.
  const alone: number[] = [];
  for (let i = 0; i < 3; i++) {
    const res = await get(SEARCH);
    expect(res.status).toBe(200);
    expect((JSON.parse(res.body) as { items: { id: string }[] }).items.map((s) => s.id)).toEqual([
      'sess-000001',
      'sess-000000',
    ]);
    alone.push(res.ms);
  }
  // The searches at once, each on a connection of its own, and meanwhile one request after
  // another to the health probe, which reads nothing.
  let searching = true;
  const searches = Promise.all(Array.from({ length: SEARCHES }, () => get(SEARCH))).finally(
    () => (searching = false),
  );
  const probes: number[] = [];
  while (searching) probes.push((await get('/healthz')).ms);
  for (const res of await searches) expect(res.status).toBe(200);
  // Made on the main thread, every probe waited for the search in progress (its median about
  // one search's time); on the reader thread, none waits for one.
  expect(probes.length).toBeGreaterThanOrEqual(SEARCHES);
  expect(median(probes)).toBeLessThan(median(alone) / 4);
});
