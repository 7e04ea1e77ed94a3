// requestAttributes against kube-apiserver's RequestInfoFactory (k8s.io/apiserver
// pkg/endpoints/request/requestinfo.go), whose rules the generator below writes out on its own:
// APIPrefixes {api, apis}, GrouplessAPIPrefixes {api}, specialVerbs {proxy, watch},
// namespaceSubresources {status, finalize}, no subresource for proxy, and a GET without a name
// is a list.
import { deepStrictEqual, ok, strictEqual } from 'node:assert/strict';
import fc from 'fast-check';
import type { RequestAttributes } from './types';
import { requestAttributes } from './request-info';

const join = (segments: readonly string[]) => '/' + segments.join('/');

/** Segments as they come from the server's router: decoded, never empty, never containing '/'. */
const word = fc.oneof(
  fc.constantFrom(
    'apis',
    'api',
    'namespaces',
    'watch',
    'proxy',
    'status',
    'finalize',
    'metrics',
    'pods',
    '*',
    '__proto__',
    'constructor',
    'custom.metrics.k8s.io',
    'v1beta2',
  ),
  fc.string({ minLength: 1, maxLength: 8 }).filter((s) => !s.includes('/')),
);
const wordExcept = (...not: string[]) => word.filter((w) => !not.includes(w));

interface Case {
  readonly segments: string[];
  readonly expected: RequestAttributes;
}

/** A path kube-apiserver reads as a resource request, and the attributes it reads from it. */
const resourceCase: fc.Arbitrary<Case> = fc
  .record({
    grouped: fc.boolean(),
    group: word,
    version: word,
    special: fc.constantFrom(undefined, 'watch', 'proxy'),
    shape: fc.constantFrom('namespaced', 'namespace', 'namespaces', 'cluster'),
    ns: word,
    nsSub: fc.constantFrom(undefined, 'status', 'finalize'),
    head: word,
    more: fc.array(word, { maxLength: 4 }),
  })
  .chain((r) =>
    // The segment after the version is the verb's only when one was chosen.
    (r.special === undefined
      ? wordExcept('watch', 'proxy', 'namespaces')
      : wordExcept('namespaces')
    ).chain((first) =>
      wordExcept('status', 'finalize').map((nsResource) => ({ ...r, first, nsResource })),
    ),
  )
  .map((r) => {
    const prefix = r.grouped ? ['apis', r.group, r.version] : ['api', r.version];
    const verbPart = r.special ? [r.special] : [];
    let tail: string[];
    let namespace: string | undefined;
    let parts: string[]; // resource/name/subresource/…
    switch (r.shape) {
      case 'namespaced': // namespaces/<ns>/<resource>/…
        tail = ['namespaces', r.ns, r.nsResource, ...r.more];
        namespace = r.ns;
        parts = [r.nsResource, ...r.more];
        break;
      case 'namespace': // namespaces/<ns>[/status|finalize/…]: the namespace object itself
        tail = ['namespaces', r.ns, ...(r.nsSub ? [r.nsSub, ...r.more] : [])];
        namespace = r.ns;
        parts = tail;
        break;
      case 'namespaces': // the list of namespaces
        tail = ['namespaces'];
        parts = tail;
        break;
      default: // a cluster-scoped resource
        tail = [r.first, ...r.more];
        parts = tail;
    }
    // A special verb with nothing after it is refused by kube-apiserver: never generated here.
    const [resource = '', name = '', subresource = ''] = parts;
    const verb = r.special ?? (name === '' ? 'list' : 'get');
    const sub = r.special === 'proxy' ? '' : subresource;
    return {
      segments: [...prefix, ...verbPart, ...tail],
      expected: {
        kind: 'resource',
        verb,
        group: r.grouped ? r.group : '',
        version: r.version,
        resource,
        ...(sub ? { subresource: sub } : {}),
        ...(namespace ? { namespace } : {}),
        ...(name ? { name } : {}),
      },
    };
  });

/** A path kube-apiserver reads as a non-resource request. */
const nonResourceCase: fc.Arbitrary<Case> = fc
  .oneof(
    fc.array(wordExcept('api', 'apis'), { minLength: 1, maxLength: 5 }),
    fc
      .tuple(wordExcept('api', 'apis'), fc.array(word, { maxLength: 5 }))
      .map(([a, b]) => [a, ...b]),
    fc.array(word, { maxLength: 2 }).map((rest) => ['apis', ...rest]),
    fc.array(word, { maxLength: 1 }).map((rest) => ['api', ...rest]),
    fc.constant<string[]>([]),
  )
  .map((segments) => ({
    segments,
    expected: { kind: 'nonResource', verb: 'get', path: join(segments) },
  }));

describe('requestAttributes (properties)', () => {
  it('reads resource paths as RequestInfoFactory does (20k cases)', () => {
    fc.assert(
      fc.property(resourceCase, ({ segments, expected }) => {
        deepStrictEqual(requestAttributes(segments, join(segments)), expected);
      }),
      { numRuns: 20_000 },
    );
  });

  it('reads other paths as non-resource requests, naming the path (20k cases)', () => {
    fc.assert(
      fc.property(nonResourceCase, ({ segments, expected }) => {
        deepStrictEqual(requestAttributes(segments, join(segments)), expected);
      }),
      { numRuns: 20_000 },
    );
  });

  it('never throws on any segment list, and always names a verb (20k cases)', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(word, fc.string()), { maxLength: 10 }), (segments) => {
        const attrs = requestAttributes(segments, join(segments));
        ok(attrs.verb !== '' && typeof attrs.verb === 'string', `no verb for ${join(segments)}`);
        if (attrs.kind === 'resource') {
          for (const v of [attrs.group, attrs.version, attrs.resource])
            strictEqual(typeof v, 'string');
        } else {
          strictEqual(attrs.kind, 'nonResource');
          strictEqual(attrs.path, join(segments));
        }
      }),
      { numRuns: 20_000 },
    );
  });
});
