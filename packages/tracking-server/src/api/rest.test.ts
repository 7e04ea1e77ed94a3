// The REST API's answers to methods and bodies it does not take, over HTTP from a real tracker.
import { gzipSync } from 'node:zlib';
import { rawPost } from '../testing/raw-post';
import { startTestTracker, type TestTracker } from '../testing/test-tracker';

let setup: TestTracker<'shop'>;

beforeAll(async () => {
  setup = await startTestTracker('rest', { shop: {} });
});
afterAll(() => setup?.close());

interface Answer {
  status: number;
  allow: string | null;
  body: unknown;
}

/** One request to the API with the token; the body is sent as JSON. */
async function api(method: string, path: string, body?: unknown, token = 't'): Promise<Answer> {
  const res = await fetch(`${setup.tracker.url}/api/v1${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return {
    status: res.status,
    allow: res.headers.get('allow'),
    body: text ? (JSON.parse(text) as unknown) : undefined,
  };
}

describe('methods a known path does not serve', () => {
  it('answers 405 with Allow and a JSON error, not 404', async () => {
    const refused = (method: string, allow: string) => ({
      status: 405,
      allow,
      body: { error: `${method} is not allowed here; allowed: ${allow}` },
    });
    for (const method of ['PUT', 'DELETE', 'POST'])
      expect(await api(method, '/issues/1', { status: 'open' })).toEqual(
        refused(method, 'GET, HEAD, PATCH'),
      );
    expect(await api('DELETE', '/stats')).toEqual(refused('DELETE', 'GET, HEAD'));
    expect(await api('PUT', '/issues')).toEqual(refused('PUT', 'GET, HEAD'));
    expect(await api('PATCH', '/issues/1/events', {})).toEqual(refused('PATCH', 'GET, HEAD'));
    expect(await api('DELETE', '/sessions/req-1')).toEqual(refused('DELETE', 'GET, HEAD'));
    expect(await api('POST', '/sessions/req-1/export', {})).toEqual(refused('POST', 'GET, HEAD'));
    expect(await api('POST', '/sessions', {})).toEqual(refused('POST', 'GET, HEAD'));
    // The document is public: its path answers without the token.
    expect(await api('POST', '/openapi.json', {}, 'wrong')).toEqual(refused('POST', 'GET, HEAD'));
  });

  it('matches /issues/status before /issues/:id, which would read "status" as an id', async () => {
    expect(await api('GET', '/issues/status')).toEqual({
      status: 405,
      allow: 'POST',
      body: { error: 'GET is not allowed here; allowed: POST' },
    });
    expect(await api('POST', '/issues/status', { ids: [999_999], status: 'open' })).toEqual({
      status: 200,
      allow: null,
      body: { updated: [], notFound: [999_999] },
    });
    expect(await api('PATCH', '/issues/status', { status: 'open' })).toMatchObject({
      status: 405,
      allow: 'POST',
    });
  });

  it('answers OPTIONS on a known path with 204 and Allow', async () => {
    const paths: [string, string][] = [
      ['/issues', 'GET, HEAD'],
      ['/issues/status', 'POST'],
      ['/issues/7', 'GET, HEAD, PATCH'],
      ['/issues/7/events', 'GET, HEAD'],
      ['/stats', 'GET, HEAD'],
      ['/sessions/req-1', 'GET, HEAD'],
    ];
    for (const [path, allow] of paths)
      expect([path, await api('OPTIONS', path)]).toEqual([
        path,
        { status: 204, allow, body: undefined },
      ]);
  });

  it('still serves HEAD as GET, and answers unknown paths 404 and a missing token 401', async () => {
    expect(await api('HEAD', '/stats')).toMatchObject({ status: 200, body: undefined });
    expect(await api('OPTIONS', '/nope')).toEqual({
      status: 404,
      allow: null,
      body: { error: 'no such API route' },
    });
    expect(await api('DELETE', '/issues/1/comments')).toMatchObject({ status: 404 });
    expect(await api('DELETE', '/stats', undefined, 'wrong')).toMatchObject({
      status: 401,
      allow: null,
    });
  });

  it('answers 415 to a PATCH or POST body that is not JSON, on the paths that take one', async () => {
    const bodies: [string, string][] = [
      ['PATCH', '/issues/1'],
      ['POST', '/issues/status'],
    ];
    for (const [method, path] of bodies) {
      const res = await fetch(`${setup.tracker.url}/api/v1${path}`, {
        method,
        headers: { authorization: 'Bearer t', 'content-type': 'text/plain' },
        body: 'status=open',
      });
      expect([path, res.status, await res.json()]).toEqual([
        path,
        415,
        { error: 'send the body as Content-Type: application/json' },
      ]);
    }
  });
});

describe('bulk status changes', () => {
  it('quotes an id that is not a positive JSON integer as it was sent', async () => {
    const cases: [unknown, string][] = [
      ['2', '"2"'],
      [true, 'true'],
      [2.5, '2.5'],
      [0, '0'],
      [null, 'null'],
      [{ id: 2 }, '{"id":2}'],
    ];
    for (const [id, quoted] of cases)
      expect(await api('POST', '/issues/status', { ids: [1, id], status: 'ignored' })).toEqual({
        status: 400,
        allow: null,
        body: { error: `ids must be positive JSON integers; got ${quoted}` },
      });
  });
});

describe('bodies, statuses and ids named as what is wrong with them', () => {
  it('answers a PATCH or POST without a body 400 "missing", not 415 for its Content-Type', async () => {
    const missing = {
      status: 400,
      allow: null,
      body: { error: 'the body is missing: send a JSON object' },
    };
    // api() sends Content-Type: application/json; fetch sends no body, then Content-Length 0.
    expect(await api('PATCH', '/issues/1')).toEqual(missing);
    expect(await api('POST', '/issues/status')).toEqual(missing);
    const empty = await fetch(`${setup.tracker.url}/api/v1/issues/1`, {
      method: 'PATCH',
      headers: { authorization: 'Bearer t', 'content-type': 'application/json' },
      body: '',
    });
    expect([empty.status, await empty.json()]).toEqual([400, missing.body]);
  });

  it('answers a body with no bytes 400 "missing" however it is framed or compressed', async () => {
    // Chunked with no chunk, or gzip of nothing: the JSON parser reads either as `{}`.
    const chunked = await rawPost(`${setup.tracker.url}/api/v1/issues/status`, [], {
      authorization: 'Bearer t',
      'content-type': 'application/json',
      'transfer-encoding': 'chunked',
    });
    expect([chunked.status, JSON.parse(chunked.text)]).toEqual([
      400,
      { error: 'the body is missing: send a JSON object' },
    ]);
    const gzipped = await fetch(`${setup.tracker.url}/api/v1/issues/1`, {
      method: 'PATCH',
      headers: {
        authorization: 'Bearer t',
        'content-type': 'application/json',
        'content-encoding': 'gzip',
      },
      body: gzipSync(''),
    });
    expect([gzipped.status, await gzipped.json()]).toEqual([
      400,
      { error: 'the body is missing: send a JSON object' },
    ]);
  });

  it('names a body that is not brotli, sent as br, as such (not "Bad Request")', async () => {
    const res = await fetch(`${setup.tracker.url}/api/v1/issues/1`, {
      method: 'PATCH',
      headers: {
        authorization: 'Bearer t',
        'content-type': 'application/json',
        'content-encoding': 'br',
      },
      body: '{"status":"open"}',
    });
    expect([res.status, await res.json()]).toEqual([
      400,
      { error: expect.stringMatching(/^body is not valid br: ERR_\w+$/) },
    ]);
  });

  it('names a missing status as missing, null as null, and an array body as not an object', async () => {
    const statuses = 'open, investigating, resolved, ignored';
    const cases: [string, string, unknown, string][] = [
      ['PATCH', '/issues/1', {}, `status is missing: send one of ${statuses}`],
      ['POST', '/issues/status', { ids: [1] }, `status is missing: send one of ${statuses}`],
      ['PATCH', '/issues/1', { status: null }, `status must be one of ${statuses}; got null`],
      // A list in a body is a wrong value, not a query parameter given twice.
      [
        'PATCH',
        '/issues/1',
        { status: ['open'] },
        `status must be one of ${statuses}; got ["open"]`,
      ],
      ['PATCH', '/issues/1', ['open'], 'body must be a JSON object'],
      ['POST', '/issues/status', [], 'body must be a JSON object'],
    ];
    for (const [method, path, body, error] of cases)
      expect([method, body, await api(method, path, body)]).toEqual([
        method,
        body,
        { status: 400, allow: null, body: { error } },
      ]);
  });

  it('says a limit given twice is given twice, and an id over 15 digits is too long', async () => {
    expect(await api('GET', '/issues?limit=5&limit=5')).toEqual({
      status: 400,
      allow: null,
      body: { error: 'limit must be given once' },
    });
    expect(await api('GET', '/issues/9999999999999999')).toEqual({
      status: 400,
      allow: null,
      body: {
        error: 'issue id must be a positive integer of up to 15 digits; got "9999999999999999"',
      },
    });
  });

  it('says a filter or sort given twice is given twice, not that its value is unknown', async () => {
    for (const [path, name] of [
      ['/issues?status=open&status=open', 'status'],
      ['/issues?severity=error&severity=error', 'severity'],
      ['/issues?type=database&type=security', 'type'],
      ['/issues?sort=events&sort=events', 'sort'],
      ['/sessions?hasErrors=true&hasErrors=true', 'hasErrors'],
    ]) {
      expect([path, await api('GET', path as string)]).toEqual([
        path,
        { status: 400, allow: null, body: { error: `${name} must be given once` } },
      ]);
    }
  });

  it('refuses a search text with a NUL, which SQLite LIKE would read as matching everything', async () => {
    for (const path of ['/issues?q=cart%00', '/sessions?q=%00']) {
      expect(await api('GET', path)).toEqual({
        status: 400,
        allow: null,
        body: { error: 'q must not contain a NUL character' },
      });
    }
  });
});

describe('issues active in a time range (seenAfter, seenBefore)', () => {
  it('refuses a bound that is not epoch milliseconds, or is given twice, naming it', async () => {
    const bad = (name: string, given: string) =>
      `${name} must be a time in epoch milliseconds, up to 15 decimal digits; got ${JSON.stringify(given)}`;
    const cases: [string, string][] = [
      ['/issues?seenAfter=abc', bad('seenAfter', 'abc')],
      ['/issues?seenAfter=1e3', bad('seenAfter', '1e3')],
      ['/issues?seenBefore=-5', bad('seenBefore', '-5')],
      ['/issues?seenBefore=1.5', bad('seenBefore', '1.5')],
      ['/issues?seenBefore=0x10', bad('seenBefore', '0x10')],
      ['/issues?seenAfter=', bad('seenAfter', '')],
      ['/issues?seenAfter=1234567890123456', bad('seenAfter', '1234567890123456')],
      ['/issues?seenAfter=1&seenAfter=2', 'seenAfter must be given once'],
      ['/issues?seenBefore=1&seenBefore=1', 'seenBefore must be given once'],
      ['/issues?seenAfter=2&seenBefore=1', 'seenAfter must not be later than seenBefore'],
    ];
    for (const [path, error] of cases)
      expect([path, await api('GET', path)]).toEqual([
        path,
        { status: 400, allow: null, body: { error } },
      ]);
  });

  it('answers the issues last seen at or after seenAfter and first seen at or before seenBefore', async () => {
    const { shop } = setup.projects;
    const t0 = Date.now();
    const sent = await fetch(`${setup.tracker.url}/api/${shop.id}/store/?sentry_key=${shop.key}`, {
      method: 'POST',
      body: JSON.stringify({ message: 'seen in range' }),
    });
    expect(sent.status).toBe(200);
    const t1 = Date.now();
    // Its one event has no time of its own: it is dated on arrival, from t0 to t1.
    const titles = async (query: string) => {
      const res = await api('GET', `/issues?q=seen+in+range${query}`);
      expect(res.status).toBe(200);
      return (res.body as { items: { title: string }[] }).items.map((i) => i.title);
    };
    for (let i = 0; i < 100 && (await titles('')).length === 0; i++)
      await new Promise((r) => setTimeout(r, 50));
    expect(await titles('')).toEqual(['seen in range']);
    expect(await titles(`&seenAfter=${t0}&seenBefore=${t1}`)).toEqual(['seen in range']);
    expect(await titles(`&seenAfter=${t0}`)).toEqual(['seen in range']);
    expect(await titles(`&seenBefore=${t1}`)).toEqual(['seen in range']);
    expect(await titles(`&seenAfter=${t1 + 1}`)).toEqual([]);
    expect(await titles(`&seenBefore=${t0 - 1}`)).toEqual([]);
    // A range of one millisecond, before the event: equal bounds are a range, not a 400.
    expect(await titles(`&seenAfter=${t0 - 1}&seenBefore=${t0 - 1}`)).toEqual([]);
  });
});

describe('a filter given several values (a dashboard variable with several picked)', () => {
  it('answers the issues with an event from any of the services or environments given', async () => {
    const { shop } = setup.projects;
    for (const [service, environment] of [
      ['multi-a', 'multi-prod'],
      ['multi-b', 'multi-stage'],
      ['multi-c', 'multi-stage'],
    ] as const) {
      const sent = await fetch(
        `${setup.tracker.url}/api/${shop.id}/store/?sentry_key=${shop.key}`,
        {
          method: 'POST',
          body: JSON.stringify({
            message: `picked from ${service}`,
            tags: { service },
            environment,
          }),
        },
      );
      expect(sent.status).toBe(200);
    }
    const titles = async (query: string) => {
      const res = await api('GET', `/issues?q=picked+from${query}&sort=first_seen`);
      expect([query, res.status]).toEqual([query, 200]);
      return (res.body as { items: { title: string }[] }).items.map((i) => i.title).sort();
    };
    const a = 'picked from multi-a';
    const b = 'picked from multi-b';
    const c = 'picked from multi-c';
    expect(await titles('&service=multi-a')).toEqual([a]);
    expect(await titles('&service=multi-a&service=multi-c')).toEqual([a, c]);
    expect(await titles('&service=multi-c&service=multi-c')).toEqual([c]);
    expect(await titles('&service=multi-b&service=elsewhere')).toEqual([b]);
    expect(await titles('&environment=multi-stage&environment=multi-prod')).toEqual([a, b, c]);
    expect(await titles('&service=multi-a&service=multi-b&environment=multi-stage')).toEqual([b]);
    // Paged one at a time, the cursor goes through every issue of the services given.
    const seen: string[] = [];
    let cursor: string | null = '';
    while (cursor !== null) {
      const res = await api(
        'GET',
        `/issues?q=picked+from&service=multi-b&service=multi-a&limit=1${cursor ? `&cursor=${cursor}` : ''}`,
      );
      const page = res.body as { items: { title: string }[]; nextCursor: string | null };
      seen.push(...page.items.map((i) => i.title));
      cursor = page.nextCursor;
    }
    expect(seen.sort()).toEqual([a, b]);
  });

  it('refuses a filter given more than 100 times, naming it', async () => {
    const many = (name: string, n: number) =>
      Array.from({ length: n }, (_, i) => `${name}=s${i}`).join('&');
    expect(await api('GET', `/issues?${many('service', 101)}`)).toEqual({
      status: 400,
      allow: null,
      body: { error: 'service may be given at most 100 times' },
    });
    expect(await api('GET', `/issues?${many('environment', 101)}`)).toEqual({
      status: 400,
      allow: null,
      body: { error: 'environment may be given at most 100 times' },
    });
    expect((await api('GET', `/issues?${many('service', 100)}`)).status).toBe(200);
  });
});
