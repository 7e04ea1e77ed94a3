// Delegated authentication and authorization, as every aggregated API server does them: bearer
// tokens checked with a TokenReview, every request checked with a SubjectAccessReview against
// the cluster's RBAC. Decisions are cached for 10 s (the Kubernetes defaults), so the HPA's
// polling does not turn into one review per request.
import { createHash, createHmac, randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { KubeApiError, type KubeApi } from '../k8s/api';
import { CollapsingCache } from '../provider/cache';
import {
  AuthenticationError,
  type Authenticator,
  type Authorizer,
  type RequestAttributes,
  type UserInfo,
} from './types';

const TTL_MS = 10_000;
const PRIVILEGED_GROUP = 'system:masters';

/**
 * How a review that failed for a passing reason is tried again: k8s.io/apiserver's
 * DefaultAuthWebhookRetryBackoff (0.5 s, ×1.5, each wait up to 20 % longer at random, five
 * tries), which its delegated authentication and authorization both use.
 */
export interface ReviewRetry {
  readonly initialMs?: number;
  readonly factor?: number;
  readonly jitter?: number;
  readonly steps?: number;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly random?: () => number;
}

export const WEBHOOK_RETRY_BACKOFF = { initialMs: 500, factor: 1.5, jitter: 0.2, steps: 5 };

/**
 * webhook.DefaultShouldRetry: a connection reset, or an answer of 500 (InternalError), 504
 * (Timeout) or 429 (TooManyRequests). A refused connection or a 401/403 is not tried again.
 */
function shouldRetry(err: unknown): boolean {
  if (err instanceof KubeApiError && [429, 500, 504].includes(err.status)) return true;
  const e = err as { code?: unknown; cause?: { code?: unknown } } | null;
  return e?.code === 'ECONNRESET' || e?.cause?.code === 'ECONNRESET';
}

/** webhook.WithExponentialBackoff: the call, tried again while it fails for a passing reason. */
async function withRetry<T>(call: () => Promise<T>, r: ReviewRetry): Promise<T> {
  const { initialMs, factor, jitter, steps } = { ...WEBHOOK_RETRY_BACKOFF, ...r };
  const sleep = r.sleep ?? ((ms: number) => new Promise<void>((ok) => setTimeout(ok, ms)));
  const random = r.random ?? Math.random;
  let delay = initialMs;
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (err) {
      if (attempt >= steps || !shouldRetry(err)) throw err;
      await sleep(delay + random() * jitter * delay);
      delay *= factor;
    }
  }
}

interface SubjectAccessReviewStatus {
  readonly allowed?: boolean;
  readonly denied?: boolean;
  readonly reason?: string;
  readonly evaluationError?: string;
}

/**
 * As k8s.io/apiserver's webhook authorizer: the decision is the review's `allowed` and `denied`
 * with its `reason` (an `evaluationError` is not told to the caller); a review
 * that says both is an error (a 500), as is one that cannot be made. A member of system:masters
 * is allowed without a review, as k8s.io/apiserver's delegated authorization allows it.
 */
export function subjectAccessReviewAuthorizer(
  api: KubeApi,
  now: () => number = Date.now,
  retry: ReviewRetry = {},
): Authorizer {
  const cache = new CollapsingCache<SubjectAccessReviewStatus>(TTL_MS, undefined, now);
  return async (user, attrs) => {
    // DelegatingAuthorizationOptions' AlwaysAllowGroups: kube-apiserver allows system:masters
    // everything in a hard-coded authorizer, so no review is asked for (none fails for it).
    if (user.groups.includes(PRIVILEGED_GROUP)) return { allowed: true };
    // As webhook.go fills SubjectAccessReviewSpec: the user's uid too, when it has one.
    const spec = {
      user: user.name,
      ...(user.uid ? { uid: user.uid } : {}),
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
    // Keyed by a digest of the spec, not the spec: a path, a metric name or a field-selected name
    // of up to a megabyte (the header limit) from any service account was each kept whole (~40
    // denied requests filled the 256 Mi limit), expired entries going only once 10,000 filled it.
    const key = createHash('sha256').update(JSON.stringify(spec)).digest('base64');
    const status = await cache.get(key, async () => {
      const review = await withRetry(
        () =>
          api.json<{ status?: SubjectAccessReviewStatus }>(
            'POST',
            '/apis/authorization.k8s.io/v1/subjectaccessreviews',
            { apiVersion: 'authorization.k8s.io/v1', kind: 'SubjectAccessReview', spec },
          ),
        retry,
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
  readonly user?: {
    username?: string;
    uid?: string;
    groups?: string[];
    extra?: Record<string, string[]>;
  };
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
 * Bearer tokens, checked with a TokenReview. No bearer token is no credential (`undefined`); a
 * token the review does not authenticate is refused (an AuthenticationError `invalid bearer
 * token`, bearertoken.go's), and so is one whose review cannot be made (the API server down or
 * answering an error: a 401, as upstream's union answers it, never anonymous), which is not
 * cached, so the next request tries again.
 */
export function tokenReviewAuthenticator(
  api: KubeApi,
  now: () => number = Date.now,
  onError: (error: unknown) => void = () => undefined,
  retry: ReviewRetry = {},
): Authenticator {
  const cache = new CollapsingCache<UserInfo | null>(TTL_MS, undefined, now);
  // Keyed by an HMAC of the token, as upstream's cached token authenticator keys it ("lowers the
  // memory requirement of the cache and keeps tokens out of memory"): keyed by the token itself,
  // an unauthenticated caller's rejected 1 MB tokens were each kept until 10,000 filled the cache.
  const secret = randomBytes(32);
  const keyOf = (token: string) => createHmac('sha256', secret).update(token).digest('base64');
  const review = async (token: string): Promise<UserInfo | null> => {
    const answer = await withRetry(
      () =>
        api.json<{ status?: TokenReviewStatus }>(
          'POST',
          '/apis/authentication.k8s.io/v1/tokenreviews',
          { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token } },
        ),
      retry,
    );
    const s = answer.status;
    if (!s?.authenticated || !s.user?.username) return null;
    return {
      name: s.user.username,
      ...(s.user.uid ? { uid: s.user.uid } : {}),
      groups: s.user.groups ?? [],
      ...(s.user.extra ? { extra: s.user.extra } : {}),
    };
  };
  return async (req: IncomingMessage) => {
    const token = bearerToken(req);
    if (!token) return undefined;
    let user: UserInfo | null;
    try {
      user = await cache.get(keyOf(token), () => review(token));
    } catch (error) {
      onError(error);
      throw new AuthenticationError(
        `the TokenReview failed: ${error instanceof Error ? error.message : String(error)}`,
        { cause: error },
      );
    }
    if (!user) throw new AuthenticationError('invalid bearer token');
    return user;
  };
}

export type { RequestAttributes };
