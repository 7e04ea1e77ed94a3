import {
  badRequest,
  forbidden,
  internalError,
  methodNotAllowed,
  metricNotFound,
  notFoundPath,
  serviceUnavailable,
  unauthorized,
} from './status';

describe('Status factories', () => {
  it('write a metric NotFound as custom-metrics-apiserver does, with no details', () => {
    // NewMetricNotFoundForError (pkg/provider/errors.go): Status, Code, Reason and Message only.
    expect(
      metricNotFound('the server could not find the metric queue_length for pods web-0'),
    ).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'the server could not find the metric queue_length for pods web-0',
      reason: 'NotFound',
      code: 404,
    });
  });

  it.each([
    [badRequest('invalid label selector "a in ("'), 400, 'BadRequest'],
    [unauthorized(), 401, 'Unauthorized'],
    [forbidden('alice', { kind: 'nonResource', verb: 'get', path: '/metrics' }), 403, 'Forbidden'],
    [serviceUnavailable('prometheus did not answer within 5s'), 503, 'ServiceUnavailable'],
  ])('carry the HTTP code and reason together (%#)', (status, code, reason) => {
    expect(status).toMatchObject({ kind: 'Status', status: 'Failure', code, reason });
    expect(status.message.length).toBeGreaterThan(0);
  });

  it.each<[Parameters<typeof forbidden>[1], string]>([
    [
      {
        kind: 'resource',
        verb: 'list',
        group: 'external.metrics.k8s.io',
        version: 'v1beta1',
        resource: 'queue_depth',
        namespace: 'jobs',
      },
      'queue_depth.external.metrics.k8s.io is forbidden: User "alice" cannot list resource "queue_depth" in API group "external.metrics.k8s.io" in the namespace "jobs": no rule',
    ],
    [
      {
        kind: 'resource',
        verb: 'get',
        group: 'custom.metrics.k8s.io',
        version: 'v1beta2',
        resource: 'nodes',
        name: 'n1',
        subresource: 'node_load1',
      },
      'nodes.custom.metrics.k8s.io "n1" is forbidden: User "alice" cannot get resource "nodes/node_load1" in API group "custom.metrics.k8s.io" at the cluster scope: no rule',
    ],
    [
      { kind: 'nonResource', verb: 'get', path: '/metrics' },
      'forbidden: User "alice" cannot get path "/metrics": no rule',
    ],
  ])('words a 403 as kube-apiserver does (%#)', (attrs, message) => {
    expect(forbidden('alice', attrs, 'no rule').message).toBe(message);
  });

  it('escapes what names the user and the request as HTML, as its sanitizer does, not the rest', () => {
    expect(
      forbidden('dev<ops>&co', { kind: 'nonResource', verb: 'get', path: '/a<b>' }, '<why>')
        .message,
    ).toBe('forbidden: User "dev&lt;ops&gt;&amp;co" cannot get path "/a&lt;b&gt;": <why>');
    expect(
      forbidden('a&b', {
        kind: 'resource',
        verb: 'get',
        group: 'custom.metrics.k8s.io',
        version: 'v1beta2',
        resource: 'pods',
        name: 'x<y',
        subresource: 'm',
        namespace: 'ns',
      }).message,
    ).toBe(
      'pods.custom.metrics.k8s.io "x<y" is forbidden: User "a&amp;b" cannot get resource "pods/m" in API group "custom.metrics.k8s.io" in the namespace "ns"',
    );
  });
});

// Bodies as k8s.io/apimachinery's errors.go and k8s.io/apiserver's handlers build them
// (NewGenericServerResponse for go-restful's 404 and 405, the NotFoundHandler, NewForbidden,
// NewInternalError), keys in metav1.Status's order, empty details fields left out.
describe('Status bodies, as k8s.io/apiserver writes them', () => {
  const head = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure' };

  it('words a 404 for an unserved path without the path, details empty under a web service', () => {
    expect(JSON.stringify(notFoundPath('/nope'))).toBe(
      JSON.stringify({
        ...head,
        message: 'the server could not find the requested resource',
        reason: 'NotFound',
        code: 404,
      }),
    );
    expect(JSON.stringify(notFoundPath('/apis/custom.metrics.k8s.io/v1', true))).toBe(
      JSON.stringify({
        ...head,
        message: 'the server could not find the requested resource',
        reason: 'NotFound',
        details: {},
        code: 404,
      }),
    );
  });

  it('words a 405 as go-restful’s through the server’s serviceErrorHandler', () => {
    expect(JSON.stringify(methodNotAllowed('POST'))).toBe(
      JSON.stringify({
        ...head,
        message: 'the server does not allow this method on the requested resource',
        reason: 'MethodNotAllowed',
        details: {},
        code: 405,
      }),
    );
  });

  it('gives a 500 its error as the one cause', () => {
    expect(JSON.stringify(internalError('boom'))).toBe(
      JSON.stringify({
        ...head,
        message: 'Internal error occurred: boom',
        reason: 'InternalError',
        details: { causes: [{ message: 'boom' }] },
        code: 500,
      }),
    );
  });

  it('gives a 403 its details, empty for a path and without empty fields', () => {
    expect(
      forbidden('alice', { kind: 'nonResource', verb: 'get', path: '/metrics' }).details,
    ).toEqual({});
    const attrs = {
      kind: 'resource' as const,
      verb: 'list',
      group: '',
      version: 'v1',
      resource: 'pods',
      namespace: 'jobs',
    };
    expect(JSON.stringify(forbidden('alice', attrs).details)).toBe('{"kind":"pods"}');
  });
});
