// Delegated authentication and authorization, as every aggregated API server does them: bearer
// tokens checked with a TokenReview, every request checked with a SubjectAccessReview against
// the cluster's RBAC. Decisions are cached for 10 s (the Kubernetes defaults), so the HPA's
// polling does not turn into one review per request.
import type { IncomingMessage } from 'node:http';
import type { KubeApi } from '../k8s/api';
import { CollapsingCache } from '../provider/cache';
import type { Authenticator, Authorizer, RequestAttributes, UserInfo } from './types';

const TTL_MS = 10_000;

interface SubjectAccessReviewStatus {
  readonly allowed?: boolean;
  readonly denied?: boolean;
  readonly reason?: string;
  readonly evaluationError?: string;
}

/**
 * As k8s.io/apiserver's webhook authorizer: the decision is the review's `allowed` and `denied`
 * with its `reason` (an `evaluationError` is not told to the caller); a review
 * that says both is an error (a 500), as is one that cannot be made.
 */
export function subjectAccessReviewAuthorizer(
  api: KubeApi,
  now: () => number = Date.now,
): Authorizer {
  const cache = new CollapsingCache<SubjectAccessReviewStatus>(TTL_MS, undefined, now);
  return async (user, attrs) => {
    const spec = {
      user: user.name,
      groups: [...user.groups],
      ...(user.extra ? { extra: user.extra } : {}),
      ...(attrs.kind === 'resource'
        ? {
            resourceAttributes: {
              verb: attrs.verb,
              group: attrs.group,
              version: attrs.version,
              resource: attrs.resource,
              ...(attrs.subresource ? { subresource: attrs.subresource } : {}),
              ...(attrs.namespace ? { namespace: attrs.namespace } : {}),
              ...(attrs.name ? { name: attrs.name } : {}),
            },
          }
        : { nonResourceAttributes: { path: attrs.path, verb: attrs.verb } }),
    };
    const status = await cache.get(JSON.stringify(spec), async () => {
      const review = await api.json<{ status?: SubjectAccessReviewStatus }>(
        'POST',
        '/apis/authorization.k8s.io/v1/subjectaccessreviews',
        { apiVersion: 'authorization.k8s.io/v1', kind: 'SubjectAccessReview', spec },
      );
      return review.status ?? {};
    });
    if (status.allowed === true && status.denied === true)
      throw new Error('SubjectAccessReview returned both allow and deny response');
    return {
      allowed: status.allowed === true,
      ...(status.reason ? { reason: status.reason } : {}),
    };
  };
}

interface TokenReviewStatus {
  readonly authenticated?: boolean;
  readonly user?: { username?: string; groups?: string[]; extra?: Record<string, string[]> };
  readonly error?: string;
}

/**
 * The bearer token of `Authorization`, as upstream's bearertoken authenticator reads it: the
 * scheme is matched case-insensitively, and an empty token is no token.
 */
export function bearerToken(req: IncomingMessage): string | undefined {
  const parts = (req.headers.authorization ?? '').trim().split(' ');
  if (parts.length < 2 || parts[0]?.toLowerCase() !== 'bearer') return undefined;
  return parts[1] || undefined;
}

/**
 * Bearer tokens, checked with a TokenReview. A review that cannot be made (the API server down
 * or answering an error) authenticates no one — a 401, as upstream's union answers it — and is
 * not cached, so the next request tries again.
 */
export function tokenReviewAuthenticator(
  api: KubeApi,
  now: () => number = Date.now,
  onError: (error: unknown) => void = () => undefined,
): Authenticator {
  const cache = new CollapsingCache<UserInfo | null>(TTL_MS, undefined, now);
  const review = async (token: string): Promise<UserInfo | null> => {
    const answer = await api.json<{ status?: TokenReviewStatus }>(
      'POST',
      '/apis/authentication.k8s.io/v1/tokenreviews',
      { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token } },
    );
    const s = answer.status;
    if (!s?.authenticated || !s.user?.username) return null;
    return {
      name: s.user.username,
      groups: s.user.groups ?? [],
      ...(s.user.extra ? { extra: s.user.extra } : {}),
    };
  };
  return async (req: IncomingMessage) => {
    const token = bearerToken(req);
    if (!token) return undefined;
    try {
      return (await cache.get(token, () => review(token))) ?? undefined;
    } catch (error) {
      onError(error);
      return undefined;
    }
  };
}

export type { RequestAttributes };
