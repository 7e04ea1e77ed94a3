import React from 'react';
import { Badge, type BadgeColor } from '@grafana/ui';
import type { IssueStatus, Severity } from '../api/types';

const SEVERITY_COLOR: Record<Severity, BadgeColor> = {
  critical: 'red',
  error: 'orange',
  warning: 'purple',
  info: 'blue',
};

const STATUS_COLOR: Record<IssueStatus, BadgeColor> = {
  open: 'red',
  investigating: 'orange',
  resolved: 'green',
  ignored: 'darkgrey',
};

export const SeverityBadge = ({ severity }: { severity: Severity }) => (
  <Badge text={severity} color={SEVERITY_COLOR[severity] ?? 'blue'} />
);

export const StatusBadge = ({ status }: { status: IssueStatus }) => (
  <Badge text={status} color={STATUS_COLOR[status] ?? 'darkgrey'} />
);
