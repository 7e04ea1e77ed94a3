// requestAttributes against k8s.io/apiserver's RequestInfoFactory itself (testdata/
// requestinfo-oracle, run with `go run`): random requests for the paths this server routes, with
// odd names, escapes, trailing slashes and ListOptions queries, must be asked about in a
// SubjectAccessReview with the attributes kube-apiserver reads from them. A request the router
// refuses is never authorized, so only routed ones are held equal. Without Go the test fails,
// naming it.
import { join } from 'node:path';
import fc from 'fast-check';
import { route, segments } from '../api/routes';
import { isStatus } from '../api/status';
import { askGoOracle } from '../testing/go-oracle';
import { requestAttributes } from './request-info';
import type { RequestAttributes } from './types';

interface GoAnswer {
  error?: string;
  isResource: boolean;
  verb: string;
  path: string;
  group: string;
  version: string;
  namespace: string;
  resource: string;
  subresource: string;
  name: string;
}

function askGo(questions: { method: string; target: string }[]): GoAnswer[] {
  const dir = join(__dirname, 'testdata', 'requestinfo-oracle');
  return askGoOracle('the RequestInfoFactory oracle', dir, questions);
}

/** Go's answer in requestAttributes' terms: empty fields left out, as requestAttributes does. */
function expected(go: GoAnswer): RequestAttributes | { error: string } {
  if (go.error !== undefined) return { error: go.error };
  if (!go.isResource) return { kind: 'nonResource', verb: go.verb, path: go.path };
  return {
    kind: 'resource',
    verb: go.verb,
    group: go.group,
    version: go.version,
    resource: go.resource,
    ...(go.subresource ? { subresource: go.subresource } : {}),
    ...(go.namespace ? { namespace: go.namespace } : {}),
    ...(go.name ? { name: go.name } : {}),
  };
}

// Words a path is made of: the API's own, the ones RequestInfoFactory gives a meaning to
// (namespaces, watch, proxy, status, finalize), and names and metrics.
const word = fc.constantFrom(
  'apis',
  'api',
  'namespaces',
  'watch',
  'proxy',
  'status',
  'finalize',
  'metrics',
  'pods',
  'nodes',
  'services',
  'deployments.apps',
  'default',
  'kube-system',
  'web-1',
  'a.b',
  '*',
  'queue_length',
  'version',
);
/** A segment as a client may send it: some characters percent-encoded, in either case. */
const sent = (w: string) =>
  fc.array(fc.boolean(), { minLength: w.length, maxLength: w.length }).chain((enc) =>
    fc.boolean().map((upper) =>
      [...w]
        .map((c, i) => {
          if (!enc[i]) return c;
          const hex = c.charCodeAt(0).toString(16).padStart(2, '0');
          return `%${upper ? hex.toUpperCase() : hex}`;
        })
        .join(''),
    ),
  );
const encoded = (w: string) => fc.oneof({ weight: 3, arbitrary: fc.constant(w) }, sent(w));

const custom = ['apis', 'custom.metrics.k8s.io'];
const external = ['apis', 'external.metrics.k8s.io', 'v1beta1'];
/** Paths this server routes, and the same shapes with other words in them. */
const pathWords = fc.oneof(
  fc.constantFrom(
    ['apis'],
    ['apis', 'custom.metrics.k8s.io'],
    ['apis', 'external.metrics.k8s.io'],
    [...custom, 'v1beta1'],
    [...custom, 'v1beta2'],
    external,
    ['version'],
    ['metrics'],
    ['openapi', 'v2'],
    ['openapi', 'v3'],
    ['openapi', 'v3', 'apis', 'custom.metrics.k8s.io', 'v1beta2'],
  ),
  fc
    .tuple(fc.constantFrom('v1beta1', 'v1beta2'), fc.array(word, { minLength: 1, maxLength: 6 }))
    .map(([v, rest]) => [...custom, v, ...rest]),
  fc
    .tuple(word, word, word)
    .map(([ns, resource, metric]) => [
      ...custom,
      'v1beta2',
      'namespaces',
      ns,
      resource,
      '*',
      metric,
    ]),
  fc.array(word, { minLength: 1, maxLength: 4 }).map((rest) => [...external, ...rest]),
  fc.tuple(word, word).map(([ns, metric]) => [...external, 'namespaces', ns, metric]),
);

const queryValue = fc.constantFrom(
  '',
  'true',
  'false',
  'FALSE',
  '0',
  '1',
  'yes',
  '10',
  '+10',
  '-1',
  '1.5',
  '99999999999999999999',
  'a%3Db',
  'a=b',
  'a+in+(x,y)',
  'a%20in%20(x',
  '!a',
  'metadata.name%3Dweb-1',
  'metadata.name%3D%3Dweb-1',
  'metadata.name!%3Dweb-1',
  'metadata.name%3Dweb-1,a%3Db',
  'metadata.name%3Dweb-1,metadata.name%3Dother',
  'metadata.name%3Dwe%2Fb',
  'metadata.name%3D..',
  'metadata.name%3D%25',
  'metadata.name%3D',
  'metadata.namespace%3Ddefault',
  '%zz',
  '%4',
  'x;y',
);
const queryKey = fc.constantFrom(
  'watch',
  'labelSelector',
  'fieldSelector',
  'limit',
  'timeoutSeconds',
  'resourceVersion',
  'allowWatchBookmarks',
  'sendInitialEvents',
  'metricLabelSelector',
  'continue',
  'w%61tch',
  'watch;',
  'x',
);
const query = fc
  .array(
    fc.oneof(
      { weight: 5, arbitrary: fc.tuple(queryKey, queryValue).map(([k, v]) => `${k}=${v}`) },
      queryKey,
      fc.constant(''),
    ),
    { maxLength: 4 },
  )
  .map((pairs) => pairs.join('&'));

const request = fc.record({
  method: fc.constantFrom('GET', 'GET', 'HEAD'),
  target: fc
    .tuple(
      pathWords.chain((ws) => fc.tuple(...ws.map(encoded))),
      fc.constantFrom('', '', '/'),
      fc.option(query, { nil: undefined }),
    )
    .map(([parts, slash, q]) => `/${parts.join('/')}${slash}${q === undefined ? '' : `?${q}`}`),
});

describe('requestAttributes', () => {
  it("asks about what kube-apiserver's RequestInfoFactory reads, for 3,000 random requests", () => {
    // A new seed each run, in every comparison so a failure names it (FC_SEED=<n> repeats one).
    const seed = Number(process.env.FC_SEED ?? Date.now() % 2 ** 31);
    const questions = fc.sample(request, { numRuns: 3_000, seed });
    const answers = askGo(questions);
    let compared = 0;
    const kinds = new Set<string>();
    for (const [i, q] of questions.entries()) {
      const [path = '/', query = ''] = q.target.split(/\?(.*)/s);
      const r = route(path);
      if (isStatus(r)) continue;
      const parts = segments(path) as string[];
      const ours = requestAttributes(parts, path, query, q.method);
      expect({ seed, ...q, attributes: ours }).toEqual({
        seed,
        ...q,
        attributes: expected(answers[i] as GoAnswer),
      });
      kinds.add(`${ours.kind} ${ours.verb}`);
      compared++;
    }
    expect(compared).toBeGreaterThan(1_000);
    // Every kind of answer came up: resource gets, lists, watches and proxies (verbs in the
    // path), non-resource gets and heads.
    expect([...kinds].sort()).toEqual([
      'nonResource get',
      'nonResource head',
      'resource get',
      'resource list',
      'resource proxy',
      'resource watch',
    ]);
  });
});
