// A very long `q` over real HTTP, against SQLite, on a server that takes request lines longer than
// Node's default 16 KB (`--max-http-header-size`, or a server built with a larger
// maxHeaderSize): SQLite refuses a LIKE pattern over 50,000 bytes (SQLITE_MAX_LIKE_PATTERN_LENGTH,
// "LIKE or GLOB pattern too complex"), which was answered 500 as if the tracker had failed.
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import express from 'express';
import { readEvent } from '../ingest/event';
import { createScrubber } from '../scrub/scrub';
import { inlineReader } from '../store/reader';
import type { Repository } from '../store/repository';
import { openSqlite } from '../store/sqlite';
import { restApi } from './rest';

const TOKEN = 'search-token';
const NOW = Date.UTC(2026, 10, 22, 12);

let dir: string;
let repo: Repository;
let server: Server;
let base: string;
const failures: unknown[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'beacon-rest-search-'));
  repo = openSqlite(join(dir, 'tracker.db'));
  // One issue: SQLite reads the pattern when it has a row to match it against.
  repo.ingest([
    readEvent(
      { event_id: '1'.padStart(32, '0'), message: 'connection reset' },
      1,
      createScrubber({ enabled: true }),
      NOW,
    ),
  ]);
  const app = express();
  app.use(
    '/api/v1',
    restApi({
      repo,
      reads: inlineReader(repo),
      apiToken: TOKEN,
      projects: () => [],
      now: () => NOW,
      indexSessions: async () => 0,
      onError: (e) => failures.push(e),
    }),
  );
  server = createServer({ maxHeaderSize: 1024 * 1024 }, app);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1`;
});
afterAll(async () => {
  await new Promise((r) => server.close(r));
  repo.close();
  rmSync(dir, { recursive: true, force: true });
});

async function search(q: string): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`${base}/issues?q=${encodeURIComponent(q)}`, {
    headers: { authorization: `Bearer ${TOKEN}` },
  });
  return { status: res.status, body: await res.json() };
}

it('refuses a q too long for a search 400 naming it, not 500', async () => {
  // 30,000 × é: 60,000 bytes of pattern once lower-cased.
  const accents = await search('é'.repeat(30_000));
  expect(accents.status).toBe(400);
  expect((accents.body as { error: string }).error).toMatch(/^q is too long: 30000 characters/);
  // 26,000 × _: each escaped as \_, 52,002 bytes.
  const wildcards = await search('_'.repeat(26_000));
  expect(wildcards.status).toBe(400);
  expect((wildcards.body as { error: string }).error).toMatch(/^q is too long: 26000 characters/);
  expect(failures).toEqual([]);
});

it('still searches with a long q that fits', async () => {
  // 24,000 × é: 48,002 bytes; 24,000 × _: 48,002 bytes escaped; 40,000 ASCII letters.
  for (const q of ['é'.repeat(24_000), '_'.repeat(24_000), 'a'.repeat(40_000)])
    expect(await search(q)).toEqual({ status: 200, body: { items: [], nextCursor: null } });
  const found = await search('CONNECTION RESET');
  expect([
    found.status,
    (found.body as { items: { title: string }[] }).items.map((i) => i.title),
  ]).toEqual([200, ['connection reset']]);
  expect(failures).toEqual([]);
});
