import React, { useEffect, useState } from 'react';
import { MemoryRouter, Route, Router, Routes } from 'react-router-dom';
import { cleanup, render } from '@testing-library/react';
import { type PanelProps, dateTime, getDefaultTimeRange, LoadingState } from '@grafana/data';
import { locationService } from '@grafana/runtime';
import type { TrackerApi } from '../api/client';
import { TrackerApiProvider } from '../api/context';
import App from '../components/App/App';
import { PLUGIN_BASE_URL } from '../constants';

/**
 * React Router's v7 future flags as Grafana's router has them: off. Grafana mounts app plugins in a
 * react-router v6 `<Router>` (CompatRouter, later LocationServiceRouter) that sets no `future`, so
 * its state updates are not transitions and relative paths in splat routes drop the splat.
 * Grafana plans to turn both on behind feature toggles (grafana/grafana#130190).
 */
export const GRAFANA_ROUTER_FUTURE = { v7_startTransition: false, v7_relativeSplatPath: false } as const;

/**
 * Time for a property that renders the whole app 150-200 times: about 30 s on a quiet 2-core
 * machine, past jest's 60 s default for it when CI runs four packages' tests beside it.
 */
export const RENDER_PROPERTY_TIMEOUT_MS = 300_000;

/** Renders the app at `path` (e.g. `/a/beacon-observability-app/issues`) the way Grafana mounts it. */
export function renderApp(
  path: string,
  api: TrackerApi,
  future: { v7_startTransition: boolean; v7_relativeSplatPath: boolean } = GRAFANA_ROUTER_FUTURE
) {
  return render(
    <TrackerApiProvider api={api}>
      <MemoryRouter initialEntries={[path]} future={future}>
        <Routes>
          <Route path={`${PLUGIN_BASE_URL}/*`} element={<App {...({} as React.ComponentProps<typeof App>)} />} />
        </Routes>
      </MemoryRouter>
    </TrackerApiProvider>
  );
}

/**
 * Renders the app at `path` in a router that follows @grafana/runtime's `locationService`, as Grafana
 * does. Its history (v4, in memory under jest) runs decodeURI over every pathname pushed to it, which
 * MemoryRouter does not.
 */
export function renderAppInGrafanaHistory(path: string, api: TrackerApi) {
  locationService.push(path);
  return render(
    <TrackerApiProvider api={api}>
      <GrafanaRouter>
        <Routes>
          <Route path={`${PLUGIN_BASE_URL}/*`} element={<App {...({} as React.ComponentProps<typeof App>)} />} />
        </Routes>
      </GrafanaRouter>
    </TrackerApiProvider>
  );
}

/**
 * Reloads the app in Grafana's history from the address its last navigation left. The browser
 * history (v4) pushes its decoded pathname; the browser's URL parser escapes what a path cannot
 * hold (a space, not a "%"); on load the history runs decodeURI over that again, as `push` does.
 */
export function reloadAppInGrafanaHistory(api: TrackerApi) {
  const history = locationService.getHistory();
  const address = new URL(history.createHref(history.location), 'http://grafana.local');
  cleanup();
  return renderAppInGrafanaHistory(`${address.pathname}${address.search}${address.hash}`, api);
}

function GrafanaRouter({ children }: { children: React.ReactNode }) {
  const history = locationService.getHistory();
  const [location, setLocation] = useState(history.location);
  useEffect(() => history.listen(() => setLocation(history.location)), [history]);
  return (
    <Router
      navigator={history}
      location={location}
      future={{ v7_relativeSplatPath: GRAFANA_ROUTER_FUTURE.v7_relativeSplatPath }}
    >
      {children}
    </Router>
  );
}

/** The props Grafana gives a panel plugin's component. */
export function panelProps<T>(
  options: T,
  overrides: Partial<PanelProps<T>> & { variables?: Record<string, string> } = {}
): PanelProps<T> {
  const { variables = {}, ...rest } = overrides;
  const timeRange = getDefaultTimeRange();
  return {
    id: 1,
    data: { state: LoadingState.Done, series: [], timeRange },
    timeRange,
    timeZone: 'utc',
    options,
    fieldConfig: { defaults: {}, overrides: [] },
    transparent: false,
    width: 800,
    height: 400,
    renderCounter: 1,
    title: 'panel',
    eventBus: {} as PanelProps<T>['eventBus'],
    onOptionsChange: jest.fn(),
    onFieldConfigChange: jest.fn(),
    onChangeTimeRange: jest.fn(),
    replaceVariables: (s: string) => s.replace(/\$(\w+)/g, (m, name: string) => variables[name] ?? m),
    ...rest,
  } as PanelProps<T>;
}

export const rangeOf = (from: string, to: string) => {
  const f = dateTime(from);
  const t = dateTime(to);
  return { from: f, to: t, raw: { from: f, to: t } };
};
