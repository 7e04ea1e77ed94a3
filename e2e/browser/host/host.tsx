// The in-page half of the plugin host: what Grafana's frontend does for an app plugin, and no
// more. It hands the plugin Grafana's shared dependencies through SystemJS (`package:` modules
// and an import map, as Grafana's buildImportMap does), a fetch-based BackendSrv, the theme and
// a router on locationService's history, then imports the built dist/module.js and renders its
// root page or one of its nested panels. It is not Grafana: no nav chrome, no extension
// registry, no sandbox. The server half (server.ts) answers the plugin's proxy route.
import * as emotionCss from '@emotion/css';
import * as emotionReact from '@emotion/react';
import * as grafanaData from '@grafana/data';
import {
  type AppPlugin,
  type AppPluginMeta,
  type PanelPlugin,
  type PanelProps,
  type TimeRange,
  EventBusSrv,
  LoadingState,
  PluginContextProvider,
  ThemeContext,
  dateTime,
  setTimeZoneResolver,
  standardEditorsRegistry,
} from '@grafana/data';
import * as grafanaI18n from '@grafana/i18n';
import * as grafanaRuntime from '@grafana/runtime';
import {
  type BackendSrv,
  type BackendSrvRequest,
  type FetchResponse,
  LocationServiceProvider,
  config,
  locationService,
  setBackendSrv,
} from '@grafana/runtime';
import * as grafanaUi from '@grafana/ui';
import { GlobalStyles } from '@grafana/ui';
import i18next from 'i18next';
import lodash from 'lodash';
import moment from 'moment';
import * as React from 'react';
import * as ReactDOM from 'react-dom';
import * as ReactDOMClient from 'react-dom/client';
import * as jsxRuntime from 'react/jsx-runtime';
import * as reactRouterDom from 'react-router-dom';
import { Route, Router, Routes } from 'react-router-dom';
import * as rxjs from 'rxjs';
import { Observable } from 'rxjs';
import * as rxjsOperators from 'rxjs/operators';
import { parseBody, processRequestError } from './fetch-error';

interface SystemJS {
  set(id: string, module: object): void;
  addImportMap(map: { imports: Record<string, string> }): void;
  import(id: string): Promise<Record<string, unknown>>;
}

declare global {
  interface Window {
    System: SystemJS;
    beaconHost: BeaconHost;
  }
}

/** Modules whose export is a function reach plugins as Grafana gives them: namespace + default. */
const useDefault = (fn: object) => ({ ...fn, default: fn, __useDefault: true });

const shared: Record<string, object> = {
  react: React,
  'react-dom': ReactDOM,
  'react-dom/client': ReactDOMClient,
  'react/jsx-runtime': jsxRuntime,
  '@grafana/data': grafanaData,
  '@grafana/ui': grafanaUi,
  '@grafana/runtime': grafanaRuntime,
  '@grafana/i18n': grafanaI18n,
  '@emotion/css': emotionCss,
  '@emotion/react': emotionReact,
  rxjs,
  'rxjs/operators': rxjsOperators,
  lodash: useDefault(lodash),
  moment: useDefault(moment),
  i18next,
  // The plugin bundles react-router-dom but imports react-router as external: both names get the
  // host's one copy, so links and useParams see the host's router.
  'react-router-dom': reactRouterDom,
  'react-router': reactRouterDom,
};

const imports: Record<string, string> = {};
for (const [name, module] of Object.entries(shared)) {
  window.System.set(`package:${name}`, module);
  imports[name] = `package:${name}`;
}
window.System.addImportMap({ imports });

// The user's time zone, as Grafana's app.ts sets it before any plugin loads: @grafana/data's
// formatters (dateTimeFormat, timeZoneAbbrevation) use it where no zone is passed.
setTimeZoneResolver(() => config.bootData.user.timezone);

// Panel option editors are Grafana core's; a panel's option builder looks its editors up by id
// (and PanelPlugin.defaults runs the builder). No options pane is drawn here, so each id gets an
// editor that renders nothing.
const editorIds = [
  'text',
  'number',
  'slider',
  'select',
  'multiSelect',
  'radio',
  'boolean',
  'color',
  'unit',
  'links',
];
standardEditorsRegistry.setInit(() =>
  editorIds.map((id) => ({ id, name: id, editor: () => null })),
);

async function request<T>(
  options: BackendSrvRequest,
  signal?: AbortSignal,
): Promise<FetchResponse<T>> {
  const params = options.params
    ? `?${new URLSearchParams(options.params as Record<string, string>)}`
    : '';
  const url = `/${options.url.replace(/^\//, '')}${params}`;
  const hasBody = options.data !== undefined;
  let res: Response;
  try {
    res = await fetch(url, {
      method: options.method ?? 'GET',
      headers: {
        ...(hasBody ? { 'Content-Type': 'application/json' } : {}),
        ...(options.headers ?? {}),
      },
      body: hasBody ? JSON.stringify(options.data) : undefined,
      signal,
    });
  } catch (cause) {
    // No answer: Grafana's processRequestError gives the fetch's own error a data.message.
    throw Object.assign(cause as Error, processRequestError({ data: undefined, config: options }));
  }
  // Bytes when the request asks for them (an attachment's download), refusals too, as Grafana's
  // parseResponseBody reads a body by the request's responseType.
  const bytes =
    options.responseType === 'arraybuffer'
      ? await res.arrayBuffer()
      : options.responseType === 'blob'
        ? await res.blob()
        : undefined;
  const text = bytes === undefined ? await res.text() : '';
  if (!res.ok) {
    throw processRequestError({
      status: res.status,
      statusText: res.statusText,
      data: bytes ?? parseBody(text),
      config: options,
    });
  }
  // JSON if it parses, else the text, as Grafana's backendSrv gives it.
  const data = bytes ?? (text ? parseBody(text) : undefined);
  return {
    data: data as T,
    status: res.status,
    statusText: res.statusText,
    ok: true,
    headers: res.headers,
    redirected: res.redirected,
    type: res.type,
    url: res.url,
    config: options,
  };
}

// As Grafana's backendSrv.fetch (rxjs fromFetch): unsubscribing aborts the browser's request.
const fetchObservable = <T,>(options: BackendSrvRequest) =>
  new Observable<FetchResponse<T>>((subscriber) => {
    const controller = new AbortController();
    request<T>(options, controller.signal).then(
      (response) => {
        subscriber.next(response);
        subscriber.complete();
      },
      (error) => subscriber.error(error),
    );
    return () => controller.abort();
  });

const data = async <T,>(options: BackendSrvRequest) => (await request<T>(options)).data;

const backendSrv = {
  fetch: fetchObservable,
  request: data,
  datasourceRequest: request,
  get: (url: string, params?: BackendSrvRequest['params']) => data({ url, params }),
  delete: (url: string, body?: unknown) => data({ url, method: 'DELETE', data: body }),
  post: (url: string, body?: unknown) => data({ url, method: 'POST', data: body }),
  patch: (url: string, body?: unknown) => data({ url, method: 'PATCH', data: body }),
  put: (url: string, body?: unknown) => data({ url, method: 'PUT', data: body }),
  resolveCancelerIfExists: () => undefined,
} as unknown as BackendSrv;
setBackendSrv(backendSrv);

/** react-router v6 driven by locationService's history, so the plugin's pushes change the page. */
function HostRouter({ children }: { children: React.ReactNode }) {
  const history = locationService.getHistory();
  const [location, setLocation] = React.useState(history.location);
  React.useLayoutEffect(
    () => history.listen((next: typeof history.location) => setLocation(next)),
    [history],
  );
  return (
    <Router location={location} navigator={history}>
      {children}
    </Router>
  );
}

function Shell({ meta, children }: { meta: AppPluginMeta; children: React.ReactNode }) {
  return (
    <ThemeContext.Provider value={config.theme2}>
      <GlobalStyles />
      <LocationServiceProvider service={locationService}>
        <PluginContextProvider meta={meta}>
          <HostRouter>{children}</HostRouter>
        </PluginContextProvider>
      </LocationServiceProvider>
    </ThemeContext.Provider>
  );
}

/** Rendering failures the test waits on instead of timing out. */
class Boundary extends React.Component<{ children: React.ReactNode }, { error?: Error }> {
  override state: { error?: Error } = {};
  static getDerivedStateFromError(error: Error) {
    return { error };
  }
  override componentDidCatch(error: Error) {
    window.beaconHost.error = String(error?.stack ?? error);
  }
  override render() {
    return this.state.error ? (
      <pre data-testid="host-error">{String(this.state.error)}</pre>
    ) : (
      this.props.children
    );
  }
}

interface PanelRequest {
  /** Path of the nested panel's module under the plugin's base, e.g. `panels/issues-panel`. */
  module: string;
  options: Record<string, unknown>;
  width: number;
  height: number;
  /** Time range as epoch ms. */
  from: number;
  to: number;
  /** Dashboard variables that replaceVariables substitutes (`$name` and `${name}`). */
  variables: Record<string, string>;
}

interface BeaconHost {
  error?: string;
  renderApp(meta: AppPluginMeta): Promise<void>;
  renderPanel(meta: AppPluginMeta, panel: PanelRequest): Promise<void>;
  /** Renders what the URL names: `/a/<id>/…` the app, `/panel?request=<json>` a nested panel. */
  start(meta: AppPluginMeta): Promise<void>;
}

/**
 * The page with Grafana's global styles and theme but no plugin yet, painted: in Grafana the
 * chrome and its styles are there long before an app page or panel renders, so their first
 * style and layout pass must not be counted as the plugin's. So are the chrome's fonts: its
 * text (nav, breadcrumbs, buttons) is Inter at 400 and 500, loaded before any page opens.
 */
async function paintedShell(meta: AppPluginMeta): Promise<ReactDOMClient.Root> {
  const root = ReactDOMClient.createRoot(document.getElementById('root')!);
  root.render(<Shell meta={meta}>{null}</Shell>);
  await new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve)));
  await Promise.all(CHROME_FONTS.map((font) => document.fonts.load(font)));
  return root;
}
const CHROME_FONTS = ['400 14px Inter', '500 14px Inter'];
// A URL, not `public/plugins/…` bare: SystemJS resolves bare names only through the import map.
const moduleUrl = (meta: AppPluginMeta, path = '') =>
  new URL(`${meta.baseUrl}/${path ? `${path}/` : ''}module.js`, document.baseURI).href;

window.beaconHost = {
  async renderApp(meta) {
    const { plugin } = (await window.System.import(moduleUrl(meta))) as { plugin: AppPlugin };
    plugin.init(meta);
    plugin.meta = meta;
    const Root = plugin.root!;
    const basename = `/a/${meta.id}`;
    (await paintedShell(meta)).render(
      <Shell meta={meta}>
        <Boundary>
          <Routes>
            <Route
              path={`${basename}/*`}
              element={
                <Root
                  meta={meta}
                  path={basename}
                  query={{}}
                  onNavChanged={() => {}}
                  basename={basename}
                />
              }
            />
          </Routes>
        </Boundary>
      </Shell>,
    );
  },

  async renderPanel(meta, panel) {
    const { plugin } = (await window.System.import(moduleUrl(meta, panel.module))) as {
      plugin: PanelPlugin;
    };
    const Panel = plugin.panel!;
    const timeRange: TimeRange = {
      from: dateTime(panel.from),
      to: dateTime(panel.to),
      raw: { from: dateTime(panel.from), to: dateTime(panel.to) },
    };
    // Grafana's template service: $name, ${name} and ${name:raw}; unknown names are left alone.
    const replaceVariables = (value: string) =>
      value.replace(/\$\{(\w+)(?::\w+)?\}|\$(\w+)/g, (all, a, b) => panel.variables[a ?? b] ?? all);
    const props: PanelProps = {
      id: 1,
      title: 'panel',
      data: { state: LoadingState.Done, series: [], timeRange },
      timeRange,
      timeZone: 'browser',
      options: { ...plugin.defaults, ...panel.options },
      fieldConfig: { defaults: {}, overrides: [] },
      transparent: false,
      width: panel.width,
      height: panel.height,
      renderCounter: 1,
      eventBus: new EventBusSrv(),
      replaceVariables,
      onOptionsChange: () => {},
      onFieldConfigChange: () => {},
      onChangeTimeRange: () => {},
    };
    (await paintedShell(meta)).render(
      <Shell meta={meta}>
        <Boundary>
          <div data-testid="host-panel" style={{ width: panel.width, height: panel.height }}>
            <Panel {...props} />
          </div>
        </Boundary>
      </Shell>,
    );
  },

  async start(meta) {
    try {
      const panel = new URLSearchParams(window.location.search).get('panel');
      await (panel ? this.renderPanel(meta, JSON.parse(panel)) : this.renderApp(meta));
    } catch (error) {
      this.error = String((error as Error)?.stack ?? error);
    }
  },
};
