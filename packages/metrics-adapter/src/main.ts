// Wiring: flags → config → Prometheus client → provider → authentication → HTTPS server.
// The only module with side effects (files, timers, a listening socket).
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { allowAll, allowAnonymous, type Authenticator, type Authorizer } from './auth/types';
import { subjectAccessReviewAuthorizer, tokenReviewAuthenticator } from './auth/delegated';
import { anonymousFallback, authenticatedGroupAdder, union } from './auth/union';
import { certificateAuthenticator, readBundle } from './auth/x509';
import { createKubeApi, KubeApiError, type KubeApi } from './k8s/api';
import {
  clusterAuthentication,
  inClusterConnection,
  type ClusterAuthentication,
} from './k8s/in-cluster';
import { loadKubeconfig, type KubeConnection } from './k8s/kubeconfig';
import { kubeWatchLister } from './k8s/watch-lister';
import type { AdapterFlags } from './flags';
import type { ObjectLister } from './k8s/objects';
import { createPrometheusClient, type PrometheusClient } from './provider/prometheus/client';
import { parsePrometheusUrl, prometheusAt } from './provider/prometheus/base-url';
import { prometheusAuth } from './provider/prometheus/auth';
import { httpTransport } from './provider/prometheus/transport';
import { parseAdapterConfig, type AdapterConfig } from './provider/prometheus/config';
import { kubeStateObjectLister } from './provider/prometheus/objects';
import { withPresets } from './provider/prometheus/presets';
import {
  configWarnings,
  createPrometheusProvider,
  ruleName,
  type PrometheusProvider,
} from './provider/prometheus/provider';
import { drainer } from './api/drain';
import { answerClientErrorsThenLinger } from './client-error';
import { createApp } from './server';
import { createLogger, type Logger } from './telemetry/logger';
import { createAdapterMetrics, forgetMetricsNotServed } from './telemetry/metrics';
import { serverTlsOptions, servingCertificate } from './tls';

export const VERSION = 'v0.1.0';

export interface RunningAdapter {
  readonly url: string;
  readonly port: number;
  readonly provider: PrometheusProvider;
  readonly server: Server;
  /**
   * What SIGTERM does, as k8s.io/apiserver does it: /readyz fails at once while requests are
   * still served for --shutdown-delay-duration (endpoints and load balancers stop sending), then
   * close().
   */
  shutdown(): Promise<void>;
  /**
   * Stops background work and the server: no new connections, requests in flight answered (with
   * `Connection: close`), idle connections closed, what is still open after 60 s cut.
   */
  close(): Promise<void>;
}

/** How long close() waits for requests in flight: k8s.io/apiserver's ShutdownTimeout. */
const SHUTDOWN_TIMEOUT_MS = 60_000;

export interface AdapterOverrides {
  readonly logger?: Logger;
  /** Replaces the authorizer built from flags (tests of other parts). */
  readonly authorize?: Authorizer;
  readonly lister?: ObjectLister;
  /** The in-cluster connection (tests stand in a fake API server); default: from the pod's environment. */
  readonly inCluster?: KubeConnection | null;
  /** The process environment (KUBERNETES_SERVICE_HOST says the adapter runs in a pod). */
  readonly env?: NodeJS.ProcessEnv;
  /** How often certificates and CAs are read again (default a minute; tests shorten it). */
  readonly certificateReloadMs?: number;
  /** Go's ReadHeaderTimeout as k8s.io/apiserver sets it (default 32 s; tests shorten it). */
  readonly readHeaderTimeoutMs?: number;
}

function loadConfig(flags: AdapterFlags, logger: Logger): AdapterConfig {
  let config: AdapterConfig | undefined;
  if (flags.config) {
    let text: string;
    try {
      text = readFileSync(flags.config, 'utf8');
    } catch (err) {
      throw new Error(`cannot read --config ${flags.config}: ${(err as Error).message}`, {
        cause: err,
      });
    }
    config = parseAdapterConfig(text, flags.config);
    if (config.resourceRules) {
      logger.warn(
        "resourceRules are accepted and not served: resource metrics are metrics-server's job",
        {
          file: flags.config,
        },
      );
    }
  }
  const merged = withPresets(config, flags.presets);
  if (merged.rules.length === 0 && merged.externalRules.length === 0) {
    throw new Error('no rules to serve: pass --config, or leave --presets on');
  }
  for (const warning of configWarnings(merged)) logger.warn(warning);
  return merged;
}

/**
 * The cluster's published client CAs, as k8s.io/apiserver looks them up: a missing ConfigMap is
 * none (a cluster without them); any other failure stops startup unless
 * --authentication-tolerate-lookup-failure, which logs it and goes on with the flags' CAs.
 */
async function lookupClusterAuthentication(
  api: KubeApi,
  flags: AdapterFlags,
  logger: Logger,
  atStart: boolean,
): Promise<ClusterAuthentication> {
  try {
    return await clusterAuthentication(api);
  } catch (err) {
    if (err instanceof KubeApiError && err.status === 404) return {};
    // Once serving, a failed read keeps the CAs served (the reload's catch), as upstream's
    // dynamic CA controllers keep their last content: the flag is for startup alone (with it,
    // a read failing for a minute dropped the front proxy's CA, and the HPA's requests got 401).
    if (!atStart || !flags.authenticationTolerateLookupFailure)
      throw new Error(
        `unable to load configmap based request-header-client-ca-file: ${(err as Error).message}`,
        { cause: err },
      );
    logger.warn(
      'cannot read kube-system/extension-apiserver-authentication; continuing with the CAs the flags give (--authentication-tolerate-lookup-failure)',
      { error: err },
    );
    return {};
  }
}

/** Client-certificate authentication from the CA flags, else from the cluster's published settings. */
async function certificates(
  flags: AdapterFlags,
  lookup: KubeApi | undefined,
  logger: Logger,
  atStart: boolean,
): Promise<{ authenticate?: Authenticator; cas: string[] }> {
  const read = (file: string) => readFileSync(file, 'utf8');
  let clientPem = flags.clientCaFile ? read(flags.clientCaFile) : undefined;
  let rhPem = flags.requestheaderClientCaFile ? read(flags.requestheaderClientCaFile) : undefined;
  let requestHeader = {
    allowedNames: flags.requestheaderAllowedNames,
    usernameHeaders: flags.requestheaderUsernameHeaders,
    uidHeaders: flags.requestheaderUidHeaders,
    groupHeaders: flags.requestheaderGroupHeaders,
    extraHeaderPrefixes: flags.requestheaderExtraHeadersPrefix,
  };
  // Each of the two CAs a flag does not give is looked up, as k8s.io/apiserver does: a
  // --client-ca-file alone still leaves the aggregator's front-proxy CA to the cluster.
  if ((!clientPem || !rhPem) && lookup && !flags.authenticationSkipLookup) {
    const cluster = await lookupClusterAuthentication(lookup, flags, logger, atStart);
    clientPem ??= cluster.clientCA;
    if (!rhPem && cluster.requestHeader) {
      rhPem = cluster.requestHeader.ca;
      requestHeader = cluster.requestHeader;
    }
    logger.info('client CAs read from kube-system/extension-apiserver-authentication', {
      clientCA: clientPem !== undefined,
      requestHeaderCA: rhPem !== undefined,
    });
  }
  if (!clientPem && !rhPem) return { cas: [] };
  const authenticate = certificateAuthenticator({
    ...(clientPem
      ? { clientCAs: readBundle(clientPem, flags.clientCaFile ?? 'client-ca-file') }
      : {}),
    ...(rhPem
      ? {
          requestHeader: {
            cas: readBundle(
              rhPem,
              flags.requestheaderClientCaFile ?? 'requestheader-client-ca-file',
            ),
            ...requestHeader,
          },
        }
      : {}),
  });
  return { authenticate, cas: [clientPem, rhPem].filter((p): p is string => p !== undefined) };
}

/**
 * As k8s.io/apiserver's delegating authenticator: the front proxy and client certificates, then
 * bearer tokens (TokenReview), every user in system:authenticated; then, with `anonymous`, a
 * request with no credentials is system:anonymous (DelegatingAuthenticationOptions' Anonymous,
 * which prometheus-adapter and metrics-server leave on), one whose credentials are refused a 401.
 * With nothing configured, everyone is anonymous under --insecure-serve-anonymous.
 */
async function authentication(
  flags: AdapterFlags,
  api: KubeApi | undefined,
  logger: Logger,
  atStart: boolean,
  anonymous: boolean,
): Promise<{ authenticate: Authenticator; cas: string[] }> {
  const certs = await certificates(flags, api, logger, atStart);
  const parts = [
    ...(certs.authenticate ? [certs.authenticate] : []),
    ...(api
      ? [
          tokenReviewAuthenticator(api, Date.now, (error) =>
            logger.error('TokenReview failed: the request is not authenticated', { error }),
          ),
        ]
      : []),
  ];
  if (parts.length > 0) {
    const authenticate = authenticatedGroupAdder(union(...parts));
    return {
      authenticate: anonymous ? anonymousFallback(authenticate) : authenticate,
      cas: certs.cas,
    };
  }
  // As prometheus-adapter, which cannot start without a kubeconfig for delegated authentication:
  // a server that would answer everyone is opened only on purpose.
  if (!flags.insecureServeAnonymous)
    throw new Error(
      'no authentication configured: give --client-ca-file, --requestheader-client-ca-file or --authentication-kubeconfig, or run in a cluster; --insecure-serve-anonymous serves every request as system:anonymous, for local use',
    );
  logger.warn(
    'no client CA, no --authentication-kubeconfig and not in a cluster: every request is served as system:anonymous',
  );
  return { authenticate: allowAnonymous, cas: [] };
}

export async function startAdapter(
  flags: AdapterFlags,
  overrides: AdapterOverrides = {},
): Promise<RunningAdapter> {
  const logger = overrides.logger ?? createLogger(flags.verbosity >= 2 ? 'debug' : 'info');
  for (const flag of flags.ignored)
    logger.info('flag accepted and ignored: it has no effect here', { flag });
  for (const argument of flags.positionals)
    logger.info('argument ignored, as prometheus-adapter ignores words that are no flag', {
      argument,
    });

  const config = loadConfig(flags, logger);
  const metrics = createAdapterMetrics();
  const promAuth = prometheusAuth(flags);
  const client: PrometheusClient = createPrometheusClient({
    url: flags.prometheusUrl,
    verb: flags.prometheusVerb,
    headers: flags.prometheusHeaders,
    fetch: httpTransport(promAuth.tls),
    ...(promAuth.authorization ? { authorization: promAuth.authorization } : {}),
    timeoutMs: flags.prometheusTimeoutMs,
    observe: (kind, outcome, seconds) =>
      metrics.backendQueryDuration.observe({ kind, outcome }, seconds),
  });
  // Each of the three Kubernetes connections: its kubeconfig flag, else in-cluster, else none.
  const inCluster = overrides.inCluster === undefined ? inClusterConnection() : overrides.inCluster;
  const connect = (file: string | undefined) => {
    const conn = file ? loadKubeconfig(file) : inCluster;
    return conn ? createKubeApi(conn) : undefined;
  };
  const listerApi = overrides.lister ? undefined : connect(flags.listerKubeconfig);
  const watchLister = listerApi
    ? kubeWatchLister(
        listerApi,
        (error, retryInMs) =>
          logger.warn('object list or watch failed; retrying', { error, retryInMs }),
        {
          onDiscoveryError: (resource, error) =>
            logger.warn(
              'API discovery could not resolve a custom resource; its name and scope are guessed (or kept from the last relist that resolved them) and it is asked again at the next relist',
              { resource, error },
            ),
        },
      )
    : undefined;
  const provider = createPrometheusProvider({
    client,
    config,
    lister: overrides.lister ?? watchLister ?? kubeStateObjectLister(client),
    relistIntervalMs: flags.metricsRelistIntervalMs,
    maxAgeMs: flags.metricsMaxAgeMs,
    cacheTtlMs: flags.valueCacheTtlMs,
    objectCacheTtlMs: flags.objectCacheTtlMs,
    observer: {
      cache: (result) => metrics.cacheRequests.inc({ result }),
      relisted: (table) => {
        metrics.discoveredMetrics.set({ api: 'custom' }, table.custom.size);
        metrics.discoveredMetrics.set({ api: 'external' }, table.external.size);
        const served = [...table.custom.values(), ...table.external.values()];
        void forgetMetricsNotServed(metrics.nonFiniteValues, new Set(served.map((e) => e.metric)));
        logger.debug('series relisted', {
          custom: table.custom.size,
          external: table.external.size,
        });
      },
      relistFailed: (error) =>
        logger.warn('series relist failed; serving the last table', { error }),
      externalOverlaps: (overlaps) => {
        for (const { metric, served, shadowed } of overlaps)
          logger.warn('external metric yielded by more than one rule; the last one is served', {
            metric,
            served: ruleName(served),
            notServed: shadowed.map(ruleName),
          });
      },
    },
  });

  const authApi = connect(flags.authenticationKubeconfig);
  let authorize = overrides.authorize;
  const authzApi = authorize ? undefined : connect(flags.authorizationKubeconfig);
  // With delegated authentication, a request with no credentials is system:anonymous, as
  // k8s.io/apiserver's delegating authenticator has it, and the SubjectAccessReview decides; not
  // where no review is made (every authenticated user is allowed, below: anonymous would be too).
  const anonymous = authApi !== undefined && (authorize !== undefined || authzApi !== undefined);
  let auth = await authentication(flags, authApi, logger, true, anonymous);
  // The current authenticator: certificates and CAs are read again every minute (below).
  const authenticate: Authenticator = (req) => auth.authenticate(req);
  // In a pod whose service account token is not mounted, every request would be allowed: as
  // k8s.io/apiserver does without a delegated-authorization kubeconfig, refuse to start.
  const env = overrides.env ?? process.env;
  if (!authorize && !authzApi && env.KUBERNETES_SERVICE_HOST)
    throw new Error(
      'running in a pod without a service account token and without --authorization-kubeconfig: refusing to serve every request unchecked (mount the token, automountServiceAccountToken: true, or pass --authorization-kubeconfig)',
    );
  if (authzApi) {
    authorize = subjectAccessReviewAuthorizer(authzApi);
  } else if (!authorize) {
    logger.warn('no --authorization-kubeconfig: every authenticated user is allowed');
    authorize = allowAll;
  }
  const tls = servingCertificate({
    certFile: flags.tlsCertFile,
    keyFile: flags.tlsPrivateKeyFile,
    certDir: flags.certDir,
    bindAddress: flags.bindAddress,
  });
  const app = createApp({
    provider,
    authenticate,
    authorize,
    metrics,
    logger,
    version: { gitVersion: VERSION },
    shuttingDown: () => shuttingDown,
  });
  // A CA no flag gives is read from the cluster again every minute (below): one it publishes
  // only once the adapter serves must find it asking for client certificates.
  const clientCasMayBePublished =
    authApi !== undefined &&
    !flags.authenticationSkipLookup &&
    (!flags.clientCaFile || !flags.requestheaderClientCaFile);
  const secureOptions = (serving: { cert: string; key: string }, cas: readonly string[]) =>
    serverTlsOptions(serving, cas, {
      clientCasLater: clientCasMayBePublished,
      ...(flags.tlsMinVersion ? { minVersion: flags.tlsMinVersion } : {}),
      ...(flags.tlsCipherSuites ? { ciphers: flags.tlsCipherSuites } : {}),
    });
  // As k8s.io/apiserver's SecureServingInfo.Serve sets its http.Server: MaxHeaderBytes 1 MiB
  // (Node's default is 16 KiB: a front-proxy request for a user in many groups was a 431),
  // ReadHeaderTimeout 32 s (slowloris; Go's TLS handshake gets the same time) and IdleTimeout
  // 90 s, below. Node looks for late headers every connectionsCheckingInterval, so a connection
  // is closed up to 1 s after Go would close it; as with Go's deadline, set when the handshake is
  // done, a connection that never sends a request is closed too (client-error.ts: silently).
  const readHeaderTimeoutMs = overrides.readHeaderTimeoutMs ?? 32_000;
  const server = createServer(
    {
      ...secureOptions(tls, auth.cas),
      maxHeaderSize: 1 << 20,
      headersTimeout: readHeaderTimeoutMs,
      handshakeTimeout: readHeaderTimeoutMs,
      connectionsCheckingInterval: Math.min(1_000, readHeaderTimeoutMs),
    },
    app,
  );
  answerClientErrorsThenLinger(server);
  const drain = drainer(server);
  let shuttingDown = false;
  // Certificates are rotated under a running server (cert-manager renews the serving pair,
  // kube-apiserver's front-proxy CA changes in its ConfigMap): as k8s.io/apiserver's dynamic
  // certificate controllers do, they are read again every minute, and new connections get the
  // new ones. A read that fails keeps the current ones and is logged.
  let served = { tls, cas: auth.cas };
  // Reading again says nothing unless something fails: the first read logged what it found.
  const quiet: Logger = {
    debug: logger.debug,
    info: () => undefined,
    warn: () => undefined,
    error: logger.error,
  };
  const reload = setInterval(() => {
    void (async () => {
      const nextTls = servingCertificate({
        certFile: flags.tlsCertFile,
        keyFile: flags.tlsPrivateKeyFile,
        certDir: flags.certDir,
        bindAddress: flags.bindAddress,
        generate: false,
      });
      const nextAuth = await authentication(flags, authApi, quiet, false, anonymous);
      const changed =
        nextTls.cert !== served.tls.cert ||
        nextTls.key !== served.tls.key ||
        nextAuth.cas.join() !== served.cas.join();
      auth = nextAuth;
      if (!changed) return;
      server.setSecureContext(secureOptions(nextTls, nextAuth.cas));
      served = { tls: nextTls, cas: nextAuth.cas };
      logger.info('serving certificate or client CAs changed: new connections use them');
    })().catch((error: unknown) =>
      logger.warn('reading the certificates again failed; keeping the current ones', { error }),
    );
  }, overrides.certificateReloadMs ?? 60_000);
  reload.unref();
  server.keepAliveTimeout = 90_000;
  // A connection's client certificate is read once (auth/x509.ts): as Go's TLS servers
  // (kube-apiserver's) do, a connection is never renegotiated to another one.
  server.on('secureConnection', (socket: TLSSocket) => socket.disableRenegotiation());

  // Serve discovery and health at once; values are 503/404 until the first relist lands, which
  // is tried again every 5 s (the relist interval, if shorter) until one succeeds.
  const firstRetryMs = Math.min(flags.metricsRelistIntervalMs, 5_000);
  provider
    .start()
    .catch((error: unknown) =>
      logger.error(
        `first series discovery failed; retrying every ${firstRetryMs / 1000}s until one succeeds`,
        { error },
      ),
    );
  const retry = setInterval(() => {
    if (!provider.ready()) void provider.relist().catch(() => undefined);
  }, firstRetryMs);
  retry.unref();

  // An unspecified address (the default 0.0.0.0, or ::) is every interface of both IP
  // families, as Kubernetes servers read --bind-address: Node listens on :: dual-stack when the
  // machine has IPv6, so IPv6-only and dual-stack clusters reach the adapter too.
  const everywhere = flags.bindAddress === '0.0.0.0' || flags.bindAddress === '::';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(
      { port: flags.securePort, ...(everywhere ? {} : { host: flags.bindAddress }) },
      () => resolve(),
    );
  });
  const close = async () => {
    shuttingDown = true;
    clearInterval(retry);
    clearInterval(reload);
    provider.stop();
    watchLister?.stop();
    await drain(SHUTDOWN_TIMEOUT_MS);
  };
  const { port } = server.address() as AddressInfo;
  const host = everywhere ? '127.0.0.1' : flags.bindAddress;
  logger.info('serving', {
    port,
    prometheus: prometheusAt(parsePrometheusUrl(flags.prometheusUrl)),
    rules: config.rules.length,
    externalRules: config.externalRules.length,
  });
  return {
    url: `https://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    provider,
    server,
    async shutdown() {
      shuttingDown = true;
      logger.info('shutting down', { delay: `${flags.shutdownDelayMs / 1000}s` });
      await new Promise((r) => setTimeout(r, flags.shutdownDelayMs));
      await close();
    },
    close,
  };
}
