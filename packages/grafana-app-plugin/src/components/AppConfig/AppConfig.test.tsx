import React from 'react';
import { of } from 'rxjs';
import { render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { PluginType } from '@grafana/data';
import * as runtime from '@grafana/runtime';
import AppConfig, { type AppConfigProps, trackerUrlProblem } from './AppConfig';
import { testIds } from 'components/testIds';

jest.mock('@grafana/runtime', () => ({
  ...jest.requireActual('@grafana/runtime'),
  getBackendSrv: jest.fn(),
}));

function propsWith(meta: Partial<AppConfigProps['plugin']['meta']>): AppConfigProps {
  return {
    plugin: {
      meta: {
        id: 'beacon-observability-app',
        name: 'Beacon Observability',
        type: PluginType.app,
        enabled: true,
        pinned: true,
        jsonData: {},
        ...meta,
      },
    },
    query: {},
  } as unknown as AppConfigProps;
}

describe('Configuration page', () => {
  let fetch: jest.Mock;
  const reload = jest.fn();

  beforeEach(() => {
    fetch = jest.fn(() => of({ data: {}, status: 200 }));
    (runtime.getBackendSrv as jest.Mock).mockReturnValue({ fetch });
    Object.defineProperty(window, 'location', { value: { ...window.location, reload }, writable: true });
    reload.mockReset();
  });

  test('shows the stored tracker URL and, for a stored token, only that it is configured', () => {
    render(
      <AppConfig
        {...propsWith({ jsonData: { trackerUrl: 'http://tracker:9300' }, secureJsonFields: { apiToken: true } })}
      />
    );
    expect(screen.getByTestId(testIds.appConfig.trackerUrl)).toHaveValue('http://tracker:9300');
    const token = screen.getByTestId(testIds.appConfig.apiToken);
    expect(token).toHaveValue('configured');
    expect(token).toBeDisabled();
    expect(screen.getByRole('button', { name: 'Save settings' })).toBeEnabled();
  });

  test('saves the URL in jsonData and a new token only in secureJsonData, then reloads', async () => {
    render(<AppConfig {...propsWith({})} />);
    expect(screen.getByRole('button', { name: 'Save settings' })).toBeDisabled();
    await userEvent.type(screen.getByTestId(testIds.appConfig.trackerUrl), 'http://tracker:9300/');
    await userEvent.type(screen.getByTestId(testIds.appConfig.apiToken), 's3cret');
    await userEvent.click(screen.getByRole('button', { name: 'Save settings' }));
    await waitFor(() => expect(reload).toHaveBeenCalled());
    expect(fetch).toHaveBeenCalledWith({
      url: '/api/plugins/beacon-observability-app/settings',
      method: 'POST',
      data: {
        enabled: true,
        pinned: true,
        jsonData: { trackerUrl: 'http://tracker:9300' },
        secureJsonData: { apiToken: 's3cret' },
      },
      // Grafana's backendSrv toasts a POST to its API unless told not to (showErrorAlert and
      // showSuccessAlert in backend_srv.ts); the form reports a failure itself.
      showErrorAlert: false,
      showSuccessAlert: false,
    });
  });

  test('leaves a stored token untouched when only the URL changes', async () => {
    render(
      <AppConfig
        {...propsWith({ jsonData: { trackerUrl: 'http://old:9300' }, secureJsonFields: { apiToken: true } })}
      />
    );
    const url = screen.getByTestId(testIds.appConfig.trackerUrl);
    await userEvent.clear(url);
    await userEvent.type(url, 'https://tracker.example.com');
    await userEvent.click(screen.getByRole('button', { name: 'Save settings' }));
    await waitFor(() => expect(fetch).toHaveBeenCalled());
    const { data } = fetch.mock.calls[0][0];
    expect(data.jsonData).toEqual({ trackerUrl: 'https://tracker.example.com' });
    expect(data.secureJsonData).toBeUndefined();
    expect(JSON.stringify(data.jsonData)).not.toContain('apiToken');
  });

  test('a bad URL is named and cannot be saved', async () => {
    render(<AppConfig {...propsWith({ secureJsonFields: { apiToken: true } })} />);
    const url = screen.getByTestId(testIds.appConfig.trackerUrl);
    await userEvent.type(url, 'tracker:9300');
    await userEvent.tab();
    expect(screen.getByText('the tracker URL must be http or https; got "tracker:"')).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Save settings' })).toBeDisabled();
  });

  test.each([
    ['', 'Enter the tracking server URL, e.g. http://beacon-tracking-server:9300'],
    ['not a url', '"not a url" is not a URL; write it with its scheme, e.g. http://beacon-tracking-server:9300'],
    ['ftp://x', 'the tracker URL must be http or https; got "ftp:"'],
    ['http://x/?a=1', 'the tracker URL must not have a query or fragment'],
    [
      'http://admin:s3cret@tracker:9300',
      'the tracker URL must not hold a user name or password (every Grafana user can read it); the API token is what authenticates',
    ],
    [
      'https://admin@tracker',
      'the tracker URL must not hold a user name or password (every Grafana user can read it); the API token is what authenticates',
    ],
    ['http://beacon-tracking-server:9300', undefined],
  ])('trackerUrlProblem(%j)', (url, problem) => {
    expect(trackerUrlProblem(url)).toBe(problem);
  });
});
