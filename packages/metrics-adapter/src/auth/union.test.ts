// The group k8s.io/apiserver's AuthenticatedGroupAdder (pkg/authentication/group/
// authenticated_group_adder.go) gives: system:authenticated, unless the user is
// system:anonymous or already in system:authenticated or system:unauthenticated.
import type { IncomingMessage } from 'node:http';
import { AuthenticationError, type Authenticator, type UserInfo } from './types';
import { anonymousFallback, authenticatedGroupAdder, union, withAuthenticatedGroup } from './union';

describe('withAuthenticatedGroup', () => {
  it.each<[UserInfo, string[]]>([
    [{ name: 'jane', groups: ['dev'] }, ['dev', 'system:authenticated']],
    [{ name: 'jane', groups: ['system:authenticated', 'dev'] }, ['system:authenticated', 'dev']],
    // A front proxy may name a user in system:unauthenticated; upstream leaves it there alone,
    // and RBAC bindings for system:authenticated must not reach it.
    [{ name: 'guest', groups: ['system:unauthenticated'] }, ['system:unauthenticated']],
    [{ name: 'guest', groups: ['x', 'system:unauthenticated'] }, ['x', 'system:unauthenticated']],
    [{ name: 'system:anonymous', groups: [] }, []],
  ])('%j gets the groups %j', (user, groups) => {
    expect(withAuthenticatedGroup(user).groups).toEqual(groups);
  });

  it('is applied to the first user the union names, and to no one when none does', async () => {
    const req = {} as IncomingMessage;
    const none = async () => undefined;
    const guest = async () => ({ name: 'guest', groups: ['system:unauthenticated'] });
    const jane = async () => ({ name: 'jane', groups: [] });
    expect(await authenticatedGroupAdder(union(none, guest, jane))(req)).toEqual({
      name: 'guest',
      groups: ['system:unauthenticated'],
    });
    expect(await authenticatedGroupAdder(union(none, jane, guest))(req)).toEqual({
      name: 'jane',
      groups: ['system:authenticated'],
    });
    expect(await authenticatedGroupAdder(union(none))(req)).toBeUndefined();
  });
});

// union.New, then union.NewFailOnError(…, anonymous), as delegating.go builds them: an authenticator
// that refuses a credential (returns an error) does not stop the others, but when no one is named
// the refusal is the answer (a 401); only a request nobody refuses and nobody names is anonymous.
describe('union and the anonymous fallback', () => {
  const req = {} as IncomingMessage;
  const none = async () => undefined;
  const jane = async () => ({ name: 'jane', groups: [] });
  const refuses = (why: string) => async () => {
    throw new AuthenticationError(why);
  };

  it('takes a user named after a refusal, and passes a refusal on when no one is named', async () => {
    expect(await union(refuses('invalid bearer token'), jane)(req)).toEqual({
      name: 'jane',
      groups: [],
    });
    await expect(union(none, refuses('invalid bearer token'))(req)).rejects.toThrow(
      new AuthenticationError('invalid bearer token'),
    );
    // Several refusals, joined as utilerrors.NewAggregate joins them.
    await expect(union(refuses('a'), none, refuses('b'))(req)).rejects.toThrow(
      new AuthenticationError('[a, b]'),
    );
  });

  it('names system:anonymous in system:unauthenticated (no uid, not system:authenticated) only when nothing is refused', async () => {
    const delegating = (...parts: Authenticator[]) =>
      anonymousFallback(authenticatedGroupAdder(union(...parts)));
    expect(await delegating(none, none)(req)).toEqual({
      name: 'system:anonymous',
      groups: ['system:unauthenticated'],
    });
    expect(await delegating(none, jane)(req)).toEqual({
      name: 'jane',
      groups: ['system:authenticated'],
    });
    await expect(delegating(refuses('invalid bearer token'), none)(req)).rejects.toBeInstanceOf(
      AuthenticationError,
    );
  });
});
