// The API server: express around the pure pieces (routes, wire bodies, Status factories) and
// the MetricsProvider seam. createApp() does not listen; main.ts puts it behind TLS.
import express, { type Request, type Response } from 'express';
import { openApiDocument, versionDocument, type VersionInfo } from './api/openapi';
import { route, selectors, type Route, type Selectors } from './api/routes';
import {
  badRequest,
  forbidden,
  internalError,
  isStatus,
  methodNotAllowed,
  notFound,
  serviceUnavailable,
  unauthorized,
  type Status,
} from './api/status';
import { apiGroupDocument, apiGroupList, apiResourceList, type ListResult } from './api/wire';
import { customMetricValueListBytes, externalMetricValueListBytes } from './api/value-list-bytes';
import type { Authenticator, Authorizer, RequestAttributes } from './auth/types';
import { BadSelectorError, MetricNotFoundError, type MetricsProvider } from './provider/provider';
import { PrometheusError } from './provider/prometheus/client';
import { CUSTOM_GROUP } from './api/routes';
import { formatLabelSelector } from './k8s/label-selector';
import type { AdapterMetrics } from './telemetry/metrics';
import type { Logger } from './telemetry/logger';

export interface ServerDeps {
  readonly provider: MetricsProvider;
  readonly authenticate: Authenticator;
  readonly authorize: Authorizer;
  readonly metrics: AdapterMetrics;
  readonly logger: Logger;
  readonly version: VersionInfo;
  readonly now?: () => number;
}

/** Paths anyone may read, as kube-apiserver's system:public-info-viewer and health checks allow. */
const PUBLIC: ReadonlySet<Route['kind']> = new Set(['health', 'version', 'openapi', 'metrics']);

/** The route pattern used as the `path` label: bounded, never an object or metric name. */
function pattern(r: Route | Status): string {
  if (isStatus(r)) return 'unmatched';
  switch (r.kind) {
    case 'health':
      return `/${r.check}`;
    case 'custom':
      return `/apis/${CUSTOM_GROUP}/${r.version}/${r.namespace === undefined ? '' : 'namespaces/{namespace}/'}${r.resource}/${r.name === '*' ? '*' : '{name}'}/{metric}`;
    case 'external':
      return `/apis/external.metrics.k8s.io/${r.version}/namespaces/{namespace}/{metric}`;
    case 'resources':
      return `/apis/${r.group}/${r.version}`;
    case 'group':
      return `/apis/${r.group}`;
    case 'apis':
      return '/apis';
    case 'openapi':
      return '/openapi/v2';
    default:
      return `/${r.kind}`;
  }
}

function attributes(r: Route, path: string): RequestAttributes {
  if (r.kind === 'custom') {
    return {
      kind: 'resource',
      verb: 'get',
      group: CUSTOM_GROUP,
      version: r.version,
      resource: r.resource,
      subresource: r.metric,
      name: r.name,
      ...(r.namespace === undefined ? {} : { namespace: r.namespace }),
    };
  }
  if (r.kind === 'external') {
    return {
      kind: 'resource',
      verb: 'get',
      group: 'external.metrics.k8s.io',
      version: r.version,
      resource: r.metric,
      namespace: r.namespace,
    };
  }
  return { kind: 'nonResource', verb: 'get', path };
}

/** Maps what the provider throws to the Status the caller's protocol expects. */
function statusFor(err: unknown, r: Route): Status {
  if (err instanceof MetricNotFoundError) {
    const kind = r.kind === 'external' ? 'externalmetrics' : 'custommetrics';
    return {
      ...notFound({
        group: r.kind === 'external' ? 'external.metrics.k8s.io' : CUSTOM_GROUP,
        kind,
        name: err.object ?? err.metric,
      }),
      message: err.message,
    };
  }
  if (err instanceof BadSelectorError) return badRequest(err.message);
  if (err instanceof PrometheusError) {
    return err.kind === 'bad_query'
      ? internalError(`the rule's query was refused by Prometheus: ${err.message}`)
      : serviceUnavailable(`Prometheus is not answering: ${err.message}`);
  }
  return internalError(err instanceof Error ? err.message : String(err));
}

export function createApp(deps: ServerDeps): express.Express {
  const { provider, metrics, logger } = deps;
  const now = deps.now ?? Date.now;
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);

  const send = (res: Response, code: number, body: unknown) => {
    res.status(code).type('application/json').send(JSON.stringify(body));
  };
  const sendStatus = (res: Response, s: Status) => send(res, s.code, s);

  // Serialised answers, per answer array: the provider hands out the same array while it is
  // cached, so a cache hit skips formatting 1,500 items again.
  const rendered = new WeakMap<object, Map<string, { body: Buffer; dropped: number }>>();
  const render = (samples: object, key: string, build: () => ListResult<Buffer>) => {
    let byKey = rendered.get(samples);
    if (!byKey) rendered.set(samples, (byKey = new Map()));
    let out = byKey.get(key);
    if (!out) byKey.set(key, (out = build()));
    return out;
  };

  const sendList = (
    res: Response,
    metric: string,
    out: { body: Buffer; dropped: number },
    samples: readonly { timestamp: number }[],
  ) => {
    if (out.dropped > 0) metrics.nonFiniteValues.inc({ metric }, out.dropped);
    // Freshness of the answer: the age of its oldest sample.
    let oldest = Infinity;
    for (const s of samples) if (s.timestamp < oldest) oldest = s.timestamp;
    if (oldest !== Infinity) metrics.valueAge.observe(Math.max(0, now() / 1000 - oldest));
    res.status(200).type('application/json').send(out.body);
  };

  async function serve(r: Route, sel: Selectors, res: Response): Promise<void> {
    switch (r.kind) {
      case 'health':
        if (r.check === 'readyz' && !provider.ready()) {
          res
            .status(503)
            .type('text/plain')
            .send('[-]provider not ready: series discovery has not completed\n');
          return;
        }
        res.status(200).type('text/plain').send('ok');
        return;
      case 'version':
        return send(res, 200, versionDocument(deps.version));
      case 'openapi':
        return send(res, 200, openApiDocument(deps.version.gitVersion));
      case 'metrics':
        res
          .status(200)
          .type(metrics.registry.contentType)
          .send(await metrics.registry.metrics());
        return;
      case 'apis':
        return send(res, 200, apiGroupList());
      case 'group':
        return send(res, 200, apiGroupDocument(r.group));
      case 'resources': {
        const served =
          r.group === CUSTOM_GROUP ? provider.customMetrics() : provider.externalMetrics();
        return send(res, 200, apiResourceList(r.group, r.version, served));
      }
      case 'custom': {
        const name = sel.objectName !== undefined && r.name === '*' ? sel.objectName : r.name;
        const samples = await provider.objectValues({
          resource: r.resource,
          ...(r.namespace === undefined ? {} : { namespace: r.namespace }),
          name,
          metric: r.metric,
          labelSelector: sel.labelSelector,
          metricLabelSelector: sel.metricLabelSelector,
        });
        // The echoed selector is the metric selector, as k8s.io/metrics' conversion does.
        const out = render(
          samples,
          `${r.version}\0${r.metric}\0${formatLabelSelector(sel.metricLabelSelector)}`,
          () => customMetricValueListBytes(r.version, r.metric, samples, sel.metricLabelSelector),
        );
        return sendList(res, r.metric, out, samples);
      }
      case 'external': {
        const samples = await provider.externalValues({
          namespace: r.namespace,
          metric: r.metric,
          // The external API carries the metric selector in labelSelector (what the HPA's
          // external_metrics client sends); metricLabelSelector is read too, for symmetry.
          metricLabelSelector: [...sel.labelSelector, ...sel.metricLabelSelector],
        });
        const out = render(samples, r.metric, () =>
          externalMetricValueListBytes(r.metric, samples),
        );
        return sendList(res, r.metric, out, samples);
      }
    }
  }

  app.use(async (req: Request, res: Response) => {
    const started = process.hrtime.bigint();
    const [path = '/', query = ''] = req.originalUrl.split(/\?(.*)/s);
    const r = route(path);
    const label = pattern(r);
    res.on('finish', () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      metrics.requests.inc({ path: label, code: String(res.statusCode) });
      metrics.requestDuration.observe({ path: label }, seconds);
      logger.debug('request', {
        method: req.method,
        path: req.originalUrl,
        code: res.statusCode,
        seconds,
      });
    });
    try {
      if (req.method !== 'GET' && req.method !== 'HEAD')
        return sendStatus(res, methodNotAllowed(req.method));
      if (isStatus(r)) return sendStatus(res, r);
      if (!PUBLIC.has(r.kind)) {
        const user = await deps.authenticate(req);
        if (!user) return sendStatus(res, unauthorized());
        const attrs = attributes(r, path);
        const decision = await deps.authorize(user, attrs);
        if (!decision.allowed) {
          const what = attrs.kind === 'resource' ? `${attrs.resource}.${attrs.group}` : attrs.path;
          return sendStatus(res, forbidden(user.name, 'get', what, decision.reason));
        }
      }
      const sel = selectors(query);
      if (isStatus(sel)) return sendStatus(res, sel);
      await serve(r, sel, res);
    } catch (err) {
      const status = isStatus(r) ? internalError(String(err)) : statusFor(err, r);
      if (status.code >= 500)
        logger.warn('request failed', { path: req.originalUrl, code: status.code, error: err });
      if (!res.headersSent) sendStatus(res, status);
    }
  });
  return app;
}
