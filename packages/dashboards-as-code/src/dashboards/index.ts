// The registry of Beacon's dashboards: one module per dashboard under dashboards/<slug>/.
import type * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import * as aiModels from './ai-models';
import * as autoscaling from './autoscaling';
import * as business from './business';
import * as database from './database';
import * as debugging from './debugging';
import * as errorTracking from './error-tracking';
import * as infrastructure from './infrastructure';
import * as systemOverview from './system-overview';

export interface DashboardModule {
  /** Folder name under src/dashboards. */
  readonly slug: string;
  readonly uid: string;
  readonly build: () => dashboard.Dashboard;
}

export const dashboards: readonly DashboardModule[] = [
  { slug: 'system-overview', uid: systemOverview.UID, build: systemOverview.build },
  { slug: 'ai-models', uid: aiModels.UID, build: aiModels.build },
  { slug: 'infrastructure', uid: infrastructure.UID, build: infrastructure.build },
  { slug: 'error-tracking', uid: errorTracking.UID, build: errorTracking.build },
  { slug: 'debugging', uid: debugging.UID, build: debugging.build },
  { slug: 'database', uid: database.UID, build: database.build },
  { slug: 'business', uid: business.UID, build: business.build },
  { slug: 'autoscaling', uid: autoscaling.UID, build: autoscaling.build },
];
