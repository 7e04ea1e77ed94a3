// The API server: one handler around the pure pieces (routes, wire bodies, Status factories)
// and the MetricsProvider seam, under express. createApp() does not listen; main.ts puts it
// behind TLS.
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import express from 'express';
import { versionDocument, type VersionInfo } from './api/openapi';
import {
  answerOpenApiV2,
  answerOpenApiV3,
  openApiV2,
  openApiV3,
  type DocumentAnswer,
} from './api/openapi-v3';
import { route, segments, selectors, type Route, type Selectors } from './api/routes';
import { answerDiscovery, discoveryItems, negotiateDiscovery } from './api/aggregated-discovery';
import {
  badRequest,
  forbidden,
  internalError,
  isStatus,
  methodNotAllowed,
  metricNotFound,
  notAcceptable,
  serviceUnavailable,
  unauthorized,
  watchNotSupported,
  type Status,
} from './api/status';
import { acceptsGzip, GZIP_THRESHOLD_BYTES, gzipBody } from './api/content-encoding';
import { apiGroupDocument, apiGroupList, apiResourceList, type ListResult } from './api/wire';
import { customMetricValueListBytes, externalMetricValueListBytes } from './api/value-list-bytes';
import { indentJson } from './api/json-indent';
import { outputNegotiator, SERVED_MEDIA_TYPES, type Output } from './api/output-negotiation';
import { asksToWatch, requestAttributes } from './auth/request-info';
import { AuthenticationError, type Authenticator, type Authorizer } from './auth/types';
import { BadSelectorError, MetricNotFoundError, type MetricsProvider } from './provider/provider';
import { PrometheusError } from './provider/prometheus/client';
import { CUSTOM_GROUP, EXTERNAL_GROUP } from './api/routes';
import { formatLabelSelector } from './k8s/label-selector';
import { BUILT_IN } from './k8s/resources';
import { goQuery } from './k8s/go-query';
import { compareGoStrings } from './api/go-strings';
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
  /** True from SIGTERM on: /readyz fails, so endpoints and load balancers stop sending. */
  readonly shuttingDown?: () => boolean;
}

/** Paths anyone may read, as kube-apiserver's system:public-info-viewer and health checks allow. */
// Only health goes unauthenticated and unauthorized, as the issue and kube-apiserver's defaults
// have it; /version, /openapi/v2 and /metrics are checked like any other path, anonymous requests
// too (RBAC's system:public-info-viewer allows /version to system:authenticated and
// system:unauthenticated, system:discovery /openapi/v2 to everyone authenticated; a scraper needs
// `get` on the /metrics non-resource URL, as kube-prometheus's Prometheus has).
const PUBLIC: ReadonlySet<Route['kind']> = new Set(['health']);
const NO_SELECTORS: Selectors = { labelSelector: [], metricLabelSelector: [] };

const BUILT_IN_KEYS: ReadonlySet<string> = new Set(BUILT_IN.map((r) => r.key));

/** The route pattern used as the `path` label: bounded, never an object or metric name. */
function pattern(r: Route | Status): string {
  if (isStatus(r)) return 'unmatched';
  switch (r.kind) {
    case 'health':
      return `/${r.check}`;
    case 'custom': {
      // The path's resource is the caller's word (an unauthenticated caller's too): only
      // Kubernetes' built-in resources are named, so the label's values stay bounded.
      const resource = BUILT_IN_KEYS.has(r.resource) ? r.resource : '{resource}';
      return `/apis/${CUSTOM_GROUP}/${r.version}/${r.namespace === undefined ? '' : 'namespaces/{namespace}/'}${resource}/${r.name === '*' ? '*' : '{name}'}/{metric}`;
    }
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
    case 'openapi-v3':
      return r.document === undefined ? '/openapi/v3' : '/openapi/v3/{document}';
    default:
      return `/${r.kind}`;
  }
}

/** Maps what the provider throws to the Status the caller's protocol expects. */
function statusFor(err: unknown): Status {
  if (err instanceof MetricNotFoundError) return metricNotFound(err.message);
  if (err instanceof BadSelectorError) return badRequest(err.message);
  if (err instanceof PrometheusError) {
    return err.kind === 'bad_query'
      ? internalError(`the rule's query cannot give a value: ${err.message}`)
      : serviceUnavailable(`Prometheus is not answering: ${err.message}`);
  }
  return internalError(err instanceof Error ? err.message : String(err));
}

const TEXT_TYPE = 'text/plain; charset=utf-8';

/**
 * A health check's answer as k8s.io/apiserver's healthz writes it: the list (`?verbose` names each
 * check), or one check by name, whose failure is a 500 saying why (`http.Error`); the list
 * withholds the reason.
 */
function sendHealth(
  res: ServerResponse,
  r: Extract<Route, { kind: 'health' }>,
  shuttingDown: boolean,
  url: string,
): void {
  const checks = r.check === 'readyz' ? ['ping', 'log', 'shutdown'] : ['ping', 'log'];
  const failed = (name: string) => name === 'shutdown' && shuttingDown;
  if (r.only)
    return failed(r.only)
      ? reply(res, 500, TEXT_TYPE, 'internal server error: process is shutting down\n')
      : reply(res, 200, TEXT_TYPE, 'ok');
  // As k8s.io/apiserver's handleRootHealth: each `exclude`d check passes as excluded, and those
  // that name no check are named in a warning.
  const query = goQuery(url.includes('?') ? url.slice(url.indexOf('?') + 1) : '');
  const excluded = new Set(query.get('exclude'));
  let list = '';
  let failing = false;
  for (const c of checks) {
    if (excluded.delete(c)) list += `[+]${c} excluded: ok\n`;
    else if (failed(c)) {
      list += `[-]${c} failed: reason withheld\n`;
      failing = true;
    } else list += `[+]${c} ok\n`;
  }
  if (excluded.size > 0)
    list += `warn: some health checks cannot be excluded: no matches for ${[...excluded]
      .sort(compareGoStrings)
      .map((name) => JSON.stringify(name))
      .join(',')}\n`;
  if (failing) return reply(res, 500, TEXT_TYPE, `${list}${r.check} check failed\n`);
  return reply(
    res,
    200,
    TEXT_TYPE,
    query.has('verbose') ? `${list}${r.check} check passed\n` : 'ok',
  );
}

/** Writes a whole answer (a HEAD request's body is dropped by node:http). */
function reply(
  res: ServerResponse,
  code: number,
  type: string,
  body: string | Buffer,
  headers: Readonly<Record<string, string>> = {},
): void {
  res.writeHead(code, {
    ...headers,
    'content-type': type,
    'content-length': Buffer.byteLength(body),
  });
  res.end(body);
}

/** A request target's query string, without `?`. */
const queryOf = (url = '') => {
  const at = url.indexOf('?');
  return at < 0 ? '' : url.slice(at + 1);
};

/** The metric value paths (what every HPA asks, every sync period): deeper than a version. */
const VALUES = /^\/apis\/(?:custom|external)\.metrics\.k8s\.io\/v1beta[12]\/./;

export function createApp(deps: ServerDeps): RequestListener {
  const { provider, metrics, logger } = deps;
  const now = deps.now ?? Date.now;
  /** What discovery lists in `group`, both forms of it. */
  const servedIn = (group: string) =>
    group === CUSTOM_GROUP
      ? provider.customMetrics()
      : group === EXTERNAL_GROUP
        ? provider.externalMetrics()
        : [];

  const JSON_TYPE = 'application/json';
  // JSON.stringify's indent is json.MarshalIndent's for these bodies (json-indent.test.ts).
  const send = (
    res: ServerResponse,
    code: number,
    body: unknown,
    pretty = false,
    headers: Readonly<Record<string, string>> = {},
  ) => reply(res, code, JSON_TYPE, JSON.stringify(body, null, pretty ? 2 : undefined), headers);
  const negotiate = outputNegotiator();
  const outputOf = (req: IncomingMessage, query: string): Output =>
    negotiate(req.headers.accept, query, req.headers['user-agent']);
  // A Status is written whatever Accept says; one the caller's Accept does not take is indented,
  // as responsewriters' WriteRawJSON writes what it cannot negotiate.
  const sendStatus = (res: ServerResponse, s: Status, out: Output) =>
    send(res, s.code, s, out.pretty || !out.acceptable);
  const refuse = (res: ServerResponse, out: Output) =>
    sendStatus(res, notAcceptable(SERVED_MEDIA_TYPES), out);
  /** A 200 document as WriteObjectNegotiated writes it: a 406 to an Accept that does not take it. */
  const sendDocument = (
    res: ServerResponse,
    out: Output,
    body: unknown,
    headers: Readonly<Record<string, string>> = {},
  ) => (out.acceptable ? send(res, 200, body, out.pretty, headers) : refuse(res, out));
  const builtAt = new Date(now());
  const v2 = openApiV2(deps.version.gitVersion);
  const v3 = openApiV3(deps.version.gitVersion, builtAt);
  /**
   * An answer with its own headers: OpenAPI's (never indented, as kube-openapi's handlers write
   * it, Status included), and aggregated discovery's.
   */
  const sendAnswer = (res: ServerResponse, answer: DocumentAnswer, pretty = false) => {
    if (isStatus(answer.body)) return send(res, answer.body.code, answer.body);
    const body = pretty && answer.body ? indentJson(answer.body) : answer.body;
    // A 304 has no body of its own to measure; a 301 an empty one.
    res.writeHead(answer.code, {
      ...answer.headers,
      ...(answer.code === 304 ? {} : { 'content-length': body?.length ?? 0 }),
    });
    res.end(body);
  };

  // Serialised answers, per answer array: the provider hands out the same array while it is
  // cached, so a cache hit skips formatting 1,500 items again (and compressing them).
  type Rendered = ListResult<Buffer> & { gzipped?: Buffer };
  const rendered = new WeakMap<object, Map<string, Rendered>>();
  const render = (samples: object, key: string, build: () => Rendered) => {
    let byKey = rendered.get(samples);
    if (!byKey) rendered.set(samples, (byKey = new Map()));
    let out = byKey.get(key);
    if (!out) byKey.set(key, (out = build()));
    return out;
  };

  const sendList = (
    req: IncomingMessage,
    res: ServerResponse,
    output: Output,
    metric: string,
    out: Rendered,
    samples: readonly { timestamp: number }[],
  ) => {
    // Upstream negotiates when it writes the list: an error before it keeps its code.
    if (!output.acceptable) return refuse(res, output);
    if (out.dropped > 0) metrics.nonFiniteValues.inc({ metric }, out.dropped);
    // Freshness of the answer: the age of its oldest sample.
    let oldest = Infinity;
    for (const s of samples) if (s.timestamp < oldest) oldest = s.timestamp;
    if (oldest !== Infinity) metrics.valueAge.observe(Math.max(0, now() / 1000 - oldest));
    // A pretty answer is indented from the cached bytes for each request and kept by none: only
    // people ask for it (curl, a browser, ?pretty), and the cache holds one form.
    const body = output.pretty ? indentJson(out.body) : out.body;
    if (body.length > GZIP_THRESHOLD_BYTES && acceptsGzip(req.headers['accept-encoding'])) {
      const gzipped = output.pretty ? gzipBody(body) : (out.gzipped ??= gzipBody(out.body));
      res.writeHead(200, {
        'content-type': JSON_TYPE,
        'content-encoding': 'gzip',
        vary: 'Accept-Encoding',
        'content-length': gzipped.length,
      });
      res.end(gzipped);
    } else reply(res, 200, JSON_TYPE, body);
  };

  async function serve(
    r: Route,
    sel: Selectors,
    query: string,
    req: IncomingMessage,
    res: ServerResponse,
    output: Output,
  ): Promise<void> {
    switch (r.kind) {
      case 'health':
        // As k8s.io/apiserver's healthz: the server's own checks, not Prometheus — a Prometheus
        // that is down must not make the APIService Unavailable (that stalls API discovery and
        // namespace deletion cluster-wide); values answer 503 meanwhile, and discovery's state
        // is in the log and in beacon_adapter_discovered_metrics. From SIGTERM on, /readyz
        // fails as theirs does (a 500 listing the failed check), and /livez and /healthz do not.
        return sendHealth(res, r, deps.shuttingDown?.() ?? false, req.url ?? '');
      case 'version':
        // Always indented and never refused, as routes/version.go writes it (WriteRawJSON).
        return send(res, 200, versionDocument(deps.version), true);
      case 'openapi':
        return sendAnswer(
          res,
          answerOpenApiV2(v2, builtAt, {
            accept: req.headers.accept,
            ifNoneMatch: req.headers['if-none-match'],
          }),
        );
      case 'openapi-v3':
        return sendAnswer(
          res,
          answerOpenApiV3(
            v3,
            r.document,
            { query, accept: req.headers.accept, ifNoneMatch: req.headers['if-none-match'] },
            new Date(now()),
          ),
        );
      case 'metrics':
        return reply(res, 200, metrics.registry.contentType, await metrics.registry.metrics());
      case 'apis': {
        const version = negotiateDiscovery(req.headers.accept);
        // The answer depends on Accept either way, so a cache must key on it.
        if (version === undefined)
          return sendDocument(res, output, apiGroupList(), { vary: 'Accept' });
        return sendAnswer(
          res,
          answerDiscovery(discoveryItems(servedIn), version, req.headers['if-none-match']),
          output.pretty,
        );
      }
      case 'group':
        return sendDocument(res, output, apiGroupDocument(r.group));
      case 'resources':
        return sendDocument(res, output, apiResourceList(r.group, r.version, servedIn(r.group)));
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
        // One object asked for whose value is not a number has no value to give: a 404, as for
        // an object with none, rather than a list without the one item asked for.
        if (name !== '*' && samples.length > 0 && out.dropped === samples.length) {
          metrics.nonFiniteValues.inc({ metric: r.metric }, out.dropped);
          return sendStatus(
            res,
            statusFor(new MetricNotFoundError(r.metric, r.resource, name)),
            output,
          );
        }
        return sendList(req, res, output, r.metric, out, samples);
      }
      case 'external': {
        const samples = await provider.externalValues({
          namespace: r.namespace,
          metric: r.metric,
          // The external API carries the metric selector in labelSelector (what the HPA's
          // external_metrics client sends); metricLabelSelector is read too, for symmetry.
          metricLabelSelector: [...sel.labelSelector, ...sel.metricLabelSelector],
          // Without a metricLabelSelector, a refused requirement is the caller's labelSelector.
          ...(sel.metricLabelSelector.length === 0
            ? { selectorParameter: 'labelSelector' as const }
            : {}),
        });
        const out = render(samples, r.metric, () =>
          externalMetricValueListBytes(r.metric, samples),
        );
        return sendList(req, res, output, r.metric, out, samples);
      }
    }
  }

  /**
   * The request's user; `undefined` (a 401) when no authenticator names one or its credentials are
   * refused, as WithAuthentication answers both (the refusal logged, at debug: anyone can send one).
   */
  async function authenticated(req: IncomingMessage) {
    try {
      return await deps.authenticate(req);
    } catch (err) {
      if (!(err instanceof AuthenticationError)) throw err;
      logger.debug('credentials refused', { error: err.message });
      return undefined;
    }
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = req.url ?? '/';
    const started = process.hrtime.bigint();
    const [path = '/', query = ''] = url.split(/\?(.*)/s);
    const r = route(path);
    const label = pattern(r);
    const output = outputOf(req, query);
    // On close, which comes after the answer is sent or when the caller gave up (the
    // aggregator's timeout) before it was: counted either way, so the slowest requests are in
    // the histogram too. Code 0 when no status was sent, as the apiserver's metrics count one.
    res.on('close', () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const code = res.headersSent ? res.statusCode : 0;
      metrics.requests.inc({ path: label, code: String(code) });
      metrics.requestDuration.observe({ path: label }, seconds);
      logger.debug('request', {
        method: req.method,
        path: url,
        code,
        seconds,
        ...(res.writableFinished ? {} : { aborted: true }),
      });
    });
    try {
      // Authentication first, as k8s.io/apiserver's filter chain: someone whose credentials are
      // refused, or whom no authenticator names, learns nothing of which paths, methods or names
      // exist (a 401, not a 404, 405 or 400). With delegated authentication, a request with no
      // credentials at all is named system:anonymous (main.ts) and authorized like anyone.
      const open = !isStatus(r) && PUBLIC.has(r.kind);
      const user = open ? undefined : await authenticated(req);
      if (!open && !user) return sendStatus(res, unauthorized(), output);
      // A path nobody serves is a 404 whatever the method, as the apiserver's NotFoundHandler.
      if (isStatus(r)) return sendStatus(res, r, output);
      if (req.method !== 'GET' && req.method !== 'HEAD')
        return sendStatus(res, methodNotAllowed(req.method ?? ''), output);
      if (user) {
        const parts = segments(path);
        const attrs = requestAttributes(Array.isArray(parts) ? parts : [], path, query, req.method);
        const decision = await deps.authorize(user, attrs);
        if (!decision.allowed)
          return sendStatus(res, forbidden(user.name, attrs, decision.reason), output);
      }
      // Only the value paths read selectors; the others ignore the query, as the apiserver's do.
      const sel =
        r.kind === 'custom'
          ? selectors(query, r.name)
          : r.kind === 'external'
            ? selectors(query, null)
            : NO_SELECTORS;
      if (isStatus(sel)) return sendStatus(res, sel, output);
      // The external metrics' list has no watch (custom-metrics-apiserver's handler 405s one
      // authorized as a watch); the custom metrics' handler reads no `watch`, and lists.
      if (r.kind === 'external' && asksToWatch(query))
        return sendStatus(res, watchNotSupported(EXTERNAL_GROUP), output);
      await serve(r, sel, query, req, res, output);
    } catch (err) {
      const status = isStatus(r) ? internalError(String(err)) : statusFor(err);
      if (status.code >= 500)
        logger.warn('request failed', { path: url, code: status.code, error: err });
      if (!res.headersSent) sendStatus(res, status, output);
    }
  }

  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  // Never a crash, never express's HTML error page: what escapes the handler is a Status 500.
  const serveSafely = (req: IncomingMessage, res: ServerResponse) =>
    handle(req, res).catch((err: unknown) => {
      logger.error('request failed', { path: req.url, error: err });
      if (!res.headersSent)
        sendStatus(res, internalError(String(err)), outputOf(req, queryOf(req.url)));
    });
  app.use((req, res) => void serveSafely(req, res));
  // The value requests skip express: its request and response wrapping cost ~0.35 ms of CPU
  // and ~0.3 ms of latency on each 290 KB answer (BENCHMARKS.md), and every HPA asks every
  // sync period. Both ways reach the same handler.
  return (req, res) => {
    if (VALUES.test(req.url ?? '')) void serveSafely(req, res);
    else app(req, res);
  };
}
