import type React from 'react';
import type * as ReactRouterDom from 'react-router-dom';
import type { NavigateProps } from 'react-router-dom';
import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { FakeTrackerApi } from '../../api/fake';
import { EVENT_1, ISSUES, SESSION } from '../../testdata/fixtures';
import { GRAFANA_ROUTER_FUTURE, renderApp } from '../../test/render';
import { testIds } from '../testIds';

/**
 * A redirect that lands on a path the app does not know redirects again. Under act() React runs
 * that loop's effects synchronously and for effects only warns "Maximum update depth exceeded", so
 * the test would spin forever, out of reach of jest's timeout. <Navigate> is wrapped to count its
 * renders (one per redirect; a working redirect renders once) and to throw past the limit, which
 * fails the test within a second, naming the loop.
 */
const mockRedirects = { count: 0, limit: 50 };
jest.mock('react-router-dom', () => {
  const actual = jest.requireActual<typeof ReactRouterDom>('react-router-dom');
  const { createElement } = jest.requireActual<typeof React>('react');
  return {
    ...actual,
    Navigate: function LoopGuardedNavigate(props: NavigateProps) {
      const { pathname } = actual.useLocation();
      if (++mockRedirects.count > mockRedirects.limit) {
        throw new Error(
          `Redirect loop: <Navigate to=${JSON.stringify(props.to)}> rendered more than ` +
            `${mockRedirects.limit} times in one test; it is now at ${pathname}`
        );
      }
      return createElement(actual.Navigate, props);
    },
  };
});
beforeEach(() => {
  mockRedirects.count = 0;
});

describe('App routes', () => {
  test('the app root opens the issues page', async () => {
    renderApp('/a/beacon-observability-app', new FakeTrackerApi({ issues: ISSUES }));
    expect(await screen.findByTestId(testIds.issues.container)).toBeInTheDocument();
  });

  test('an issue links to its detail page, whose event links to its debug session', async () => {
    renderApp(
      '/a/beacon-observability-app/issues',
      new FakeTrackerApi({ issues: ISSUES, events: { 1: [EVENT_1] }, sessions: [SESSION] })
    );
    const [first] = await screen.findAllByTestId(testIds.issues.row);
    await userEvent.click(first.querySelector('a')!);
    expect(await screen.findByTestId(testIds.issue.title)).toHaveTextContent('TypeError');
    expect(await screen.findByTestId(testIds.issue.sessionLink)).toHaveAttribute(
      'href',
      '/a/beacon-observability-app/sessions/req-42'
    );
  });

  // In a splat route, react-router v6 resolves a relative path without the splat; v7 (and v6 with
  // v7_relativeSplatPath, which grafana/grafana#130190 puts behind a Grafana feature toggle) with it.
  test.each([
    ['as Grafana resolves relative paths today', GRAFANA_ROUTER_FUTURE],
    ['with react-router v7 relative paths', { ...GRAFANA_ROUTER_FUTURE, v7_relativeSplatPath: true }],
  ])('a path the app does not know opens the issues page, %s', async (_, future) => {
    renderApp('/a/beacon-observability-app/no/such/page', new FakeTrackerApi({ issues: ISSUES }), future);
    expect(await screen.findByTestId(testIds.issues.container)).toBeInTheDocument();
  });

  test('the debug sessions page is routed', async () => {
    renderApp('/a/beacon-observability-app/sessions', new FakeTrackerApi({ sessions: [SESSION] }));
    expect(await screen.findByTestId(testIds.sessions.container)).toBeInTheDocument();
  });
});
