import { PanelPlugin } from '@grafana/data';
import { ISSUE_SORTS, ISSUE_STATUSES } from '../../api/types';
import { IssuesPanel, type IssuesPanelOptions, defaultIssuesPanelOptions } from './IssuesPanel';

export const plugin = new PanelPlugin<IssuesPanelOptions>(IssuesPanel).setPanelOptions((builder) =>
  builder
    .addTextInput({
      path: 'service',
      name: 'Service',
      description:
        'A service name or a dashboard variable (e.g. $service). Empty: every service; several values, or All: those services.',
      defaultValue: defaultIssuesPanelOptions.service,
    })
    .addTextInput({
      path: 'project',
      name: 'Project',
      description:
        "A project's name or id, or a dashboard variable (e.g. $project). Empty: every project; several values: those projects.",
      defaultValue: defaultIssuesPanelOptions.project,
    })
    .addSelect({
      path: 'status',
      name: 'Status',
      defaultValue: defaultIssuesPanelOptions.status,
      settings: { options: [{ label: 'Any', value: 'any' }, ...ISSUE_STATUSES.map((s) => ({ label: s, value: s }))] },
    })
    .addRadio({
      path: 'sort',
      name: 'Sort by',
      defaultValue: defaultIssuesPanelOptions.sort,
      settings: { options: ISSUE_SORTS.map((s) => ({ label: s.replace('_', ' '), value: s })) },
    })
    .addNumberInput({
      path: 'limit',
      name: 'Issues shown',
      defaultValue: defaultIssuesPanelOptions.limit,
      settings: { min: 1, max: 100, integer: true },
    })
);
