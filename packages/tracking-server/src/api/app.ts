// The tracking server's HTTP handler: Sentry ingest, OTLP traces, the REST API, /metrics and
// health. createApp() does not listen; main.ts does.
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import express, { type Request, type Response } from 'express';
import { SEVERITIES } from '../grouping/classify';
import { BodyBudget, LIMITS, type BodyLimits } from '../ingest/body';
import type { SpanBacklog } from '../ingest/span-backlog';
import type { Project } from '../projects';
import { inlineReader, type StoreReader } from '../store/reader';
import { catchUpSessions, inlineWriter, type EventWriter } from '../store/writer';
import type { IngestResult, Repository } from '../store/repository';
import type { Logger } from '../telemetry/logger';
import { boundedLabel } from '../telemetry/bounded-label';
import type { TrackerMetrics } from '../telemetry/metrics';
import { allowCrossOrigin, answerPreflight } from './cors';
import { otlpTraces } from './otlp';
import { otlpEncoding, sendRpcStatus } from './otlp-answer';
import { lingerBeforeBody } from './linger';
import { restApi } from './rest';
import { headerSafe, sentryIngest } from './sentry';

export interface AppDeps {
  /** Status changes. */
  readonly repo: Repository;
  /** Where ingested data is committed; default: on this thread, through `repo`. */
  readonly writer?: EventWriter;
  /** Where the REST API reads; default: on this thread, through `repo`. */
  readonly reader?: StoreReader;
  readonly projects: () => readonly Project[];
  readonly apiToken: string;
  readonly metrics: TrackerMetrics;
  readonly logger: Logger;
  readonly now?: () => number;
  /** The bytes of ingest bodies held at once; default LIMITS.held (body.ts). */
  readonly bodyBudget?: BodyBudget;
  /** Milliseconds an ingest body may go without a byte; default LIMITS.idleMs (body.ts). */
  readonly bodyIdleMs?: number;
  /** The OTLP spans taken and not yet committed; default a SpanBacklog that learns its rate (span-backlog.ts). */
  readonly spanBacklog?: SpanBacklog;
}

/**
 * The most a /metrics scrape waits for a fresh count of open issues before it serves the last
 * one: well within Prometheus' 10 s scrape timeout, and longer than a count takes when the reader
 * thread is free (an index alone, issues_open_counts; by the whole table it took 0.18–0.42 s at
 * 100,000–170,000 issues written by ingest, past this wait).
 */
export const OPEN_ISSUES_WAIT_MS = 250;

/** Distinct services the metrics count by name; the rest are counted as `other`. */
const SERVICE_LABELS = 200;
/**
 * Distinct discard reasons, and data categories, counted by name. Sentry's SDKs name about 20 of
 * each (client reports' spec, Relay's DataCategory); a new one still has room.
 */
const DISCARD_LABELS = 64;

/**
 * What each of Relay's ingest endpoints this tracker does not take receives (relay-server
 * endpoints/mod.rs).
 */
const UNSERVED_ENDPOINTS: Readonly<Record<string, string>> = {
  minidump: "minidumps (sentry-native's crashpad and breakpad backends, Electron)",
  security: 'security reports (CSP, Expect-CT, HPKP, Expect-Staple)',
  'csp-report': 'security reports (CSP, Expect-CT, HPKP, Expect-Staple)',
  unreal: "Unreal Engine's crash reports",
  cron: 'cron check-ins by URL',
  events: 'attachments sent apart from their event',
  nel: 'Network Error Logging reports',
  playstation: 'PlayStation crash reports',
  store: 'events of SDKs that name no project in the path',
  integration: 'OTLP logs',
};

/** Sentry's ingest paths, with or without the trailing slash. */
const INGEST_PATH = /^\/api\/(\d{1,15})\/(envelope|store)\/?(?:\?|$)/;
const OTLP_PATH = /^\/v1\/traces\/?(?:\?|$)/;
/**
 * Relay's OTLP traces paths, under the project: what Sentry's SDKs' OTLP integrations derive
 * from the DSN (sentry-python's OTLPIntegration, `getOtlpTracesEndpoint()` in sentry-javascript),
 * authorised by `X-Sentry-Auth` as events are.
 */
const SENTRY_OTLP_PATH = /^\/api\/(\d{1,15})\/(?:integration\/)?otlp\/v1\/traces\/?(?:\?|$)/;
const isOtlpPath = (url: string) => OTLP_PATH.test(url) || SENTRY_OTLP_PATH.test(url);

/**
 * The URL with repeated slashes in its path collapsed: SDKs given a DSN with a trailing slash,
 * or proxies joining paths, send `//api/1/envelope/` (an OTLP exporter given an endpoint ending
 * in `/`, `//v1/traces`), which Relay routes as `/api/1/envelope/` (normalize_path.rs). The
 * query string is left as it is.
 */
function collapseSlashes(url: string): string {
  if (!url.includes('//')) return url;
  const query = url.indexOf('?');
  const path = query >= 0 ? url.slice(0, query) : url;
  return path.replace(/\/{2,}/g, '/') + (query >= 0 ? url.slice(query) : '');
}

export function createApp(deps: AppDeps): RequestListener {
  const now = deps.now ?? Date.now;
  const { metrics, repo, logger } = deps;
  const serviceLabel = boundedLabel(SERVICE_LABELS);
  const reasonLabel = boundedLabel(DISCARD_LABELS);
  const categoryLabel = boundedLabel(DISCARD_LABELS);
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);

  const writer = deps.writer ?? inlineWriter(repo);
  const reader = deps.reader ?? inlineReader(repo);
  /**
   * The open issues gauge, counted afresh for each scrape on the reader thread (a count of the
   * issues_open_counts index; made on this thread, the count held ingest every scrape). Each
   * project's severities with no open issue are 0, not absent: a sum over them ("critical open
   * issues") is then 0 once the last is resolved, where it was no data. Left empty, not stale,
   * when the count fails. One count at a time: a scrape while one is made waits for that one,
   * rather than queue another behind the reads before it.
   */
  let counting: Promise<void> | undefined;
  /** Whether a count has set the gauge since the start: before, a scrape waits for the first. */
  let haveCount = false;
  const refreshOpenIssues = (): Promise<void> =>
    (counting ??= (async () => {
      const counts = await reader.openIssueCounts().catch((error: unknown) => {
        logger.error('counting open issues failed', { error });
        return undefined;
      });
      metrics.openIssues.reset();
      if (!counts) return;
      for (const { name } of deps.projects())
        for (const severity of SEVERITIES) metrics.openIssues.set({ project: name, severity }, 0);
      for (const r of counts) {
        const project =
          deps.projects().find((p) => p.id === r.projectId)?.name ?? String(r.projectId);
        metrics.openIssues.set({ project, severity: r.severity }, r.count);
      }
      haveCount = true;
    })().finally(() => (counting = undefined)));
  /**
   * A fresh count, or after OPEN_ISSUES_WAIT_MS the last one: the count waits its turn behind
   * every read queued before it on the reader thread, and during 14 reads of 90 MB a scrape took
   * 12.7–17.8 s, past Prometheus' 10 s scrape timeout (`up` 0, every series of the tracker gone
   * for that scrape). The count goes on, and sets the gauge for the next scrape. The first scrape
   * after a start waits for the first count: no last one to serve, and a gauge missing from a
   * scrape reads as no open issues.
   */
  const openIssuesForScrape = async () => {
    const refresh = refreshOpenIssues();
    if (!haveCount) return refresh;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([refresh, new Promise((r) => (timer = setTimeout(r, OPEN_ISSUES_WAIT_MS)))]);
    clearTimeout(timer);
  };

  const projectName = (id: number) => deps.projects().find((p) => p.id === id)?.name ?? String(id);
  /**
   * Operations stored, OTLP spans and Sentry transactions alike: those new to the store (a span
   * sent again replaces its copy, and was counted when it was new).
   */
  const countSpans = (project: string, operations: readonly { service: string }[]) => {
    for (const o of operations)
      metrics.spansIngested.inc({ project, service: serviceLabel(o.service) });
  };
  // Every request of a group commit gets the same result object: count its issues once.
  const counted = new WeakSet<IngestResult>();
  const bodyBudget = deps.bodyBudget ?? new BodyBudget();
  const bodyLimits: BodyLimits = { ...LIMITS, idleMs: deps.bodyIdleMs ?? LIMITS.idleMs };
  const traces = otlpTraces({
    now,
    bodyBudget,
    ...(deps.spanBacklog ? { spanBacklog: deps.spanBacklog } : {}),
    limits: bodyLimits,
    projectByKey: (key) => deps.projects().find((p) => p.key === key),
    writer,
    onRejected: (reason) => metrics.rejectedRequests.inc({ reason }),
    onFailed: (error) => logger.error('OTLP ingest failed', { error }),
    onAbandoned: (spans) =>
      logger.warn('OTLP request not stored: its client left before its turn', { spans }),
    onStored: (project, operations, seconds) => {
      metrics.ingestDuration.observe({ protocol: 'otlp' }, seconds);
      countSpans(project.name, operations);
    },
  });
  const ingest = sentryIngest({
    project: (id) => deps.projects().find((p) => p.id === id),
    store: async (sent) => {
      const { events, stored, result } = await writer.write(sent);
      if (!counted.has(result)) {
        counted.add(result);
        for (const o of result.opened)
          metrics.newIssues.inc({
            project: projectName(o.projectId),
            service: serviceLabel(o.service),
            severity: o.severity,
          });
      }
      return { events, stored };
    },
    bodyBudget,
    limits: bodyLimits,
    storeOperations: async (projectId, operations) => {
      const repeated = new Set(await writer.writeTraces(projectId, operations, []));
      countSpans(
        projectName(projectId),
        operations.filter((_, i) => !repeated.has(i)),
      );
    },
    storeFeedback: async (projectId, feedback) => {
      // Only pieces new to the store: one sent again overwrites its first sending, or is refused.
      const added = await writer.writeFeedback(projectId, now(), feedback);
      if (added > 0) metrics.feedbackIngested.inc({ project: projectName(projectId) }, added);
    },
    now,
    onRejected: (reason) => metrics.rejectedRequests.inc({ reason }),
    onDroppedTransaction: (reason) => metrics.droppedTransactions.inc({ reason }),
    onClientDiscards: (discards, project) => {
      for (const d of discards) {
        if (d.quantity === 0) continue; // no series for nothing
        const labels = {
          project: project.name,
          reason: reasonLabel(d.reason),
          category: categoryLabel(d.category),
        };
        metrics.clientDiscards.inc(labels, d.quantity);
      }
    },
    onError: (error) => logger.error('ingest failed', { error }),
    onStored: (events, project, seconds, protocol) => {
      metrics.ingestDuration.observe({ protocol }, seconds);
      for (const e of events) {
        metrics.errorsTracked.inc({
          project: project.name,
          service: serviceLabel(e.service),
          severity: e.severity,
          type: e.type,
        });
      }
    },
  });

  // Reached only for what the fast path below does not take: another method (405), or a POST
  // whose project id is not 1 to 15 digits, a 400 as Relay answers it ("bad project path
  // parameter"; a 405 "Allow: POST" told a POST to use POST). No named parameter: express
  // decoded it, and answered `/api/%zz/envelope/` with its HTML page and stack.
  app.all(/^\/api\/[^/]+\/(envelope|store)\/?$/, (req: Request, res: Response) => {
    // The store endpoint takes GET too, as Relay's does (raven-js' image beacon).
    const allowed = req.params[0] === 'store' ? 'GET, POST' : 'POST';
    if (!allowed.split(', ').includes(req.method)) {
      res
        .status(405)
        .set('Allow', allowed)
        .json({ detail: `method not allowed: ${allowed}` });
      return;
    }
    const detail = `bad project path parameter: the project id must be 1 to 15 digits, got ${JSON.stringify(req.path.split('/')[2])}`;
    metrics.rejectedRequests.inc({ reason: 'malformed' });
    allowCrossOrigin(res);
    res.status(400).set('X-Sentry-Error', headerSafe(detail)).json({ detail });
  });
  // Another method on the OTLP paths (ours, and Sentry's under the project): 405 as on the
  // Sentry ones, in OTLP's error shape (google.rpc.Status; 12, UNIMPLEMENTED, is gRPC's answer to
  // a method it does not serve).
  // express matches paths in any case, the fast path in this one: a POST that reaches here is to
  // `/V1/traces` or the like, a 404 (5, NOT_FOUND) as the Collector's mux answers it, where it
  // was told to use the POST it used.
  app.all(['/v1/traces', SENTRY_OTLP_PATH], (req: Request, res: Response) => {
    if (req.method === 'POST') {
      metrics.rejectedRequests.inc({ reason: 'unsupported' });
      sendRpcStatus(
        res,
        404,
        otlpEncoding(req.headers['content-type']),
        `not found: ${req.path} (OTLP traces are at /v1/traces)`,
      );
      return;
    }
    res.status(405).set('Allow', 'POST').json({ code: 12, message: 'method not allowed: POST' });
  });
  // OTLP's other signals, which an SDK or Collector sends to the same endpoint with traces when
  // set up for all three: a 404 in OTLP's error shape and the request's encoding, which its
  // exporter reads and does not retry, and counted, where express's bare `not found` was neither.
  app.all(/^\/v1\/(?:logs|metrics)\/?$/i, (req: Request, res: Response) => {
    metrics.rejectedRequests.inc({ reason: 'unsupported' });
    allowCrossOrigin(res);
    sendRpcStatus(
      res,
      404,
      otlpEncoding(req.headers['content-type']),
      `not found: ${req.path} (this tracker takes OTLP traces only, at /v1/traces)`,
    );
  });
  app.use(
    '/api/v1',
    restApi({
      repo,
      reads: reader,
      apiToken: deps.apiToken,
      projects: deps.projects,
      now,
      indexSessions: () => catchUpSessions(writer),
      onError: (error) => logger.error('API request failed', { error }),
    }),
  );

  // Relay's other ingest endpoints (after the REST API's /api/v1), which this tracker does not
  // take: a 404 in Sentry's form, naming what was sent and what is taken, and counted, where
  // express's bare `not found` left a crash reporter's uploads lost without a word
  // (sentry-native's crashpad backend, its default, sends every crash to /minidump/).
  app.all(/^\/api\/(?:\d{1,15}\/)?[^/]+/, (req: Request, res: Response) => {
    const [, , second, third] = req.path.split('/');
    const endpoint = /^\d{1,15}$/.test(second ?? '') ? (third ?? '') : (second ?? '');
    const what = UNSERVED_ENDPOINTS[endpoint.toLowerCase()];
    const detail = `not found: ${req.path} ${what ? `is Sentry's endpoint for ${what}, which this tracker does not take` : 'is no ingest endpoint'}; it takes Sentry's /api/<project>/envelope/ and /api/<project>/store/, and OTLP traces at /v1/traces`;
    metrics.rejectedRequests.inc({ reason: 'unsupported' });
    allowCrossOrigin(res);
    res.status(404).set('X-Sentry-Error', headerSafe(detail)).json({ detail });
  });
  // The probes' path (deploy/statefulset.yaml). A dead writer thread leaves every ingest failing
  // until the process restarts: the liveness probe's failure is what restarts it. A dead reader
  // is restarted in process (store/reader.ts); it fails the probe only while none runs, and for
  // good only when none can open its connection.
  app.get('/healthz', (_req: Request, res: Response) => {
    const failure = writer.failure() ?? reader.failure();
    res.type('text/plain');
    if (failure) res.status(503).send(failure.message);
    else res.send('ok');
  });
  app.get('/metrics', async (_req: Request, res: Response) => {
    await openIssuesForScrape();
    res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });
  app.use((_req: Request, res: Response) => void res.status(404).json({ error: 'not found' }));

  // Sentry and OTLP ingest are the hot paths: they are routed here, on node:http, before express
  // (whose per-request routing and response wrapping cost about as much as the rest of a request).
  // Browsers' SDKs post to the ingest paths from other origins (cors.ts).
  return (req: IncomingMessage, res: ServerResponse) => {
    const collapsed = collapseSlashes(req.url ?? '');
    // Only an ingest path is rewritten; the REST API's paths are routed as sent.
    if (collapsed !== req.url && (INGEST_PATH.test(collapsed) || isOtlpPath(collapsed)))
      req.url = collapsed;
    const url = req.url ?? '';
    const m = req.method === 'POST' || req.method === 'GET' ? INGEST_PATH.exec(url) : null;
    // GET is the store endpoint's alone: old raven-js sends an event as a query parameter.
    if (m && (req.method === 'POST' || m[2] === 'store')) {
      const [, projectId, kind] = m as unknown as [string, string, 'envelope' | 'store'];
      allowCrossOrigin(res);
      ingest[kind](req, res, projectId).catch((error: unknown) =>
        logger.error('ingest failed', { error }),
      );
      return;
    }
    if (req.method === 'POST' && isOtlpPath(url)) {
      allowCrossOrigin(res);
      traces(req, res, SENTRY_OTLP_PATH.exec(url)?.[1]).catch((error: unknown) => {
        logger.error('OTLP ingest failed', { error });
        // In OTLP's error shape (google.rpc.Status; 13 is INTERNAL), never an empty answer.
        if (!res.headersSent)
          res
            .writeHead(500, { 'content-type': 'application/json; charset=utf-8' })
            .end('{"code":13,"message":"internal error"}');
      });
      return;
    }
    if (INGEST_PATH.test(url) || isOtlpPath(url)) {
      if (req.method === 'OPTIONS') return answerPreflight(res);
      allowCrossOrigin(res);
    }
    // express's answers (a 404 for /minidump/, a 405, a 400 for a bad project path) are given
    // before any body is read: on a connection that closes after them, they linger (linger.ts).
    lingerBeforeBody(req, res);
    app(req as Request, res as Response);
  };
}
