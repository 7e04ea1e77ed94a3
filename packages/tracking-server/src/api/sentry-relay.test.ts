// Sentry ingest over real HTTP where Relay's own answer (getsentry/relay, relay-server) decides:
// an envelope header's `dsn` beside the request's key (envelope/mod.rs, EnvelopeHeaders::complete),
// the answer's body (endpoints/envelope.rs, StoreResponse) and where the key is read from
// (extractors/request_meta.rs, auth_from_parts).
import { deflateSync } from 'node:zlib';
import { rawPost } from '../testing/raw-post';
import { startTestTracker, type TestTracker } from '../testing/test-tracker';

let setup: TestTracker<'shop' | 'other'>;

beforeAll(async () => {
  setup = await startTestTracker('sentry-relay', { shop: {}, other: {} }, 'test-token');
});

afterAll(() => setup?.close());

const id = (n: number) => n.toString(16).padStart(32, '0');

const post = async (path: string, body: string, headers: Record<string, string> = {}) => {
  const answer = await rawPost(`${setup.tracker.url}${path}`, body, headers);
  return { status: answer.status, error: answer.headers['x-sentry-error'], text: answer.text };
};

/** How many issues of the tracker hold `text` in their title. */
async function issuesWith(text: string): Promise<number> {
  const res = await fetch(
    `${setup.tracker.url}/api/v1/issues?q=${encodeURIComponent(text)}&limit=100`,
    { headers: { authorization: 'Bearer test-token' } },
  );
  return ((await res.json()) as { items: unknown[] }).items.length;
}

const envelope = (header: Record<string, unknown>, n: number, message: string) =>
  `${JSON.stringify(header)}\n{"type":"event"}\n${JSON.stringify({ event_id: id(n), message })}\n`;

describe("an envelope header's dsn beside the key the request names", () => {
  it('is stored when the dsn names the request’s project and key, as SDKs write it', async () => {
    const { shop } = setup.projects;
    const res = await post(
      `/api/${shop.id}/envelope/`,
      envelope({ dsn: `https://${shop.key}@sentry.example.com/${shop.id}` }, 1, 'dsn agrees'),
      { 'x-sentry-auth': `Sentry sentry_version=7, sentry_key=${shop.key}, sentry_client=go/1` },
    );
    expect([res.status, res.text]).toEqual([200, `{"id":"${id(1)}"}`]);
    expect(await issuesWith('dsn agrees')).toBe(1);
  });

  it('is refused with 400 when it names another project, or another key, and nothing is stored', async () => {
    const { shop, other } = setup.projects;
    const cases = [
      [
        `https://${other.key}@sentry.example.com/${other.id}`,
        `invalid envelope: header dsn is for project ${other.id}, the request for project ${shop.id}`,
      ],
      [
        `https://${other.key}@sentry.example.com/${shop.id}`,
        "invalid envelope: header dsn's public key is not the sentry_key the request names",
      ],
      ['not a dsn', 'invalid envelope: header dsn "not a dsn" is not a DSN'],
      [42, 'invalid envelope: header dsn 42 is not a DSN'],
    ] as const;
    for (const [n, [dsn, error]] of cases.entries()) {
      const res = await post(
        `/api/${shop.id}/envelope/?sentry_key=${shop.key}`,
        envelope({ dsn }, 10 + n, `dsn mismatch ${n}`),
      );
      expect([res.status, res.error]).toEqual([400, error]);
    }
    expect(await issuesWith('dsn mismatch')).toBe(0);
  });

  it('names nothing when null, as Relay reads an absent one', async () => {
    const { shop } = setup.projects;
    const res = await post(
      `/api/${shop.id}/envelope/?sentry_key=${shop.key}`,
      envelope({ dsn: null }, 20, 'dsn null'),
    );
    expect([res.status, res.text]).toEqual([200, `{"id":"${id(20)}"}`]);
  });
});

describe('the answer to an envelope that names no event', () => {
  it('is {} without an id, as Relay leaves a missing one out', async () => {
    const { shop } = setup.projects;
    const res = await post(
      `/api/${shop.id}/envelope/?sentry_key=${shop.key}`,
      '{}\n{"type":"client_report"}\n{"discarded_events":[]}\n',
    );
    expect([res.status, res.text]).toEqual([200, '{}']);
  });
});

describe('the key in Authorization: Sentry …', () => {
  it('is read when X-Sentry-Auth holds another scheme, as Relay reads each only in the Sentry form', async () => {
    const { shop } = setup.projects;
    const res = await post(`/api/${shop.id}/envelope/`, envelope({}, 30, 'authorization form'), {
      'x-sentry-auth': 'Bearer proxy-token',
      authorization: `Sentry sentry_key=${shop.key}, sentry_version=7`,
    });
    expect([res.status, res.text]).toEqual([200, `{"id":"${id(30)}"}`]);
  });
});

describe('an encoding the tracker cannot read', () => {
  it('is a 415 whose Accept-Encoding names the codings read, as Relay answers it', async () => {
    const { shop } = setup.projects;
    const answer = await rawPost(
      `${setup.tracker.url}/api/${shop.id}/envelope/?sentry_key=${shop.key}`,
      '{}\n',
      { 'content-encoding': 'snappy' },
    );
    expect([answer.status, answer.headers['accept-encoding']]).toEqual([
      415,
      'gzip, deflate, br, zstd',
    ]);
  });
});

describe('a project id written with leading zeros', () => {
  it('is the same project in the path and in the header dsn, as Relay reads both as numbers', async () => {
    const { shop } = setup.projects;
    const res = await post(
      `/api/00${shop.id}/envelope/?sentry_key=${shop.key}`,
      envelope({ dsn: `https://${shop.key}@sentry.example.com/0${shop.id}` }, 40, 'zero padded'),
    );
    expect([res.status, res.text]).toEqual([200, `{"id":"${id(40)}"}`]);
  });
});

describe('a raven-python store body whose client is named in Authorization: Sentry …', () => {
  it('has its NaN read as Python writes it when X-Sentry-Auth holds another scheme, as Relay reads the client', async () => {
    const { shop } = setup.projects;
    const res = await post(
      `/api/${shop.id}/store/`,
      `{"event_id":"${id(50)}","message":"python nan via authorization","extra":{"ratio":NaN}}`,
      {
        'x-sentry-auth': 'Bearer proxy-token',
        authorization: `Sentry sentry_key=${shop.key}, sentry_client=raven-python/6.10.0`,
      },
    );
    expect([res.status, res.text]).toEqual([200, `{"id":"${id(50)}"}`]);
    expect(await issuesWith('python nan via authorization')).toBe(1);
  });
});

describe('the id of a transaction posted to the store endpoint', () => {
  /** A transaction as older SDKs post it to /store/, in the session `session`. */
  const transaction = (session: string, eventId?: unknown) =>
    JSON.stringify({
      type: 'transaction',
      ...(eventId === undefined ? {} : { event_id: eventId }),
      transaction: `GET /${session}`,
      start_timestamp: Date.now() / 1000 - 2,
      timestamp: Date.now() / 1000 - 1,
      tags: { correlation_id: session },
      contexts: { trace: { trace_id: id(60), span_id: '2'.repeat(16), op: 'http.server' } },
      spans: [],
    });
  const store = (body: string) =>
    post(`/api/${setup.projects.shop.id}/store/`, body, {
      'x-sentry-auth': `Sentry sentry_version=7, sentry_key=${setup.projects.shop.key}`,
    });
  /** The operations of a debug session, through the REST API (404: none). */
  const operations = async (session: string) => {
    const res = await fetch(`${setup.tracker.url}/api/v1/sessions/${session}`, {
      headers: { authorization: 'Bearer test-token' },
    });
    return res.status === 404 ? 0 : ((await res.json()) as { timeline: unknown[] }).timeline.length;
  };

  it('is refused with 400 naming it when it is no event id, as Relay and as an event’s is, and nothing is stored', async () => {
    // Relay reads a store body's event_id as an EventId (common.rs, MinimalEvent): "invalid JSON".
    for (const [n, eventId, error] of [
      [1, 'not an id', 'event_id "not an id" is not 32 hex digits'],
      [2, 5, 'event_id 5 is not 32 hex digits'],
      [3, { id: 1 }, 'event_id {...} is not 32 hex digits'],
    ] as const) {
      const res = await store(transaction(`bad-tx-id-${n}`, eventId));
      expect([res.status, res.error]).toEqual([400, error]);
      expect(await operations(`bad-tx-id-${n}`)).toBe(0);
    }
  });

  it('is made and answered when it has none, as Relay answers every store request', async () => {
    // endpoints/store.rs, parse_event: `minimal.id.unwrap_or_else(EventId::new)`, then answered.
    for (const [n, eventId] of [
      [1, undefined],
      [2, null],
    ] as const) {
      const res = await store(transaction(`no-tx-id-${n}`, eventId));
      expect(res.status).toBe(200);
      expect(JSON.parse(res.text)).toEqual({ id: expect.stringMatching(/^[0-9a-f]{32}$/) });
      expect(await operations(`no-tx-id-${n}`)).toBe(1);
    }
  });

  it('is answered as sent, without dashes and in lower case, when it is one', async () => {
    const res = await store(transaction('tx-id-dashed', 'ABCDEF00-0000-4000-8000-000000000061'));
    expect([res.status, res.text]).toEqual([200, '{"id":"abcdef00000040008000000000000061"}']);
  });
});

describe('the sender’s address put in place of {{auto}}', () => {
  /** The user of the one event stored under the issue titled `message`. */
  async function storedUser(message: string): Promise<unknown> {
    const get = async (path: string) =>
      (await (
        await fetch(`${setup.tracker.url}/api/v1${path}`, {
          headers: { authorization: 'Bearer test-token' },
        })
      ).json()) as { items: { id: number; event: { user?: unknown } }[] };
    const issues = await get(`/issues?q=${encodeURIComponent(message)}`);
    expect(issues.items).toHaveLength(1);
    const events = await get(`/issues/${issues.items[0]?.id}/events`);
    return events.items[0]?.event.user;
  }
  const send = (n: number, message: string, forwardedFor: string) =>
    post(
      `/api/${setup.projects.shop.id}/store/`,
      JSON.stringify({ event_id: id(n), message, user: { id: 'u', ip_address: '{{auto}}' } }),
      {
        'x-sentry-auth': `Sentry sentry_version=7, sentry_key=${setup.projects.shop.key}`,
        'x-forwarded-for': forwardedFor,
      },
    );

  it('is the first X-Forwarded-For hop, a port after it dropped', async () => {
    // Messages differ in words, not numbers: grouping reads numbers in a message as one.
    for (const [n, name, forwardedFor, address] of [
      [70, 'alpha', '203.0.113.9, 10.0.0.1', '203.0.113.9'],
      [71, 'bravo', '203.0.113.10:4711', '203.0.113.10'],
      [72, 'charlie', '[2001:db8::7]:4711, 10.0.0.1', '2001:db8::7'],
    ] as const) {
      const res = await send(n, `forwarded hop ${name}`, forwardedFor);
      expect(res.status).toBe(200);
      expect(await storedUser(`forwarded hop ${name}`)).toEqual({ id: 'u', ip_address: address });
    }
  });

  it('is none when that hop is no address (Squid’s "unknown", any text), as Relay reads it', async () => {
    // request_meta.rs, client_addr: the first hop parsed as an IpAddr, else no address.
    for (const [n, name, forwardedFor] of [
      [73, 'delta', 'unknown'],
      [74, 'echo', 'unknown, 10.0.0.1'],
      [75, 'foxtrot', '<script>'],
    ] as const) {
      const res = await send(n, `no address ${name}`, forwardedFor);
      expect(res.status).toBe(200);
      expect(await storedUser(`no address ${name}`)).toEqual({ id: 'u' });
    }
  });
});

describe('an event sent by GET to the store endpoint (raven-js’ image beacon)', () => {
  // Relay's store endpoint routes GET too (endpoints/store.rs): the event is the sentry_data
  // parameter, JSON or base64 of zlib, and the answer a 1×1 GIF the <img> loads.
  const get = (path: string, method = 'GET') => fetch(`${setup.tracker.url}${path}`, { method });
  const storePath = (params: Record<string, string>) =>
    `/api/${setup.projects.shop.id}/store/?${new URLSearchParams({
      sentry_version: '7',
      sentry_client: 'raven-js/1.1.22',
      sentry_key: setup.projects.shop.key,
      ...params,
    })}`;

  it('stores its event, JSON or base64 of zlib, and answers a GIF', async () => {
    const json = JSON.stringify({ event_id: id(60), message: 'beacon sent by GET as JSON' });
    const zlib = deflateSync(
      JSON.stringify({ event_id: id(61), message: 'beacon sent by GET as zlib' }),
    ).toString('base64');
    for (const data of [json, zlib]) {
      const res = await get(storePath({ sentry_data: data }));
      const gif = Buffer.from(await res.arrayBuffer());
      expect([res.status, res.headers.get('content-type'), gif.subarray(0, 6).toString()]).toEqual([
        200,
        'image/gif',
        'GIF89a',
      ]);
    }
    expect([
      await issuesWith('beacon sent by GET as JSON'),
      await issuesWith('beacon sent by GET as zlib'),
    ]).toEqual([1, 1]);
  });

  it('is a 400 without sentry_data, and another method a 405 naming GET and POST', async () => {
    const none = await get(storePath({}));
    expect([none.status, none.headers.get('x-sentry-error')]).toEqual([
      400,
      'missing query parameter sentry_data (the event)',
    ]);
    const put = await get(storePath({ sentry_data: '{}' }), 'PUT');
    expect([put.status, put.headers.get('allow')]).toEqual([405, 'GET, POST']);
    // The envelope endpoint takes POST alone, as Relay's.
    const envelopeGet = await get(`/api/${setup.projects.shop.id}/envelope/`);
    expect([envelopeGet.status, envelopeGet.headers.get('allow')]).toEqual([405, 'POST']);
  });
});
