// Property tests for the REST API's query strings, path ids, cursors and JSON bodies, over HTTP
// from a real tracker holding a known set of issues, events and sessions. The expected answers
// come from the table below (what was sent, and what the README says each filter means), never
// from the API's own code.
import { request } from 'node:http';
import { parse as parseQuery } from 'node:querystring';
import {
  brotliCompressSync,
  brotliDecompressSync,
  deflateSync,
  gunzipSync,
  gzipSync,
  inflateSync,
} from 'node:zlib';
import fc from 'fast-check';
import { startTestTracker, type TestTracker } from '../testing/test-tracker';

const STATUSES = ['open', 'investigating', 'resolved', 'ignored'] as const;
const SEVERITIES = ['critical', 'error', 'warning', 'info'] as const;
const TYPES = ['application', 'database', 'external_api', 'validation', 'security'] as const;
const SORTS = ['last_seen', 'first_seen', 'events', 'users'] as const;
type Status = (typeof STATUSES)[number];
type Sort = (typeof SORTS)[number];

/** Two days ago, to the second: every event time is this plus whole minutes. */
const T0 = Math.floor(Date.now() / 1000) * 1000 - 2 * 86_400_000;
const MIN = 60_000;

interface EventSpec {
  readonly service: string;
  readonly environment: string;
  readonly release: string;
  readonly user?: string;
  /** Minutes after T0. */
  readonly at: number;
  readonly correlationId?: string;
  readonly traceId?: string;
}
interface IssueSpec {
  readonly title: string;
  readonly culprit: string;
  readonly level: 'fatal' | 'error' | 'warning' | 'info';
  readonly type: (typeof TYPES)[number];
  readonly events: readonly EventSpec[];
}

const TRACE_A = '0123456789abcdef0123456789abcdef';
const TRACE_ONLY = 'fedcba9876543210fedcba9876543210';

const ev = (
  service: string,
  environment: string,
  release: string,
  at: number,
  more: Partial<EventSpec> = {},
): EventSpec => ({ service, environment, release, at, ...more });

// Issue n (from 1) is the n-th entry: each is sent whole, in order, to a fresh store. Ties in
// every sort key (last seen 30 for 1 and 5, first seen 10 for 2 and 6, counts and users) make
// the id order of ties matter.
const ISSUES: readonly IssueSpec[] = [
  {
    title: 'prop alpha checkout stalled',
    culprit: 'cart.alpha',
    level: 'error',
    type: 'application',
    events: [
      ev('cart', 'prod', 'v1', 5, { user: 'u1', correlationId: 'req-alpha', traceId: TRACE_A }),
      ev('cart', 'stage', 'v2', 30, { user: 'u2' }),
    ],
  },
  {
    title: 'prop bravo 50% done',
    culprit: 'pay_bravo',
    level: 'warning',
    type: 'database',
    events: [
      ev('pay', 'prod', 'v1', 10, { user: 'u1' }),
      ev('pay', 'prod', 'v1', 12, { user: 'u1', correlationId: 'checkout 42' }),
      ev('pay', 'prod', 'v2', 14),
    ],
  },
  {
    title: 'prop charlie ÉCHEC total',
    culprit: 'search.charlie',
    level: 'fatal',
    type: 'external_api',
    events: [ev('search', 'stage', 'v3', 40, { user: 'u3', traceId: TRACE_ONLY })],
  },
  {
    title: 'prop delta under_score',
    culprit: 'cart.delta',
    level: 'info',
    type: 'validation',
    events: [
      ev('cart', 'prod', 'v2', 2, { user: 'u4' }),
      ev('mail', 'dev', 'v2', 3, { user: 'u5' }),
      ev('cart', 'prod', 'v2', 20, { user: 'u6', correlationId: 'ünï/sess' }),
    ],
  },
  {
    title: 'prop echo token expired',
    culprit: 'auth.echo',
    level: 'error',
    type: 'security',
    events: [ev('auth', 'prod', 'v1', 1), ev('auth', 'prod', 'v1', 30, { user: 'u1' })],
  },
  {
    title: 'prop foxtrot [brackets]',
    culprit: 'pay.foxtrot%',
    level: 'warning',
    type: 'application',
    events: [ev('pay', 'dev', 'v3', 10, { user: 'u7' }), ev('search', 'dev', 'v3', 25)],
  },
  {
    title: 'prop golf quiet',
    culprit: 'mail.golf',
    level: 'info',
    type: 'database',
    events: [ev('mail', 'prod', 'v1', 50)],
  },
  {
    title: 'prop hotel 100% sure',
    culprit: 'cart.hotel',
    level: 'fatal',
    type: 'security',
    events: [
      ev('cart', 'stage', 'v1', 45, { user: 'u8' }),
      ev('cart', 'stage', 'v1', 46, { user: 'u9' }),
      ev('cart', 'stage', 'v1', 47, { user: 'u8' }),
    ],
  },
];
const N = ISSUES.length;
const EVENT_IDS: string[][] = ISSUES.map((issue, i) =>
  issue.events.map(
    (_, j) => (i + 1).toString(16).padStart(16, '0') + j.toString(16).padStart(16, '0'),
  ),
);

/** Sessions by every id that names one: correlation ids, a linked trace id, a trace of its own. */
const SESSION_IDS = ['req-alpha', 'checkout 42', 'ünï/sess', TRACE_A, TRACE_ONLY];

/** What the README says an issue is, from what was sent. */
interface Model {
  readonly id: number;
  readonly title: string;
  readonly culprit: string;
  readonly severity: string;
  readonly type: string;
  readonly services: ReadonlySet<string>;
  readonly environments: ReadonlySet<string>;
  readonly releases: ReadonlySet<string>;
  readonly count: number;
  readonly users: number;
  readonly firstSeen: number;
  readonly lastSeen: number;
  /** Its events' times. */
  readonly times: readonly number[];
}
const MODEL: readonly Model[] = ISSUES.map((issue, i) => {
  const times = issue.events.map((e) => T0 + e.at * MIN);
  const level = { fatal: 'critical', error: 'error', warning: 'warning', info: 'info' }[
    issue.level
  ];
  return {
    id: i + 1,
    title: issue.title,
    culprit: issue.culprit,
    // The SDK's level, raised to critical for a security error.
    severity: level === 'error' && issue.type === 'security' ? 'critical' : level,
    type: issue.type,
    services: new Set(issue.events.map((e) => e.service)),
    environments: new Set(issue.events.map((e) => e.environment)),
    releases: new Set(issue.events.map((e) => e.release)),
    count: issue.events.length,
    users: new Set(issue.events.flatMap((e) => (e.user ? [e.user] : []))).size,
    firstSeen: Math.min(...times),
    lastSeen: Math.max(...times),
    times,
  };
});
/** Statuses as the tests set them (changed by the body properties as they expect). */
const statuses = new Map<number, Status>(MODEL.map((m) => [m.id, 'open']));
const INITIAL: Record<number, Status> = {
  2: 'resolved',
  3: 'ignored',
  4: 'investigating',
  6: 'resolved',
};

/** A time range asked for: its events are those of the clock hours it touches (README). */
interface Range {
  readonly seenAfter?: number;
  readonly seenBefore?: number;
}
const HOUR = 3_600_000;
const inRange = (m: Model, r: Range) =>
  m.times.filter(
    (t) =>
      (r.seenAfter === undefined || Math.floor(t / HOUR) >= Math.floor(r.seenAfter / HOUR)) &&
      (r.seenBefore === undefined || Math.floor(t / HOUR) <= Math.floor(r.seenBefore / HOUR)),
  ).length;
const sortKey = (m: Model, sort: Sort, range?: Range): number =>
  sort === 'last_seen'
    ? m.lastSeen
    : sort === 'first_seen'
      ? m.firstSeen
      : sort === 'events'
        ? range
          ? inRange(m, range)
          : m.count
        : m.users;
/** Highest sort key first, ties by the higher id; by events, those in the range when one is asked. */
const ordered = (ms: readonly Model[], sort: Sort, range?: Range) =>
  [...ms].sort((a, b) => sortKey(b, sort, range) - sortKey(a, sort, range) || b.id - a.id);

let setup: TestTracker<'shop'>;
let port: number;

interface Answer {
  readonly status: number;
  readonly type: string;
  readonly text: string;
  readonly json: unknown;
}

/** One request with node:http, so the path goes exactly as written. */
function raw(
  method: string,
  path: string,
  opts: { headers?: Record<string, string>; body?: string | Buffer } = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        method,
        path: `/api/v1${path}`,
        headers: { authorization: 'Bearer t', ...opts.headers },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: unknown;
          try {
            json = JSON.parse(text);
          } catch {
            json = undefined;
          }
          resolve({
            status: res.statusCode ?? 0,
            type: String(res.headers['content-type']),
            text,
            json,
          });
        });
      },
    );
    req.on('error', reject);
    if (opts.body !== undefined) req.write(opts.body);
    req.end();
  });
}

const isJsonAnswer = (a: Answer) => /^application\/json\b/.test(a.type) && a.json !== undefined;
const errorOf = (a: Answer): string => (a.json as { error?: unknown } | undefined)?.error as string;

const ids = (a: Answer) => (a.json as { items: { id: number }[] }).items.map((i) => i.id);
const nextCursor = (a: Answer) => (a.json as { nextCursor: string | null }).nextCursor;

/** The current status of every issue, read back. */
async function readStatuses(): Promise<Record<number, string>> {
  const a = await raw('GET', '/issues?limit=1000');
  expect(a.status).toBe(200);
  return Object.fromEntries(
    (a.json as { items: { id: number; status: string }[] }).items.map((i) => [i.id, i.status]),
  );
}
const expectedStatuses = () => Object.fromEntries(statuses);

beforeAll(async () => {
  setup = await startTestTracker('rest-property', { shop: {} });
  port = Number(new URL(setup.tracker.url).port);
  const { shop } = setup.projects;
  for (const [i, issue] of ISSUES.entries())
    for (const [j, e] of issue.events.entries()) {
      const sent = await fetch(
        `${setup.tracker.url}/api/${shop.id}/store/?sentry_key=${shop.key}`,
        {
          method: 'POST',
          body: JSON.stringify({
            event_id: EVENT_IDS[i]![j],
            message: issue.title,
            culprit: issue.culprit,
            level: issue.level,
            fingerprint: [`prop-${i + 1}`],
            timestamp: (T0 + e.at * MIN) / 1000,
            environment: e.environment,
            release: e.release,
            tags: {
              service: e.service,
              error_type: issue.type,
              ...(e.correlationId ? { correlation_id: e.correlationId } : {}),
            },
            ...(e.user ? { user: { id: e.user } } : {}),
            ...(e.traceId
              ? { contexts: { trace: { trace_id: e.traceId, span_id: 'abcdef0123456789' } } }
              : {}),
          }),
        },
      );
      expect(sent.status).toBe(200);
    }
  for (const [id, status] of Object.entries(INITIAL)) {
    const a = await raw('PATCH', `/issues/${id}`, {
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ status }),
    });
    expect(a.status).toBe(200);
    statuses.set(Number(id), status);
  }
  // The store holds what was sent: issue n is the n-th title.
  const all = await raw('GET', '/issues?limit=1000&sort=first_seen');
  expect(
    Object.fromEntries(
      (all.json as { items: { id: number; title: string }[] }).items.map((i) => [i.id, i.title]),
    ),
  ).toEqual(Object.fromEntries(MODEL.map((m) => [m.id, m.title])));
});
afterAll(() => setup?.close());

// ---------------------------------------------------------------------------------------------
// Arbitrary query strings.

/**
 * Characters of a request target (RFC 9112 §3.2: ASCII, no space, control or `#`). Raw bytes
 * past ASCII are no HTTP: Node's parser answers them 400 before any route.
 */
const URL_CHARS = [
  ...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789',
  ...`!$'()*+,-./:;=?@[]_~&|"<>\\^\`{}`,
];
const ESCAPES = [
  '%00',
  '%FF',
  '%E2%82',
  '%C3%A9',
  '%ED%A0%80',
  '%',
  '%%',
  '%G1',
  '%25',
  '%2',
  '%5F',
  '%0A',
  '%26',
  '%3D',
];
const junkText = fc
  .array(fc.oneof(fc.constantFrom(...URL_CHARS), fc.constantFrom(...ESCAPES)), { maxLength: 12 })
  .map((parts) => parts.join(''));
/** A name spelled with escapes (`%73tatus`), which the query parser reads as the name. */
const spelled = (name: string) =>
  fc
    .array(fc.boolean(), { minLength: name.length, maxLength: name.length })
    .map((esc) =>
      [...name]
        .map((c, i) => (esc[i] ? `%${c.charCodeAt(0).toString(16).padStart(2, '0')}` : c))
        .join(''),
    );
const VALUES = [
  ...STATUSES,
  ...SEVERITIES,
  ...TYPES,
  ...SORTS,
  'cart',
  'prod',
  'v1',
  'true',
  'false',
  '1',
  '5',
  '0',
  '-1',
  '1e3',
  '0x10',
  '1.5',
  '99999999999999999999999',
  '1e309',
  String(T0),
  'NaN',
  'Infinity',
  '',
  '%',
  '_',
  '%25',
  '%5F',
  'prop',
];
const valueOf = fc.oneof(
  fc.constantFrom(...VALUES),
  junkText,
  fc.bigInt({ min: 0n, max: 10n ** 30n }).map(String),
);

/** A query string of known and junk names, some repeated, and which known names it gives. */
const queryOf = (names: readonly string[]) =>
  fc
    .tuple(
      fc.array(
        fc.tuple(
          fc.oneof(
            { weight: 4, arbitrary: fc.constantFrom(...names) },
            { weight: 1, arbitrary: fc.constantFrom(...names).chain(spelled) },
            { weight: 1, arbitrary: junkText },
            {
              weight: 1,
              arbitrary: fc.constantFrom(
                '__proto__',
                'constructor',
                'hasOwnProperty',
                'toString',
                'status[]',
                'service[0]',
                'limit.x',
              ),
            },
          ),
          valueOf,
          fc.constantFrom('=', '', '=='),
          fc.integer({ min: 1, max: 3 }),
        ),
        { maxLength: 6 },
      ),
      // Now and then a name given over 100 times.
      fc.option(fc.tuple(fc.constantFrom(...names), fc.integer({ min: 99, max: 102 })), {
        freq: 8,
      }),
      fc.constantFrom('&', '&&', ';'),
    )
    .map(([pairs, many, sep]) => {
      const parts = pairs.flatMap(([k, v, eq, times]) =>
        Array.from({ length: times }, () => (eq ? `${k}${eq}${v}` : k)),
      );
      if (many) parts.push(...Array.from({ length: many[1] }, (_, i) => `${many[0]}=x${i}`));
      return parts.join(sep);
    });

/** Names the query parser reads from a query string (the server's parser, node:querystring). */
const givenNames = (qs: string, names: readonly string[]) =>
  names.filter((n) => Object.prototype.hasOwnProperty.call(parseQuery(qs), n));

const FILTERS = [
  'status',
  'severity',
  'type',
  'service',
  'environment',
  'release',
  'q',
  'seenAfter',
  'seenBefore',
] as const;
const ISSUE_PARAMS = [...FILTERS, 'sort', 'cursor', 'limit'];
const EVENT_PARAMS = ['cursor', 'limit'];
const SESSION_PARAMS = ['q', 'service', 'minDurationMs', 'hasErrors', 'cursor', 'limit'];

const names = (message: string, name: string) =>
  new RegExp(`(^|[^A-Za-z])${name}([^A-Za-z]|$)`).test(message);

describe('arbitrary query strings', () => {
  const routes: [string, string, readonly string[]][] = [
    ['/issues', '/issues', ISSUE_PARAMS],
    ['/issues/{id}/events', '/issues/2/events', EVENT_PARAMS],
    ['/issues/{id}/feedback', '/issues/2/feedback', EVENT_PARAMS],
    ['/feedback', '/feedback', ['q', ...EVENT_PARAMS]],
    ['/sessions', '/sessions', SESSION_PARAMS],
    ['/stats', '/stats', ['q', 'limit', 'cursor']],
  ];
  it.each(routes)(
    'GET %s answers 200 or a JSON 400 naming a parameter it was given (400 cases)',
    async (_route, path, params) => {
      await fc.assert(
        fc.asyncProperty(queryOf(params), async (qs) => {
          const a = await raw('GET', `${path}?${qs}`);
          expect(isJsonAnswer(a)).toBe(true);
          const given = givenNames(qs, params);
          if (path === '/stats' || given.length === 0) {
            expect([a.status, a.text.slice(0, 200)]).toEqual([200, expect.any(String)]);
          } else {
            expect([200, 400]).toContain(a.status);
          }
          if (a.status === 200) {
            if (path !== '/stats') {
              const page = a.json as { items: unknown[]; nextCursor: unknown };
              expect(Array.isArray(page.items)).toBe(true);
              expect(page.nextCursor === null || typeof page.nextCursor === 'string').toBe(true);
            }
          } else {
            const error = errorOf(a);
            expect(typeof error).toBe('string');
            expect([error, given.some((n) => names(error, n))]).toEqual([error, true]);
            // On /issues, service and environment take up to 100 values, whichever they are.
            const multi = /^(service|environment) /.exec(error);
            if (path === '/issues' && multi) {
              const values = parseQuery(qs)[multi[1]!];
              expect([error, Array.isArray(values) ? values.length : 1]).toEqual([
                `${multi[1]} may be given at most 100 times`,
                expect.any(Number),
              ]);
              expect((values as string[]).length).toBeGreaterThan(100);
            }
          }
        }),
        { numRuns: 400 },
      );
    },
  );
});

// ---------------------------------------------------------------------------------------------
// Valid filters, sorts and pages.

interface Query {
  status?: Status;
  severity?: string;
  type?: string;
  service?: string[];
  environment?: string[];
  release?: string;
  q?: string;
  seenAfter?: number;
  seenBefore?: number;
  sort?: Sort;
  limit?: number;
}

const SERVICES = ['cart', 'pay', 'search', 'mail', 'auth', 'none'];
const ENVS = ['prod', 'stage', 'dev', 'qa'];
/** Pieces of titles and culprits (any case), `%` and `_` literally, and text in none. */
const searchText = fc.oneof(
  fc
    .tuple(
      fc.constantFrom(...MODEL.flatMap((m) => [m.title, m.culprit])),
      fc.nat(),
      fc.integer({ min: 1, max: 6 }),
      fc.constantFrom<(s: string) => string>(
        (s) => s,
        (s) => s.toUpperCase(),
        (s) => s.toLowerCase(),
      ),
    )
    .map(([s, at, len, c]) => c(s.slice(at % s.length, (at % s.length) + len))),
  fc.constantFrom('%', '_', '50%', 'under_score', 'échec', 'ÉCHEC', '[', 'nothing-here', '\\', "'"),
);
const timeArb = fc.integer({ min: -1, max: 60 }).map((m) => T0 + m * MIN);

/** A few filters (most issues match one or two: ties in the sort come through), a sort, a limit. */
const queryArb: fc.Arbitrary<Query> = fc
  .tuple(
    fc.record({
      status: fc.constantFrom(...STATUSES),
      severity: fc.constantFrom(...SEVERITIES),
      type: fc.constantFrom(...TYPES),
      service: fc.array(fc.constantFrom(...SERVICES), { minLength: 1, maxLength: 4 }),
      environment: fc.array(fc.constantFrom(...ENVS), { minLength: 1, maxLength: 3 }),
      release: fc.constantFrom('v1', 'v2', 'v3', 'v9'),
      q: searchText,
      seenAfter: timeArb,
      seenBefore: timeArb,
    }),
    fc.uniqueArray(fc.constantFrom(...FILTERS), { maxLength: 3 }),
    fc.option(fc.constantFrom(...SORTS), { freq: 4 }),
    fc.option(fc.integer({ min: 1, max: 12 }), { freq: 4 }),
  )
  .map(([all, keys, sort, limit]) => {
    const q: Query = Object.fromEntries(keys.map((k) => [k, all[k]]));
    if (sort !== null) q.sort = sort;
    if (limit !== null) q.limit = limit;
    // A range that ends before it starts is refused: swap its bounds.
    if (q.seenAfter !== undefined && q.seenBefore !== undefined && q.seenAfter > q.seenBefore)
      [q.seenAfter, q.seenBefore] = [q.seenBefore, q.seenAfter];
    return q;
  });

function queryString(q: Query, extra: string[] = []): fc.Arbitrary<string> {
  const parts: string[] = [...extra];
  for (const [k, v] of Object.entries(q) as [string, unknown][]) {
    if (v === undefined) continue;
    for (const x of Array.isArray(v) ? v : [v]) parts.push(`${k}=${encodeURIComponent(String(x))}`);
  }
  return fc.shuffledSubarray(parts, { minLength: parts.length }).map((p) => p.join('&'));
}

const lower = (s: string) => s.toLowerCase();
function expectedIds(q: Query): number[] {
  const hits = MODEL.filter(
    (m) =>
      (q.status === undefined || statuses.get(m.id) === q.status) &&
      (q.severity === undefined || m.severity === q.severity) &&
      (q.type === undefined || m.type === q.type) &&
      (q.service === undefined || q.service.some((s) => m.services.has(s))) &&
      (q.environment === undefined || q.environment.some((s) => m.environments.has(s))) &&
      (q.release === undefined || m.releases.has(q.release)) &&
      (!q.q || lower(m.title).includes(lower(q.q)) || lower(m.culprit).includes(lower(q.q))) &&
      (q.seenAfter === undefined || m.lastSeen >= q.seenAfter) &&
      (q.seenBefore === undefined || m.firstSeen <= q.seenBefore),
  );
  const ranged = q.seenAfter !== undefined || q.seenBefore !== undefined;
  return ordered(hits, q.sort ?? 'last_seen', ranged ? q : undefined).map((m) => m.id);
}

describe('valid filters', () => {
  it('answer exactly the issues they match, in the sort asked for (400 cases)', async () => {
    await fc.assert(
      fc.asyncProperty(
        queryArb.chain((q) => queryString(q).map((s) => [q, s] as const)),
        async ([q, qs]) => {
          const a = await raw('GET', `/issues?${qs}`);
          const all = expectedIds(q);
          const limit = q.limit ?? 50;
          expect([qs, a.status, ids(a)]).toEqual([qs, 200, all.slice(0, limit)]);
          expect(nextCursor(a) !== null).toBe(all.length > limit);
          // Each with its events in the range, when one was asked, and only then.
          const ranged = q.seenAfter !== undefined || q.seenBefore !== undefined;
          const items = (a.json as { items: { id: number; rangeCount?: number }[] }).items;
          expect([qs, items.map((i) => i.rangeCount)]).toEqual([
            qs,
            items.map((i) => (ranged ? inRange(MODEL[i.id - 1] as Model, q) : undefined)),
          ]);
        },
      ),
      { numRuns: 400 },
    );
  });

  it('paged by cursor with small limits, visit every issue they match once, in order (150 cases)', async () => {
    await fc.assert(
      fc.asyncProperty(
        queryArb.chain((q) =>
          fc
            .integer({ min: 1, max: 3 })
            .chain((limit) => queryString({ ...q, limit }).map((s) => [q, limit, s] as const)),
        ),
        async ([q, limit, qs]) => {
          const seen: number[] = [];
          let cursor: string | null = null;
          for (let page = 0; page < 20; page++) {
            const a = await raw(
              'GET',
              `/issues?${qs}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
            );
            expect(a.status).toBe(200);
            const got = ids(a);
            expect(got.length).toBeLessThanOrEqual(limit);
            seen.push(...got);
            cursor = nextCursor(a);
            if (cursor === null) break;
          }
          expect([qs, seen]).toEqual([qs, expectedIds(q)]);
        },
      ),
      { numRuns: 150 },
    );
  });

  it("paged by cursor, an issue's events come newest first, each once (60 cases)", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: N }),
        fc.integer({ min: 1, max: 3 }),
        async (id, limit) => {
          const seen: string[] = [];
          let cursor: string | null = null;
          for (let page = 0; page < 10; page++) {
            const a = await raw(
              'GET',
              `/issues/${id}/events?limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`,
            );
            expect(a.status).toBe(200);
            seen.push(...(a.json as { items: { id: string }[] }).items.map((e) => e.id));
            cursor = nextCursor(a);
            if (cursor === null) break;
          }
          // Received in the order sent: the newest is the last sent.
          expect(seen).toEqual([...EVENT_IDS[id - 1]!].reverse());
        },
      ),
      { numRuns: 60 },
    );
  });
});

/** The sessions as sent: their ids, services and last times (each is one error event). */
const SESSIONS = [
  { id: 'req-alpha', service: 'cart', end: 5 },
  { id: 'checkout 42', service: 'pay', end: 12 },
  { id: 'ünï/sess', service: 'cart', end: 20 },
  { id: TRACE_ONLY, service: 'search', end: 40 },
];

describe('valid session filters', () => {
  it('paged by cursor with small limits, visit every session they match once, latest first (150 cases)', async () => {
    const arb = fc.record(
      {
        q: fc
          .tuple(
            fc.constantFrom(...SESSIONS.map((x) => x.id)),
            fc.nat(),
            fc.integer({ min: 1, max: 4 }),
          )
          .map(([id, at, len]) => id.slice(at % id.length, (at % id.length) + len)),
        service: fc.constantFrom('cart', 'pay', 'search', 'mail', 'car'),
        hasErrors: fc.boolean(),
        minDurationMs: fc.constantFrom('0', '0.0', '000', '1', '0.5'),
      },
      { requiredKeys: [] },
    );
    await fc.assert(
      fc.asyncProperty(arb, fc.integer({ min: 1, max: 3 }), async (f, limit) => {
        const qs = [
          ...Object.entries(f).map(([k, v]) => `${k}=${encodeURIComponent(String(v))}`),
          `limit=${limit}`,
        ].join('&');
        const seen: string[] = [];
        let cursor: string | null = null;
        for (let page = 0; page < 10; page++) {
          const a = await raw('GET', `/sessions?${qs}${cursor ? `&cursor=${cursor}` : ''}`);
          expect([qs, a.status]).toEqual([qs, 200]);
          const items = (a.json as { items: { id: string }[] }).items.map((x) => x.id);
          expect(items.length).toBeLessThanOrEqual(limit);
          seen.push(...items);
          cursor = nextCursor(a);
          if (cursor === null) break;
        }
        // Every session here has errors and lasts 0 ms; `q` is a part of the id, as written.
        const expected = SESSIONS.filter(
          (x) =>
            (f.q === undefined || x.id.includes(f.q)) &&
            (f.service === undefined || x.service === f.service) &&
            (f.hasErrors === undefined || f.hasErrors) &&
            (f.minDurationMs === undefined || Number(f.minDurationMs) <= 0),
        )
          .sort((x, y) => y.end - x.end)
          .map((x) => x.id);
        expect([qs, seen]).toEqual([qs, expected]);
      }),
      { numRuns: 150 },
    );
  });
});

// ---------------------------------------------------------------------------------------------
// Arbitrary path ids.

/** A path segment: junk, digits of any length, known session ids written with escapes. */
const segment = fc
  .oneof(
    junkText,
    fc.bigInt({ min: 0n, max: 10n ** 20n }).map(String),
    fc.integer({ min: 0, max: N + 3 }).map(String),
    fc.integer({ min: 1, max: N }).map((n) => `00${n}`),
    fc.constantFrom(...SESSION_IDS).map(encodeURIComponent),
    fc.constantFrom('.', '..', '%2E%2E', 'status%00', '1%00', '1.0', '1e2', '0x1', '+1', '%31'),
  )
  .map((s) => s.replace(/[/?]/g, ''))
  .filter((s) => s !== '');

/** The segment as the router decodes it, or undefined where it does not decode. */
function decoded(s: string): string | undefined {
  try {
    return decodeURIComponent(s);
  } catch {
    return undefined;
  }
}

describe('arbitrary path ids', () => {
  it('/issues/{x} and /issues/{x}/events answer 200, 404 or a 400 naming the id (400 cases)', async () => {
    await fc.assert(
      fc.asyncProperty(segment, fc.constantFrom('', '/events'), async (x, tail) => {
        if (tail === '' && x.toLowerCase() === 'status') return; // the bulk route (405)
        const a = await raw('GET', `/issues/${x}${tail}`);
        expect(isJsonAnswer(a)).toBe(true);
        const d = decoded(x);
        const id = d !== undefined && /^[0-9]{1,15}$/.test(d) ? Number(d) : 0;
        if (d === undefined) {
          expect([a.status, errorOf(a)]).toEqual([400, expect.stringContaining(x)]);
        } else if (id < 1) {
          expect([x, a.status, errorOf(a)]).toEqual([
            x,
            400,
            `issue id must be a positive integer of up to 15 digits; got ${JSON.stringify(d)}`,
          ]);
        } else if (id > N) {
          expect([x, a.status, errorOf(a)]).toEqual([x, 404, `issue ${d} not found`]);
        } else {
          expect([x, a.status]).toEqual([x, 200]);
          if (tail === '') expect((a.json as { id: number }).id).toBe(id);
        }
      }),
      { numRuns: 400 },
    );
  });

  it('/sessions/{x} and /sessions/{x}/export answer the session, 404 naming it, or 400 (300 cases)', async () => {
    await fc.assert(
      fc.asyncProperty(segment, fc.constantFrom('', '/export'), async (x, tail) => {
        const a = await raw('GET', `/sessions/${x}${tail}`);
        expect(isJsonAnswer(a)).toBe(true);
        const d = decoded(x);
        if (d === undefined) {
          expect([a.status, errorOf(a)]).toEqual([400, expect.stringContaining(x)]);
        } else if (SESSION_IDS.includes(d)) {
          expect([x, a.status]).toEqual([x, 200]);
          const s = tail === '' ? a.json : (a.json as { session: unknown }).session;
          // A linked trace id names its correlation id's session.
          expect((s as { id: string }).id).toBe(d === TRACE_A ? 'req-alpha' : d);
        } else {
          expect([x, a.status, errorOf(a)]).toEqual([
            x,
            404,
            `session ${JSON.stringify(d)} not found`,
          ]);
        }
      }),
      { numRuns: 300 },
    );
  });
});

// ---------------------------------------------------------------------------------------------
// Arbitrary and mutated JSON bodies.

/** A Content-Type and whether the API reads a body sent with it as JSON. */
const contentType = fc.constantFrom<[string | undefined, boolean]>(
  ['application/json', true],
  ['application/json; charset=utf-8', true],
  ['Application/JSON; charset=UTF-8', true],
  ['application/json; charset=latin1', false],
  ['application/json; charset=iso-8859-1', false],
  ['application/merge-patch+json', false],
  ['text/plain', false],
  ['application/x-www-form-urlencoded', false],
  ['text/html', false],
  [undefined, false],
);

/** Text with a few characters inserted, removed or replaced. */
const mutated = (text: string) =>
  fc
    .array(
      fc.tuple(
        fc.nat(),
        fc.constantFrom('insert', 'delete', 'replace'),
        fc.constantFrom(...'{}[]",:0 \\nul\u0000é'),
      ),
      { minLength: 1, maxLength: 3 },
    )
    .map((edits) => {
      let s = text;
      for (const [at, op, c] of edits) {
        const i = s.length === 0 ? 0 : at % s.length;
        s =
          op === 'insert'
            ? s.slice(0, i) + c + s.slice(i)
            : s.slice(0, i) + (op === 'replace' ? c : '') + s.slice(i + 1);
      }
      return s;
    });

const junkJson = fc.jsonValue({ maxDepth: 3 });
const statusValue = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom<unknown>(...STATUSES) },
  { weight: 1, arbitrary: junkJson as fc.Arbitrary<unknown> },
  {
    weight: 1,
    arbitrary: fc.constantFrom<unknown>('Open', 'open ', 'resolve', '', null, ['open']),
  },
);
const idValue = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: 1, max: N + 2 }) as fc.Arbitrary<unknown> },
  {
    weight: 1,
    arbitrary: fc.constantFrom<unknown>(0, -1, 1.5, '2', true, null, 2 ** 53, 1e21, [1], { id: 1 }),
  },
);

/** A body as text: an object with the fields asked for, or junk, or such text mutated. */
const bodyText = (fields: fc.Arbitrary<Record<string, unknown>>) =>
  fc.oneof(
    { weight: 5, arbitrary: fields.map((o) => JSON.stringify(o)) },
    { weight: 1, arbitrary: fields.chain((o) => mutated(JSON.stringify(o))) },
    { weight: 1, arbitrary: junkJson.map((v) => JSON.stringify(v)) },
    { weight: 1, arbitrary: fc.string({ maxLength: 30 }) },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        '',
        ' ',
        '{',
        '[]',
        'null',
        '{"status":"open"}garbage',
        '\n{"status":"open"}\n',
      ),
    },
  );

/** The body as the API reads it: JSON text, a BOM aside (RFC 8259 §8.1). */
function parsedBody(text: string): unknown {
  try {
    return JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch {
    return undefined;
  }
}
const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** How a refused body may be named: each names the fault. */
const REFUSALS = [
  /^the body is missing: send a JSON object$/,
  /^send the body as Content-Type: application\/json$/,
  /^unsupported charset "[A-Z0-9-]+"$/,
  /^unsupported content encoding "[a-z]+"$/,
  /^body is not valid (gzip|deflate|br): [A-Z0-9_]+$/,
  /^body is not JSON: /,
  /^body must be a JSON object$/,
  /^status is missing: send one of /,
  /^status must be one of open, investigating, resolved, ignored; got /,
  /^issue id must be a positive integer of up to 15 digits; got /,
  /^issue \d+ not found$/,
  /^ids must be a list of 1 to 1000 issue ids$/,
  /^ids must be positive JSON integers; got /,
  /^body exceeds 1 MB$/,
];

const named = (error: unknown) => typeof error === 'string' && REFUSALS.some((r) => r.test(error));

type Encoding = 'identity' | 'gzip' | 'deflate' | 'br' | 'zstd' | 'bogus';
/** How a body goes: its Content-Encoding (compressed as it says, or not), and its framing. */
interface Sending {
  readonly encoding: Encoding;
  readonly compressed: boolean;
  readonly chunked: boolean;
}
const sending: fc.Arbitrary<Sending> = fc.record({
  encoding: fc.oneof(
    { weight: 6, arbitrary: fc.constant<Encoding>('identity') },
    { weight: 3, arbitrary: fc.constantFrom<Encoding>('gzip', 'deflate', 'br') },
    { weight: 1, arbitrary: fc.constantFrom<Encoding>('zstd', 'bogus') },
  ),
  compressed: fc.boolean(),
  chunked: fc.boolean(),
});

const COMPRESS: Partial<Record<Encoding, (b: Buffer) => Buffer>> = {
  gzip: gzipSync,
  deflate: deflateSync,
  br: brotliCompressSync,
};
const INFLATE: Partial<Record<Encoding, (b: Buffer) => Buffer>> = {
  identity: (b) => b,
  gzip: gunzipSync,
  deflate: inflateSync,
  br: brotliDecompressSync,
};

/**
 * Sends `text` as `how` says, and checks what comes before reading the JSON: a missing body, a
 * Content-Type or Content-Encoding the API does not read, a body that does not inflate. Returns
 * the answer, and the text the API reads as JSON, or undefined where it was refused before.
 */
async function sendBody(
  method: string,
  path: string,
  [type, readsJson]: [string | undefined, boolean],
  text: string,
  how: Sending,
): Promise<{ a: Answer; json?: string }> {
  const plain = Buffer.from(text, 'utf8');
  const compress = COMPRESS[how.encoding];
  const bytes = how.compressed && compress ? compress(plain) : plain;
  const a = await raw(method, path, {
    headers: {
      ...(type ? { 'content-type': type } : {}),
      ...(how.encoding !== 'identity' ? { 'content-encoding': how.encoding } : {}),
      ...(how.chunked
        ? { 'transfer-encoding': 'chunked' }
        : { 'content-length': String(bytes.length) }),
    },
    body: bytes,
  });
  const what = [text, type, how];
  expect([...what, isJsonAnswer(a)]).toEqual([...what, true]);
  if (!readsJson) {
    // Nothing to read, or what is there is not JSON.
    expect([...what, [400, 415].includes(a.status), named(errorOf(a))]).toEqual([
      ...what,
      true,
      true,
    ]);
    if (bytes.length > 0) expect([...what, a.status]).toEqual([...what, 415]);
    return { a };
  }
  const inflate = INFLATE[how.encoding];
  if (!inflate) {
    expect([...what, a.status, errorOf(a)]).toEqual([
      ...what,
      415,
      `unsupported content encoding "${how.encoding}"`,
    ]);
    return { a };
  }
  let body: Buffer;
  try {
    body = inflate(bytes);
  } catch {
    expect([...what, a.status, errorOf(a)]).toEqual([
      ...what,
      400,
      expect.stringMatching(new RegExp(`^body is not valid ${how.encoding}: [A-Z0-9_]+$`)),
    ]);
    return { a };
  }
  if (body.length === 0) {
    // No body, however it was framed or compressed.
    expect([...what, a.status, errorOf(a)]).toEqual([
      ...what,
      400,
      'the body is missing: send a JSON object',
    ]);
    return { a };
  }
  return { a, json: body.toString('utf8') };
}

describe('arbitrary and mutated JSON bodies', () => {
  it('PATCH /issues/{id} changes the status of a valid body, and refuses anything else naming why, changing nothing (300 cases)', async () => {
    const fields = fc.record(
      { status: statusValue, note: junkJson as fc.Arbitrary<unknown> },
      { requiredKeys: [] },
    );
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          { weight: 6, arbitrary: fc.integer({ min: 1, max: N + 2 }).map(String) },
          { weight: 1, arbitrary: fc.constantFrom('0', 'x', '1.0', '%31', '99999999999999999') },
        ),
        contentType,
        bodyText(fields),
        sending,
        async (id, type, text, how) => {
          const before = expectedStatuses();
          const { a, json } = await sendBody('PATCH', `/issues/${id}`, type, text, how);
          const body = json === undefined ? undefined : parsedBody(json);
          // A path segment is read percent-decoded (RFC 3986 §2.1): `%31` is `1`.
          const d = decoded(id);
          const n = d !== undefined && /^[0-9]{1,15}$/.test(d) ? Number(d) : 0;
          const status = isObject(body) ? body.status : undefined;
          const validStatus = (STATUSES as readonly unknown[]).includes(status);
          if (isObject(body) && validStatus && n >= 1) {
            if (n <= N) {
              expect([text, a.status, (a.json as { status: string }).status]).toEqual([
                text,
                200,
                status,
              ]);
              statuses.set(n, status as Status);
            } else {
              expect([text, a.status, errorOf(a)]).toEqual([text, 404, `issue ${n} not found`]);
            }
          } else {
            expect([
              text,
              type,
              [400, 404, 413, 415].includes(a.status),
              errorOf(a),
              named(errorOf(a)),
            ]).toEqual([text, type, true, errorOf(a), true]);
            expect(await readStatuses()).toEqual(before);
          }
        },
      ),
      { numRuns: 300 },
    );
    expect(await readStatuses()).toEqual(expectedStatuses());
  });

  it('POST /issues/status sets the status of the ids that exist, and refuses anything else naming why, changing nothing (300 cases)', async () => {
    const fields = fc.record(
      {
        ids: fc.oneof(
          {
            weight: 6,
            arbitrary: fc.array(idValue, { minLength: 1, maxLength: 6 }) as fc.Arbitrary<unknown>,
          },
          { weight: 1, arbitrary: fc.constantFrom<unknown>([], 1, '1', null, { 0: 1 }) },
          {
            weight: 1,
            arbitrary: fc
              .integer({ min: 999, max: 1001 })
              .map((n) => Array.from({ length: n }, (_, i) => (i % (N + 2)) + 1)),
          },
        ),
        status: statusValue,
      },
      { requiredKeys: [] },
    );
    await fc.assert(
      fc.asyncProperty(contentType, bodyText(fields), sending, async (type, text, how) => {
        const before = expectedStatuses();
        const { a, json } = await sendBody('POST', '/issues/status', type, text, how);
        const body = json === undefined ? undefined : parsedBody(json);
        const list =
          isObject(body) && Array.isArray(body.ids) ? (body.ids as unknown[]) : undefined;
        const validIds =
          list !== undefined &&
          list.length >= 1 &&
          list.length <= 1000 &&
          list.every((i) => typeof i === 'number' && Number.isSafeInteger(i) && i >= 1);
        const status = isObject(body) ? body.status : undefined;
        if (validIds && (STATUSES as readonly unknown[]).includes(status)) {
          const distinct = [...new Set(list as number[])];
          const answer = a.json as { updated: number[]; notFound: number[] };
          expect([
            text,
            a.status,
            [...answer.updated].sort((x, y) => x - y),
            answer.notFound,
          ]).toEqual([
            text,
            200,
            distinct.filter((i) => i <= N).sort((x, y) => x - y),
            distinct.filter((i) => i > N),
          ]);
          for (const i of distinct) if (i <= N) statuses.set(i, status as Status);
        } else {
          expect([
            text.slice(0, 300),
            type,
            [400, 413, 415].includes(a.status),
            errorOf(a),
            named(errorOf(a)),
          ]).toEqual([text.slice(0, 300), type, true, errorOf(a), true]);
          expect(await readStatuses()).toEqual(before);
        }
      }),
      { numRuns: 300 },
    );
    expect(await readStatuses()).toEqual(expectedStatuses());
  });

  it('a body over 1 MB is refused 413, naming the limit, changing nothing', async () => {
    const before = expectedStatuses();
    for (const [method, path] of [
      ['PATCH', '/issues/1'],
      ['POST', '/issues/status'],
    ] as const) {
      const body = JSON.stringify({ status: 'ignored', ids: [1], pad: 'x'.repeat(1_100_000) });
      const a = await raw(method, path, { headers: { 'content-type': 'application/json' }, body });
      expect([a.status, errorOf(a)]).toEqual([413, 'body exceeds 1 MB']);
    }
    expect(await readStatuses()).toEqual(before);
  });
});

// ---------------------------------------------------------------------------------------------
// Cursors.

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64url');
const BASE64URL = [...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_='];

/** A cursor's three fields: a tag, and two numbers or junk in their place. */
const cursorNumber = fc.oneof(
  fc.integer({ min: 0, max: N + 1 }) as fc.Arbitrary<unknown>,
  fc.constantFrom<unknown>(T0 + 30 * MIN, T0 + 10 * MIN, 1e300, -1, 0.5),
  junkJson as fc.Arbitrary<unknown>,
);
const TAGS = [
  ...SORTS.map((s) => `sort=${s}`),
  ...Array.from({ length: N }, (_, i) => `events of issue ${i + 1}`),
  's',
  'sort=nothing',
];

const cursorText = fc.oneof(
  fc.array(fc.constantFrom(...BASE64URL), { minLength: 1, maxLength: 40 }).map((c) => c.join('')),
  junkJson.map((v) => b64(JSON.stringify(v))),
  fc
    .tuple(fc.oneof(fc.constantFrom<unknown>(...TAGS), junkJson), cursorNumber, cursorNumber)
    .map((t) => b64(JSON.stringify(t))),
  fc
    .tuple(fc.constantFrom(...TAGS), fc.nat(), fc.nat())
    .chain((t) => mutated(b64(JSON.stringify(t)))),
  junkText.filter((s) => s !== ''),
);

/** What a cursor reads as: [tag, number, number], or undefined. */
function cursorFields(c: string): [unknown, number, number] | undefined {
  let v: unknown;
  try {
    v = JSON.parse(Buffer.from(c, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  return Array.isArray(v) && v.length === 3 && Number.isFinite(v[1]) && Number.isFinite(v[2])
    ? (v as [unknown, number, number])
    : undefined;
}

describe('random cursors', () => {
  it('on /issues are refused 400 naming the cursor, unless they name a place in that sort (500 cases)', async () => {
    await fc.assert(
      fc.asyncProperty(
        cursorText,
        fc.constantFrom(...SORTS),
        fc.integer({ min: 1, max: 4 }),
        async (c, sort, limit) => {
          const a = await raw(
            'GET',
            `/issues?sort=${sort}&limit=${limit}&cursor=${encodeURIComponent(c)}`,
          );
          expect(isJsonAnswer(a)).toBe(true);
          const f = cursorFields(c);
          if (f && f[0] === `sort=${sort}`) {
            const [, value, id] = f;
            const after = ordered(MODEL, sort).filter(
              (m) => sortKey(m, sort) < value || (sortKey(m, sort) === value && m.id < id),
            );
            expect([c, a.status, ids(a)]).toEqual([c, 200, after.slice(0, limit).map((m) => m.id)]);
          } else {
            expect([c, a.status]).toEqual([c, 400]);
            expect(errorOf(a)).toContain(`cursor ${JSON.stringify(c)}`);
          }
        },
      ),
      { numRuns: 500 },
    );
  });

  it('on /issues/{id}/events and /sessions are refused 400 naming the cursor, unless they are theirs (300 cases)', async () => {
    await fc.assert(
      fc.asyncProperty(
        cursorText,
        fc.integer({ min: 1, max: N }),
        fc.boolean(),
        async (c, id, sessions) => {
          const path = sessions ? '/sessions' : `/issues/${id}/events`;
          const a = await raw('GET', `${path}?cursor=${encodeURIComponent(c)}`);
          expect(isJsonAnswer(a)).toBe(true);
          const f = cursorFields(c);
          if (f && f[0] === (sessions ? 's' : `events of issue ${id}`)) {
            expect([c, a.status]).toEqual([c, 200]);
          } else {
            expect([c, a.status]).toEqual([c, 400]);
            expect(errorOf(a)).toContain(`cursor ${JSON.stringify(c)}`);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it("a real cursor of another sort, of an issue's events or of the sessions is refused 400 naming it (100 cases)", async () => {
    // Cursors as the API hands them out: from the first page of each listing.
    const first = async (path: string) => {
      const a = await raw('GET', path);
      const c = nextCursor(a);
      expect([path, typeof c]).toEqual([path, 'string']);
      return c as string;
    };
    const sources: [string, string][] = [];
    for (const sort of SORTS)
      sources.push([`sort=${sort}`, await first(`/issues?sort=${sort}&limit=1`)]);
    for (const id of [2, 4, 8])
      sources.push([`events of issue ${id}`, await first(`/issues/${id}/events?limit=1`)]);
    sources.push(['s', await first('/sessions?limit=1')]);
    const targets = [
      ...SORTS.map((s): [string, string] => [`sort=${s}`, `/issues?sort=${s}`]),
      ...[2, 4, 8].map((id): [string, string] => [`events of issue ${id}`, `/issues/${id}/events`]),
      ['s', '/sessions'] as [string, string],
    ];
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...sources),
        fc.constantFrom(...targets),
        async ([from, c], [to, path]) => {
          const a = await raw('GET', `${path}${path.includes('?') ? '&' : '?'}cursor=${c}`);
          if (from === to) expect([from, to, a.status]).toEqual([from, to, 200]);
          else {
            expect([from, to, a.status]).toEqual([from, to, 400]);
            expect(errorOf(a)).toContain(`cursor ${JSON.stringify(c)}`);
          }
        },
      ),
      { numRuns: 100 },
    );
  });
});
