import { badRequest, forbidden, notFound, serviceUnavailable, unauthorized } from './status';

describe('Status factories', () => {
  it('write a NotFound the way kube-apiserver does', () => {
    // Body shape recorded from kube-apiserver for a missing object, names changed.
    expect(
      notFound({ group: 'custom.metrics.k8s.io', kind: 'pods', name: 'queue_length' }),
    ).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'pods.custom.metrics.k8s.io "queue_length" not found',
      reason: 'NotFound',
      details: { name: 'queue_length', group: 'custom.metrics.k8s.io', kind: 'pods' },
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
});
