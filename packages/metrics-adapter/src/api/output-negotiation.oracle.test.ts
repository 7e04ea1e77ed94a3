// output-negotiation.ts and json-indent.ts against k8s.io/apiserver and encoding/json themselves
// (testdata/negotiation-oracle, run once with `go run`): random Accept headers, queries and
// User-Agents are negotiated by NegotiateOutputMediaType for a server of JSON and protobuf, and
// random JSON and the adapter's own bodies are indented by json.Indent. Where this adapter
// differs by design (README), the comparison says so: a header with no clause goautoneg can read
// is answered here, and pretty-printing is compared where Go chose JSON (protobuf, answered here
// in JSON, has no pretty form there). Weights of 0, which only this adapter refuses, are not
// drawn. Go is needed: without it these tests fail, naming it.
import fc from 'fast-check';
import { isPrettyPrint, negotiateAccept, parseAccept } from './output-negotiation';
import { indentJson } from './json-indent';
import { forbidden, internalError, notAcceptable, notFoundPath } from './status';
import { apiGroupList, apiResourceList } from './wire';
import { customMetricValueListBytes, externalMetricValueListBytes } from './value-list-bytes';
import { ORACLE_SEED } from './testdata/apimachinery-oracle/ask';
import {
  askNegotiation,
  ORACLE_TIMEOUT_MS,
  type NegotiationAnswers,
} from './testdata/negotiation-oracle/ask';

const range = fc.constantFrom(
  'application/json',
  'application/vnd.kubernetes.protobuf',
  'application/*',
  '*/*',
  '*',
  'application/yaml',
  'text/html',
  'text/*',
  'application/json/x',
  'json',
  '',
  ' application/json ',
  'application/ json',
  'Application/JSON',
);
const param = fc.constantFrom(
  'as=Table',
  'g=meta.k8s.io',
  'v=v1',
  'as=PartialObjectMetadataList',
  'pretty=1',
  'pretty=0',
  'pretty=true',
  'sv=v1',
  'stream=watch',
  'stream=x',
  'q=0.5',
  'q=1',
  'q=0.9',
  'q=.2',
  'q=',
  'charset=utf-8',
  ' as = Table ',
  'as=',
  '=x',
  'x',
  'a=b=c',
);
const member = fc
  .tuple(range, fc.array(param, { maxLength: 4 }))
  .map(([r, ps]) => [r, ...ps].join(';'));
const accept = fc.option(
  fc
    .tuple(fc.array(member, { minLength: 1, maxLength: 6 }), fc.constantFrom(',', ', '))
    .map(([ms, sep]) => ms.join(sep)),
  { nil: undefined, freq: 10 },
);
const query = fc.constantFrom(
  '',
  'pretty=1',
  'pretty=true',
  'pretty=false',
  'pretty=yes',
  'pretty=',
  'pretty',
  'pretty=true&pretty=false',
  'pretty=0&pretty=1',
  'x=pretty',
  'pretty=%74rue',
  'pretty=t;x',
  'labelSelector=a%3Db&pretty=True',
);
const userAgent = fc.constantFrom(
  undefined,
  'curl/8.0',
  'Wget/1.21',
  'Mozilla/5.0 (X11)',
  'kube-controller-manager/v1.32.3',
  'Mozilla/4.0',
  'kubectl/v1.32.3',
);
const requests = fc.sample(fc.record({ accept, query, userAgent }, { requiredKeys: ['query'] }), {
  numRuns: 5_000,
  seed: ORACLE_SEED,
});

const t = 1_700_000_000;
const pod = (name: string) => ({ kind: 'Pod', namespace: 'platform', name, apiVersion: '/v1' });
const bodies = [
  customMetricValueListBytes(
    'v1beta2',
    'websocket_connections',
    [
      { describedObject: pod('a'), value: '1.5', timestamp: t, windowSeconds: 60 },
      { describedObject: pod('b<&>"é"'), value: '12000', timestamp: t + 0.25 },
    ],
    [],
  ).body.toString(),
  customMetricValueListBytes('v1beta1', 'm', [], []).body.toString(),
  externalMetricValueListBytes('q', [
    { labels: { queue: 'render', __name__: 'q' }, value: '42', timestamp: t },
    { labels: null, value: '1', timestamp: t },
  ]).body.toString(),
  JSON.stringify(apiGroupList()),
  JSON.stringify(
    apiResourceList('custom.metrics.k8s.io', 'v1beta2', [
      { resource: 'pods', metric: 'm', namespaced: true },
    ]),
  ),
  JSON.stringify(notAcceptable()),
  JSON.stringify(notFoundPath('/x', true)),
  JSON.stringify(internalError('')),
  JSON.stringify(
    forbidden('dev<ops>', {
      kind: 'resource',
      verb: 'get',
      group: 'custom.metrics.k8s.io',
      version: 'v1beta2',
      resource: 'pods',
      subresource: 'm',
      namespace: 'platform',
      name: '*',
    }),
  ),
];
const documents = [...bodies, ...fc.sample(fc.json(), { numRuns: 2_000, seed: ORACLE_SEED + 1 })];

let go: NegotiationAnswers;
beforeAll(() => {
  go = askNegotiation({ negotiate: requests, indent: documents });
}, ORACLE_TIMEOUT_MS);

describe('output negotiation against k8s.io/apiserver (oracle)', () => {
  it('takes and refuses what NegotiateOutputMediaType does, and pretty-prints when it does, for 5,000 requests', () => {
    const answers = go.negotiate ?? [];
    expect(answers).toHaveLength(requests.length);
    const differ = requests
      .map((req, i) => {
        const g = answers[i] as NonNullable<NegotiationAnswers['negotiate']>[number];
        const chosen = negotiateAccept(req.accept);
        const pretty = chosen.pretty || isPrettyPrint(req.query, req.userAgent);
        // No clause to read: taken as no Accept here, a 406 there.
        const unread =
          req.accept !== undefined && req.accept !== '' && parseAccept(req.accept).length === 0;
        const ours = {
          ok: chosen.acceptable,
          ...(g.mediaType === 'application/json' ? { pretty } : {}),
        };
        const theirs = {
          ok: unread ? true : g.ok,
          ...(g.mediaType === 'application/json' ? { pretty: g.pretty } : {}),
        };
        return { req, ours, go: theirs };
      })
      .filter((c) => JSON.stringify(c.ours) !== JSON.stringify(c.go));
    expect(differ.slice(0, 10)).toEqual([]);
    // Both outcomes, and both forms of an answer, were reached often.
    expect(answers.filter((a) => !a.ok).length).toBeGreaterThan(500);
    expect(
      answers.filter((a) => a.mediaType === 'application/json' && a.pretty).length,
    ).toBeGreaterThan(500);
    expect(
      answers.filter((a) => a.mediaType === 'application/json' && !a.pretty).length,
    ).toBeGreaterThan(500);
    expect(answers.filter((a) => a.mediaType.includes('protobuf')).length).toBeGreaterThan(200);
  });
});

describe('indentJson against json.Indent (oracle)', () => {
  it("indents the adapter's bodies and 2,000 random documents byte for byte as Go", () => {
    const answers = go.indent ?? [];
    expect(answers).toHaveLength(documents.length);
    const differ = documents
      .map((doc, i) => ({
        doc,
        ours: indentJson(Buffer.from(doc)).toString(),
        go: answers[i]?.out ?? `error: ${answers[i]?.error}`,
      }))
      .filter((c) => c.ours !== c.go);
    expect(differ.slice(0, 5)).toEqual([]);
  });
});
