import React, { type ChangeEvent, type FormEvent, useState } from 'react';
import { lastValueFrom } from 'rxjs';
import { css } from '@emotion/css';
import type { AppPluginMeta, GrafanaTheme2, PluginConfigPageProps, PluginMeta } from '@grafana/data';
import { getBackendSrv } from '@grafana/runtime';
import { Alert, Button, Field, FieldSet, Input, SecretInput, useStyles2 } from '@grafana/ui';
import { testIds } from '../testIds';

/** jsonData: what Grafana may show back. The API token lives only in secureJsonData (`apiToken`). */
export type AppSettings = {
  trackerUrl?: string;
};

type State = {
  trackerUrl: string;
  /** Grafana says a token is stored (secureJsonFields.apiToken); its value never comes back. */
  isTokenSet: boolean;
  apiToken: string;
};

export interface AppConfigProps extends PluginConfigPageProps<AppPluginMeta<AppSettings>> {}

/** Returns what is wrong with a tracker URL, or undefined when it is usable. */
export function trackerUrlProblem(url: string): string | undefined {
  if (!url) {
    return 'Enter the tracking server URL, e.g. http://beacon-tracking-server:9300';
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return `"${url}" is not a URL; write it with its scheme, e.g. http://beacon-tracking-server:9300`;
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    return `the tracker URL must be http or https; got "${parsed.protocol}"`;
  }
  // jsonData goes to every signed-in user's browser with the plugin's settings: a password there
  // would be readable by all of them (the API token is the secret, kept in secureJsonData).
  if (parsed.username || parsed.password) {
    return 'the tracker URL must not hold a user name or password (every Grafana user can read it); the API token is what authenticates';
  }
  if (parsed.search || parsed.hash) {
    return 'the tracker URL must not have a query or fragment';
  }
  return undefined;
}

const AppConfig = ({ plugin }: AppConfigProps) => {
  const s = useStyles2(getStyles);
  const { enabled, pinned, jsonData, secureJsonFields } = plugin.meta;
  const [state, setState] = useState<State>({
    trackerUrl: jsonData?.trackerUrl || '',
    apiToken: '',
    isTokenSet: Boolean(secureJsonFields?.apiToken),
  });
  const [saveError, setSaveError] = useState<string>();
  const [touched, setTouched] = useState(false);

  const urlProblem = trackerUrlProblem(state.trackerUrl);
  const isSubmitDisabled = Boolean(urlProblem || (!state.isTokenSet && !state.apiToken));

  const onResetToken = () => setState({ ...state, apiToken: '', isTokenSet: false });

  const onChange = (event: ChangeEvent<HTMLInputElement>) => {
    setState({ ...state, [event.target.name]: event.target.value.trim() });
  };

  const onSubmit = async (event: FormEvent) => {
    event.preventDefault();
    if (isSubmitDisabled) {
      return;
    }
    setSaveError(undefined);
    try {
      await updatePlugin(plugin.meta.id, {
        enabled,
        pinned,
        jsonData: { trackerUrl: state.trackerUrl.replace(/\/+$/, '') },
        // Never read back; only sent when the user typed a new one, so a stored token stays untouched.
        secureJsonData: state.isTokenSet ? undefined : { apiToken: state.apiToken },
      });
      // The plugin's settings are read when Grafana loads it: reload so the proxy route uses the new ones.
      window.location.reload();
    } catch (e) {
      const err = e as { data?: { message?: string }; message?: string };
      setSaveError(`Saving the settings failed: ${err.data?.message ?? err.message ?? 'unknown error'}`);
    }
  };

  return (
    <form onSubmit={onSubmit}>
      <FieldSet label="Tracking server">
        <Field
          label="Tracker URL"
          description="Where Grafana's server reaches the Beacon tracking server (the proxy route 'tracker' forwards to it)."
          invalid={touched && Boolean(urlProblem)}
          error={touched ? urlProblem : undefined}
        >
          <Input
            width={60}
            name="trackerUrl"
            id="config-tracker-url"
            data-testid={testIds.appConfig.trackerUrl}
            value={state.trackerUrl}
            placeholder="http://beacon-tracking-server:9300"
            onChange={onChange}
            onBlur={() => setTouched(true)}
          />
        </Field>

        <Field
          label="API token"
          description="The tracking server's --api-token. Stored encrypted by Grafana and sent as Authorization: Bearer; it is never shown again."
          className={s.marginTop}
        >
          <SecretInput
            width={60}
            id="config-api-token"
            data-testid={testIds.appConfig.apiToken}
            name="apiToken"
            value={state.apiToken}
            isConfigured={state.isTokenSet}
            placeholder="API token"
            onChange={onChange}
            onReset={onResetToken}
          />
        </Field>

        {saveError && <Alert severity="error" title={saveError} />}

        <div className={s.marginTop}>
          <Button type="submit" data-testid={testIds.appConfig.submit} disabled={isSubmitDisabled}>
            Save settings
          </Button>
        </div>
      </FieldSet>
    </form>
  );
};

export default AppConfig;

const getStyles = (theme: GrafanaTheme2) => ({
  marginTop: css({ marginTop: theme.spacing(3) }),
});

const updatePlugin = async (pluginId: string, data: Partial<PluginMeta<AppSettings>>) => {
  const response = getBackendSrv().fetch({
    url: `/api/plugins/${pluginId}/settings`,
    method: 'POST',
    data,
    // The form shows a failure itself, and reloads on success: without these, Grafana's backendSrv
    // also toasts every error and "Plugin settings updated" for a POST to its own API.
    showErrorAlert: false,
    showSuccessAlert: false,
  });
  return lastValueFrom(response);
};
