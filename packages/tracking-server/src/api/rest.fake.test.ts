// The REST API's translation of requests into repository queries, and of the answers into the
// wire shape, over real HTTP against a data-driven fake of the Repository (no SQLite).
import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import {
  eventsKey,
  feedbackFilterKey,
  fakeRepository,
  issueFilterKey,
  sessionFilterKey,
  type FakeRepositoryCall,
} from '../store/fake-repository';
import { DEFAULT_SETTINGS } from '../projects';
import { inlineReader } from '../store/reader';
import { QUIET_STEP } from '../store/session-index';
import type { FeedbackEntry, IssueDetail, IssueSummary } from '../store/repository';
import type { SessionDetail, SessionSummary } from '../store/sessions';
import { inlineWriter, type EventWriter } from '../store/writer';
import { createLogger } from '../telemetry/logger';
import { createTrackerMetrics } from '../telemetry/metrics';
import { createApp, OPEN_ISSUES_WAIT_MS } from './app';
import { restApi } from './rest';

const TOKEN = 'fake-token';
/** 2025-03-01T12:00:00.000Z */
const NOW = 1_740_830_400_000;
/** The projects the app is served with: ids out of order, as config.json may list them. */
const TWO_PROJECTS = [
  { id: 3, name: 'shop', key: 'c'.repeat(32), ...DEFAULT_SETTINGS },
  { id: 1, name: 'api', key: 'a'.repeat(32), ...DEFAULT_SETTINGS },
];

const summary7: IssueSummary = {
  id: 7,
  projectId: 1,
  title: 'TimeoutError: upstream timed out',
  culprit: 'src/proxy.ts in forward',
  status: 'open',
  severity: 'error',
  type: 'external_api',
  service: 'a',
  count: 42,
  users: 3,
  firstSeen: '2025-03-01T10:00:00.000Z',
  lastSeen: '2025-03-01T11:59:00.000Z',
  groupedBy: 'in-app frames',
  hourly: [0, 2, 40],
};
const summary12: IssueSummary = {
  id: 12,
  projectId: 2,
  title: 'Timeout waiting for lock',
  culprit: 'db/pool.ts in acquire',
  status: 'open',
  severity: 'critical',
  type: 'database',
  service: 'b',
  count: 9,
  users: 0,
  firstSeen: '2025-02-28T08:00:00.000Z',
  lastSeen: '2025-03-01T09:30:00.000Z',
  groupedBy: 'fingerprint',
  hourly: [9],
};
const detail7: IssueDetail = {
  ...summary7,
  environment: 'production',
  release: 'a@1.2.0',
  releases: ['a@1.1.0', 'a@1.2.0'],
  regression: false,
  grouping: { rule: 'in-app frames', components: ['src/proxy.ts:forward'] },
  latestEvent: { event_id: 'e1', level: 'error' },
};

const sessionSummary: SessionSummary = {
  id: 'req:42',
  correlationId: 'req:42',
  services: ['api-gateway', 'ai-service'],
  projectIds: [1, 3],
  start: '2025-03-01T11:00:00.000Z',
  end: '2025-03-01T11:00:01.500Z',
  durationMs: 1500,
  operations: 1,
  errors: 1,
  slowOperations: 1,
};
const session: SessionDetail = {
  ...sessionSummary,
  traceIds: ['0af7651916cd43dd8448eb211c80319c'],
  timeline: [
    {
      traceId: '0af7651916cd43dd8448eb211c80319c',
      spanId: 'b7ad6b7169203331',
      name: 'POST /infer',
      service: 'api-gateway',
      start: '2025-03-01T11:00:00.000Z',
      end: '2025-03-01T11:00:01.500Z',
      offsetMs: 0,
      durationMs: 1500,
      status: 'error',
      slow: true,
      attributes: { 'http.status_code': 504 },
    },
  ],
  errorEvents: [
    {
      eventId: 'e1',
      issueId: 7,
      title: 'TimeoutError: upstream timed out',
      level: 'error',
      service: 'api-gateway',
      timestamp: '2025-03-01T11:00:01.400Z',
      offsetMs: 1400,
      spanId: 'b7ad6b7169203331',
    },
  ],
  memory: [{ time: '2025-03-01T11:00:01.000Z', offsetMs: 1000, service: 'ai-service', rss: 1024 }],
};

const feedbackAlone: FeedbackEntry = {
  id: 3,
  receivedAt: '2025-03-01T11:58:00.000Z',
  projectId: 2,
  name: 'Di',
  email: 'di@example.com',
  message: 'Love the new page',
  url: 'https://shop.example/',
  attachments: [
    {
      id: 5,
      filename: 'screenshot.png',
      contentType: 'image/png',
      type: 'event.attachment',
      size: 4,
      filtered: false,
    },
  ],
};
const feedbackLinked: FeedbackEntry = {
  id: 1,
  receivedAt: '2025-03-01T11:00:02.000Z',
  projectId: 1,
  eventId: 'e'.repeat(32),
  issue: { id: 7, title: 'TimeoutError: upstream timed out' },
  name: '',
  email: '',
  message: 'It hung',
  attachments: [],
};

/** The query `GET /issues?status=open&service=a&service=b&sort=events&limit=2&q=Timeout` means. */
const listed = {
  status: 'open',
  service: ['a', 'b'],
  q: 'Timeout',
  sort: 'events',
  limit: 2,
} as const;
const sessionsListed = { service: 'api-gateway', hasErrors: true, limit: 10 } as const;

const data = {
  issuePages: {
    [issueFilterKey(listed)]: { items: [summary7, summary12], nextCursor: 'c2' },
    [issueFilterKey({ project: [2, 1], sort: 'last_seen', limit: 50 })]: {
      items: [summary12],
      nextCursor: null,
    },
  },
  issues: { 7: detail7 },
  events: { [eventsKey(7, undefined, 20)]: { items: [], nextCursor: null } },
  feedback: { [eventsKey(7, undefined, 20)]: { items: [], nextCursor: null } },
  allFeedback: {
    [feedbackFilterKey({ limit: 50 })]: { items: [feedbackAlone], nextCursor: 'f2' },
    [feedbackFilterKey({ cursor: 'f2', limit: 200 })]: {
      items: [feedbackLinked],
      nextCursor: null,
    },
    [feedbackFilterKey({ q: 'hung', limit: 50 })]: { items: [feedbackLinked], nextCursor: null },
    [feedbackFilterKey({ project: [1], q: 'hung', limit: 50 })]: {
      items: [feedbackLinked],
      nextCursor: null,
    },
  },
  sessionPages: {
    [sessionFilterKey(sessionsListed)]: { items: [sessionSummary], nextCursor: null },
    [sessionFilterKey({ project: [3, 1], limit: 50 })]: {
      items: [sessionSummary],
      nextCursor: null,
    },
  },
  sessions: { 'req:42': session },
  stats: {
    bySeverity: { warning: 2 },
    byService: { payments: 2 },
    topIssues: [summary12],
    lastHour: 1,
    lastDay: 2,
    openIssues: 1,
    trend: [...new Array<number>(23).fill(0), 2],
  },
  feedbackAttachments: {
    5: { filename: 'screenshot.png', data: new Uint8Array([0x89, 0x50, 0x4e, 0x47]) },
    7: { filename: 'dump.bin', data: null },
  },
};

// The wire types are the repository's (wire.ts): the API sends what the store answers as it is,
// so the expected bodies are the fake's own hand-written records, copied before any request (an
// API that changed the record it was given would change a shared expected value too).
const wire7 = structuredClone(detail7);
const wire12 = structuredClone(summary12);
const wireSession = structuredClone(session);
const wireSummary = structuredClone(sessionSummary);
const [wireAlone, wireLinked] = structuredClone([feedbackAlone, feedbackLinked]);

/** Serves `listener` on a free loopback port. */
/** The tracker's app over `repo`, with the token and the two projects; `deps` override. */
const appOver = (
  repo: ReturnType<typeof fakeRepository>,
  writer: EventWriter,
  deps: Partial<Parameters<typeof createApp>[0]> = {},
) =>
  createApp({
    repo,
    writer,
    projects: () => TWO_PROJECTS,
    apiToken: TOKEN,
    metrics: createTrackerMetrics({ defaultMetrics: false }),
    logger: createLogger('error', () => {}),
    ...deps,
  });

async function listen(listener: RequestListener): Promise<{ server: Server; url: string }> {
  const server = createServer(listener);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

interface Answer {
  status: number;
  type: string | null;
  body: unknown;
  /** The response headers asked for by name. */
  headers?: Record<string, string | null>;
}

/** One request to `${base}/api/v1${path}`, with the token unless `token` is null. */
async function api(
  base: string,
  method: string,
  path: string,
  options: { body?: unknown; token?: string | null; headers?: readonly string[] } = {},
): Promise<Answer> {
  const { body, token = TOKEN } = options;
  const res = await fetch(`${base}/api/v1${path}`, {
    method,
    headers: {
      ...(token === null ? {} : { authorization: `Bearer ${token}` }),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return {
    status: res.status,
    type: res.headers.get('content-type'),
    body: text ? (JSON.parse(text) as unknown) : undefined,
    ...(options.headers
      ? { headers: Object.fromEntries(options.headers.map((h) => [h, res.headers.get(h)])) }
      : {}),
  };
}

const JSON_TYPE = 'application/json; charset=utf-8';
const ok = (body: unknown): Answer => ({ status: 200, type: JSON_TYPE, body });
const failed = (status: number, error: string): Answer => ({
  status,
  type: JSON_TYPE,
  body: { error },
});

describe('the app (createApp) over a fake repository', () => {
  const fake = fakeRepository(data);
  const logged: string[] = [];
  let writer: EventWriter;
  let server: Server;
  let url: string;

  beforeAll(async () => {
    writer = inlineWriter(fake);
    ({ server, url } = await listen(
      appOver(fake, writer, {
        logger: createLogger('error', (line) => void logged.push(line)),
        now: () => NOW,
      }),
    ));
  });
  afterAll(async () => {
    await new Promise((r) => server.close(r));
    await writer.close();
  });
  beforeEach(() => {
    fake.calls.length = 0;
    logged.length = 0;
  });
  // A query the fake has no answer for is a 500 whose logged cause names the query: shown here.
  afterEach(() => expect(logged).toEqual([]));

  /**
   * The calls requests made: less the writer's idle indexing, QUIET_STEP at a time on a timer
   * (a session read's catch-up asks for steps of 256).
   */
  const asked = (): FakeRepositoryCall[] =>
    fake.calls.filter((c) => !(c.call === 'indexSessions' && c.args[0] === QUIET_STEP));

  const call = (method: string, path: string, body?: unknown) => api(url, method, path, { body });

  it('asks the repository for the issue filter a query names, and answers its page', async () => {
    const answer = await call(
      'GET',
      '/issues?status=open&service=a&service=b&sort=events&limit=2&q=Timeout',
    );
    expect(asked()).toEqual([
      {
        call: 'listIssues',
        args: [
          { status: 'open', service: ['a', 'b'], q: 'Timeout', sort: 'events', limit: 2 },
          NOW,
        ],
      },
    ]);
    expect(answer).toEqual(
      ok({
        items: [
          {
            id: 7,
            projectId: 1,
            title: 'TimeoutError: upstream timed out',
            culprit: 'src/proxy.ts in forward',
            status: 'open',
            severity: 'error',
            type: 'external_api',
            service: 'a',
            count: 42,
            users: 3,
            firstSeen: '2025-03-01T10:00:00.000Z',
            lastSeen: '2025-03-01T11:59:00.000Z',
            groupedBy: 'in-app frames',
            hourly: [0, 2, 40],
          },
          {
            id: 12,
            projectId: 2,
            title: 'Timeout waiting for lock',
            culprit: 'db/pool.ts in acquire',
            status: 'open',
            severity: 'critical',
            type: 'database',
            service: 'b',
            count: 9,
            users: 0,
            firstSeen: '2025-02-28T08:00:00.000Z',
            lastSeen: '2025-03-01T09:30:00.000Z',
            groupedBy: 'fingerprint',
            hourly: [9],
          },
        ],
        nextCursor: 'c2',
      }),
    );
  });

  it('lists the projects by id with their names, and never their keys', async () => {
    expect(await call('GET', '/projects')).toEqual(
      ok({
        items: [
          { id: 1, name: 'api' },
          { id: 3, name: 'shop' },
        ],
      }),
    );
  });

  it('filters issues, feedback, sessions and stats to any of the projects named, each once', async () => {
    expect(await call('GET', '/issues?project=2&project=1&project=02')).toEqual(
      ok({ items: [wire12], nextCursor: null }),
    );
    expect(await call('GET', '/feedback?project=1&q=hung')).toEqual(
      ok({ items: [wireLinked], nextCursor: null }),
    );
    expect(await call('GET', '/sessions?project=3&project=1&project=3')).toEqual(
      ok({ items: [wireSummary], nextCursor: null }),
    );
    expect(asked()).toEqual([
      { call: 'listIssues', args: [{ project: [2, 1], sort: 'last_seen', limit: 50 }, NOW] },
      { call: 'listFeedback', args: [{ project: [1], q: 'hung', limit: 50 }] },
      { call: 'indexSessions', args: [256] },
      { call: 'listSessions', args: [{ project: [3, 1], limit: 50 }] },
    ]);
    expect(await call('GET', '/stats?project=2')).toMatchObject(
      ok({ topIssues: [wire12], lastDay: 2 }),
    );
    expect(await call('GET', '/stats')).toMatchObject(ok({ openIssues: 1 }));
    expect(asked().slice(-2)).toEqual([
      { call: 'stats', args: [NOW, [2]] },
      { call: 'stats', args: [NOW] },
    ]);
  });

  it.each([
    ['0', '"0"'],
    ['shop', '"shop"'],
    ['1e2', '"1e2"'],
    ['', '""'],
    ['1234567890123456', '"1234567890123456"'],
  ])(
    'refuses project=%s on every list with 400, naming it, and asks nothing',
    async (given, quoted) => {
      const message = `project must be a project id, a positive integer of up to 15 digits; got ${quoted}`;
      const query = `project=1&project=${encodeURIComponent(given)}`;
      expect(await call('GET', `/issues?${query}`)).toEqual(failed(400, message));
      expect(await call('GET', `/feedback?${query}`)).toEqual(failed(400, message));
      expect(await call('GET', `/sessions?${query}`)).toEqual(failed(400, message));
      expect(await call('GET', `/stats?${query}`)).toEqual(failed(400, message));
      expect(asked()).toEqual([]);
    },
  );

  it('fills in the default sort and limit of an issue query with no parameters', async () => {
    const answer = await call('GET', '/issues?status=resolved');
    expect(asked()).toEqual([
      { call: 'listIssues', args: [{ status: 'resolved', sort: 'last_seen', limit: 50 }, NOW] },
    ]);
    // The fake has no page for it: it says which query it was asked, and the API answers 500.
    expect(answer).toEqual(failed(500, 'internal error'));
    expect(logged.map((line) => JSON.parse(line) as unknown)).toEqual([
      expect.objectContaining({
        msg: 'API request failed',
        error:
          'fake repository has no issue page for {"limit":50,"sort":"last_seen","status":"resolved"}',
      }),
    ]);
    logged.length = 0;
  });

  it('answers an issue the repository holds as its detail, and one it lacks with 404', async () => {
    expect(await call('GET', '/issues/7')).toEqual(ok(wire7));
    expect(await call('GET', '/issues/8')).toEqual(failed(404, 'issue 8 not found'));
    expect(asked()).toEqual([
      { call: 'getIssue', args: [7, NOW] },
      { call: 'getIssue', args: [8, NOW] },
    ]);
  });

  it("asks for an issue's first page of events with the default limit", async () => {
    expect(await call('GET', '/issues/7/events')).toEqual(ok({ items: [], nextCursor: null }));
    expect(await call('GET', '/issues/8/events')).toEqual(failed(404, 'issue 8 not found'));
    expect(asked()).toEqual([
      { call: 'issueEvents', args: [7, undefined, 20] },
      { call: 'issueEvents', args: [8, undefined, 20] },
    ]);
  });

  it("asks for an issue's newest feedback with the default limit, and a cursor as given", async () => {
    expect(await call('GET', '/issues/7/feedback')).toEqual(ok({ items: [], nextCursor: null }));
    expect(await call('GET', '/issues/8/feedback?cursor=abc&limit=5')).toEqual(
      failed(404, 'issue 8 not found'),
    );
    expect(asked()).toEqual([
      { call: 'issueFeedback', args: [7, undefined, 20] },
      { call: 'issueFeedback', args: [8, 'abc', 5] },
    ]);
  });

  it('asks for all feedback a page at a time, 50 by default and up to 200, or what a search finds', async () => {
    const first = await call('GET', '/feedback');
    expect(first).toEqual(ok({ items: [wireAlone], nextCursor: 'f2' }));
    expect(await call('GET', '/feedback?cursor=f2&limit=200')).toEqual(
      ok({ items: [wireLinked], nextCursor: null }),
    );
    expect(await call('GET', '/feedback?q=hung')).toEqual(
      ok({ items: [wireLinked], nextCursor: null }),
    );
    expect(await call('GET', '/feedback?q=a%00b')).toEqual(
      failed(400, 'q must not contain a NUL character'),
    );
    expect(await call('GET', '/feedback?limit=201')).toEqual(
      failed(400, 'limit must be an integer from 1 to 200'),
    );
    expect(await call('GET', '/feedback?cursor=a&cursor=b')).toEqual(
      failed(400, 'cursor must be given once'),
    );
    expect(asked()).toEqual([
      { call: 'listFeedback', args: [{ limit: 50 }] },
      { call: 'listFeedback', args: [{ cursor: 'f2', limit: 200 }] },
      { call: 'listFeedback', args: [{ q: 'hung', limit: 50 }] },
    ]);
  });

  it("answers a piece of feedback's attachment as a download of its bytes, or 404 where there are none", async () => {
    const res = await fetch(`${url}/api/v1/feedback/attachments/5`, {
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect([
      res.status,
      res.headers.get('content-type'),
      res.headers.get('content-disposition'),
      [...new Uint8Array(await res.arrayBuffer())],
    ]).toEqual([
      200,
      'application/octet-stream',
      'attachment; filename="screenshot.png"',
      [0x89, 0x50, 0x4e, 0x47],
    ]);
    expect(await call('GET', '/feedback/attachments/6')).toEqual(
      failed(404, 'feedback attachment 6 not found'),
    );
    expect(await call('GET', '/feedback/attachments/7')).toEqual(
      failed(
        404,
        "feedback attachment 7 was filtered whole by an earlier version's scrubbing: it is not text, and held a sensitive shape",
      ),
    );
    expect(asked()).toEqual([
      { call: 'feedbackAttachment', args: [5] },
      { call: 'feedbackAttachment', args: [6] },
      { call: 'feedbackAttachment', args: [7] },
    ]);
  });

  it('sets a status with the clock of the app, then answers the issue read again', async () => {
    const answer = await call('PATCH', '/issues/7', { status: 'resolved' });
    // The fake does not apply writes: the issue read back is the one it holds.
    expect(answer).toEqual(ok(wire7));
    expect(asked()).toEqual([
      { call: 'setStatus', args: [[7], 'resolved', NOW] },
      { call: 'getIssue', args: [7, NOW] },
    ]);
  });

  it('answers 404 to a status set on an issue the repository does not have', async () => {
    expect(await call('PATCH', '/issues/8', { status: 'resolved' })).toEqual(
      failed(404, 'issue 8 not found'),
    );
    expect(asked()).toEqual([{ call: 'setStatus', args: [[8], 'resolved', NOW] }]);
  });

  it('asks for the session filter a query names, after indexing the sessions', async () => {
    expect(await call('GET', '/sessions?service=api-gateway&hasErrors=true&limit=10')).toEqual(
      ok({
        items: [
          {
            id: 'req:42',
            correlationId: 'req:42',
            services: ['api-gateway', 'ai-service'],
            projectIds: [1, 3],
            start: '2025-03-01T11:00:00.000Z',
            end: '2025-03-01T11:00:01.500Z',
            durationMs: 1500,
            operations: 1,
            errors: 1,
            slowOperations: 1,
          },
        ],
        nextCursor: null,
      }),
    );
    expect(asked()).toEqual([
      { call: 'indexSessions', args: [256] },
      { call: 'listSessions', args: [{ service: 'api-gateway', hasErrors: true, limit: 10 }] },
    ]);
  });

  it('answers a session and its export from the repository, and a missing one with 404', async () => {
    expect(await call('GET', '/sessions/req:42')).toEqual(ok(wireSession));
    expect(
      await api(url, 'GET', '/sessions/req:42/export', { headers: ['content-disposition'] }),
    ).toEqual({
      ...ok({ exportedAt: '2025-03-01T12:00:00.000Z', session: wireSession }),
      headers: { 'content-disposition': 'attachment; filename="debug-session-req_42.json"' },
    });
    expect(await call('GET', '/sessions/req:gone')).toEqual(
      failed(404, 'session "req:gone" not found'),
    );
    expect(asked()).toEqual([
      { call: 'indexSessions', args: [256] },
      { call: 'getSession', args: ['req:42'] },
      { call: 'indexSessions', args: [256] },
      { call: 'getSession', args: ['req:42'] },
      { call: 'indexSessions', args: [256] },
      { call: 'getSession', args: ['req:gone'] },
    ]);
  });

  it('refuses a request without the token or with another one, asking the repository nothing', async () => {
    for (const token of [null, 'other-token']) {
      expect(await api(url, 'GET', '/issues/7', { token, headers: ['www-authenticate'] })).toEqual({
        ...failed(401, 'missing or wrong API token: send Authorization: Bearer <token>'),
        headers: { 'www-authenticate': 'Bearer realm="beacon-tracker"' },
      });
    }
    expect(
      await api(url, 'PATCH', '/issues/7', { body: { status: 'resolved' }, token: null }),
    ).toEqual(failed(401, 'missing or wrong API token: send Authorization: Bearer <token>'));
    expect(asked()).toEqual([]);
  });
});

describe('the REST API over a repository that fails', () => {
  const failure = new Error('disk I/O error');
  const fake = fakeRepository({ ...data, fail: failure });
  const heard: unknown[] = [];
  let server: Server;
  let url: string;

  // The router alone, mounted the way app.ts mounts it.
  beforeAll(async () => {
    const app = express();
    app.use(
      '/api/v1',
      restApi({
        repo: fake,
        reads: inlineReader(fake),
        apiToken: TOKEN,
        projects: () => [],
        now: () => NOW,
        indexSessions: async () => fake.indexSessions(),
        onError: (error) => void heard.push(error),
      }),
    );
    ({ server, url } = await listen(app));
  });
  afterAll(() => new Promise((r) => server.close(r)));
  beforeEach(() => {
    fake.calls.length = 0;
    heard.length = 0;
  });

  it('answers 500 with a JSON error, and onError hears what the repository threw', async () => {
    expect(await api(url, 'GET', '/issues/7')).toEqual(failed(500, 'internal error'));
    expect(fake.calls).toEqual([{ call: 'getIssue', args: [7, NOW] }]);
    expect(heard).toHaveLength(1);
    expect(heard[0]).toBe(failure);
  });

  it('answers 500 with a JSON error when an async route fails (sessions index first)', async () => {
    expect(await api(url, 'GET', '/sessions/req:42')).toEqual(failed(500, 'internal error'));
    expect(fake.calls).toEqual([{ call: 'indexSessions', args: [] }]);
    expect(heard).toHaveLength(1);
    expect(heard[0]).toBe(failure);
  });

  it('still refuses a request without the token before the repository is asked', async () => {
    expect(await api(url, 'GET', '/issues/7', { token: null })).toEqual(
      failed(401, 'missing or wrong API token: send Authorization: Bearer <token>'),
    );
    expect(fake.calls).toEqual([]);
    expect(heard).toEqual([]);
  });
});

describe('/metrics open issues', () => {
  it("are 0 for each project's severities with none open, not absent", async () => {
    const fake = fakeRepository({
      ...data,
      openIssueCounts: [{ projectId: 1, severity: 'error' as const, count: 2 }],
    });
    const writer = inlineWriter(fake);
    const { server, url } = await listen(appOver(fake, writer));
    try {
      const text = await (await fetch(`${url}/metrics`)).text();
      const gauge = text.split('\n').filter((l) => l.startsWith('beacon_tracker_open_issues{'));
      expect(gauge.sort()).toEqual([
        'beacon_tracker_open_issues{project="api",severity="critical"} 0',
        'beacon_tracker_open_issues{project="api",severity="error"} 2',
        'beacon_tracker_open_issues{project="api",severity="info"} 0',
        'beacon_tracker_open_issues{project="api",severity="warning"} 0',
        'beacon_tracker_open_issues{project="shop",severity="critical"} 0',
        'beacon_tracker_open_issues{project="shop",severity="error"} 0',
        'beacon_tracker_open_issues{project="shop",severity="info"} 0',
        'beacon_tracker_open_issues{project="shop",severity="warning"} 0',
      ]);
    } finally {
      await new Promise((r) => server.close(r));
      await writer.close();
    }
  });
  it("serves the last count when a fresh one is slow; the slow one sets the next scrape's", async () => {
    const fake = fakeRepository(data);
    /** The counts asked for, each answered when the test says (`n` issues open). */
    const asked: ((n: number) => void)[] = [];
    const writer = inlineWriter(fake);
    const { server, url } = await listen(
      appOver(fake, writer, {
        reader: {
          ...inlineReader(fake),
          openIssueCounts: () =>
            new Promise((resolve) =>
              asked.push((count) => resolve([{ projectId: 1, severity: 'error', count }])),
            ),
        },
        projects: () => [],
      }),
    );
    const scrape = async () => {
      const started = performance.now();
      // Past this, the scrape waited for the count (Prometheus' own timeout is 10 s).
      const res = await fetch(`${url}/metrics`, { signal: AbortSignal.timeout(5_000) });
      const text = await res.text();
      return {
        ms: performance.now() - started,
        open: /^beacon_tracker_open_issues\{project="1",severity="error"\} (\d+)$/m.exec(text)?.[1],
      };
    };
    try {
      // The first scrape has no last count to serve: it waits for the first.
      const first = scrape();
      while (asked.length === 0) await new Promise((r) => setTimeout(r, 5));
      asked[0]?.(3);
      expect((await first).open).toBe('3');
      // The next count does not come (reads queued before it): the scrape serves the last one.
      const slow = await scrape();
      expect(slow.open).toBe('3');
      expect(slow.ms).toBeGreaterThanOrEqual(OPEN_ISSUES_WAIT_MS - 20);
      expect(slow.ms).toBeLessThan(OPEN_ISSUES_WAIT_MS + 2_000);
      // A scrape while it is made queues no second count: it waits on that one.
      expect((await scrape()).open).toBe('3');
      expect(asked).toHaveLength(2);
      // It comes: it sets the gauge, which the next scrape serves, its own count slow too.
      asked[1]?.(5);
      expect((await scrape()).open).toBe('5');
      expect(asked).toHaveLength(3);
    } finally {
      for (const answer of asked) answer(0);
      await new Promise((r) => server.close(r));
      await writer.close();
    }
  });
  it('leaves the gauge empty rather than stale, logs why, and answers the rest', async () => {
    const fake = fakeRepository(data);
    const counts = [
      async () => [{ projectId: 1, severity: 'error' as const, count: 3 }],
      async (): Promise<never> => {
        throw new Error('disk I/O error');
      },
    ];
    const logged: string[] = [];
    const writer = inlineWriter(fake);
    const { server, url } = await listen(
      appOver(fake, writer, {
        reader: {
          ...inlineReader(fake),
          openIssueCounts: () =>
            counts.shift()?.() ?? Promise.reject(new Error('scraped more than twice')),
        },
        projects: () => [],
        logger: createLogger('error', (line) => void logged.push(line)),
      }),
    );
    try {
      const scrape = async () => {
        const res = await fetch(`${url}/metrics`);
        expect(res.status).toBe(200);
        return res.text();
      };
      expect(await scrape()).toContain(
        'beacon_tracker_open_issues{project="1",severity="error"} 3\n',
      );
      const after = await scrape();
      expect(after).not.toMatch(/^beacon_tracker_open_issues\{/m);
      expect(after).toMatch(/^# TYPE beacon_tracker_rejected_requests_total counter$/m);
      expect(logged.map((l) => JSON.parse(l) as { msg: string; error: string })).toEqual([
        expect.objectContaining({ msg: 'counting open issues failed', error: 'disk I/O error' }),
      ]);
    } finally {
      await new Promise((r) => server.close(r));
      await writer.close();
    }
  });
});
