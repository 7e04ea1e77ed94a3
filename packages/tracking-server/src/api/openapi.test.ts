// The OpenAPI document against the server's real answers: a tracker fed by the real Sentry SDK
// and the real OpenTelemetry exporter (the test apps in testdata/, in their own processes), each
// route's answers — errors included — validated by Ajv against the schema the document gives
// for that route and code. The document's objects are closed, so a field the server sends that
// the document does not name fails here too.
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { dsnFor } from '../projects';
import { startTestTracker, type TestTracker } from '../testing/test-tracker';
import { runTestApp } from '../testing/test-app';
import { openApiDocument } from './openapi';

it('describes exactly the routes issue 4 lists for the plugin, the attachments download, user feedback and projects', () => {
  const doc = openApiDocument() as { paths: Record<string, Record<string, unknown>> };
  const routes = Object.entries(doc.paths).flatMap(([path, ops]) =>
    Object.keys(ops).map((method) => `${method.toUpperCase()} /api/v1${path}`),
  );
  expect(routes.sort()).toEqual(
    [
      'GET /api/v1/issues',
      'GET /api/v1/issues/{id}',
      'GET /api/v1/issues/{id}/events',
      'GET /api/v1/issues/{id}/feedback',
      'GET /api/v1/feedback',
      'PATCH /api/v1/issues/{id}',
      'POST /api/v1/issues/status',
      'GET /api/v1/stats',
      'GET /api/v1/sessions',
      'GET /api/v1/sessions/{id}',
      'GET /api/v1/sessions/{id}/export',
      'GET /api/v1/attachments/{id}',
      'GET /api/v1/feedback/attachments/{id}',
      'GET /api/v1/projects',
    ].sort(),
  );
});

it('says the bodies of PATCH and POST are required, and issue ids as the server reads them', () => {
  const doc = openApiDocument() as {
    paths: Record<string, Record<string, { requestBody?: { required?: boolean } }>>;
  };
  expect(doc.paths['/issues/{id}']!.patch!.requestBody!.required).toBe(true);
  expect(doc.paths['/issues/status']!.post!.requestBody!.required).toBe(true);
  expect(
    (doc.paths['/issues/{id}']!.get as unknown as { parameters: { schema: object }[] })
      .parameters[0]!.schema,
  ).toEqual({ type: 'integer', minimum: 1, maximum: 999_999_999_999_999 });
});

// The answers are read loosely below: their shape is what the document check just proved.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Answer = { status: number; body: any };

describe("the server's answers", () => {
  let setup: TestTracker<'shop' | 'quiet'>;
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats(ajv);
  ajv.addSchema(openApiDocument(), 'api');

  beforeAll(async () => {
    // `quiet` sends nothing: the lists filtered to it are empty.
    setup = await startTestTracker('openapi', { shop: {}, quiet: {} });
    const { tracker, projects } = setup;
    // Errors, a fingerprinted issue and a transaction (session req-42); spans with a memory
    // snapshot and a failing child (session req-777).
    await runTestApp('sentry-app.cjs', dsnFor(projects.shop, tracker.url));
    await runTestApp('otel-app.cjs', `${tracker.url}/v1/traces`, projects.shop.key);
    // An error with three attachments.
    await runTestApp('sentry-attachments.cjs', dsnFor(projects.shop, tracker.url));
    // An error, and two users' feedback about it.
    await runTestApp('sentry-feedback.cjs', dsnFor(projects.shop, tracker.url));
  });
  afterAll(() => setup?.close());

  /** Sends a request to the API and checks the answer against the document's schema for it. */
  async function documented(
    method: 'GET' | 'PATCH' | 'POST',
    route: string,
    path: string,
    body?: unknown,
    token = 't',
    contentType = 'application/json',
  ): Promise<Answer> {
    const res = await fetch(`${setup.tracker.url}/api/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': contentType },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    if (res.status === 401)
      expect(res.headers.get('www-authenticate')).toBe('Bearer realm="beacon-tracker"');
    const answer: unknown = await res.json();
    const pointer = `api#/paths/${route.replace(/\//g, '~1')}/${method.toLowerCase()}/responses/${res.status}/content/application~1json/schema`;
    const validate = ajv.getSchema(pointer);
    if (!validate)
      throw new Error(`the document has no ${res.status} answer for ${method} ${route}`);
    validate(answer);
    expect({ [`${method} ${path} → ${res.status}`]: validate.errors ?? [] }).toEqual({
      [`${method} ${path} → ${res.status}`]: [],
    });
    return { status: res.status, body: answer };
  }

  it('matches the document for issues, their events, status changes and stats', async () => {
    const list = await documented('GET', '/issues', '/issues?sort=events&limit=2');
    expect(list.body.items).toHaveLength(2);
    expect(list.body.nextCursor).toEqual(expect.any(String));
    const last = await documented(
      'GET',
      '/issues',
      `/issues?sort=events&cursor=${list.body.nextCursor}`,
    );
    expect(last.body.nextCursor).toBeNull();
    // In a time range, each with its events in it.
    const ranged = await documented(
      'GET',
      '/issues',
      `/issues?sort=events&seenAfter=${Date.now() - 86_400_000}&limit=2`,
    );
    expect(ranged.body.items[0].rangeCount).toEqual(expect.any(Number));

    const id = list.body.items[0].id as number;
    const detail = await documented('GET', '/issues/{id}', `/issues/${id}`);
    expect(detail.body.latestEvent).toEqual(expect.any(Object));
    const resolved = await documented('PATCH', '/issues/{id}', `/issues/${id}`, {
      status: 'resolved',
    });
    expect(resolved.body).toMatchObject({
      status: 'resolved',
      resolvedInRelease: 'checkout@1.4.0',
    });

    const events = await documented('GET', '/issues/{id}/events', `/issues/${id}/events?limit=1`);
    expect(events.body.items).toHaveLength(1);
    expect(events.body.items[0].correlationId).toBe('req-42');

    const bulk = await documented('POST', '/issues/status', '/issues/status', {
      ids: [id, 999_999],
      status: 'investigating',
    });
    expect(bulk.body).toEqual({ updated: [id], notFound: [999_999] });

    const stats = await documented('GET', '/stats', '/stats');
    expect(stats.body.topIssues.length).toBeGreaterThan(0);
  });

  it("matches the document for an event's attachments, and a download's errors", async () => {
    const list = await documented('GET', '/issues', '/issues?service=files-app');
    const id = list.body.items[0].id as number;
    const events = await documented('GET', '/issues/{id}/events', `/issues/${id}/events`);
    const attachments = events.body.items[0].attachments as { id: number }[];
    expect(attachments).toHaveLength(3);
    const download = await fetch(`${setup.tracker.url}/api/v1/attachments/${attachments[0]?.id}`, {
      headers: { authorization: 'Bearer t' },
    });
    // The one answer that is not JSON: the document gives it as bytes.
    expect([download.status, download.headers.get('content-type')]).toEqual([
      200,
      'application/octet-stream',
    ]);
    const doc = openApiDocument() as {
      paths: Record<string, { get: { responses: Record<string, { content: object }> } }>;
    };
    expect(Object.keys(doc.paths['/attachments/{id}']!.get.responses['200']!.content)).toEqual([
      'application/octet-stream',
    ]);
    expect((await documented('GET', '/attachments/{id}', '/attachments/x')).status).toBe(400);
    expect((await documented('GET', '/attachments/{id}', '/attachments/99999')).status).toBe(404);
    expect(
      (await documented('GET', '/attachments/{id}', '/attachments/1', undefined, 'wrong')).status,
    ).toBe(401);
  });

  it("matches the document for user feedback: an event's, an issue's and all of it", async () => {
    const title = 'Error: checkout failed for feedback';
    const list = await documented('GET', '/issues', `/issues?q=${encodeURIComponent(title)}`);
    const id = list.body.items[0].id as number;
    const events = await documented('GET', '/issues/{id}/events', `/issues/${id}/events`);
    expect(events.body.items[0].feedback).toHaveLength(2);
    const linked = await documented(
      'GET',
      '/issues/{id}/feedback',
      `/issues/${id}/feedback?limit=1`,
    );
    expect(linked.body.items).toHaveLength(1);
    const rest = `/issues/${id}/feedback?cursor=${encodeURIComponent(linked.body.nextCursor)}`;
    expect((await documented('GET', '/issues/{id}/feedback', rest)).body.nextCursor).toBeNull();
    expect((await documented('GET', '/issues/{id}/feedback', '/issues/x/feedback')).status).toBe(
      400,
    );
    expect(
      (await documented('GET', '/issues/{id}/feedback', '/issues/99999/feedback')).status,
    ).toBe(404);

    // All feedback: the two about the error, with their issue, and one about no error.
    const all = await documented('GET', '/feedback', '/feedback?limit=2');
    expect(all.body.items).toHaveLength(2);
    const more = `/feedback?cursor=${encodeURIComponent(all.body.nextCursor)}`;
    const last = await documented('GET', '/feedback', more);
    expect(last.body.nextCursor).toBeNull();
    const items = [...all.body.items, ...last.body.items];
    expect(items.filter((f) => f.issue?.id === id)).toHaveLength(2);
    expect(items.filter((f) => f.eventId === undefined)).toHaveLength(1);
    // The screenshot sent with the feedback about no error: bytes, as an event's attachment.
    const [shot] = items.find((f) => f.eventId === undefined).attachments;
    const route = '/feedback/attachments/{id}';
    const download = await fetch(`${setup.tracker.url}/api/v1/feedback/attachments/${shot.id}`, {
      headers: { authorization: 'Bearer t' },
    });
    expect([download.status, download.headers.get('content-type')]).toEqual([
      200,
      'application/octet-stream',
    ]);
    expect((await documented('GET', route, '/feedback/attachments/x')).status).toBe(400);
    expect((await documented('GET', route, '/feedback/attachments/99999')).status).toBe(404);
    const found = await documented('GET', '/feedback', '/feedback?q=PAY%20BUTTON');
    expect(found.body.items.map((f: { name: string }) => f.name)).toEqual(['Ana']);
    expect((await documented('GET', '/feedback', '/feedback?limit=0')).status).toBe(400);
    // An issue's cursor pages something else.
    const issueCursor = `/feedback?cursor=${encodeURIComponent(linked.body.nextCursor)}`;
    expect((await documented('GET', '/feedback', issueCursor)).status).toBe(400);
  });

  it('matches the document for sessions: timelines, error events, memory snapshots, exports', async () => {
    const list = await documented('GET', '/sessions', '/sessions');
    expect(list.body.items.map((s: { id: string }) => s.id)).toEqual(
      expect.arrayContaining(['req-42', 'req-777']),
    );
    const sdk = await documented('GET', '/sessions/{id}', '/sessions/req-42');
    expect(sdk.body.errorEvents.length).toBeGreaterThan(0);
    const otel = await documented('GET', '/sessions/{id}', '/sessions/req-777');
    expect(otel.body.memory).toHaveLength(1);
    expect(otel.body.timeline.some((o: { statusMessage?: string }) => o.statusMessage)).toBe(true);
    const exported = await documented('GET', '/sessions/{id}/export', '/sessions/req-777/export');
    expect(exported.body.session.id).toBe('req-777');
  });

  it("answers OPTIONS with the path's documented methods, and others with its 405", async () => {
    const doc = openApiDocument() as { paths: Record<string, Record<string, unknown>> };
    const validate = ajv.getSchema(
      'api#/components/responses/MethodNotAllowed/content/application~1json/schema',
    );
    if (!validate) throw new Error('the document has no MethodNotAllowed answer');
    for (const [route, operations] of Object.entries(doc.paths)) {
      const methods = Object.keys(operations).map((m) => m.toUpperCase());
      // express answers HEAD as GET, and the document's description says Allow names it.
      const allow = methods.flatMap((m) => (m === 'GET' ? ['GET', 'HEAD'] : [m])).join(', ');
      const url = `${setup.tracker.url}/api/v1${route.replace('{id}', '1')}`;
      const headers = { authorization: 'Bearer t' };
      const options = await fetch(url, { method: 'OPTIONS', headers });
      expect([route, options.status, options.headers.get('allow')]).toEqual([route, 204, allow]);
      const refused = await fetch(url, { method: 'DELETE', headers });
      expect([route, refused.status, refused.headers.get('allow')]).toEqual([route, 405, allow]);
      validate(await refused.json());
      expect({ [`DELETE ${route}`]: validate.errors ?? [] }).toEqual({ [`DELETE ${route}`]: [] });
    }
  });

  it('matches the document for projects, and for the lists filtered to one', async () => {
    const { shop, quiet } = setup.projects;
    const projects = await documented('GET', '/projects', '/projects');
    expect(projects.body).toEqual({
      items: [
        { id: shop.id, name: 'shop' },
        { id: quiet.id, name: 'quiet' },
      ].sort((a, b) => a.id - b.id),
    });
    const issues = await documented('GET', '/issues', `/issues?project=${shop.id}&limit=1000`);
    const all = await documented('GET', '/issues', '/issues?limit=1000');
    expect(issues.body.items.length).toBeGreaterThan(0);
    expect(issues.body.items).toEqual(all.body.items);
    expect(issues.body.items.map((i: { projectId: number }) => i.projectId)).toEqual(
      issues.body.items.map(() => shop.id),
    );
    const none = await documented('GET', '/issues', `/issues?project=${quiet.id}`);
    expect(none.body).toEqual({ items: [], nextCursor: null });
    const feedback = await documented('GET', '/feedback', `/feedback?project=${shop.id}`);
    expect(feedback.body.items.length).toBeGreaterThan(0);
    const noFeedback = await documented('GET', '/feedback', `/feedback?project=${quiet.id}`);
    expect(noFeedback.body).toEqual({ items: [], nextCursor: null });
    expect((await documented('GET', '/feedback', '/feedback?project=shop')).status).toBe(400);
  });

  it('matches the document for errors: a bad parameter, no token, an unknown id', async () => {
    expect((await documented('GET', '/issues', '/issues?sort=newest')).status).toBe(400);
    expect((await documented('GET', '/stats', '/stats', undefined, 'wrong')).status).toBe(401);
    expect((await documented('GET', '/issues/{id}', '/issues/999999')).status).toBe(404);
    expect((await documented('GET', '/sessions/{id}', '/sessions/nope')).status).toBe(404);
    expect(
      (await documented('PATCH', '/issues/{id}', '/issues/1', { status: 'done' })).status,
    ).toBe(400);
    // Ids are integers: not true (which would be issue 1), not strings, not fractions.
    for (const ids of [[true], ['2'], [2.5], [0]])
      expect(
        (await documented('POST', '/issues/status', '/issues/status', { ids, status: 'open' }))
          .status,
      ).toBe(400);
    for (const limit of ['1e2', '0x10', '%205%20', '-1'])
      expect((await documented('GET', '/issues', `/issues?limit=${limit}`)).status).toBe(400);
    expect((await documented('GET', '/issues/{id}', '/issues/0x1')).status).toBe(400);
    const plain = await documented(
      'PATCH',
      '/issues/{id}',
      '/issues/1',
      { status: 'open' },
      't',
      'text/plain',
    );
    expect(plain).toEqual({
      status: 415,
      body: { error: 'send the body as Content-Type: application/json' },
    });
  });
});
