import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { acceptsJson, answerOpenApiV3, openApiV3 } from './openapi-v3';
import { route } from './routes';
import { isStatus } from './status';

// Written by hand: the paths of the group versions the adapter serves (routes.ts).
const DOCUMENTS = [
  'apis/custom.metrics.k8s.io/v1beta1',
  'apis/custom.metrics.k8s.io/v1beta2',
  'apis/external.metrics.k8s.io/v1beta1',
];
const PROTOBUF = 'application/com.github.proto-openapi.spec.v3.v1.0+protobuf';

// Read loosely; each assertion names the fields it checks.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

const v3 = openApiV3('v0.1.0', new Date('2026-12-01T10:00:00.500Z'));
const discovery = JSON.parse(v3.discovery.body.toString()) as {
  paths: Record<string, { serverRelativeURL: string }>;
};
const ask = (path: string | undefined, query = '', accept?: string, ifNoneMatch?: string) =>
  answerOpenApiV3(v3, path, { query, accept, ifNoneMatch }, new Date('2026-12-01T12:00:00Z'));

describe('the discovery document', () => {
  it('lists each served group version by a URL carrying the SHA-512 of its bytes', () => {
    expect(Object.keys(discovery.paths).sort()).toEqual(DOCUMENTS);
    for (const path of DOCUMENTS) {
      const url = new URL(discovery.paths[path]?.serverRelativeURL ?? '', 'https://x');
      expect(url.pathname).toBe(`/openapi/v3/${path}`);
      const answer = ask(path, url.search.slice(1));
      expect(answer.code).toBe(200);
      const sha = createHash('sha512')
        .update(answer.body as Buffer)
        .digest('hex')
        .toUpperCase();
      expect(url.searchParams.get('hash')).toBe(sha);
      expect(answer.headers.etag).toBe(`"${sha}"`);
    }
  });

  it('is served with its own ETag, and 304 when the caller has it', () => {
    const first = ask(undefined);
    expect(first).toMatchObject({ code: 200, headers: { 'content-type': 'application/json' } });
    expect(first.headers['cache-control']).toBeUndefined();
    const again = ask(undefined, '', undefined, first.headers.etag);
    expect(again.code).toBe(304);
    expect(again.body).toBeUndefined();
    expect(ask(undefined, '', undefined, '"other"').code).toBe(200);
  });
});

describe('a group version document', () => {
  const path = 'apis/custom.metrics.k8s.io/v1beta2';
  const url = new URL(discovery.paths[path]?.serverRelativeURL ?? '', 'https://x');
  const hash = url.searchParams.get('hash') ?? '';

  it('asked for by its current hash may be cached for good', () => {
    const answer = ask(path, `hash=${hash}`);
    expect(answer.headers).toMatchObject({
      'cache-control': 'public, immutable',
      expires: 'Wed, 01 Dec 2027 12:00:00 GMT',
      'last-modified': 'Tue, 01 Dec 2026 10:00:00 GMT',
      vary: 'Accept',
    });
  });

  it('asked for without a hash is not marked immutable', () => {
    const answer = ask(path);
    expect(answer.code).toBe(200);
    expect(answer.headers['cache-control']).toBeUndefined();
  });

  it('asked for by a stale hash redirects to the current URL', () => {
    const answer = ask(path, 'hash=0123ABCD');
    expect(answer.code).toBe(301);
    expect(answer.headers.location).toBe(`/openapi/v3/${path}?hash=${hash}`);
    expect(answer.body).toBeUndefined();
  });

  it('is 304 when the caller has it', () => {
    expect(ask(path, `hash=${hash}`, 'application/json', `"${hash}"`).code).toBe(304);
    expect(ask(path, '', undefined, `W/"${hash}", "x"`).code).toBe(304);
  });

  it('is JSON only: 406 with a Status for a caller that takes only protobuf', () => {
    const answer = ask(path, '', PROTOBUF);
    expect(answer.code).toBe(406);
    expect(answer.body).toMatchObject({
      kind: 'Status',
      status: 'Failure',
      reason: 'NotAcceptable',
      code: 406,
      message: 'only the following media types are accepted: application/json',
    });
    expect(ask(path, '', `${PROTOBUF}, application/json;q=0.5`).code).toBe(200);
  });

  it('is a 404 Status for a group version not served', () => {
    for (const p of ['apis/custom.metrics.k8s.io/v1', 'version', 'apis']) {
      const answer = ask(p);
      expect(answer.code).toBe(404);
      expect(isStatus(answer.body) && answer.body.reason).toBe('NotFound');
    }
  });

  it.each(DOCUMENTS)('%s: OpenAPI 3.0 whose paths are routes the adapter serves', (p) => {
    const doc = JSON.parse((ask(p).body as Buffer).toString()) as Json;
    expect(doc.openapi).toBe('3.0.0');
    const [, group, version] = p.split('/');
    const kind =
      group === 'external.metrics.k8s.io' ? 'ExternalMetricValueList' : 'MetricValueList';
    const schemas = Object.values(doc.components.schemas) as Json[];
    expect(schemas).toHaveLength(1);
    expect(schemas[0]['x-kubernetes-group-version-kind']).toEqual([{ group, version, kind }]);
    const expectedKind = kind === 'MetricValueList' ? 'custom' : 'external';
    for (const [template, ops] of Object.entries(doc.paths) as [string, Json][]) {
      // Every {parameter} of a path is declared, as OpenAPI requires, and none other.
      const inPath = [...template.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
      const declared = ops.get.parameters
        .filter((x: Json) => x.in === 'path')
        .map((x: Json) => x.name)
        .sort();
      expect(declared).toEqual(inPath);
      // Filled in, the path is one the adapter answers with this list kind.
      const filled = template
        .replace('{namespace}', 'default')
        .replace('{resource}', 'pods')
        .replace('{name}', 'collab-0')
        .replace('{metric}', 'websocket_connections');
      expect(route(filled)).toMatchObject({ kind: expectedKind, version });
      const ref = ops.get.responses['200'].content['application/json'].schema.$ref;
      expect(ref).toBe(`#/components/schemas/${Object.keys(doc.components.schemas)[0]}`);
    }
  });
});

describe('acceptsJson', () => {
  // Written by hand from RFC 9110 §12.5.1.
  it.each<[string | undefined, boolean]>([
    [undefined, true],
    ['', true],
    ['application/json', true],
    ['APPLICATION/JSON', true],
    ['*/*', true],
    ['application/*', true],
    ['application/json;q=0.5', true],
    ['application/yaml, application/json;q=0.9', true],
    ['application/json;as=Table;v=v1;g=meta.k8s.io, application/json', true],
    ['application/*;q=0, application/json', true], // the more specific range decides
    [PROTOBUF, false],
    ['text/html', false],
    ['application/json;q=0', false],
    ['application/json;q=0, */*', false],
    ['*/*;q=0', false],
    ['application/json;q=2', false], // a weight over 1 cannot be read: not taken as consent
    ['application/json/x', false],
    ['*/json', false],
  ])('%j → %s', (header, expected) => {
    expect(acceptsJson(header)).toBe(expected);
  });

  // Built from parts; the expectation from those parts: the most specific range present decides.
  const range = fc.constantFrom(
    { text: 'application/json', rank: 2 },
    { text: 'Application/JSON', rank: 2 },
    { text: 'application/*', rank: 1 },
    { text: '*/*', rank: 0 },
    { text: 'text/plain', rank: -1 },
    { text: PROTOBUF, rank: -1 },
  );
  const weight = fc.constantFrom(
    { text: undefined, value: 1 },
    { text: '0', value: 0 },
    { text: '0.001', value: 0.001 },
    { text: '1.0', value: 1 },
    { text: '7', value: 0 },
  );
  const member = fc.record({ range, weight, space: fc.constantFrom('', ' ') });

  it('agrees with the ranges the header was built from', () => {
    fc.assert(
      fc.property(fc.array(member, { minLength: 1, maxLength: 6 }), (members) => {
        const header = members
          .map(
            (m) =>
              `${m.space}${m.range.text}${m.weight.text === undefined ? '' : `;q=${m.weight.text}`}`,
          )
          .join(',');
        const top = Math.max(...members.map((m) => m.range.rank));
        const expected =
          top >= 0 && members.some((m) => m.range.rank === top && m.weight.value > 0);
        expect(acceptsJson(header)).toBe(expected);
      }),
      { numRuns: 20_000 },
    );
  });

  it('reads any text without throwing', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (text) => {
        expect(typeof acceptsJson(text)).toBe('boolean');
      }),
      { numRuns: 20_000 },
    );
  });
});
