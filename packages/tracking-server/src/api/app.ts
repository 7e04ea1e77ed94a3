// The tracking server's HTTP app: Sentry ingest, the REST API, /metrics and health.
// createApp() does not listen; main.ts does.
import express, { type Request, type Response } from 'express';
import type { Project } from '../projects';
import { inlineWriter, type EventWriter } from '../store/writer';
import type { Repository } from '../store/repository';
import type { Logger } from '../telemetry/logger';
import type { TrackerMetrics } from '../telemetry/metrics';
import { otlpTraces } from './otlp';
import { restApi } from './rest';
import { sentryIngest } from './sentry';

export interface AppDeps {
  readonly repo: Repository;
  /** Where ingested events are committed; default: on this thread, through `repo`. */
  readonly writer?: EventWriter;
  readonly projects: () => readonly Project[];
  readonly apiToken: string;
  readonly metrics: TrackerMetrics;
  readonly logger: Logger;
  readonly now?: () => number;
}

export function createApp(deps: AppDeps): express.Express {
  const now = deps.now ?? Date.now;
  const { metrics, repo } = deps;
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);

  const writer = deps.writer ?? inlineWriter(repo);
  const refreshOpenIssues = () => {
    metrics.openIssues.reset();
    for (const r of repo.openIssueCounts()) {
      const project =
        deps.projects().find((p) => p.id === r.projectId)?.name ?? String(r.projectId);
      metrics.openIssues.set({ project, severity: r.severity }, r.count);
    }
  };
  refreshOpenIssues();

  const ingest = sentryIngest({
    project: (id) => deps.projects().find((p) => p.id === id),
    store: (events) => writer.write(events),
    storeOperations: (projectId, operations) => repo.ingestTraces(projectId, operations, []),
    now,
    onRejected: (reason) => metrics.rejectedRequests.inc({ reason }),
    onStored: (events, project, seconds) => {
      metrics.ingestDuration.observe({ protocol: 'sentry' }, seconds);
      for (const e of events) {
        metrics.errorsTracked.inc({
          project: project.name,
          service: e.service,
          severity: e.severity,
          type: e.type,
        });
      }
    },
  });

  app.post('/api/:projectId/envelope', ingest.envelope);
  app.post('/api/:projectId/envelope/', ingest.envelope);
  app.post('/api/:projectId/store', ingest.store);
  app.post('/api/:projectId/store/', ingest.store);
  app.post(
    '/v1/traces',
    otlpTraces({
      projectByKey: (key) => deps.projects().find((p) => p.key === key),
      repo,
      onRejected: (reason) => metrics.rejectedRequests.inc({ reason }),
      onStored: (project, services, seconds) => {
        metrics.ingestDuration.observe({ protocol: 'otlp' }, seconds);
        for (const service of services)
          metrics.spansIngested.inc({ project: project.name, service });
      },
    }),
  );
  app.use(
    '/api/v1',
    restApi({ repo, apiToken: deps.apiToken, now, onStatusChange: refreshOpenIssues }),
  );

  app.get('/healthz', (_req: Request, res: Response) => void res.type('text/plain').send('ok'));
  app.get('/metrics', async (_req: Request, res: Response) => {
    refreshOpenIssues();
    res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });
  app.use((_req: Request, res: Response) => void res.status(404).json({ error: 'not found' }));
  return app;
}
