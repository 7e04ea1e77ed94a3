// The REST API at its edges: bodies sent where none is read, and an issue that goes while a
// request about it is answered. Over real HTTP, against SQLite.
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
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

const TOKEN = 'edge-token';
const DAY = 86_400_000;
/** 2026-11-22T12:00:00.000Z */
const NOW = Date.UTC(2026, 10, 22, 12);

let dir: string;
let repo: Repository;
let server: Server;
let base: string;
/** What the repository answers the API; a test may put something in between. */
let served: Repository;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'beacon-rest-edges-'));
  repo = openSqlite(join(dir, 'tracker.db'));
  served = repo;
  // Every call goes to whatever `served` is when it is made.
  const proxy = new Proxy({} as Repository, {
    get: (_t, key: keyof Repository) => (served[key] as (...a: unknown[]) => unknown).bind(served),
  });
  const app = express();
  app.use(
    '/api/v1',
    restApi({
      repo: proxy,
      reads: inlineReader(proxy),
      apiToken: TOKEN,
      projects: () => [],
      now: () => NOW,
      indexSessions: async () => 0,
    }),
  );
  server = createServer(app);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1`;
});
afterAll(async () => {
  await new Promise((r) => server.close(r));
  repo.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A request with the token and a JSON Content-Type, `body` sent as given (any method). */
function send(method: string, path: string, body: string) {
  return new Promise<{ status: number; allow: string | undefined; body: unknown }>(
    (resolve, reject) => {
      const req = request(
        `${base}${path}`,
        {
          method,
          headers: {
            authorization: `Bearer ${TOKEN}`,
            'content-type': 'application/json',
            'content-length': String(Buffer.byteLength(body)),
          },
        },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (c: string) => (text += c));
          res.on('end', () =>
            resolve({
              status: res.statusCode ?? 0,
              allow: res.headers.allow,
              body: text ? (JSON.parse(text) as unknown) : undefined,
            }),
          );
        },
      );
      req.on('error', reject);
      req.end(body);
    },
  );
}

const scrub = createScrubber({ enabled: true });
let nextId = 0;
/** An event of project 1 that arrived at `receivedAt`, in the issue its message makes. */
const event = (message: string, receivedAt: number) =>
  readEvent(
    {
      event_id: (++nextId).toString(16).padStart(32, '0'),
      message,
      timestamp: receivedAt / 1000,
    },
    1,
    scrub,
    receivedAt,
  );

describe('a body sent to a route that reads none', () => {
  it('is ignored by GET: the page, not a 400, 413 or 415 for a body no GET has', async () => {
    repo.ingest([event('stray body', NOW - 60_000)]);
    const stats = await send('GET', '/stats', '{');
    expect(stats.status).toBe(200);
    expect(stats.body).toMatchObject({ lastHour: 1, openIssues: 1 });
    const page = await send('GET', '/issues?q=stray', 'x'.repeat(1_100_000));
    expect(page.status).toBe(200);
    expect((page.body as { items: { title: string }[] }).items.map((i) => i.title)).toEqual([
      'stray body',
    ]);
  });

  it('does not hide the 405 of a method the path does not serve, nor the 204 of OPTIONS', async () => {
    expect(await send('DELETE', '/issues/1', '{')).toEqual({
      status: 405,
      allow: 'GET, HEAD, PATCH',
      body: { error: 'DELETE is not allowed here; allowed: GET, HEAD, PATCH' },
    });
    expect(await send('PUT', '/stats', 'x'.repeat(1_100_000))).toEqual({
      status: 405,
      allow: 'GET, HEAD',
      body: { error: 'PUT is not allowed here; allowed: GET, HEAD' },
    });
    expect(await send('OPTIONS', '/issues/status', '{')).toEqual({
      status: 204,
      allow: 'POST',
      body: undefined,
    });
  });

  it('is still read, and refused when it is no JSON or too big, by PATCH and POST', async () => {
    expect((await send('PATCH', '/issues/1', '{')).status).toBe(400);
    expect(await send('POST', '/issues/status', 'x'.repeat(1_100_000))).toEqual({
      status: 413,
      allow: undefined,
      body: { error: 'body exceeds 1 MB' },
    });
  });
});

describe('an issue deleted by a retention sweep while its status is set', () => {
  it('answers the PATCH 404, not 200 with no body', async () => {
    repo.ingest([event('expiring', NOW - 40 * DAY)]);
    const { items } = repo.listIssues({ q: 'expiring', sort: 'last_seen', limit: 5 }, NOW);
    const id = items[0]?.id as number;
    expect(items.map((i) => i.title)).toEqual(['expiring']);
    // The sweep commits after the status is set and before the issue is read back.
    served = {
      ...repo,
      setStatus: (...args) => {
        const set = repo.setStatus(...args);
        while (repo.deleteEventsBefore(NOW - 30 * DAY, 500, 1) > 0);
        return set;
      },
    };
    try {
      expect(await send('PATCH', `/issues/${id}`, '{"status":"resolved"}')).toEqual({
        status: 404,
        allow: undefined,
        body: { error: `issue ${id} not found` },
      });
    } finally {
      served = repo;
    }
    expect((await send('GET', `/issues/${id}`, '')).status).toBe(404);
  });
});

describe("a session's export", () => {
  /** A session of one operation, keyed by correlation id `id`. */
  const session = (id: string, traceHex: string) =>
    repo.ingestTraces(
      1,
      [
        {
          traceId: traceHex.repeat(32),
          spanId: traceHex.repeat(16),
          name: 'GET /checkout',
          service: 'api-gateway',
          start: NOW - 2_000,
          end: NOW - 1_000,
          status: 'ok',
          correlationId: id,
          attributes: {},
        },
      ],
      [],
    );
  const exported = async (id: string) => {
    const res = await fetch(`${base}/sessions/${encodeURIComponent(id)}/export`, {
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    const body = (await res.json()) as { session: { id: string } };
    return {
      status: res.status,
      disposition: res.headers.get('content-disposition'),
      id: body.session.id,
    };
  };

  it('is named with the characters of its id a file name can hold plainly, others as _', async () => {
    const id = 'réq "7";\r\n/..\\x';
    session(id, 'a');
    expect(await exported(id)).toEqual({
      status: 200,
      disposition: 'attachment; filename="debug-session-r_q__7_____.._x.json"',
      id,
    });
  });

  it('is named with at most 200 characters of a longer id, a name a file system can hold', async () => {
    const id = `req-${'9'.repeat(4_996)}`;
    session(id, 'b');
    expect(await exported(id)).toEqual({
      status: 200,
      disposition: `attachment; filename="debug-session-req-${'9'.repeat(196)}.json"`,
      id,
    });
  });
});
