// How k8s.io/apiserver's delegating authenticator (authenticatorfactory/delegating.go) combines
// its parts: a union that takes the first one to name a user (front proxy, client certificate,
// then bearer token), wrapped in group.NewAuthenticatedGroupAdder so every authenticated user is
// in system:authenticated — which the built-in RBAC for discovery, /version and health depends on
// — and, last, the anonymous authenticator, joined with union.NewFailOnError: a request with no
// credentials is system:anonymous, one whose credentials were refused stays refused.
import { anonymous, AuthenticationError, type Authenticator, type UserInfo } from './types';

export const AUTHENTICATED = 'system:authenticated';
const UNAUTHENTICATED = 'system:unauthenticated';
const ANONYMOUS = 'system:anonymous';

/**
 * The first user any of `authenticators` names, in order, as union.New: one that refuses the
 * request's credentials does not stop the others; when none names a user, the refusals are the
 * answer (an AuthenticationError, as utilerrors.NewAggregate joins them), else `undefined`.
 */
export function union(...authenticators: readonly Authenticator[]): Authenticator {
  return async (req) => {
    const refusals: Error[] = [];
    for (const authenticate of authenticators) {
      try {
        const user = await authenticate(req);
        if (user) return user;
      } catch (err) {
        refusals.push(err instanceof Error ? err : new Error(String(err)));
      }
    }
    const [only, ...more] = refusals;
    if (!only) return undefined;
    if (more.length === 0)
      throw only instanceof AuthenticationError
        ? only
        : new AuthenticationError(only.message, { cause: only });
    throw new AuthenticationError(`[${refusals.map((e) => e.message).join(', ')}]`, {
      cause: refusals,
    });
  };
}

/** `user` with system:authenticated added, as AuthenticatedGroupAdder does: once, never to anonymous. */
export function withAuthenticatedGroup(user: UserInfo): UserInfo {
  if (user.name === ANONYMOUS) return user;
  if (user.groups.some((g) => g === AUTHENTICATED || g === UNAUTHENTICATED)) return user;
  return { ...user, groups: [...user.groups, AUTHENTICATED] };
}

export function authenticatedGroupAdder(authenticate: Authenticator): Authenticator {
  return async (req) => {
    const user = await authenticate(req);
    return user && withAuthenticatedGroup(user);
  };
}

/**
 * `authenticate`, then anonymous, as union.NewFailOnError(authenticator, anonymous): a request
 * `authenticate` names no one for, and refuses nothing of, is system:anonymous in
 * system:unauthenticated (authorized like anyone); a refusal is passed on (a 401).
 */
export function anonymousFallback(authenticate: Authenticator): Authenticator {
  return async (req) => (await authenticate(req)) ?? anonymous;
}
