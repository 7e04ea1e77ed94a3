import React from 'react';
import { act, renderHook } from '@testing-library/react';
import { MemoryRouter, useLocation, useNavigate, useNavigationType } from 'react-router-dom';
import { GRAFANA_ROUTER_FUTURE } from '../test/render';
import { useListParam, useQueryParams } from './useQueryParams';

/** The hooks at `/issues?status=open`, opened from `/sessions`, with the history's last step and Back. */
function renderFromSessions() {
  const wrapper = ({ children }: { children: React.ReactNode }) => (
    <MemoryRouter initialEntries={['/sessions', '/issues?status=open']} initialIndex={1} future={GRAFANA_ROUTER_FUTURE}>
      {children}
    </MemoryRouter>
  );
  const { result } = renderHook(
    () => {
      const [, setParam] = useQueryParams();
      const navigate = useNavigate();
      return {
        setParam,
        setList: useListParam(),
        location: useLocation(),
        step: useNavigationType(),
        back: () => navigate(-1),
      };
    },
    { wrapper }
  );
  const at = () => `${result.current.location.pathname}${result.current.location.search}`;
  return { result, at };
}

describe('useQueryParams and useListParam: the browser history', () => {
  test('a choice is a step of its own that Back undoes', () => {
    const { result, at } = renderFromSessions();
    act(() => result.current.setParam('status', 'resolved'));
    expect([at(), result.current.step]).toEqual(['/issues?status=resolved', 'PUSH']);
    act(() => result.current.setParam('severity', 'critical'));
    expect([at(), result.current.step]).toEqual(['/issues?status=resolved&severity=critical', 'PUSH']);

    act(() => result.current.back());
    expect(at()).toBe('/issues?status=resolved');
    act(() => result.current.back());
    expect(at()).toBe('/issues?status=open');
    act(() => result.current.back());
    expect(at()).toBe('/sessions');
  });

  test('values picked in a multi-select are a step each, and so is clearing them', () => {
    const { result, at } = renderFromSessions();
    act(() => result.current.setList('service', ['checkout']));
    act(() => result.current.setList('service', ['checkout', 'billing']));
    expect([at(), result.current.step]).toEqual(['/issues?status=open&service=checkout&service=billing', 'PUSH']);
    act(() => result.current.setList('service', []));
    expect([at(), result.current.step]).toEqual(['/issues?status=open', 'PUSH']);

    act(() => result.current.back());
    expect(at()).toBe('/issues?status=open&service=checkout&service=billing');
    act(() => result.current.back());
    expect(at()).toBe('/issues?status=open&service=checkout');
    act(() => result.current.back());
    expect(at()).toBe('/issues?status=open');
  });

  test('typing replaces the step it is on: Back goes to the choice before it, not through each pause', () => {
    const { result, at } = renderFromSessions();
    act(() => result.current.setParam('severity', 'critical'));
    // A debounced search box reports "dead", then, after another pause, "deadlock".
    act(() => result.current.setParam('q', 'dead', 'replace'));
    act(() => result.current.setParam('q', 'deadlock', 'replace'));
    expect([at(), result.current.step]).toEqual(['/issues?status=open&severity=critical&q=deadlock', 'REPLACE']);
    act(() => result.current.setList('environment', ['production'], 'replace'));
    expect(result.current.step).toBe('REPLACE');

    act(() => result.current.back());
    expect(at()).toBe('/issues?status=open');
    act(() => result.current.back());
    expect(at()).toBe('/sessions');
  });
});
