import { requestAttributes } from './request-info';

const C = ['apis', 'custom.metrics.k8s.io', 'v1beta2'];
const E = ['apis', 'external.metrics.k8s.io', 'v1beta1'];
const G = { group: 'custom.metrics.k8s.io', version: 'v1beta2' };

describe('request attributes, as kube-apiserver’s RequestInfoFactory reads a path', () => {
  it.each([
    [
      [...C, 'namespaces', 'platform', 'pods', '*', 'websocket_connections'],
      {
        verb: 'get',
        resource: 'pods',
        name: '*',
        subresource: 'websocket_connections',
        namespace: 'platform',
      },
    ],
    [
      [...C, 'nodes', 'n1', 'node_load1'],
      { verb: 'get', resource: 'nodes', name: 'n1', subresource: 'node_load1' },
    ],
    // The namespace metrics path: the namespace, then resource "metrics" named for the metric.
    [
      [...C, 'namespaces', 'platform', 'metrics', 'queue_length'],
      { verb: 'get', resource: 'metrics', name: 'queue_length', namespace: 'platform' },
    ],
    // An external metric has no name: a list, in its namespace.
    [
      [...E, 'namespaces', 'jobs', 'queue_depth'],
      { verb: 'list', resource: 'queue_depth', namespace: 'jobs' },
    ],
    [
      [...C, 'namespaces', 'platform'],
      { verb: 'get', resource: 'namespaces', name: 'platform', namespace: 'platform' },
    ],
  ])('%j', (segments, expected) => {
    const attrs = requestAttributes(segments, '/' + segments.join('/'));
    expect(attrs).toEqual({
      kind: 'resource',
      group: segments[1],
      version: segments[2],
      ...expected,
    });
  });

  it('takes paths outside /apis/<group>/<version>/… as non-resource requests', () => {
    expect(
      requestAttributes(
        ['apis', 'custom.metrics.k8s.io', 'v1beta2'],
        '/apis/custom.metrics.k8s.io/v1beta2',
      ),
    ).toEqual({
      kind: 'nonResource',
      verb: 'get',
      path: '/apis/custom.metrics.k8s.io/v1beta2',
    });
    expect(requestAttributes(['metrics'], '/metrics')).toMatchObject({ kind: 'nonResource' });
  });
});

describe('the core group and verbs in the path, as RequestInfoFactory reads them', () => {
  it.each([
    [
      ['api', 'v1', 'namespaces', 'jobs', 'pods', 'p1'],
      { group: '', version: 'v1', verb: 'get', resource: 'pods', name: 'p1', namespace: 'jobs' },
    ],
    [['api', 'v1', 'nodes'], { group: '', version: 'v1', verb: 'list', resource: 'nodes' }],
    [
      [...C, 'watch', 'namespaces', 'platform', 'pods'],
      { ...G, verb: 'watch', resource: 'pods', namespace: 'platform' },
    ],
    [
      [...C, 'proxy', 'nodes', 'n1', 'metrics', 'cadvisor'],
      { ...G, verb: 'proxy', resource: 'nodes', name: 'n1' },
    ],
  ])('%j', (segments, expected) => {
    expect(requestAttributes(segments, '/' + segments.join('/'))).toEqual({
      kind: 'resource',
      ...expected,
    });
  });

  it('takes /api/<version> as the non-resource discovery document', () => {
    expect(requestAttributes(['api', 'v1'], '/api/v1')).toEqual({
      kind: 'nonResource',
      verb: 'get',
      path: '/api/v1',
    });
  });
});

// NewRequestInfo reads a GET without a name through ListOptions (requestinfo.go): `watch` makes
// it a watch unless it is false or 0, and fieldSelector=metadata.name=<name> names the object,
// unless the query does not decode (then only `watch` is read) or the name is no path segment.
describe('the query of a GET without a name, as RequestInfoFactory reads it', () => {
  const path = [...E, 'namespaces', 'jobs', 'queue_depth'];
  const attrs = (query: string) => requestAttributes(path, '/' + path.join('/'), query);
  const base = {
    kind: 'resource',
    group: 'external.metrics.k8s.io',
    version: 'v1beta1',
    resource: 'queue_depth',
    namespace: 'jobs',
  };

  it.each<[string, object]>([
    ['', { verb: 'list' }],
    ['watch=true', { verb: 'watch' }],
    ['watch=1', { verb: 'watch' }],
    ['watch=', { verb: 'watch' }],
    ['watch=FALSE', { verb: 'list' }],
    ['watch=0&watch=1', { verb: 'list' }],
    ['fieldSelector=metadata.name%3Dq1', { verb: 'list', name: 'q1' }],
    ['fieldSelector=metadata.name%3D%3Dq1&watch=true', { verb: 'watch', name: 'q1' }],
    ['fieldSelector=metadata.name!%3Dq1', { verb: 'list' }],
    ['fieldSelector=metadata.name%3D', { verb: 'list' }],
    ['fieldSelector=metadata.name%3D..', { verb: 'list' }],
    ['fieldSelector=metadata.name%3Da%25b', { verb: 'list' }],
    // The query does not decode as ListOptions: no name, the watch still read.
    ['fieldSelector=metadata.name%3Dq1&labelSelector=a+in+(', { verb: 'list' }],
    ['fieldSelector=metadata.name%3Dq1&limit=ten&watch=true', { verb: 'watch' }],
    ['fieldSelector=metadata.name%3Dq%5Cx', { verb: 'list' }],
    // As url.ParseQuery: a pair holding `;` or a bad escape is dropped, the others kept.
    ['watch=1;x=2', { verb: 'list' }],
    ['watch=%zz', { verb: 'list' }],
    ['watch=%zz&watch=1', { verb: 'watch' }],
    ['w%61tch=1', { verb: 'watch' }],
    [
      'fieldSelector=metadata.name%3Dq1;&fieldSelector=metadata.name%3Dq2',
      { verb: 'list', name: 'q2' },
    ],
    ['fieldSelector=metadata.name%3Dq1&limit=%4', { verb: 'list', name: 'q1' }],
  ])('%j', (query, expected) => {
    expect(attrs(query)).toEqual({ ...base, ...expected });
  });

  it('asks about a non-resource path decoded, with the method as its verb', () => {
    expect(requestAttributes(['version'], '/ver%73ion', '', 'HEAD')).toEqual({
      kind: 'nonResource',
      verb: 'head',
      path: '/version',
    });
    expect(requestAttributes(['apis', C[1] as string], '/apis/custom.metrics.k8s.io/')).toEqual({
      kind: 'nonResource',
      verb: 'get',
      path: '/apis/custom.metrics.k8s.io/',
    });
  });

  it('leaves a GET with a name in its path a get, whatever the query', () => {
    const named = [...C, 'namespaces', 'platform', 'pods', 'web-0', 'websocket_connections'];
    expect(
      requestAttributes(named, '/' + named.join('/'), 'watch=true&fieldSelector=metadata.name%3Dx'),
    ).toMatchObject({ verb: 'get', name: 'web-0' });
  });
});
