// Who is asking, and may they. Authentication reads the TLS client certificate (client CA, or
// the aggregator's front proxy with X-Remote-User) or a bearer token; authorization asks the
// Kubernetes API with a SubjectAccessReview, as every aggregated API server does.
import type { IncomingMessage } from 'node:http';

export interface UserInfo {
  readonly name: string;
  /**
   * What the user is named by beyond its name: a TokenReview's uid (a service account's), or the
   * front proxy's uid header (--requestheader-uid-headers).
   */
  readonly uid?: string;
  readonly groups: readonly string[];
  readonly extra?: Readonly<Record<string, readonly string[]>>;
}

/**
 * As k8s.io/apiserver's authenticator.Request (user, ok, err): resolves the user; `undefined` when
 * the request carries no credential this authenticator reads (not ok: the next one, or anonymous,
 * may take it); rejects with an AuthenticationError when it reads one and refuses it (err: a 401,
 * unless another authenticator names a user).
 */
export type Authenticator = (req: IncomingMessage) => Promise<UserInfo | undefined>;

/** Credentials presented and refused: a token the TokenReview rejects, a certificate that does not verify. */
export class AuthenticationError extends Error {
  override name = 'AuthenticationError';
}

export type RequestAttributes =
  | {
      readonly kind: 'resource';
      readonly verb: string;
      readonly group: string;
      readonly version: string;
      readonly resource: string;
      readonly subresource?: string;
      readonly namespace?: string;
      readonly name?: string;
    }
  | { readonly kind: 'nonResource'; readonly verb: string; readonly path: string };

export interface Decision {
  readonly allowed: boolean;
  readonly reason?: string;
}

export type Authorizer = (user: UserInfo, attributes: RequestAttributes) => Promise<Decision>;

/** k8s.io/apiserver's anonymous authenticator's user: no uid, no extra. */
export const anonymous: UserInfo = { name: 'system:anonymous', groups: ['system:unauthenticated'] };

/** For running without any authentication configured (local development only). */
export const allowAnonymous: Authenticator = async () => anonymous;
export const allowAll: Authorizer = async () => ({ allowed: true });
