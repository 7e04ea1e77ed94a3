// The Prometheus client against a stand-in written here that answers what Prometheus' HTTP API
// (web/api/v1/api.go) answers: error bodies and their status codes, each result type, native
// histogram samples, and the URL a --prometheus-url with a path and query parameters leads to.
import { localServers } from '../../testing/local-servers';
import { createPrometheusClient, PrometheusError } from './client';

const servers = localServers();
const serve = servers.serve;
afterEach(servers.closeAll);

interface Seen {
  method: string;
  url: string;
  type: string | undefined;
  body: string;
}

/** A server answering every request with `status` and `body`; what it was asked, in order. */
async function stub(status: number, body: string, type = 'application/json') {
  const seen: Seen[] = [];
  const url = await serve((req, res) => {
    let text = '';
    req.on('data', (c) => (text += c));
    req.on('end', () => {
      seen.push({
        method: req.method ?? '',
        url: req.url ?? '',
        type: req.headers['content-type'],
        body: text,
      });
      res.writeHead(status, { 'content-type': type });
      res.end(body);
    });
  });
  return { url, seen };
}

const vector = (result: unknown[]) =>
  JSON.stringify({ status: 'success', data: { resultType: 'vector', result } });

async function failure(p: Promise<unknown>): Promise<PrometheusError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(PrometheusError);
  return err as PrometheusError;
}

describe('the URL each call goes to', () => {
  it.each([
    ['GET', '/prefix/api/v1/query?dedup=false&query=up', ''],
    ['POST', '/prefix/api/v1/query?dedup=false', 'query=up'],
  ] as const)(
    'keeps the --prometheus-url path as a prefix and its query parameters, with %s',
    async (verb, url, body) => {
      const prom = await stub(200, vector([]));
      const client = createPrometheusClient({ url: `${prom.url}/prefix/?dedup=false`, verb });
      await client.query('up');
      expect(prom.seen).toEqual([
        {
          method: verb,
          url,
          type: verb === 'POST' ? 'application/x-www-form-urlencoded' : undefined,
          body,
        },
      ]);
    },
  );

  it('sends a POST body as a form whatever Content-Type --prometheus-header names', async () => {
    const prom = await stub(200, vector([]));
    await createPrometheusClient({
      url: prom.url,
      verb: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Scope-OrgID': 'platform' },
    }).query('up');
    expect(prom.seen.map((s) => [s.type, s.body])).toEqual([
      ['application/x-www-form-urlencoded', 'query=up'],
    ]);
  });

  it('lists series under the prefix too, each match[] as its own parameter', async () => {
    const prom = await stub(200, JSON.stringify({ status: 'success', data: [] }));
    await createPrometheusClient({ url: `${prom.url}/thanos` }).series(['{a="1"}', '{b="2"}']);
    expect(prom.seen.map((s) => s.url)).toEqual([
      '/thanos/api/v1/series?match%5B%5D=%7Ba%3D%221%22%7D&match%5B%5D=%7Bb%3D%222%22%7D',
    ]);
  });
});

describe("Prometheus' error answers", () => {
  it('names Prometheus without the credentials or query of its URL, and still sends them', async () => {
    let authorization: string | undefined;
    const url = await serve((req, res) => {
      authorization = req.headers.authorization;
      res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ status: 'error', errorType: 'internal', error: 'boom' }));
    });
    const hostPort = new URL(url).host;
    const err = await failure(
      createPrometheusClient({ url: `http://tenant:s3cret@${hostPort}/api/prom?key=k3y` }).query(
        'up',
      ),
    );
    expect(err.message).toBe(`prometheus at http://${hostPort}/api/prom answered 500: boom`);
    expect(authorization).toBe(`Basic ${Buffer.from('tenant:s3cret').toString('base64')}`);
  });

  it.each([
    // web/api/v1: errorBadData → 400, errorExec → 422, errorTimeout → 503, errorInternal → 500.
    [400, 'bad_data', 'bad_query', 'parse error at char 4'],
    [422, 'execution', 'bad_query', 'query processing would load too many samples'],
    [503, 'timeout', 'unavailable', 'query timed out in expression evaluation'],
    [500, 'internal', 'unavailable', 'storage error'],
  ])('a %d (%s) is %s, with its error text', async (status, errorType, kind, error) => {
    const prom = await stub(status, JSON.stringify({ status: 'error', errorType, error }));
    const err = await failure(createPrometheusClient({ url: prom.url }).query('up'));
    expect([err.kind, err.status]).toEqual([kind, status]);
    expect(err.message).toContain(error);
  });

  it('a proxy’s HTML error page is a bad response naming the status', async () => {
    const prom = await stub(502, '<html>Bad Gateway</html>', 'text/html');
    const err = await failure(createPrometheusClient({ url: prom.url }).query('up'));
    expect(err.kind).toBe('bad_response');
    expect(err.message).toBe(`prometheus at ${prom.url} answered 502 with a body that is not JSON`);
  });
});

describe("VictoriaMetrics' query timeout", () => {
  // Recorded from VictoriaMetrics 1.79.5 (Debian bookworm's victoria-metrics), run with
  // -search.maxQueryDuration=1ms over 200,000 series (2026-12-03). It answers its own deadline with
  // a 422 like any query error, where Prometheus sends a 503 (errorTimeout).
  const timeouts = [
    '{"status":"error","errorType":"422","error":"error when executing query=\\"sum(m)\\" for (time=1796306090195, step=300000): timeout exceeded during query execution: 0.001 seconds (elapsed 1.004 seconds); the timeout can be adjusted with `-search.maxQueryDuration` command-line flag"}',
    '{"status":"error","errorType":"422","error":"error when executing query=\\"m{pod=~\\\\\\"p1.*\\\\\\"}\\" for (time=1796306096884, step=300000): cannot evaluate \\"m{pod=~\\\\\\"p1.*\\\\\\"}\\": timeout exceeded while fetching data block #13585 from storage: 0.001 seconds (elapsed 1.005 seconds); the timeout can be adjusted with `-search.maxQueryDuration` command-line flag"}',
  ];

  it.each(timeouts)('is a backend unavailable (503), not a bad query: %s', async (body) => {
    const prom = await stub(422, body);
    const err = await failure(createPrometheusClient({ url: prom.url }).query('sum(m)'));
    expect([err.kind, err.status]).toEqual(['unavailable', 422]);
    expect(err.message).toContain(`prometheus at ${prom.url} ran out of time for the query: `);
    expect(err.message).toContain('-search.maxQueryDuration');
  });

  it('is not asked again without the sample time, as a query error is', async () => {
    const prom = await stub(422, timeouts[0]!);
    const err = await failure(
      createPrometheusClient({ url: prom.url }).query('sum(m)', undefined, {
        series: 'm',
        matchers: ['namespace="default"'],
      }),
    );
    expect(err.kind).toBe('unavailable');
    expect(prom.seen).toHaveLength(1);
  });

  it('leaves its other 422s query errors', async () => {
    // Recorded the same day: /api/v1/series over -search.maxSeries.
    const prom = await stub(
      422,
      '{"status":"error","errorType":"422","error":"cannot fetch time series for \\"filters=[{__name__=\\\\\\"m\\\\\\"}]\\": cannot find metric names: error when searching tsids: the number of matching timeseries exceeds 30000; either narrow down the search or increase -search.max* command-line flag values at vmselect"}',
    );
    const err = await failure(createPrometheusClient({ url: prom.url }).query('m'));
    expect([err.kind, err.status]).toEqual(['bad_query', 422]);
  });
});

describe('result types and sample values', () => {
  it('passes NaN, ±Inf and numbers beyond int64 through as Prometheus wrote them', async () => {
    const values = ['NaN', '+Inf', '-Inf', '1.7976931348623157e+308', '5e-324', '-0'];
    const prom = await stub(
      200,
      vector(values.map((v, i) => ({ metric: { pod: `p${i}` }, value: [1700000000.5, v] }))),
    );
    const samples = await createPrometheusClient({ url: prom.url }).query('x');
    expect(samples.map((s) => [s.labels.pod, s.value, s.timestamp])).toEqual([
      ['p0', 'NaN', 1700000000.5],
      ['p1', '+Inf', 1700000000.5],
      ['p2', '-Inf', 1700000000.5],
      ['p3', '1.7976931348623157e+308', 1700000000.5],
      ['p4', '5e-324', 1700000000.5],
      ['p5', '-0', 1700000000.5],
    ]);
  });

  it('reads a scalar as one sample without labels', async () => {
    const prom = await stub(
      200,
      JSON.stringify({ status: 'success', data: { resultType: 'scalar', result: [12.5, '3'] } }),
    );
    expect(await createPrometheusClient({ url: prom.url }).query('scalar(x)')).toEqual([
      { labels: {}, value: '3', timestamp: 12.5, scalar: true },
    ]);
  });

  it('reads a vector sample without labels as no scalar', async () => {
    const prom = await stub(
      200,
      JSON.stringify({
        status: 'success',
        data: { resultType: 'vector', result: [{ metric: {}, value: [12.5, '3'] }] },
      }),
    );
    const [only, ...rest] = await createPrometheusClient({ url: prom.url }).query('sum(x)');
    expect([only, rest]).toEqual([{ labels: {}, value: '3', timestamp: 12.5 }, []]);
    expect(only).not.toHaveProperty('scalar');
  });

  it.each([
    ['matrix', [{ metric: {}, values: [[1, '1']] }]],
    ['string', [1, 'text']],
  ])(
    'refuses a %s result as the rule’s query (a 500, as upstream), not Prometheus down',
    async (resultType, result) => {
      const prom = await stub(
        200,
        JSON.stringify({ status: 'success', data: { resultType, result } }),
      );
      const err = await failure(createPrometheusClient({ url: prom.url }).query('x[1m]'));
      expect([err.kind, err.message]).toEqual([
        'bad_query',
        `expected an instant vector, got "${resultType}"`,
      ]);
    },
  );

  it('refuses a native histogram sample naming its series, and does not ask again', async () => {
    // A native histogram in an instant vector: `histogram` where a float sample has `value`.
    const prom = await stub(
      200,
      vector([
        { metric: { pod: 'a' }, value: [1, '2'] },
        {
          metric: { pod: 'b' },
          histogram: [1, { count: '4', sum: '1.5', buckets: [[0, '0.5', '1', '4']] }],
        },
      ]),
    );
    const err = await failure(
      createPrometheusClient({ url: prom.url }).query('rate(h[2m])', undefined, {
        series: 'h',
        matchers: ['pod!=""'],
      }),
    );
    expect(err.kind).toBe('bad_query');
    expect(err.message).toBe(
      'the query answered a native histogram for {pod="b"}, not a number: take one from it (histogram_count, histogram_sum, histogram_quantile, …)',
    );
    expect(prom.seen).toHaveLength(1);
  });

  it('says which sample is malformed rather than failing on it', async () => {
    const prom = await stub(200, vector([{ metric: { pod: 'a' }, value: [1] }]));
    const err = await failure(createPrometheusClient({ url: prom.url }).query('x'));
    expect([err.kind, err.message]).toEqual([
      'bad_response',
      '{pod="a"} has no [time, "value"] pair: [1]',
    ]);
  });
});

describe('--prometheus-header', () => {
  it('refuses a header Node could not send, when the client is made', () => {
    expect(() =>
      createPrometheusClient({
        url: 'http://127.0.0.1:9',
        headers: { 'X-Scope-OrgID: platform': '' },
      }),
    ).toThrow(
      '--prometheus-header "X-Scope-OrgID: platform": not a valid HTTP header name (write it Name=Value, not Name: Value)',
    );
    expect(() =>
      createPrometheusClient({ url: 'http://127.0.0.1:9', headers: { 'X-A': 'one\r\nX-B: two' } }),
    ).toThrow('--prometheus-header X-A: the value "one\\r\\nX-B: two" has a control character');
    // Go's client refuses any control character but a tab (httpguts.ValidHeaderFieldValue).
    expect(() =>
      createPrometheusClient({ url: 'http://127.0.0.1:9', headers: { 'X-A': 'a\u0001b' } }),
    ).toThrow('--prometheus-header X-A: the value "a\\u0001b" has a control character');
    expect(() =>
      createPrometheusClient({ url: 'http://127.0.0.1:9', headers: { 'X-A': 'a\tb' } }),
    ).not.toThrow();
  });

  it('sends a value as its UTF-8 bytes, as Go sends it, each value its own field line', async () => {
    const raw: Buffer[] = [];
    const url = await serve((req, res) => {
      // node:http reads a header's bytes one char each (latin1): its bytes again.
      for (let i = 0; i < req.rawHeaders.length; i += 2)
        if (req.rawHeaders[i] === 'X-Tenant')
          raw.push(Buffer.from(req.rawHeaders[i + 1] as string, 'latin1'));
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(vector([]));
    });
    await createPrometheusClient({ url, headers: { 'X-Tenant': ['Zoë', 'équipe 🚀'] } }).query(
      'up',
    );
    expect(raw).toEqual([Buffer.from('Zoë', 'utf8'), Buffer.from('équipe 🚀', 'utf8')]);
  });
});
