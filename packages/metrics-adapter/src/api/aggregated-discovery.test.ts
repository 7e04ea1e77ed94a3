import { createHash } from 'node:crypto';
import {
  answerDiscovery,
  discoveryItems,
  negotiateDiscovery,
  resourceDiscovery,
} from './aggregated-discovery';

const V2 = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList';
const V2BETA1 = 'application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList';

describe('negotiating aggregated discovery as k8s.io/apiserver does', () => {
  it.each([
    // client-go's discovery client (discovery_client.go acceptDiscoveryFormats)
    [`${V2},${V2BETA1},application/json`, 'v2'],
    // kube-aggregator's handler_discovery.go
    [`${V2},${V2BETA1}`, 'v2'],
    [V2BETA1, 'v2beta1'],
    // a plain clause is passed over wherever it stands
    [`application/json, ${V2}`, 'v2'],
    // weights order the clauses
    [`${V2};q=0.5, ${V2BETA1}`, 'v2beta1'],
    // JSON by a wildcard, parameters in any order, spaces around them
    ['*/*;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList', 'v2'],
    ['application/*;as=APIGroupDiscoveryList;v=v2beta1;g=apidiscovery.k8s.io', 'v2beta1'],
    ['application/json; g=apidiscovery.k8s.io; v=v2; as=APIGroupDiscoveryList', 'v2'],
    // protobuf is not served: the next clause that takes JSON decides
    [
      `application/vnd.kubernetes.protobuf;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,${V2BETA1}`,
      'v2beta1',
    ],
  ])('%s asks for %s', (accept, version) => {
    expect(negotiateDiscovery(accept)).toBe(version);
  });

  it.each([
    [undefined],
    [''],
    ['application/json'],
    ['application/vnd.kubernetes.protobuf, */*'],
    ['application/vnd.kubernetes.protobuf;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList'],
    ['application/yaml;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList'],
    ['application/json;g=apidiscovery.k8s.io;v=v1;as=APIGroupDiscoveryList'],
    ['application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscovery'],
    ['application/json;g=apidiscovery.k8s.io;v=v2'],
    // a server version is refused for discovery, as DiscoveryEndpointRestrictions does
    [`${V2};sv=v1`],
  ])('%s gets the legacy list', (accept) => {
    expect(negotiateDiscovery(accept)).toBeUndefined();
  });
});

describe('resources in their aggregated form', () => {
  it('makes resource/metric a subresource of a kindless parent per scope, as ConvertGroupVersionIntoToDiscovery does', () => {
    const get = ['get'];
    expect(
      resourceDiscovery([
        {
          name: 'nodes/node_load1',
          singularName: '',
          namespaced: false,
          kind: 'MetricValueList',
          verbs: get,
        },
        { name: 'pods/a', singularName: '', namespaced: true, kind: 'MetricValueList', verbs: get },
        { name: 'pods/b', singularName: '', namespaced: true, kind: 'MetricValueList', verbs: get },
        {
          name: 'services/c',
          singularName: '',
          namespaced: false,
          kind: 'MetricValueList',
          verbs: get,
        },
        {
          name: 'services/d',
          singularName: '',
          namespaced: true,
          kind: 'MetricValueList',
          verbs: get,
        },
        {
          name: 'queue_length',
          singularName: '',
          namespaced: true,
          kind: 'ExternalMetricValueList',
          verbs: get,
        },
      ]),
    ).toEqual([
      {
        resource: 'queue_length',
        responseKind: { group: '', version: '', kind: 'ExternalMetricValueList' },
        scope: 'Namespaced',
        singularResource: '',
        verbs: ['get'],
      },
      {
        resource: 'nodes',
        responseKind: { group: '', version: '', kind: '' },
        scope: 'Cluster',
        singularResource: '',
        verbs: null,
        subresources: [
          {
            subresource: 'node_load1',
            responseKind: { group: '', version: '', kind: 'MetricValueList' },
            verbs: ['get'],
          },
        ],
      },
      {
        resource: 'pods',
        responseKind: { group: '', version: '', kind: '' },
        scope: 'Namespaced',
        singularResource: '',
        verbs: null,
        subresources: [
          {
            subresource: 'a',
            responseKind: { group: '', version: '', kind: 'MetricValueList' },
            verbs: ['get'],
          },
          {
            subresource: 'b',
            responseKind: { group: '', version: '', kind: 'MetricValueList' },
            verbs: ['get'],
          },
        ],
      },
      {
        resource: 'services',
        responseKind: { group: '', version: '', kind: '' },
        scope: 'Cluster',
        singularResource: '',
        verbs: null,
        subresources: [
          {
            subresource: 'c',
            responseKind: { group: '', version: '', kind: 'MetricValueList' },
            verbs: ['get'],
          },
        ],
      },
      {
        resource: 'services',
        responseKind: { group: '', version: '', kind: '' },
        scope: 'Namespaced',
        singularResource: '',
        verbs: null,
        subresources: [
          {
            subresource: 'd',
            responseKind: { group: '', version: '', kind: 'MetricValueList' },
            verbs: ['get'],
          },
        ],
      },
    ]);
  });
});

describe('the aggregated discovery answer', () => {
  const items = discoveryItems((group) =>
    group === 'custom.metrics.k8s.io'
      ? [{ resource: 'pods', metric: 'websocket_connections', namespaced: true }]
      : [],
  );
  // What Go's encoding/json writes for the list handler.go hashes (no kind, no apiVersion).
  const hashed =
    '{"metadata":{},"items":[' +
    '{"metadata":{"name":"custom.metrics.k8s.io","creationTimestamp":null},"versions":[' +
    '{"version":"v1beta2","resources":[{"resource":"pods","responseKind":{"group":"","version":"","kind":""},"scope":"Namespaced","singularResource":"","verbs":null,"subresources":[{"subresource":"websocket_connections","responseKind":{"group":"","version":"","kind":"MetricValueList"},"verbs":["get"]}]}],"freshness":"Current"},' +
    '{"version":"v1beta1","resources":[{"resource":"pods","responseKind":{"group":"","version":"","kind":""},"scope":"Namespaced","singularResource":"","verbs":null,"subresources":[{"subresource":"websocket_connections","responseKind":{"group":"","version":"","kind":"MetricValueList"},"verbs":["get"]}]}],"freshness":"Current"}]},' +
    '{"metadata":{"name":"external.metrics.k8s.io","creationTimestamp":null},"versions":[{"version":"v1beta1","freshness":"Current"}]}]}';
  const etag = `"${createHash('sha512').update(hashed).digest('hex').toUpperCase()}"`;

  it('is the list with kind and apiVersion as negotiated, typed by Content-Type, with an ETag', () => {
    const answer = answerDiscovery(items, 'v2beta1', undefined);
    expect(answer.code).toBe(200);
    expect(answer.headers).toEqual({
      'content-type': 'application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList',
      etag,
      vary: 'Accept',
      'cache-control': 'public',
    });
    expect(answer.body?.toString()).toBe(
      `{"kind":"APIGroupDiscoveryList","apiVersion":"apidiscovery.k8s.io/v2beta1",${hashed.slice(1)}`,
    );
  });

  it('answers 304 to exactly its ETag, and the document to anything else', () => {
    expect(answerDiscovery(items, 'v2', etag)).toEqual({
      code: 304,
      headers: { etag, vary: 'Accept', 'cache-control': 'public' },
    });
    // etag.go compares the header as it is: a weak or listed validator is not a match.
    expect(answerDiscovery(items, 'v2', `W/${etag}`).code).toBe(200);
    expect(answerDiscovery(items, 'v2', `"other", ${etag}`).code).toBe(200);
    expect(answerDiscovery(items, 'v2', '"0"').code).toBe(200);
  });
});
