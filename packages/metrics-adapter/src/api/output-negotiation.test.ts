import fc from 'fast-check';
import {
  isPrettyPrint,
  negotiateAccept,
  outputNegotiator,
  parseAccept,
} from './output-negotiation';

const HPA_UA =
  'kube-controller-manager/v1.32.3 (linux/amd64) kubernetes/32cc146/system:serviceaccount:kube-system:horizontal-pod-autoscaler';
const TABLE = 'application/json;as=Table;g=meta.k8s.io;v=v1';

describe('negotiateAccept: what a JSON-serving endpoint with no transformations takes', () => {
  it.each([
    [undefined],
    [''],
    ['application/json'],
    // the HPA controller's clients (protobuf by kube-controller-manager's default), answered JSON
    ['application/vnd.kubernetes.protobuf, */*'],
    ['application/vnd.kubernetes.protobuf'],
    // kubectl get --raw, and kubectl's table request with its fallback
    ['application/json, */*'],
    [`${TABLE},application/json;as=Table;g=meta.k8s.io;v=v1beta1,application/json`],
    [`${TABLE}, application/json`],
    ['application/*'],
    ['*/*'],
    ['*'],
    // a browser's
    ['text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8'],
    // client-go's discovery client: the aggregated clauses, then the legacy one
    [
      'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json',
    ],
    ['application/json;stream=watch'],
    ['application/json;charset=utf-8'],
    ['application/yaml, application/json;q=0.1'],
    // no clause goautoneg can read: taken as no Accept at all
    ['garbage'],
    [',,'],
    ['a/b/c'],
  ])('%s is answered', (accept) => {
    expect(negotiateAccept(accept)).toEqual({ acceptable: true, pretty: false });
  });

  it.each([
    ['application/yaml'],
    ['text/html'],
    [TABLE],
    ['application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1'],
    ['application/vnd.kubernetes.protobuf;as=Table;g=meta.k8s.io;v=v1'],
    [`${TABLE}, application/yaml`],
    // `g` or `v` alone asks for a conversion too (acceptMediaTypeOptions sets Convert)
    ['application/json;g=meta.k8s.io'],
    ['application/json;v=v1'],
    // a server version, a stream other than watch
    ['application/json;sv=v1'],
    ['application/json;stream=other'],
    // weight 0 refuses, and an unreadable weight is 0
    ['application/json;q=0'],
    ['*/*;q=0'],
    ['application/json;q=abc'],
    // aggregated discovery alone (the /apis handler takes it before asking this)
    ['application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList'],
    // types are compared as written, as goautoneg and the apiserver compare them
    ['Application/JSON'],
    ['a/b/c, text/html'],
  ])('%s is refused', (accept) => {
    expect(negotiateAccept(accept)).toEqual({ acceptable: false, pretty: false });
  });

  it('takes pretty=1 from the clause it chooses, and only `1`', () => {
    expect(negotiateAccept('application/json;pretty=1')).toEqual({
      acceptable: true,
      pretty: true,
    });
    expect(negotiateAccept('application/json;pretty=true').pretty).toBe(false);
    expect(negotiateAccept('application/yaml;pretty=1, application/json').pretty).toBe(false);
    expect(negotiateAccept(`${TABLE};pretty=1, application/json`).pretty).toBe(false);
    // the weightier clause is chosen
    expect(negotiateAccept('application/json;q=0.5, */*;pretty=1').pretty).toBe(true);
  });

  it('orders clauses as goautoneg does, a concrete type before a weightier wildcard', () => {
    // Go's own answer (munnerz/goautoneg ParseAccept): its order is not one by weight alone.
    const order = parseAccept('*/*, application/*;q=0.9, text/html;q=0.5, application/json').map(
      (c) => `${c.type}/${c.subtype};${c.q}`,
    );
    expect(order).toEqual(['application/json;1', 'text/html;0.5', 'application/*;0.9', '*/*;1']);
  });
});

describe('isPrettyPrint, as negotiate.go has it', () => {
  it.each([
    ['pretty=true', undefined, true],
    ['pretty=1', undefined, true],
    ['pretty=t', undefined, true],
    ['pretty=T', undefined, true],
    ['pretty=TRUE', undefined, true],
    ['pretty=True', undefined, true],
    ['pretty=%74rue', undefined, true],
    ['labelSelector=app%3Dweb&pretty=true', HPA_UA, true],
    // a non-empty value decides, whatever the User-Agent; what ParseBool refuses is false
    ['pretty=false', 'curl/8.0', false],
    ['pretty=0', 'curl/8.0', false],
    ['pretty=F', 'curl/8.0', false],
    ['pretty=yes', 'curl/8.0', false],
    ['pretty=tRUE', undefined, false],
    // the first value counts
    ['pretty=true&pretty=false', undefined, true],
    ['pretty=false&pretty=true', 'curl/8.0', false],
    // an empty one, or a pair Go's ParseQuery drops, leaves it to the User-Agent
    ['pretty=', 'curl/8.0', true],
    ['pretty', 'curl/8.0', true],
    ['pretty=false;x', 'curl/8.0', true],
    ['pretty=%zz', undefined, false],
    ['', 'curl/8.0', true],
    ['', 'Wget/1.21.4', true],
    ['', 'Mozilla/5.0 (X11; Linux x86_64) Gecko/20100101 Firefox/128.0', true],
    ['x=pretty', 'curl/8.0', true],
    ['x=pretty', undefined, false],
    ['', HPA_UA, false],
    ['', 'kubectl/v1.32.3 (linux/amd64) kubernetes/32cc146', false],
    ['', 'Mozilla/4.0', false],
    ['', ' curl/8.0', false],
    ['', undefined, false],
  ])('?%s with User-Agent %s: %s', (query, userAgent, pretty) => {
    expect(isPrettyPrint(query, userAgent)).toBe(pretty);
  });
});

describe('outputNegotiator', () => {
  it('answers as negotiateAccept and isPrettyPrint do, the same header again and again', () => {
    const negotiate = outputNegotiator();
    const headers = [
      undefined,
      '',
      'application/yaml',
      'application/json;pretty=1',
      `x${'y'.repeat(300)}`,
    ];
    for (let round = 0; round < 3; round++)
      for (const accept of headers)
        for (const [query, ua] of [
          ['', HPA_UA],
          ['pretty=1', undefined],
          ['', 'curl/8.0'],
        ] as const) {
          const { acceptable, pretty } = negotiateAccept(accept);
          expect(negotiate(accept, query, ua)).toEqual({
            acceptable,
            pretty: pretty || isPrettyPrint(query, ua),
          });
        }
  });

  it('forgets what it remembered past its bound, and answers all the same', () => {
    const negotiate = outputNegotiator();
    for (let i = 0; i < 1000; i++)
      expect(negotiate(i % 2 ? `application/json;x=${i}` : `text/x${i}`, '', undefined)).toEqual({
        acceptable: i % 2 === 1,
        pretty: false,
      });
  });
});

// Pieces Accept headers are made of, and stray characters between them.
const piece = fc.constantFrom(
  'application/json',
  'application/vnd.kubernetes.protobuf',
  'application/*',
  '*/*',
  '*',
  'text/html',
  'a/b/c',
  '/',
  ';',
  ',',
  '=',
  ' ',
  'q=0',
  'q=0.5',
  'q=',
  'as=Table',
  'g=meta.k8s.io',
  'v=v1',
  'pretty=1',
  'stream=watch',
  '==',
);
const junk = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.array(piece, { maxLength: 12 }).map((ps) => ps.join('')),
);
// A */* clause that takes JSON: a weight over 0 (or none), parameters that ask for nothing.
const anyClause = fc
  .tuple(
    fc.constantFrom('*/*', ' */* ', '*', '* / *'),
    fc.array(
      fc.constantFrom(
        'q=1',
        'q=0.001',
        'q=0.5',
        'pretty=1',
        'pretty=0',
        'charset=utf-8',
        'x=y',
        'stream=watch',
      ),
      { maxLength: 3 },
    ),
  )
  .map(([range, params]) => [range, ...params].join(';'));

describe('negotiateAccept on any header', () => {
  it('never throws, and answers a header with a */* clause that takes JSON', () => {
    fc.assert(
      fc.property(junk, (accept) => {
        const answer = negotiateAccept(accept);
        expect(typeof answer.acceptable).toBe('boolean');
      }),
      { numRuns: 2_000 },
    );
    fc.assert(
      fc.property(fc.array(junk, { maxLength: 6 }), anyClause, fc.nat(), (others, any, at) => {
        const members = [...others];
        members.splice(at % (members.length + 1), 0, any);
        expect(negotiateAccept(members.join(',')).acceptable).toBe(true);
      }),
      { numRuns: 2_000 },
    );
  });
});
