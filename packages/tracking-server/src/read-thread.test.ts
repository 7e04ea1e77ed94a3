// A slow read does not hold up the requests the main thread receives (ingest among them): the
// REST API and /metrics read on the store's reader thread. A search few sessions match reads the
// sessions table whole, the open issues gauge counts the issues table; made on the main thread,
// each held every other request until it was done.
import { Agent, request } from 'node:http';
import Database from 'better-sqlite3';
import { storeFile } from './projects';
import { openSqlite } from './store/sqlite';
import { numberedSessions } from './testing/numbered-sessions';
import { startTestTracker, type TestTracker } from './testing/test-tracker';

/**
 * The hour now, not a fixed date: serve() sweeps with the default retention (30 days) 10 s after
 * it starts, and would take rows dated a month before the run away mid-test.
 */
const NOW = Math.floor(Date.now() / 3_600_000) * 3_600_000;
/** Sessions stored: enough that one search few match takes tens of milliseconds. */
const SESSIONS = 200_000;
/** Open issues stored. */
const ISSUES = 100_000;
/** Slow reads sent at once. */
const SEARCHES = 8;

let setup: TestTracker<'platform'>;
const agent = new Agent({ keepAlive: true });

beforeAll(async () => {
  setup = await startTestTracker('read-thread', { platform: {} });
  // Session n: one operation of service `api`, but the two oldest of `rare`: a search for `rare`
  // finds none among the newest and reads the table whole.
  const repo = openSqlite(storeFile(setup.dir));
  try {
    const service = (n: number) => (n < 2 ? 'rare' : 'api');
    const operations = numberedSessions(SESSIONS, { start: NOW, digits: 6, service });
    repo.ingestTraces(setup.projects.platform.id, operations, []);
  } finally {
    repo.close();
  }
  // Issue rows written directly (ingesting an event for each would take minutes).
  const db = new Database(storeFile(setup.dir));
  try {
    db.prepare(
      `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < @issues)
       INSERT INTO issues (project_id, hash, title, culprit, severity, type, service, environment,
         release, grouped_by, components, first_seen, last_seen, count)
       SELECT @project, 'hash-' || i, 'TypeError: step ' || i || ' failed', 'checkout.ts in step',
         'error', 'application', 'api', 'production', '1.0.0', 'exception', '[]', @now, @now, 1
       FROM n`,
    ).run({ issues: ISSUES, project: setup.projects.platform.id, now: NOW });
  } finally {
    db.close();
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

/** Each slow read, and what its answer must hold. */
const SLOW_READS: [string, string, (body: string) => void][] = [
  [
    'searches few sessions match',
    '/api/v1/sessions?service=rare&limit=5',
    (body) =>
      expect((JSON.parse(body) as { items: { id: string }[] }).items.map((s) => s.id)).toEqual([
        'sess-000001',
        'sess-000000',
      ]),
  ],
  [
    'scrapes counting the open issues',
    '/metrics',
    (body) =>
      expect(body).toContain(
        `beacon_tracker_open_issues{project="platform",severity="error"} ${ISSUES}\n`,
      ),
  ],
];

it.each(SLOW_READS)('answers other requests at once while %s are read', async (_, path, check) => {
  // How long one takes here, alone.
  const alone: number[] = [];
  for (let i = 0; i < 3; i++) {
    const res = await get(path);
    expect(res.status).toBe(200);
    check(res.body);
    alone.push(res.ms);
  }
  // Several at once, each on a connection of its own, and meanwhile one request after another
  // to the health probe, which reads nothing.
  let reading = true;
  const reads = Promise.all(Array.from({ length: SEARCHES }, () => get(path))).finally(
    () => (reading = false),
  );
  const probes: number[] = [];
  while (reading) probes.push((await get('/healthz')).ms);
  for (const res of await reads) expect(res.status).toBe(200);
  // Made on the main thread, every probe waited for the read in progress (its median about one
  // read's time); on the reader thread, none waits for one.
  expect(probes.length).toBeGreaterThanOrEqual(SEARCHES);
  expect(median(probes)).toBeLessThan(median(alone) / 4);
});
