import { Observable, of, throwError } from 'rxjs';
import type { BackendSrvRequest, FetchResponse } from '@grafana/runtime';
import { ProxyTrackerApi, TrackerError, isAborted, toTrackerError } from './client';

const BASE = 'api/plugin-proxy/beacon-observability-app/tracker/api/v1';

type Answer = { data: unknown } | { error: { status: number; data?: unknown; statusText?: string } };

/** A data-driven BackendSrv: "METHOD url" → answer; records every request. */
function fakeBackend(answers: Record<string, Answer>) {
  const requests: BackendSrvRequest[] = [];
  const backend = {
    fetch<T>(req: BackendSrvRequest) {
      requests.push(req);
      const answer = answers[`${req.method} ${req.url}`];
      if (!answer) {
        return throwError(() => ({ status: 404, data: { error: `no fake for ${req.method} ${req.url}` } }));
      }
      if ('error' in answer) {
        return throwError(() => answer.error);
      }
      return of({ data: answer.data as T, status: 200 } as FetchResponse<T>);
    },
  };
  return { backend, requests };
}

describe('ProxyTrackerApi', () => {
  test('lists issues through the plugin proxy route with only the filters that are set', async () => {
    const page = { items: [], nextCursor: null };
    const { backend, requests } = fakeBackend({
      [`GET ${BASE}/issues?status=open&service=api-gateway&q=deadlock+pool&sort=events&cursor=abc&limit=100`]: {
        data: page,
      },
    });
    const api = new ProxyTrackerApi(() => backend);
    await expect(
      api.listIssues({
        status: 'open',
        service: 'api-gateway',
        q: 'deadlock pool',
        sort: 'events',
        cursor: 'abc',
        limit: 100,
        release: '',
      })
    ).resolves.toEqual(page);
    expect(requests[0].showErrorAlert).toBe(false);
  });

  test('passes a time range as whole epoch milliseconds, rounded into the range', async () => {
    const page = { items: [], nextCursor: null };
    const { backend } = fakeBackend({
      [`GET ${BASE}/issues?seenAfter=1795305600001&seenBefore=1795348800000&limit=10`]: { data: page },
      [`GET ${BASE}/issues?seenAfter=0&sort=first_seen`]: { data: page },
    });
    const api = new ProxyTrackerApi(() => backend);
    await expect(
      api.listIssues({ seenAfter: 1795305600000.5, seenBefore: 1795348800000.9, limit: 10 })
    ).resolves.toEqual(page);
    // Only the bound that is given; 0 (the epoch) is a bound, not left out.
    await expect(api.listIssues({ seenAfter: 0, sort: 'first_seen' })).resolves.toEqual(page);
  });

  test('sends several services or projects as one parameter each, as the tracker reads a list', async () => {
    const page = { items: [], nextCursor: null };
    const { backend } = fakeBackend({
      [`GET ${BASE}/issues?service=svc+a&service=b%26c&limit=5`]: { data: page },
      [`GET ${BASE}/issues?service=one`]: { data: page },
      [`GET ${BASE}/issues?project=3&project=1`]: { data: page },
      [`GET ${BASE}/feedback?project=2&limit=50`]: { data: page },
    });
    const api = new ProxyTrackerApi(() => backend);
    await expect(api.listIssues({ service: ['svc a', 'b&c'], limit: 5 })).resolves.toEqual(page);
    await expect(api.listIssues({ service: ['one'] })).resolves.toEqual(page);
    // Projects are ids, as numbers.
    await expect(api.listIssues({ project: [3, 1] })).resolves.toEqual(page);
    await expect(api.listFeedback({ project: [2], limit: 50 })).resolves.toEqual(page);
  });

  test('downloads an attachment as bytes, and reads the JSON of a refusal sent as bytes', async () => {
    const bytes = Uint8Array.from([0, 1, 254, 255]).buffer;
    const refusal = new TextEncoder().encode(
      JSON.stringify({ error: "attachment 9 was filtered whole by the project's scrubbing" })
    ).buffer;
    const { backend, requests } = fakeBackend({
      [`GET ${BASE}/attachments/8`]: { data: bytes },
      [`GET ${BASE}/feedback/attachments/8`]: { data: bytes },
      [`GET ${BASE}/feedback/attachments/9`]: { error: { status: 404, data: refusal } },
      [`GET ${BASE}/attachments/9`]: { error: { status: 404, data: refusal } },
      [`GET ${BASE}/attachments/10`]: { error: { status: 500, data: new TextEncoder().encode('not json').buffer } },
    });
    const api = new ProxyTrackerApi(() => backend);
    await expect(api.attachment(8)).resolves.toBe(bytes);
    expect(requests[0].responseType).toBe('arraybuffer');
    const refused = (id: number) =>
      api.attachment(id).then(
        () => undefined,
        (e: TrackerError) => [e.kind, e.message]
      );
    expect(await refused(9)).toEqual([
      'not-found',
      "downloading attachment 9: not found: attachment 9 was filtered whole by the project's scrubbing",
    ]);
    expect(await refused(10)).toEqual([
      'server',
      'downloading attachment 10: the tracking server failed (500): not json',
    ]);
    // A piece of feedback's, from its own route.
    await expect(api.feedbackAttachment(8)).resolves.toBe(bytes);
    expect(requests.at(-1)?.responseType).toBe('arraybuffer');
    await expect(api.feedbackAttachment(9)).rejects.toThrow(
      "downloading feedback attachment 9: not found: attachment 9 was filtered whole by the project's scrubbing"
    );
  });

  test('changes one status with PATCH and many with POST /issues/status', async () => {
    const { backend, requests } = fakeBackend({
      [`PATCH ${BASE}/issues/7`]: { data: { id: 7, status: 'resolved' } },
      [`POST ${BASE}/issues/status`]: { data: { updated: [1, 2], notFound: [3] } },
    });
    const api = new ProxyTrackerApi(() => backend);
    await expect(api.setStatus(7, 'resolved')).resolves.toEqual({ id: 7, status: 'resolved' });
    await expect(api.setStatuses([1, 2, 3], 'ignored')).resolves.toEqual({ updated: [1, 2], notFound: [3] });
    expect(requests.map((r) => r.data)).toEqual([{ status: 'resolved' }, { ids: [1, 2, 3], status: 'ignored' }]);
  });

  test('sets the status of more issues than the tracker takes at once (1000) in requests of 1000', async () => {
    const bodies: Array<{ ids: number[]; status: string }> = [];
    const backend = {
      fetch<T>(req: BackendSrvRequest) {
        const body = req.data as { ids: number[]; status: string };
        bodies.push(body);
        if (req.url !== `${BASE}/issues/status` || req.method !== 'POST' || body.ids.length > 1000) {
          return throwError(() => ({ status: 400, data: { error: 'ids must be a list of 1 to 1000 issue ids' } }));
        }
        // Issues above 2490 no longer exist.
        const data = { updated: body.ids.filter((i) => i <= 2490), notFound: body.ids.filter((i) => i > 2490) };
        return of({ data: data as T, status: 200 } as FetchResponse<T>);
      },
    };
    const ids = Array.from({ length: 2500 }, (_, i) => i + 1);
    const result = await new ProxyTrackerApi(() => backend).setStatuses(ids, 'resolved');
    expect(bodies.map((b) => [b.ids.length, b.ids[0], b.ids.at(-1), b.status])).toEqual([
      [1000, 1, 1000, 'resolved'],
      [1000, 1001, 2000, 'resolved'],
      [500, 2001, 2500, 'resolved'],
    ]);
    expect(result.updated).toHaveLength(2490);
    expect(result.updated.slice(0, 2)).toEqual([1, 2]);
    expect(result.updated.at(-1)).toBe(2490);
    expect(result.notFound).toEqual([2491, 2492, 2493, 2494, 2495, 2496, 2497, 2498, 2499, 2500]);
  });

  test('a failed later request of a large status change says how many had been set before it', async () => {
    let calls = 0;
    const backend = {
      fetch<T>(req: BackendSrvRequest) {
        calls += 1;
        if (calls === 2) {
          return throwError(() => ({ status: 500, data: { error: 'disk full' } }));
        }
        const data = { updated: (req.data as { ids: number[] }).ids, notFound: [] };
        return of({ data: data as T, status: 200 } as FetchResponse<T>);
      },
    };
    const ids = Array.from({ length: 1500 }, (_, i) => i + 1);
    const err = await new ProxyTrackerApi(() => backend).setStatuses(ids, 'ignored').catch((e) => e);
    expect([err.kind, err.status, err.message]).toEqual([
      'server',
      500,
      'setting 1500 issues to ignored: the tracking server failed (500): disk full (1000 of them had been set)',
    ]);
    expect(calls).toBe(2);
  });

  test('reads events, feedback, stats and sessions at their paths, escaping session ids and cursors', async () => {
    const { backend } = fakeBackend({
      [`GET ${BASE}/issues/7/events?cursor=c1&limit=10`]: { data: { items: [], nextCursor: null } },
      [`GET ${BASE}/issues/7/feedback?limit=20`]: { data: { items: [{ id: 1 }], nextCursor: null } },
      [`GET ${BASE}/feedback?q=pay+now&cursor=f%2B2&limit=50`]: { data: { items: [{ id: 2 }], nextCursor: null } },
      [`GET ${BASE}/stats`]: { data: { lastHour: 1 } },
      [`GET ${BASE}/stats?project=2&project=11`]: { data: { lastHour: 2 } },
      [`GET ${BASE}/sessions?project=3&q=req&hasErrors=true&limit=200`]: { data: { items: [] } },
      [`GET ${BASE}/sessions/req%3F42%23a%20b`]: { data: { id: 'req?42#a b' } },
      [`GET ${BASE}/sessions/req%3F42%23a%20b/export`]: { data: { exportedAt: 'x' } },
      [`GET ${BASE}/issues/7`]: { data: { id: 7 } },
    });
    const api = new ProxyTrackerApi(() => backend);
    await expect(api.issueEvents(7, 'c1', 10)).resolves.toEqual({ items: [], nextCursor: null });
    await expect(api.issueFeedback(7, undefined, 20)).resolves.toEqual({ items: [{ id: 1 }], nextCursor: null });
    await expect(api.listFeedback({ q: 'pay now', cursor: 'f+2', limit: 50 })).resolves.toEqual({
      items: [{ id: 2 }],
      nextCursor: null,
    });
    await expect(api.stats()).resolves.toEqual({ lastHour: 1 });
    await expect(api.stats({ project: [2, 11] })).resolves.toEqual({ lastHour: 2 });
    await expect(api.listSessions({ project: [3], q: 'req', hasErrors: true, limit: 200 })).resolves.toEqual({
      items: [],
    });
    await expect(api.getSession('req?42#a b')).resolves.toEqual({ id: 'req?42#a b' });
    await expect(api.exportSession('req?42#a b')).resolves.toEqual({ exportedAt: 'x' });
    await expect(api.getIssue(7)).resolves.toEqual({ id: 7 });
  });

  // WHATWG URL (which fetch applies) drops the segments ".", "..", "%2E", ".%2E" and "%2E%2E":
  // jsdom/whatwg-url lib/url-state-machine.js, isSingleDot and isDoubleDot.
  test.each(['.', '..', ''])(
    'the session id %j is refused before any request: its path would reach another route',
    async (id) => {
      const { backend, requests } = fakeBackend({
        [`GET ${BASE}/sessions/`]: { data: { items: [], nextCursor: null } },
        [`GET ${BASE}/sessions/export`]: { data: { exportedAt: 'x' } },
      });
      const api = new ProxyTrackerApi(() => backend);
      const loaded = await api.getSession(id).catch((e) => e);
      expect([loaded.name, loaded.kind, loaded.message]).toEqual([
        'TrackerError',
        'bad-request',
        `loading debug session ${JSON.stringify(id)}: the id ${JSON.stringify(id)} cannot be requested, as browsers drop "." and ".." from URL paths`,
      ]);
      const exported = await api.exportSession(id).catch((e) => e);
      expect([exported.kind, exported.message.startsWith(`exporting debug session ${JSON.stringify(id)}: `)]).toEqual([
        'bad-request',
        true,
      ]);
      expect(requests).toEqual([]);
    }
  );

  // Grafana's plugin proxy hands the route's `*` over unescaped (pkg/web tree.go, url.PathUnescape)
  // and Go writes it back as a path: `x%2Fexport` reaches the tracker as `/sessions/x/export`.
  test('a session id with "/" is refused before any request: through Grafana it would reach another route', async () => {
    const { backend, requests } = fakeBackend({
      [`GET ${BASE}/sessions/x%2Fexport`]: { data: { id: 'x/export' } },
      [`GET ${BASE}/sessions/x%2Fexport/export`]: { data: { exportedAt: 'x' } },
    });
    const api = new ProxyTrackerApi(() => backend);
    const loaded = await api.getSession('x/export').catch((e) => e);
    expect([loaded.name, loaded.kind, loaded.message]).toEqual([
      'TrackerError',
      'bad-request',
      'loading debug session "x/export": the id "x/export" cannot be requested, as Grafana\'s plugin proxy forwards its "/" unescaped, as a path separator',
    ]);
    const exported = await api.exportSession('x/export').catch((e) => e);
    expect([exported.kind, exported.message.startsWith('exporting debug session "x/export": ')]).toEqual([
      'bad-request',
      true,
    ]);
    expect(requests).toEqual([]);
  });

  test('session ids with dots that are no dot segment are sent as they are', async () => {
    const { backend } = fakeBackend({
      [`GET ${BASE}/sessions/...`]: { data: { id: '...' } },
      [`GET ${BASE}/sessions/.a/export`]: { data: { exportedAt: 'y' } },
    });
    const api = new ProxyTrackerApi(() => backend);
    await expect(api.getSession('...')).resolves.toEqual({ id: '...' });
    await expect(api.exportSession('.a')).resolves.toEqual({ exportedAt: 'y' });
  });

  test('a proxy that cannot reach the tracker becomes an "unreachable" error naming the request', async () => {
    const { backend } = fakeBackend({
      [`GET ${BASE}/stats`]: { error: { status: 502, statusText: 'Bad Gateway' } },
    });
    const err = await new ProxyTrackerApi(() => backend).stats().catch((e) => e);
    expect(err).toBeInstanceOf(TrackerError);
    expect(err.kind).toBe('unreachable');
    expect(err.message).toBe('loading stats: the tracking server could not be reached: Bad Gateway');
  });

  test("the server's own error message travels up with the status", async () => {
    const { backend } = fakeBackend({
      [`GET ${BASE}/issues?status=open`]: { error: { status: 401, data: { error: 'missing or wrong API token' } } },
      [`GET ${BASE}/issues/9`]: { error: { status: 404, data: { error: 'issue 9 not found' } } },
    });
    const api = new ProxyTrackerApi(() => backend);
    const unauthorized = await api.listIssues({ status: 'open' }).catch((e) => e);
    expect([unauthorized.kind, unauthorized.status, unauthorized.message]).toEqual([
      'unauthorized',
      401,
      'listing issues: the tracking server refused the API token: missing or wrong API token',
    ]);
    const missing = await api.getIssue(9).catch((e) => e);
    expect([missing.kind, missing.message]).toEqual(['not-found', 'loading issue 9: not found: issue 9 not found']);
  });

  test('a tracker URL that leads elsewhere is named as that: a 404 on a list, or not the API’s JSON', async () => {
    const html = '<html><head><title>404 Not Found</title></head><body>nginx</body></html>';
    const { backend } = fakeBackend({
      // The URL ends with /api/v1: the tracker answers its own 404 for /api/v1/api/v1/issues.
      [`GET ${BASE}/issues`]: { error: { status: 404, data: { error: 'no such API route' } } },
      [`GET ${BASE}/issues/9`]: { error: { status: 404, data: html, statusText: 'Not Found' } },
      [`GET ${BASE}/sessions`]: { data: '<!doctype html><title>Grafana</title>' },
      [`GET ${BASE}/stats`]: { data: null },
      [`GET ${BASE}/projects`]: { data: '' },
    });
    const api = new ProxyTrackerApi(() => backend);
    const failed = (p: Promise<unknown>) =>
      p.then(
        () => undefined,
        (e: TrackerError) => [e.kind, e.message]
      );
    const not = "the tracker URL does not lead to the tracking server's API";
    expect(await failed(api.listIssues({}))).toEqual([
      'not-tracker',
      `listing issues: ${not} (404: no such API route)`,
    ]);
    expect(await failed(api.getIssue(9))).toEqual(['not-tracker', `loading issue 9: ${not} (404: 404 Not Found)`]);
    expect(await failed(api.listSessions({}))).toEqual([
      'not-tracker',
      `listing debug sessions: ${not} (it answered something that is not JSON)`,
    ]);
    expect(await failed(api.stats())).toEqual(['not-tracker', `loading stats: ${not} (it answered nothing)`]);
    expect(await failed(api.projects())).toEqual(['not-tracker', `loading projects: ${not} (it answered nothing)`]);
  });

  test("a proxy's HTML error page is named by its title, and a body of no words by its status text", () => {
    const page = '<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body><center>nginx</center></body></html>';
    expect(toTrackerError({ status: 502, data: page, statusText: 'Bad Gateway' }, 'x').message).toBe(
      'x: the tracking server could not be reached: 502 Bad Gateway'
    );
    // Node's answer to a request line past 16 KB (a long search): a 431 with an empty body.
    const tooLong = toTrackerError({ status: 431, data: '', statusText: 'Request Header Fields Too Large' }, 'x');
    expect([tooLong.kind, tooLong.message]).toEqual([
      'bad-request',
      'x: rejected (431): Request Header Fields Too Large',
    ]);
  });

  // Grafana's pkg/api/pluginproxy/pluginproxy.go answers a role below the route's reqRole so.
  test("Grafana's 403 for a role below the route's is named as that, not as a refused API token", () => {
    const err = toTrackerError(
      { status: 403, data: { message: 'plugin proxy route access denied' } },
      'setting issue 7 to resolved'
    );
    expect([err.kind, err.message]).toEqual([
      'forbidden',
      'setting issue 7 to resolved: Grafana refused it for your role (reading needs Viewer, changing a status Editor): plugin proxy route access denied',
    ]);
  });

  // Grafana's BackendSrv hands a body that is not JSON over as its text (public/app/core/utils/fetch.ts,
  // parseResponseBody): such an answer's words are the detail.
  test('a plain-text error body travels up as the detail', () => {
    const err = toTrackerError({ status: 500, data: 'database is locked', statusText: 'Internal Server Error' }, 'x');
    expect([err.kind, err.message]).toEqual(['server', 'x: the tracking server failed (500): database is locked']);
  });

  test.each([
    [400, 'bad-request'],
    [500, 'server'],
    [0, 'unreachable'],
    // The README's promise: the proxy's 502/503/504 (or no answer) is an unreachable tracker.
    [502, 'unreachable'],
    [503, 'unreachable'],
    [504, 'unreachable'],
    [401, 'unauthorized'],
    [403, 'forbidden'],
  ])('HTTP %s is a "%s" error', (status, kind) => {
    expect(toTrackerError({ status }, 'x').kind).toBe(kind);
  });
});

/**
 * A BackendSrv whose requests stay on their way until unsubscribed (Grafana's fetch aborts the
 * browser's request then) or answered by the test; records each request and each unsubscription.
 */
function heldBackend() {
  const requests: string[] = [];
  const unsubscribed: string[] = [];
  const answers: Array<(data: unknown) => void> = [];
  const backend = {
    fetch<T>(req: BackendSrvRequest) {
      const key = `${req.method} ${req.url}`;
      requests.push(key);
      return new Observable<FetchResponse<T>>((subscriber) => {
        let answered = false;
        answers.push((data) => {
          answered = true;
          subscriber.next({ data: data as T, status: 200 } as FetchResponse<T>);
          subscriber.complete();
        });
        // The teardown runs on completion too: only one before the answer is an unsubscription.
        return () => {
          if (!answered) {
            unsubscribed.push(key);
          }
        };
      });
    },
  };
  return { backend, requests, unsubscribed, answers };
}

describe('ProxyTrackerApi: a read whose signal aborts', () => {
  // Each read, the request it sends and the words its errors begin with (written out by hand).
  const reads: Array<[string, (api: ProxyTrackerApi, signal: AbortSignal) => Promise<unknown>, string, string]> = [
    [
      'listIssues',
      (api, signal) => api.listIssues({ status: 'open' }, { signal }),
      `GET ${BASE}/issues?status=open`,
      'listing issues',
    ],
    ['getIssue', (api, signal) => api.getIssue(7, { signal }), `GET ${BASE}/issues/7`, 'loading issue 7'],
    [
      'issueEvents',
      (api, signal) => api.issueEvents(7, 'c1', 10, { signal }),
      `GET ${BASE}/issues/7/events?cursor=c1&limit=10`,
      'loading events of issue 7',
    ],
    [
      'issueFeedback',
      (api, signal) => api.issueFeedback(7, 'c2', 5, { signal }),
      `GET ${BASE}/issues/7/feedback?cursor=c2&limit=5`,
      'loading user feedback of issue 7',
    ],
    [
      'listFeedback',
      (api, signal) => api.listFeedback({ limit: 50 }, { signal }),
      `GET ${BASE}/feedback?limit=50`,
      'loading user feedback',
    ],
    ['stats', (api, signal) => api.stats({}, { signal }), `GET ${BASE}/stats`, 'loading stats'],
    ['projects', (api, signal) => api.projects({ signal }), `GET ${BASE}/projects`, 'loading projects'],
    [
      'listSessions',
      (api, signal) => api.listSessions({ q: 'req' }, { signal }),
      `GET ${BASE}/sessions?q=req`,
      'listing debug sessions',
    ],
    [
      'getSession',
      (api, signal) => api.getSession('req-42', { signal }),
      `GET ${BASE}/sessions/req-42`,
      'loading debug session "req-42"',
    ],
    [
      'exportSession',
      (api, signal) => api.exportSession('req-42', { signal }),
      `GET ${BASE}/sessions/req-42/export`,
      'exporting debug session "req-42"',
    ],
  ];

  test.each(reads)(
    '%s: aborting unsubscribes the request and rejects as cancelled',
    async (_name, read, request, what) => {
      const { backend, requests, unsubscribed } = heldBackend();
      const controller = new AbortController();
      const answer = read(new ProxyTrackerApi(() => backend), controller.signal).catch((e) => e);
      expect(requests).toEqual([request]);
      expect(unsubscribed).toEqual([]);
      controller.abort();
      // Unsubscribed at once, by the abort itself.
      expect(unsubscribed).toEqual([request]);
      const err = (await answer) as TrackerError;
      expect([err instanceof TrackerError, err.kind, err.message, isAborted(err)]).toEqual([
        true,
        'aborted',
        `${what}: cancelled`,
        true,
      ]);
    }
  );

  test.each(reads)('%s: a signal aborted already sends nothing', async (_name, read, _request, what) => {
    const { backend, requests } = heldBackend();
    const controller = new AbortController();
    controller.abort();
    const answer = read(new ProxyTrackerApi(() => backend), controller.signal).catch((e) => e);
    expect(requests).toEqual([]);
    const err = (await answer) as TrackerError;
    expect([err.kind, err.message]).toEqual(['aborted', `${what}: cancelled`]);
  });

  test('an answer that came before the abort is kept, and nothing is unsubscribed', async () => {
    const { backend, unsubscribed, answers } = heldBackend();
    const controller = new AbortController();
    const answer = new ProxyTrackerApi(() => backend).getIssue(7, { signal: controller.signal });
    answers[0]({ id: 7 });
    await expect(answer).resolves.toEqual({ id: 7 });
    controller.abort();
    expect(unsubscribed).toEqual([]);
  });

  test('a failure is the usual TrackerError, not a cancelled one, and a request without a signal still fails as before', async () => {
    const { backend } = fakeBackend({});
    const api = new ProxyTrackerApi(() => backend);
    const withSignal = await api.getIssue(9, { signal: new AbortController().signal }).catch((e) => e);
    expect([withSignal.kind, isAborted(withSignal)]).toEqual(['not-found', false]);
    const without = await api.getIssue(9).catch((e) => e);
    expect([without.kind, isAborted(without)]).toEqual(['not-found', false]);
  });

  test("a DOMException 'AbortError' (a browser's fetch aborted) reads as cancelled too; other errors do not", () => {
    expect(isAborted(new DOMException('The operation was aborted.', 'AbortError'))).toBe(true);
    expect(isAborted(new TrackerError('unreachable', 'x: the tracking server could not be reached'))).toBe(false);
    expect(isAborted(new Error('AbortError'))).toBe(false);
    expect(isAborted(undefined)).toBe(false);
  });
});
