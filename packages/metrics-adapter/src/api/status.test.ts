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
    [forbidden('alice', 'get', 'pods/queue_length'), 403, 'Forbidden'],
    [serviceUnavailable('prometheus did not answer within 5s'), 503, 'ServiceUnavailable'],
  ])('carry the HTTP code and reason together (%#)', (status, code, reason) => {
    expect(status).toMatchObject({ kind: 'Status', status: 'Failure', code, reason });
    expect(status.message.length).toBeGreaterThan(0);
  });
});
