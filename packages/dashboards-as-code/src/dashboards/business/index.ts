// Business: sign-ups, sign-ins (OAuth included), creative-tool usage, artifacts and storage.
// The usage panels count events per interval: each point is the number of events since the
// previous point (increasePerInterval), so the points add up to the total at any zoom.
import type * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import { by, catalog, selector } from '@beacon/metric-catalog';
import {
  COUNT_MIN_INTERVAL,
  IN_EACH_INTERVAL,
  increasePerInterval,
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
        description: `Accounts created ${IN_EACH_INTERVAL}, by sign-up method (password, oauth).`,
        unit: UNIT.count,
        minInterval: COUNT_MIN_INTERVAL,
        width: 8,
        queries: [
          {
            expr: `sum ${by(p.userRegistrations, ['method'])} (${increasePerInterval(selector(p.userRegistrations, inScope))})`,
            legend: '{{method}}',
          },
        ],
      }),
    )
    .withPanel(
      timeseriesPanel({
        title: 'Sign-ins by method and outcome',
        description: `Sign-in attempts ${IN_EACH_INTERVAL}, by method and outcome.`,
        unit: UNIT.count,
        minInterval: COUNT_MIN_INTERVAL,
        width: 8,
        queries: [
          {
            expr: `sum ${by(p.authAttempts, ['method', 'outcome'])} (${increasePerInterval(selector(p.authAttempts, inScope))})`,
            legend: '{{method}} {{outcome}}',
          },
        ],
      }),
    )
    .withPanel(
      timeseriesPanel({
        title: 'OAuth sign-ins by provider',
        description: `OAuth sign-in attempts ${IN_EACH_INTERVAL}, by provider and outcome.`,
        unit: UNIT.count,
        minInterval: COUNT_MIN_INTERVAL,
        width: 8,
        queries: [
          {
            expr: `sum ${by(p.authAttempts, ['provider', 'outcome'])} (${increasePerInterval(selector(p.authAttempts, { ...inScope, method: 'oauth' }))})`,
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
        description: `Operations users ran ${IN_EACH_INTERVAL}, per creative tool (graphics, web-designer, ide, cad, video).`,
        unit: UNIT.count,
        minInterval: COUNT_MIN_INTERVAL,
        queries: [
          {
            expr: `sum ${by(p.toolOperations, ['tool'])} (${increasePerInterval(selector(p.toolOperations, inScope))})`,
            legend: '{{tool}}',
          },
        ],
      }),
    )
    .withPanel(
      timeseriesPanel({
        title: 'Editing sessions by tool',
        description: `Editing sessions opened ${IN_EACH_INTERVAL}, per creative tool.`,
        unit: UNIT.count,
        minInterval: COUNT_MIN_INTERVAL,
        queries: [
          {
            expr: `sum ${by(p.toolSessions, ['tool'])} (${increasePerInterval(selector(p.toolSessions, inScope))})`,
            legend: '{{tool}}',
          },
        ],
      }),
    )
    .withPanel(
      timeseriesPanel({
        title: 'Artifacts created by tool and kind',
        description: `Artifacts saved ${IN_EACH_INTERVAL}, per creative tool and kind.`,
        unit: UNIT.count,
        minInterval: COUNT_MIN_INTERVAL,
        queries: [
          {
            expr: `sum ${by(p.artifactsCreated, ['tool', 'kind'])} (${increasePerInterval(selector(p.artifactsCreated, inScope))})`,
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
