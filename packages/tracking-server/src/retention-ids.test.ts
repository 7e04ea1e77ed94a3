// An issue or attachment retention deleted keeps its id: the next new one gets another, so a
// bookmarked /issues/2, a bulk status change naming it, or /attachments/1 finds nothing rather
// than someone else's (store/sqlite-schema.ts, NEVER_REUSED). Through the API, over a store whose
// clock the test moves: what it sends is received when the test says.
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp } from './api/app';
import { DEFAULT_SETTINGS, type Project } from './projects';
import { retentionRules, sweepRetention } from './retention';
import type { Repository } from './store/repository';
import { openSqlite } from './store/sqlite';
import { inlineWriter, type EventWriter } from './store/writer';
import { createLogger } from './telemetry/logger';
import { createTrackerMetrics } from './telemetry/metrics';

const DAY = 86_400_000;
const NOW = Math.floor(Date.now() / 1000) * 1000;
const project: Project = { ...DEFAULT_SETTINGS, id: 1, name: 'web', key: 'a'.repeat(32) };

let dir: string;
let repo: Repository;
let writer: EventWriter;
let server: Server;
let url: string;
/** What the app's clock says. */
let now = NOW;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'beacon-retention-ids-'));
  repo = openSqlite(join(dir, 'tracker.db'));
  writer = inlineWriter(repo);
  server = createServer(
    createApp({
      repo,
      writer,
      projects: () => [project],
      apiToken: 't',
      metrics: createTrackerMetrics({ defaultMetrics: false }),
      logger: createLogger('error', () => {}),
      now: () => now,
    }),
  );
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((r) => server?.close(r));
  await writer?.close();
  repo?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Sends an error titled `message` at `at`, with a text attachment where given. */
async function send(at: number, message: string, attachment?: string) {
  now = at;
  const event = JSON.stringify({ message, timestamp: at / 1000 });
  const items = [`{"type":"event"}`, event];
  if (attachment !== undefined)
    items.push(
      JSON.stringify({
        type: 'attachment',
        length: Buffer.byteLength(attachment),
        filename: 'note.txt',
      }),
      attachment,
    );
  const res = await fetch(`${url}/api/${project.id}/envelope/?sentry_key=${project.key}`, {
    method: 'POST',
    body: `{}\n${items.join('\n')}\n`,
  });
  expect(res.status).toBe(200);
  now = NOW;
}

const api = async (path: string, init: RequestInit = {}) => {
  const res = await fetch(`${url}/api/v1${path}`, {
    ...init,
    headers: { authorization: 'Bearer t', 'content-type': 'application/json' },
  });
  return { status: res.status, body: (await res.json().catch(() => undefined)) as any }; // eslint-disable-line @typescript-eslint/no-explicit-any
};

it('gives a new issue and attachment ids of their own after retention swept the newest', async () => {
  const old = NOW - 40 * DAY;
  await send(old, 'alpha failed'); // issue 1, kept by its later event
  await send(old, 'bravo failed', 'bravo’s note'); // issue 2 and attachment 1, swept
  await send(NOW, 'alpha failed');
  const titles = async () =>
    (await api('/issues?sort=first_seen')).body.items.map((i: { id: number; title: string }) => [
      i.id,
      i.title,
    ]);
  expect(await titles()).toEqual([
    [2, 'bravo failed'],
    [1, 'alpha failed'],
  ]);
  expect((await api('/attachments/1')).status).toBe(200);

  await sweepRetention(writer, retentionRules([project], DEFAULT_SETTINGS, NOW));
  expect(await titles()).toEqual([[1, 'alpha failed']]);

  await send(NOW, 'charlie failed', 'charlie’s note');
  expect(await titles()).toEqual([
    [3, 'charlie failed'],
    [1, 'alpha failed'],
  ]);
  // What named the swept issue and attachment finds nothing, not the new ones.
  expect((await api('/issues/2')).status).toBe(404);
  expect(
    await api('/issues/status', {
      method: 'POST',
      body: JSON.stringify({ ids: [2], status: 'resolved' }),
    }),
  ).toEqual({ status: 200, body: { updated: [], notFound: [2] } });
  expect((await api('/issues/3')).body).toMatchObject({ title: 'charlie failed', status: 'open' });
  expect((await api('/attachments/1')).status).toBe(404);
  const events = (await api('/issues/3/events')).body.items;
  expect(events[0].attachments.map((a: { id: number }) => a.id)).toEqual([2]);
});
