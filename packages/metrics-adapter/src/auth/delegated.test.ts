// Delegated authorization and authentication as k8s.io/apiserver's webhook authorizer and token
// authenticator make them (plugin/pkg/authorizer/webhook/webhook.go, pkg/util/webhook): the
// decision read from a SubjectAccessReview's status, decisions cached 10 s, and reviews that
// fail for a passing reason tried again after DefaultAuthWebhookRetryBackoff. The API server is
// a stub answering each review as the test scripts it.
import type { IncomingMessage } from 'node:http';
import { KubeApiError, type KubeApi } from '../k8s/api';
import { subjectAccessReviewAuthorizer, tokenReviewAuthenticator } from './delegated';
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
/** A recorded sleep: the waits asked for, none waited. */
function sleeps() {
  const waits: number[] = [];
  return { waits, sleep: async (ms: number) => void waits.push(ms), random: () => 0 };
}
const status500 = () =>
  new KubeApiError(
    500,
    'POST /apis/...: 500 Internal error occurred: etcdserver: request timed out',
  );

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

  it('allows system:masters without a review, as DelegatingAuthorizationOptions’ AlwaysAllowGroups', async () => {
    const { api, posted } = stubApi(
      new KubeApiError(403, 'POST: 403 cannot create resource "subjectaccessreviews"'),
    );
    const authorize = subjectAccessReviewAuthorizer(api);
    const admin = {
      name: 'kubernetes-admin',
      groups: ['kubeadm:cluster-admins', 'system:masters'],
    };
    expect(await authorize(admin, attrs)).toEqual({ allowed: true });
    expect(await authorize(admin, { kind: 'nonResource', verb: 'get', path: '/metrics' })).toEqual({
      allowed: true,
    });
    expect(posted).toHaveLength(0);
    // Any other group is reviewed.
    await expect(
      authorize({ name: 'kubernetes-admin', groups: ['kubeadm:cluster-admins'] }, attrs),
    ).rejects.toThrow('cannot create resource "subjectaccessreviews"');
    expect(posted).toHaveLength(1);
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

describe('reviews tried again (DefaultAuthWebhookRetryBackoff, DefaultShouldRetry)', () => {
  it('tries a review that failed with a 500 again after 0.5 s, then 0.75 s, and takes its answer', async () => {
    const { api, posted } = stubApi(status500(), status500(), review({ allowed: true }));
    const s = sleeps();
    expect((await subjectAccessReviewAuthorizer(api, Date.now, s)(user, attrs)).allowed).toBe(true);
    expect(posted).toHaveLength(3);
    expect(s.waits).toEqual([500, 750]);
  });

  it('gives up after five tries, with the last error; waits grow ×1.5 and up to 20 % at random', async () => {
    const { api, posted } = stubApi(new KubeApiError(504, 'POST: 504 Timeout'));
    const s = { ...sleeps(), random: () => 1 };
    await expect(subjectAccessReviewAuthorizer(api, Date.now, s)(user, attrs)).rejects.toThrow(
      '504 Timeout',
    );
    expect(posted).toHaveLength(5);
    // 500, 750, 1125, 1687.5 ms, each 20 % longer (random 1).
    expect(s.waits).toEqual([600, 900, 1350, 2025]);
  });

  it('tries again after a reset connection and a 429, not after a 403 or a refused connection', async () => {
    const reset = new KubeApiError(0, 'POST https://10.96.0.1/...: read ECONNRESET', {
      cause: Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }),
    });
    const throttled = new KubeApiError(429, 'POST: 429 Too many requests');
    const retried = stubApi(reset, throttled, review({ allowed: true }));
    expect(
      (await subjectAccessReviewAuthorizer(retried.api, Date.now, sleeps())(user, attrs)).allowed,
    ).toBe(true);
    expect(retried.posted).toHaveLength(3);

    const forbidden = new KubeApiError(403, 'POST: 403 cannot create subjectaccessreviews');
    const refused = new KubeApiError(0, 'POST https://127.0.0.1:1/...: connect ECONNREFUSED', {
      cause: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }),
    });
    for (const err of [forbidden, refused]) {
      const once = stubApi(err);
      await expect(
        subjectAccessReviewAuthorizer(once.api, Date.now, sleeps())(user, attrs),
      ).rejects.toBe(err);
      expect(once.posted).toHaveLength(1);
    }
  });

  it('tries a TokenReview that failed with a 500 again before answering', async () => {
    const { api, posted } = stubApi(status500(), {
      kind: 'TokenReview',
      apiVersion: 'authentication.k8s.io/v1',
      status: { authenticated: true, user: { username: 'jane', groups: ['devs'] } },
    });
    const s = sleeps();
    const authenticate = tokenReviewAuthenticator(api, Date.now, undefined, s);
    const req = { headers: { authorization: 'Bearer t0ken' } } as IncomingMessage;
    expect(await authenticate(req)).toEqual({ name: 'jane', groups: ['devs'] });
    expect(posted).toHaveLength(2);
    expect(s.waits).toEqual([500]);
  });
});

describe('the user’s uid', () => {
  it('comes from a TokenReview and goes into the SubjectAccessReview, as webhook.go sends it', async () => {
    // A TokenReview status for a service account token, as kube-apiserver answers it.
    const { api: authn } = stubApi({
      kind: 'TokenReview',
      apiVersion: 'authentication.k8s.io/v1',
      status: {
        authenticated: true,
        user: {
          username: 'system:serviceaccount:monitoring:hpa-tester',
          uid: '5d1c0e0b-3f2a-4f7e-9a43-0c9d3c6f3a21',
          groups: ['system:serviceaccounts', 'system:authenticated'],
        },
        audiences: ['https://kubernetes.default.svc'],
      },
    });
    const req = { headers: { authorization: 'Bearer abc.def.ghi' } } as unknown as IncomingMessage;
    const who = await tokenReviewAuthenticator(authn)(req);
    expect(who).toEqual({
      name: 'system:serviceaccount:monitoring:hpa-tester',
      uid: '5d1c0e0b-3f2a-4f7e-9a43-0c9d3c6f3a21',
      groups: ['system:serviceaccounts', 'system:authenticated'],
    });
    const { api, posted } = stubApi(review({ allowed: true }));
    await subjectAccessReviewAuthorizer(api)(who!, attrs);
    expect(posted[0]?.body).toMatchObject({
      spec: {
        user: 'system:serviceaccount:monitoring:hpa-tester',
        uid: '5d1c0e0b-3f2a-4f7e-9a43-0c9d3c6f3a21',
      },
    });
    // A user without one (a client certificate's) sends none.
    const { api: api2, posted: posted2 } = stubApi(review({ allowed: true }));
    await subjectAccessReviewAuthorizer(api2)(user, attrs);
    expect(posted2[0]?.body).not.toHaveProperty('spec.uid');
  });
});
