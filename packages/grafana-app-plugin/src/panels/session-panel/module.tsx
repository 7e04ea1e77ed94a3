import { PanelPlugin } from '@grafana/data';
import { SessionPanel, type SessionPanelOptions, defaultSessionPanelOptions } from './SessionPanel';

export const plugin = new PanelPlugin<SessionPanelOptions>(SessionPanel).setPanelOptions((builder) =>
  builder.addTextInput({
    path: 'correlationId',
    name: 'Correlation id',
    description: 'The debug session to show: a correlation id or a dashboard variable such as $correlation_id.',
    defaultValue: defaultSessionPanelOptions.correlationId,
  })
);
