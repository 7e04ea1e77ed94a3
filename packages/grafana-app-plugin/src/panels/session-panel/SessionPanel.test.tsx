import React from 'react';
import { render, screen } from '@testing-library/react';
import { ProxyTrackerApi, type TrackerApi } from '../../api/client';
import { TrackerApiProvider } from '../../api/context';
import { FakeTrackerApi } from '../../api/fake';
import { testIds } from '../../components/testIds';
import { fakeBackend } from '../../test/backend';
import { ODD_SESSION_ID, SESSION, SESSION_CUT, sessionWithId } from '../../testdata/fixtures';
import { panelProps } from '../../test/render';
import { plugin } from './module';
import { SessionPanel, defaultSessionPanelOptions } from './SessionPanel';

function renderPanel(api: TrackerApi, variables: Record<string, string>, width = 800) {
  const props = panelProps(defaultSessionPanelOptions, { variables, width });
  return render(
    <TrackerApiProvider api={api}>
      <SessionPanel {...props} />
    </TrackerApiProvider>
  );
}

describe('Debug session panel', () => {
  test('shows the timeline of the session named by the $correlation_id variable', async () => {
    const api = new FakeTrackerApi({ sessions: [SESSION] });
    renderPanel(api, { correlation_id: 'req-42' });
    const ops = await screen.findAllByTestId(testIds.session.operation);
    expect(ops).toHaveLength(3);
    expect(screen.getByRole('link', { name: 'req-42' })).toHaveAttribute(
      'href',
      '/a/beacon-observability-app/sessions/req-42'
    );
    expect(screen.getByText(/2\.00 s · 3 operations · 1 errors/)).toBeInTheDocument();
    expect(screen.getByTestId(testIds.session.errorMarker)).toBeInTheDocument();
    expect(api.callsOf('getSession')).toEqual([['req-42']]);
    expect(screen.queryByTestId(testIds.session.cut)).toBeNull();
  });

  test('a session the tracker answered cut says its timeline shows only the first operations', async () => {
    renderPanel(new FakeTrackerApi({ sessions: [SESSION_CUT] }), { correlation_id: 'req-44' });
    expect(await screen.findByTestId(testIds.session.cut)).toHaveTextContent(
      '· Showing the first 3 of 200000 operations (the earliest by start).'
    );
    expect(screen.getByText(/ · 200000 operations · 4100 errors/)).toBeInTheDocument();
    expect(screen.getAllByTestId(testIds.session.operation)).toHaveLength(3);
  });

  test('a session whose id has :, ?, #, a space and % is asked of the tracker and linked as one path segment', async () => {
    const segment = 'checkout%3Areq-42%3Fx%3D1%23top%2050%25';
    const sessions = 'api/plugin-proxy/beacon-observability-app/tracker/api/v1/sessions';
    const { backend, requests } = fakeBackend({ [`GET ${sessions}/${segment}`]: sessionWithId(ODD_SESSION_ID) });
    renderPanel(new ProxyTrackerApi(() => backend), { correlation_id: ODD_SESSION_ID });
    expect(await screen.findByRole('link', { name: ODD_SESSION_ID })).toHaveAttribute(
      'href',
      `/a/beacon-observability-app/sessions/${segment}`
    );
    expect(requests).toEqual([`GET ${sessions}/${segment}`]);
  });

  test('narrow panels show bars only', async () => {
    renderPanel(new FakeTrackerApi({ sessions: [SESSION] }), { correlation_id: 'req-42' }, 400);
    const ops = await screen.findAllByTestId(testIds.session.operation);
    expect(ops[0].textContent).toBe('2.00 s slow');
  });

  test('without a correlation id it says how to give one and asks the tracker nothing', async () => {
    const api = new FakeTrackerApi({ sessions: [SESSION] });
    renderPanel(api, {});
    expect(await screen.findByTestId(testIds.state.empty)).toHaveTextContent("set the panel's Correlation id option");
    expect(api.calls).toEqual([]);
  });

  test('an unknown correlation id shows not found', async () => {
    renderPanel(new FakeTrackerApi({ sessions: [SESSION] }), { correlation_id: 'gone' });
    expect(await screen.findByTestId(testIds.state.error)).toHaveTextContent('Not found');
  });

  test('the panel plugin renders SessionPanel with $correlation_id by default', () => {
    expect(plugin.panel).toBe(SessionPanel);
    expect(defaultSessionPanelOptions).toEqual({ correlationId: '$correlation_id' });
  });
});
