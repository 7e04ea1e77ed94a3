// What the SubjectAccessReview cache keeps of a request: its decision under a digest of the spec,
// not the spec itself. Any authenticated caller (every pod's service account token is one) can
// send a path, metric name or field-selected name of up to a megabyte, the header limit, and a
// denied review is cached as an allowed one is.
import { heapUsedAfterGc } from '../testing/heap';
import { answeringReviews } from '../testing/review-api';
import { subjectAccessReviewAuthorizer } from './delegated';

/** An API server whose SubjectAccessReviews deny everything, as RBAC does a stranger. */
const denying = answeringReviews({
  kind: 'SubjectAccessReview',
  apiVersion: 'authorization.k8s.io/v1',
  status: { allowed: false, reason: 'no RBAC policy matched' },
});

const heapUsed = heapUsedAfterGc;

it('keeps no request text: 40 denied 1 MB metric names leave under 8 MB behind', async () => {
  const authorize = subjectAccessReviewAuthorizer(denying);
  const user = { name: 'system:serviceaccount:default:default', groups: ['system:authenticated'] };
  const before = heapUsed();
  for (let i = 0; i < 40; i++) {
    const decision = await authorize(user, {
      kind: 'resource',
      verb: 'get',
      group: 'custom.metrics.k8s.io',
      version: 'v1beta1',
      resource: 'pods',
      namespace: 'default',
      name: 'x',
      subresource: `${i}${'m'.repeat(1_000_000)}`,
    });
    expect(decision.allowed).toBe(false);
  }
  expect(heapUsed() - before).toBeLessThan(8_000_000);
});
