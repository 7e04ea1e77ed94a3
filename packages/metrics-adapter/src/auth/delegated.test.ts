// Delegated authorization and authentication as k8s.io/apiserver's webhook authorizer and token
// authenticator make them (plugin/pkg/authorizer/webhook/webhook.go, pkg/util/webhook): the
// decision read from a SubjectAccessReview's status, and decisions cached 10 s. The API server
// is a stub answering each review as the test scripts it.
import type { KubeApi } from '../k8s/api';
import { subjectAccessReviewAuthorizer } from './delegated';
import type { RequestAttributes } from './types';

type Answer = unknown | Error;

/** An API server that answers each POST with the next scripted answer (the last one repeats). */
function stubApi(...answers: Answer[]) {
  const posted: { path: string; body: unknown }[] = [];
  const api: KubeApi = {
    async json<T>(_method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
      posted.push({ path, body });
      const answer = answers[Math.min(posted.length, answers.length) - 1];
      if (answer instanceof Error) throw answer;
      return answer as T;
    },
    list: () => Promise.reject(new Error('not used')),
    watch: () => Promise.reject(new Error('not used')),
    close: () => undefined,
  };
  return { api, posted };
}

const user = { name: 'jane', groups: ['system:authenticated'] };
const attrs: RequestAttributes = {
  kind: 'resource',
  verb: 'get',
  group: 'custom.metrics.k8s.io',
  version: 'v1beta2',
  resource: 'pods',
  subresource: 'websocket_connections',
  namespace: 'platform',
  name: '*',
};
const review = (status: Record<string, unknown>) => ({
  kind: 'SubjectAccessReview',
  apiVersion: 'authorization.k8s.io/v1',
  status,
});
describe('SubjectAccessReview decision', () => {
  it('is an error (a 500), not a 403, when the review says both allowed and denied', async () => {
    const { api } = stubApi(review({ allowed: true, denied: true, reason: 'confused webhook' }));
    await expect(subjectAccessReviewAuthorizer(api)(user, attrs)).rejects.toThrow(
      'SubjectAccessReview returned both allow and deny response',
    );
  });

  it('denies with the review’s reason; an evaluationError is not told to the caller', async () => {
    const { api } = stubApi(
      review({
        allowed: false,
        evaluationError: '[clusterrole.rbac.authorization.k8s.io "metrics-reader" not found]',
      }),
    );
    expect(await subjectAccessReviewAuthorizer(api)(user, attrs)).toEqual({ allowed: false });
    const { api: withReason } = stubApi(review({ allowed: false, denied: true, reason: 'no' }));
    expect(await subjectAccessReviewAuthorizer(withReason)(user, attrs)).toEqual({
      allowed: false,
      reason: 'no',
    });
  });

  it('keeps allowed and denied decisions 10 s each, then asks again', async () => {
    let now = 0;
    const { api, posted } = stubApi(review({ allowed: true }));
    const authorize = subjectAccessReviewAuthorizer(api, () => now);
    await authorize(user, attrs);
    now = 9_999;
    await authorize(user, attrs);
    expect(posted).toHaveLength(1);
    now = 10_001;
    await authorize(user, attrs);
    expect(posted).toHaveLength(2);

    const denied = stubApi(review({ allowed: false }));
    const deny = subjectAccessReviewAuthorizer(denied.api, () => now);
    await deny(user, attrs);
    now += 9_999;
    expect((await deny(user, attrs)).allowed).toBe(false);
    expect(denied.posted).toHaveLength(1);
    now += 2;
    await deny(user, attrs);
    expect(denied.posted).toHaveLength(2);
  });
});
