// Business: sign-ups, sign-ins (OAuth included), creative-tool usage, artifacts and storage.
import type * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import { by, catalog, selector } from '@beacon/metric-catalog';
import {
  increase,
  inScope,
  newDashboard,
  row,
  THRESHOLDS,
  timeseriesPanel,
  UNIT,
} from '../../common';

export const UID = 'beacon-business';

const p = catalog.platform;

function usersRow(d: dashboard.DashboardBuilder): void {
  d.withRow(row('Users'))
    .withPanel(
      timeseriesPanel({
        title: 'Registrations by method',
        description: 'Accounts created per interval, by sign-up method (password, oauth).',
        unit: UNIT.count,
        width: 8,
        queries: [
          {
            expr: `sum ${by(p.userRegistrations, ['method'])} (${increase(selector(p.userRegistrations, inScope))})`,
            legend: '{{method}}',
          },
        ],
      }),
    )
    .withPanel(
      timeseriesPanel({
        title: 'Sign-ins by method and outcome',
        description: 'Sign-in attempts per interval, by method and outcome.',
        unit: UNIT.count,
        width: 8,
        queries: [
          {
            expr: `sum ${by(p.authAttempts, ['method', 'outcome'])} (${increase(selector(p.authAttempts, inScope))})`,
            legend: '{{method}} {{outcome}}',
          },
        ],
      }),
    )
    .withPanel(
      timeseriesPanel({
        title: 'OAuth sign-ins by provider',
        description: 'OAuth sign-in attempts per interval, by provider and outcome.',
        unit: UNIT.count,
        width: 8,
        queries: [
          {
            expr: `sum ${by(p.authAttempts, ['provider', 'outcome'])} (${increase(selector(p.authAttempts, { ...inScope, method: 'oauth' }))})`,
            legend: '{{provider}} {{outcome}}',
          },
        ],
      }),
    );
}

function toolsRow(d: dashboard.DashboardBuilder): void {
  d.withRow(row('Creative tools'))
    .withPanel(
      timeseriesPanel({
        title: 'Tool operations by tool',
        description:
          'Operations users ran per interval in each creative tool (graphics, web-designer, ide, cad, video).',
        unit: UNIT.count,
        queries: [
          {
            expr: `sum ${by(p.toolOperations, ['tool'])} (${increase(selector(p.toolOperations, inScope))})`,
            legend: '{{tool}}',
          },
        ],
      }),
    )
    .withPanel(
      timeseriesPanel({
        title: 'Editing sessions by tool',
        description: 'Editing sessions opened per interval, per creative tool.',
        unit: UNIT.count,
        queries: [
          {
            expr: `sum ${by(p.toolSessions, ['tool'])} (${increase(selector(p.toolSessions, inScope))})`,
            legend: '{{tool}}',
          },
        ],
      }),
    )
    .withPanel(
      timeseriesPanel({
        title: 'Artifacts created by tool and kind',
        description: 'Artifacts saved per interval, per creative tool and kind.',
        unit: UNIT.count,
        queries: [
          {
            expr: `sum ${by(p.artifactsCreated, ['tool', 'kind'])} (${increase(selector(p.artifactsCreated, inScope))})`,
            legend: '{{tool}} {{kind}}',
          },
        ],
      }),
    )
    .withPanel(
      timeseriesPanel({
        title: 'Storage used by tool',
        description:
          'Artifact storage in use as a share of what is provisioned, per creative tool. Orange above 80 %, red above 90 %.',
        unit: UNIT.ratio,
        min: 0,
        max: 1,
        thresholds: THRESHOLDS.fillRatio,
        queries: [
          {
            expr:
              `sum ${by(p.storageUsed, ['tool'])} (${selector(p.storageUsed, inScope)})` +
              ` / sum ${by(p.storageCapacity, ['tool'])} (${selector(p.storageCapacity, inScope)})`,
            legend: '{{tool}}',
          },
        ],
      }),
    );
}

export function build(): dashboard.Dashboard {
  const d = newDashboard({
    uid: UID,
    title: 'Beacon / Business',
    description:
      'Registrations, sign-ins and OAuth, creative-tool usage, artifacts created and storage.',
    tags: ['business'],
  });
  usersRow(d);
  toolsRow(d);
  return d.build();
}
