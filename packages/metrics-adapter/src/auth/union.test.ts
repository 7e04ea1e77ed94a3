// The group k8s.io/apiserver's AuthenticatedGroupAdder (pkg/authentication/group/
// authenticated_group_adder.go) gives: system:authenticated, unless the user is
// system:anonymous or already in system:authenticated or system:unauthenticated.
import type { IncomingMessage } from 'node:http';
import type { UserInfo } from './types';
import { authenticatedGroupAdder, union, withAuthenticatedGroup } from './union';

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
