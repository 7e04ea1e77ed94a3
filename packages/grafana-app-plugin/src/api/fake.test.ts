import { isAborted } from './client';
import { FakeTrackerApi } from './fake';
import { ISSUES } from '../testdata/fixtures';

describe('FakeTrackerApi and a signal, as ProxyTrackerApi', () => {
  test('a read still on its way rejects as cancelled when its signal aborts, and records the signal', async () => {
    const api = new FakeTrackerApi({ issues: ISSUES, pending: ['issueEvents'] });
    const controller = new AbortController();
    const answer = api.issueEvents(1, undefined, 10, { signal: controller.signal }).catch((e) => e);
    expect(api.callsOf('issueEvents')).toEqual([[1, undefined, 10]]);
    expect(api.signalsOf('issueEvents')).toEqual([controller.signal]);
    controller.abort();
    const err = await answer;
    expect([err.kind, err.message, isAborted(err)]).toEqual(['aborted', 'issueEvents: cancelled', true]);
  });

  test('a signal aborted already is not sent: the read rejects and is not recorded', async () => {
    const api = new FakeTrackerApi({ issues: ISSUES });
    const controller = new AbortController();
    controller.abort();
    const err = await api.getIssue(1, { signal: controller.signal }).catch((e) => e);
    expect([err.kind, isAborted(err)]).toEqual(['aborted', true]);
    expect(api.calls).toEqual([]);
  });

  test('a read answered with a signal is answered as without one', async () => {
    const api = new FakeTrackerApi({ issues: ISSUES });
    const controller = new AbortController();
    const issue = await api.getIssue(2, { signal: controller.signal });
    controller.abort();
    expect(issue.title).toBe('QueryFailedError: deadlock detected');
    expect(api.signalsOf('getIssue')).toEqual([controller.signal]);
  });
});
