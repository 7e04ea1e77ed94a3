// How k8s.io/apiserver's delegating authenticator combines its parts: a union that takes the
// first one to name a user (front proxy, client certificate, then bearer token), wrapped in
// group.NewAuthenticatedGroupAdder so every authenticated user is in system:authenticated —
// which the built-in RBAC for discovery, /version and health depends on.
import type { Authenticator, UserInfo } from './types';

export const AUTHENTICATED = 'system:authenticated';
const UNAUTHENTICATED = 'system:unauthenticated';
const ANONYMOUS = 'system:anonymous';

/** The first user any of `authenticators` names, in order; `undefined` when none does. */
export function union(...authenticators: readonly Authenticator[]): Authenticator {
  return async (req) => {
    for (const authenticate of authenticators) {
      const user = await authenticate(req);
      if (user) return user;
    }
    return undefined;
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
