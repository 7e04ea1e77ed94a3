// Command-line flags, compatible with prometheus-adapter's: its own flags, the generic API
// server's TLS and authentication flags, and the klog flags its published manifests pass.
// The command line is read as upstream's pflag reads it (pflag.ts); this module says which
// flags there are, of which type, and what each means. An unknown flag is an error naming it.
// Flags that change nothing here are accepted and reported, so a prometheus-adapter Deployment
// runs unchanged.
import { isIP } from 'node:net';
import { getCiphers } from 'node:tls';
import { parsePrometheusUrl, PrometheusUrlError } from './provider/prometheus/base-url';
import {
  FlagError,
  goCsvRecord,
  goParseBool,
  goParseInt,
  goParseUint64,
  readFlagArgs,
  type FlagTable,
} from './pflag';

export { FlagError };

export interface AdapterFlags {
  readonly help: boolean;
  readonly printPresets: boolean;
  readonly prometheusUrl: string;
  /** One value a name, or the values of a name given more than once, each its own field line. */
  readonly prometheusHeaders: Readonly<Record<string, string | string[]>>;
  readonly prometheusVerb: 'GET' | 'POST';
  readonly prometheusTimeoutMs: number;
  readonly prometheusCaFile?: string;
  readonly prometheusClientTlsCertFile?: string;
  readonly prometheusClientTlsKeyFile?: string;
  readonly prometheusTokenFile?: string;
  readonly prometheusAuthInCluster: boolean;
  readonly prometheusAuthConfig?: string;
  readonly config?: string;
  readonly presets: boolean;
  readonly metricsRelistIntervalMs: number;
  readonly metricsMaxAgeMs: number;
  readonly valueCacheTtlMs: number;
  readonly objectCacheTtlMs: number;
  /** After SIGTERM, how long /readyz fails while requests are still served (k8s.io/apiserver's). */
  readonly shutdownDelayMs: number;
  readonly bindAddress: string;
  readonly securePort: number;
  readonly certDir: string;
  readonly tlsCertFile?: string;
  readonly tlsPrivateKeyFile?: string;
  readonly clientCaFile?: string;
  readonly requestheaderClientCaFile?: string;
  readonly requestheaderAllowedNames: readonly string[];
  readonly requestheaderUsernameHeaders: readonly string[];
  /** Headers holding the user's uid; none by default, as k8s.io/apiserver defaults none. */
  readonly requestheaderUidHeaders: readonly string[];
  readonly requestheaderGroupHeaders: readonly string[];
  readonly requestheaderExtraHeadersPrefix: readonly string[];
  readonly listerKubeconfig?: string;
  readonly authenticationKubeconfig?: string;
  readonly authorizationKubeconfig?: string;
  readonly authenticationSkipLookup: boolean;
  /** With no authentication configured, serve every request as system:anonymous (local use). */
  readonly insecureServeAnonymous: boolean;
  /** A failed lookup of the cluster's client CAs is logged and startup goes on. */
  readonly authenticationTolerateLookupFailure: boolean;
  /** Node's name for --tls-min-version (`TLSv1.2`), when given. */
  readonly tlsMinVersion?: 'TLSv1' | 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3';
  /** OpenSSL's list for --tls-cipher-suites (TLS 1.3's suites always on, as in Go), when given. */
  readonly tlsCipherSuites?: string;
  readonly verbosity: number;
  /**
   * Flags accepted for compatibility that change nothing here, as given; and each
   * --tls-cipher-suites suite that Node's OpenSSL cannot offer, as `--tls-cipher-suites=NAME`.
   */
  readonly ignored: readonly string[];
  /** Words that are no flag (the Helm chart repeats the binary, `/adapter`), ignored as pflag does. */
  readonly positionals: readonly string[];
}

type Kind = 'string' | 'list' | 'bool' | 'duration' | 'int' | 'ignored' | 'ignored-bool';

interface Spec {
  readonly kind: Kind;
  readonly help: string;
  readonly fallback?: string;
  /**
   * For a flag that changes nothing here: the Go type upstream reads its value as, where that
   * refuses some values (pflag's int and int64, klog's uint64, durations, string slices); one
   * not named (a string, a float, klog's and component-base's own types) takes any value.
   */
  readonly goType?: 'int' | 'uint64' | 'duration' | 'stringSlice';
}

/**
 * k8s.io/apiserver's AuditOptions.AddFlags, which custom-metrics-apiserver installs: the policy
 * file, then for each backend (log, webhook) its own flags, batching and truncation. No audit
 * events are recorded here, so each is accepted and reported.
 */
function auditFlags(): Record<string, Spec> {
  const help = 'accepted; no audit events are recorded';
  const value: Spec = { kind: 'ignored', help };
  const int: Spec = { kind: 'ignored', help, goType: 'int' };
  const duration: Spec = { kind: 'ignored', help, goType: 'duration' };
  const bool: Spec = { kind: 'ignored-bool', help };
  // Each suffix with its type in audit.go (IntVar and Int64Var both read as ParseInt base 0).
  const own: Record<'log' | 'webhook', Record<string, Spec>> = {
    log: { path: value, maxage: int, maxbackup: int, maxsize: int, format: value, version: value },
    webhook: {
      'config-file': value,
      'initial-backoff': duration,
      'batch-initial-backoff': duration,
      version: value,
    },
  };
  const shared: Record<string, Spec> = {
    mode: value,
    'batch-buffer-size': int,
    'batch-max-size': int,
    'batch-max-wait': duration,
    'batch-throttle-qps': value, // a float32
    'batch-throttle-burst': int,
    'truncate-max-batch-size': int,
    'truncate-max-event-size': int,
    'batch-throttle-enable': bool,
    'truncate-enabled': bool,
  };
  const flags: Record<string, Spec> = { 'audit-policy-file': value };
  for (const backend of ['log', 'webhook'] as const)
    for (const [suffix, spec] of Object.entries({ ...own[backend], ...shared }))
      flags[`audit-${backend}-${suffix}`] = spec;
  flags['audit-log-compress'] = bool;
  return flags;
}

/** Every flag, with its help; the order is the order of --help. */
export const FLAGS: Readonly<Record<string, Spec>> = {
  'prometheus-url': {
    kind: 'string',
    help: 'URL of the Prometheus HTTP API',
    fallback: 'https://localhost',
  },
  'prometheus-header': { kind: 'list', help: 'header sent to Prometheus, Name=Value; repeatable' },
  'prometheus-verb': {
    kind: 'string',
    help: 'HTTP verb for queries: GET or POST',
    fallback: 'GET',
  },
  'prometheus-timeout': {
    kind: 'duration',
    help: 'deadline of one Prometheus query; a series listing gets the longer of this and the relist interval (Beacon)',
    fallback: '5s',
  },
  'prometheus-ca-file': { kind: 'string', help: 'CA bundle that signs the Prometheus server' },
  'prometheus-client-tls-cert-file': {
    kind: 'string',
    help: 'client certificate presented to Prometheus (PEM)',
  },
  'prometheus-client-tls-key-file': {
    kind: 'string',
    help: 'its private key (PEM)',
  },
  'prometheus-token-file': {
    kind: 'string',
    help: 'file holding the bearer token sent to Prometheus (read again each minute)',
  },
  'prometheus-auth-incluster': {
    kind: 'bool',
    help: "reach Prometheus with the pod's service account token and CA",
    fallback: 'false',
  },
  'prometheus-auth-config': {
    kind: 'string',
    help: 'kubeconfig whose current user and cluster CA are used to reach Prometheus',
  },
  config: {
    kind: 'string',
    help: 'prometheus-adapter rule config file (rules, externalRules, resourceRules)',
  },
  presets: {
    kind: 'bool',
    help: "serve Beacon's built-in rules; a rule of the config replaces one that yields the same metric (Beacon)",
    fallback: 'true',
  },
  'print-presets': {
    kind: 'bool',
    help: 'print the built-in rules as a config file and exit (Beacon)',
    fallback: 'false',
  },
  'metrics-relist-interval': {
    kind: 'duration',
    help: 'how often series discovery runs',
    fallback: '10m',
  },
  'metrics-max-age': {
    kind: 'duration',
    help: 'how far back discovery looks for series (default: the relist interval)',
  },
  'value-cache-ttl': {
    kind: 'duration',
    help: 'how long a value is served from the cache (Beacon)',
    fallback: '5s',
  },
  'object-cache-ttl': {
    kind: 'duration',
    help: 'how long the objects a label selector picks in kube-state-metrics are kept, then refreshed in the background (Beacon)',
    fallback: '15s',
  },
  'bind-address': { kind: 'string', help: 'address to listen on', fallback: '0.0.0.0' },
  'secure-port': { kind: 'int', help: 'HTTPS port', fallback: '443' },
  'cert-dir': {
    kind: 'string',
    help: 'where a self-signed serving certificate is written when --tls-cert-file is not given',
    fallback: 'apiserver.local.config/certificates',
  },
  'tls-cert-file': { kind: 'string', help: 'serving certificate (PEM)' },
  'tls-private-key-file': { kind: 'string', help: 'serving private key (PEM)' },
  'client-ca-file': {
    kind: 'string',
    help: 'CA bundle that signs client certificates (user = CN, groups = O)',
  },
  'requestheader-client-ca-file': {
    kind: 'string',
    help: "CA bundle that signs the aggregator's front-proxy client certificate",
  },
  'requestheader-allowed-names': {
    kind: 'list',
    help: 'front-proxy certificate common names allowed (empty: any); comma-separated',
  },
  'requestheader-username-headers': {
    kind: 'list',
    help: 'headers holding the user name',
    fallback: 'X-Remote-User',
  },
  // No default, as k8s.io/apiserver (1.32 on) has none: a front proxy that does not strip the
  // header from what its own clients send would pass a client's X-Remote-Uid on as trusted.
  'requestheader-uid-headers': {
    kind: 'list',
    help: "headers holding the user's uid (default none; X-Remote-Uid is usual)",
  },
  'requestheader-group-headers': {
    kind: 'list',
    help: 'headers holding the groups',
    fallback: 'X-Remote-Group',
  },
  'requestheader-extra-headers-prefix': {
    kind: 'list',
    help: 'header prefixes holding extra user info',
    fallback: 'X-Remote-Extra-',
  },
  'lister-kubeconfig': {
    kind: 'string',
    help: 'kubeconfig to list and watch objects for label selectors (default: in-cluster, else kube-state-metrics series)',
  },
  'authentication-kubeconfig': {
    kind: 'string',
    help: 'kubeconfig for TokenReview of bearer tokens',
  },
  'authorization-kubeconfig': {
    kind: 'string',
    help: 'kubeconfig for SubjectAccessReview (default: in-cluster; outside a cluster every authenticated user is allowed)',
  },
  'authentication-skip-lookup': {
    kind: 'bool',
    help: 'do not read client CAs from kube-system/extension-apiserver-authentication',
    fallback: 'false',
  },
  'insecure-serve-anonymous': {
    kind: 'bool',
    help: 'with no client CA, requestheader CA, --authentication-kubeconfig or cluster, serve every request as system:anonymous (local use only; without it the adapter refuses to start then, as prometheus-adapter does)',
    fallback: 'false',
  },
  'tls-min-version': {
    kind: 'string',
    help: 'lowest TLS version served: VersionTLS12 or VersionTLS13 (VersionTLS10/11 too)',
  },
  'tls-cipher-suites': {
    kind: 'list',
    help: "TLS 1.2 cipher suites served, Go's names (TLS 1.3's are always on, as in Go)",
  },
  v: { kind: 'int', help: 'log verbosity (0–1 info, 2+ debug)', fallback: '0' },
  // Accepted so that the Deployments prometheus-adapter's manifests and Helm chart render run
  // unchanged; each is logged at start as having no effect here.
  logtostderr: { kind: 'ignored-bool', help: 'accepted; logs always go to stderr' },
  alsologtostderr: { kind: 'ignored-bool', help: 'accepted; logs always go to stderr' },
  'add-dir-header': { kind: 'ignored-bool', help: 'accepted; klog only' },
  'skip-headers': { kind: 'ignored-bool', help: 'accepted; klog only' },
  'skip-log-headers': { kind: 'ignored-bool', help: 'accepted; klog only' },
  'one-output': { kind: 'ignored-bool', help: 'accepted; klog only' },
  vmodule: { kind: 'ignored', help: 'accepted; klog only' },
  'log-flush-frequency': {
    kind: 'ignored',
    help: 'accepted; lines are written at once',
    goType: 'duration',
  },
  'log-file': { kind: 'ignored', help: 'accepted; logs always go to stderr' },
  'log-dir': { kind: 'ignored', help: 'accepted; logs always go to stderr' },
  stderrthreshold: { kind: 'ignored', help: 'accepted; logs always go to stderr' },
  'logging-format': { kind: 'ignored', help: 'accepted; logs are always JSON lines' },
  // klog's own names (klog.InitFlags), which component-base's logs.AddFlags registers as they are.
  add_dir_header: { kind: 'ignored-bool', help: 'accepted; klog only' },
  skip_headers: { kind: 'ignored-bool', help: 'accepted; klog only' },
  skip_log_headers: { kind: 'ignored-bool', help: 'accepted; klog only' },
  one_output: { kind: 'ignored-bool', help: 'accepted; klog only' },
  log_backtrace_at: { kind: 'ignored', help: 'accepted; klog only' },
  log_file: { kind: 'ignored', help: 'accepted; logs always go to stderr' },
  log_dir: { kind: 'ignored', help: 'accepted; logs always go to stderr' },
  log_file_max_size: {
    kind: 'ignored',
    help: 'accepted; logs always go to stderr',
    goType: 'uint64',
  },
  ...auditFlags(),
  profiling: { kind: 'ignored-bool', help: 'accepted; no profiling endpoints are served' },
  'contention-profiling': { kind: 'ignored-bool', help: 'accepted; no profiling endpoints' },
  // The rest of k8s.io/apiserver's FeatureOptions.AddFlags (apiserver 0.29 on; prometheus-adapter
  // 0.12 builds on 0.30): a string and a bool.
  'debug-socket-path': {
    kind: 'ignored',
    help: 'accepted; no profiling socket is opened',
  },
  'enable-priority-and-fairness': {
    kind: 'ignored-bool',
    help: 'accepted; requests are not queued by priority and fairness',
  },
  'feature-gates': { kind: 'ignored', help: 'accepted; no feature gates here' },
  'discovery-interval': {
    kind: 'ignored',
    help: 'accepted; discovery is asked once per group, and again after a failed lookup',
    goType: 'duration',
  },
  // custom-metrics-apiserver's AdapterBase (since its #121; prometheus-adapter 0.12 builds on
  // 1.30): client-go's throttle of the lister's client. The API client here does not throttle.
  'client-qps': { kind: 'ignored', help: 'accepted; the Kubernetes API client does not throttle' },
  'client-burst': {
    kind: 'ignored',
    help: 'accepted; the Kubernetes API client does not throttle',
    goType: 'int',
  },
  'tls-sni-cert-key': { kind: 'ignored', help: 'accepted; one serving certificate is used' },
  'authorization-always-allow-paths': {
    kind: 'ignored',
    help: 'accepted; /healthz, /livez and /readyz are always allowed, nothing else is',
    goType: 'stringSlice',
  },
  'authentication-tolerate-lookup-failure': {
    kind: 'bool',
    help: 'when kube-system/extension-apiserver-authentication cannot be read, log it and start with the CAs the flags give (a missing ConfigMap is always tolerated)',
    fallback: 'false',
  },
  'authorization-webhook-cache-authorized-ttl': {
    kind: 'ignored',
    help: 'accepted',
    goType: 'duration',
  },
  'authorization-webhook-cache-unauthorized-ttl': {
    kind: 'ignored',
    help: 'accepted',
    goType: 'duration',
  },
  'authentication-token-webhook-cache-ttl': {
    kind: 'ignored',
    help: 'accepted',
    goType: 'duration',
  },
  'http2-max-streams-per-connection': {
    kind: 'ignored',
    help: 'accepted; HTTP/1.1 is served',
    goType: 'int',
  },
  'shutdown-delay-duration': {
    kind: 'duration',
    help: 'after SIGTERM, how long /readyz fails while requests are still served, before the server stops accepting and drains',
    fallback: '0s',
  },
  'permit-port-sharing': { kind: 'ignored-bool', help: 'accepted' },
  'permit-address-sharing': { kind: 'ignored-bool', help: 'accepted' },
  help: { kind: 'bool', help: 'print this help', fallback: 'false' },
};

/** The longest delay node's timers keep: 2^31-1 ms. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** Go's time.ParseDuration's units, in nanoseconds. */
const UNITS: Readonly<Record<string, bigint>> = {
  ns: 1n,
  us: 1_000n,
  µs: 1_000n, // U+00B5, micro sign
  μs: 1_000n, // U+03BC, Greek mu: Go's unitMap has both
  ms: 1_000_000n,
  s: 1_000_000_000n,
  m: 60_000_000_000n,
  h: 3_600_000_000_000n,
};
const MAX_NS = 2n ** 63n; // a uint64 past which Go's ParseDuration overflows

/**
 * Go's time.ParseDuration, in milliseconds: `90s`, `1m30s`, `1.5h`, `500ms`, `+5s`, `-1s`. As
 * Go counts it: in whole nanoseconds (a fraction of one dropped), a unit's fraction through a
 * float64, and at most 2^63-1 of them (2^63 when negative).
 */
export function parseGoDuration(text: string, flag = 'duration'): number {
  const fail = (why: string): never => {
    throw new FlagError(
      `invalid argument ${JSON.stringify(text)} for "--${flag}": time: ${why} ${JSON.stringify(text)}; want a duration such as 30s, 1m or 1h30m`,
    );
  };
  let s = text;
  const negative = s.startsWith('-');
  if (negative || s.startsWith('+')) s = s.slice(1);
  if (s === '0') return 0;
  if (s === '') fail('invalid duration');
  let total = 0n;
  while (s !== '') {
    // Digits, a fraction or both, then a unit: whatever runs up to the next digit or '.'.
    const m = /^(\d*)(?:\.(\d*))?([^\d.]*)/.exec(s)!;
    const [whole = '', fraction, unitText = ''] = [m[1], m[2], m[3]];
    if (whole === '' && !fraction) fail('invalid duration');
    const value = BigInt(whole || '0');
    if (value > MAX_NS) fail('invalid duration');
    if (unitText === '') fail('missing unit in duration');
    const unit = UNITS[unitText] ?? fail(`unknown unit ${JSON.stringify(unitText)} in duration`);
    if (value > MAX_NS / unit) fail('invalid duration');
    let ns = value * unit;
    const [digits, scale] = goFraction(fraction ?? '');
    if (digits > 0n) {
      ns += BigInt(Math.trunc(Number(digits) * (Number(unit) / scale)));
      if (ns > MAX_NS) fail('invalid duration');
    }
    // A uint64 sum, as Go's: 2^63 + 2^63 wraps to 0 and passes its check (Go reads
    // `9223372036854775808ns9223372036854775808ns1h` as 1h; found by flags.oracle.test.ts).
    total = BigInt.asUintN(64, total + ns);
    if (total > MAX_NS) fail('invalid duration');
    s = s.slice(m[0].length);
  }
  if (!negative && total > MAX_NS - 1n) fail('invalid duration');
  const ms = Number(total) / 1e6;
  return negative ? 0 - ms : ms; // 0 - 0 is 0, where -0 would be -0
}

/** Go's leadingFraction: the digits as an integer and 10^their count, up to where one overflows. */
function goFraction(digits: string): [bigint, number] {
  let x = 0n;
  let scale = 1;
  for (const c of digits) {
    const y = x * 10n + BigInt(c);
    if (x > (MAX_NS - 1n) / 10n || y > MAX_NS) break;
    x = y;
    scale *= 10;
  }
  return [x, scale];
}

/** A boolean's value, as pflag's boolValue reads it (strconv.ParseBool). */
function parseBool(text: string, flag: string): boolean {
  const value = goParseBool(text);
  if (value === undefined)
    throw new FlagError(
      `invalid argument ${JSON.stringify(text)} for "--${flag}": want true or false`,
    );
  return value;
}

/**
 * An int flag's value as pflag's intValue reads it (strconv.ParseInt base 0: `443`, `0x1bb`,
 * `0o673`, `1_000`), or klog's -v as its Level reads it (base 10, 32 bits).
 */
function parseIntFlag(text: string, flag: string): number {
  const read = flag === 'v' ? goParseInt(text, 10, 32) : goParseInt(text, 0, 64);
  if ('error' in read)
    throw new FlagError(
      `invalid argument ${JSON.stringify(text)} for "--${flag}": want an integer (${read.error})`,
    );
  return Number(read.value);
}

/** A uint64 flag's value as its Set reads it (strconv.ParseUint base 0: no sign). */
function parseUint64Flag(text: string, flag: string): void {
  const read = goParseUint64(text, 0);
  if ('error' in read)
    throw new FlagError(
      `invalid argument ${JSON.stringify(text)} for "--${flag}": want an unsigned integer (${read.error})`,
    );
}

/** A string slice's value as pflag's stringSliceValue reads it: one CSV record. */
function csvFields(text: string, flag: string): string[] {
  const read = goCsvRecord(text);
  if ('error' in read)
    throw new FlagError(`invalid argument ${JSON.stringify(text)} for "--${flag}": ${read.error}`);
  return read.fields;
}

/**
 * The flags as pflag.ts reads them: each value is read by its flag's type as it is given, as
 * pflag sets it, so a bad value is an error even where a later one takes its place.
 * --prometheus-header is upstream's one string array: each value whole, commas and all.
 */
export const FLAG_TABLE: FlagTable = {
  kind(name) {
    const spec = Object.hasOwn(FLAGS, name) ? FLAGS[name] : undefined;
    if (!spec) return undefined;
    return spec.kind === 'bool' || spec.kind === 'ignored-bool' ? 'bool' : 'value';
  },
  check(name, value) {
    const { kind, goType } = FLAGS[name] ?? {};
    if (kind === 'bool' || kind === 'ignored-bool') parseBool(value, name);
    else if (kind === 'int' || goType === 'int') parseIntFlag(value, name);
    else if (goType === 'uint64') parseUint64Flag(value, name);
    else if (kind === 'duration' || goType === 'duration') parseGoDuration(value, name);
    else if ((kind === 'list' && name !== 'prometheus-header') || goType === 'stringSlice')
      csvFields(value, name);
  },
};

/** Go's crypto/tls version names, as --tls-min-version takes them, in Node's words. */
const TLS_VERSIONS = {
  VersionTLS10: 'TLSv1',
  VersionTLS11: 'TLSv1.1',
  VersionTLS12: 'TLSv1.2',
  VersionTLS13: 'TLSv1.3',
} as const;

function tlsVersion(name: string): (typeof TLS_VERSIONS)[keyof typeof TLS_VERSIONS] {
  if (!Object.hasOwn(TLS_VERSIONS, name))
    throw new FlagError(
      `invalid argument ${JSON.stringify(name)} for "--tls-min-version": want one of ${Object.keys(TLS_VERSIONS).join(', ')}`,
    );
  return TLS_VERSIONS[name as keyof typeof TLS_VERSIONS];
}

/**
 * Go's TLS 1.0–1.2 cipher suite names → OpenSSL's: every suite of crypto/tls's CipherSuites()
 * and InsecureCipherSuites(), which component-base's --tls-cipher-suites accepts together, and
 * the two legacy ChaCha20 names it keeps. (OpenSSL's names from openssl-ciphers(1).)
 */
export const CIPHER_SUITES: Readonly<Record<string, string>> = {
  // tls.CipherSuites()
  TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA: 'ECDHE-ECDSA-AES128-SHA',
  TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA: 'ECDHE-ECDSA-AES256-SHA',
  TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA: 'ECDHE-RSA-AES128-SHA',
  TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA: 'ECDHE-RSA-AES256-SHA',
  TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256: 'ECDHE-ECDSA-AES128-GCM-SHA256',
  TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384: 'ECDHE-ECDSA-AES256-GCM-SHA384',
  TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256: 'ECDHE-RSA-AES128-GCM-SHA256',
  TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384: 'ECDHE-RSA-AES256-GCM-SHA384',
  TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256: 'ECDHE-RSA-CHACHA20-POLY1305',
  TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256: 'ECDHE-ECDSA-CHACHA20-POLY1305',
  // component-base's legacy names
  TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305: 'ECDHE-RSA-CHACHA20-POLY1305',
  TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305: 'ECDHE-ECDSA-CHACHA20-POLY1305',
  // tls.InsecureCipherSuites()
  TLS_RSA_WITH_RC4_128_SHA: 'RC4-SHA',
  TLS_RSA_WITH_3DES_EDE_CBC_SHA: 'DES-CBC3-SHA',
  TLS_RSA_WITH_AES_128_CBC_SHA: 'AES128-SHA',
  TLS_RSA_WITH_AES_256_CBC_SHA: 'AES256-SHA',
  TLS_RSA_WITH_AES_128_CBC_SHA256: 'AES128-SHA256',
  TLS_RSA_WITH_AES_128_GCM_SHA256: 'AES128-GCM-SHA256',
  TLS_RSA_WITH_AES_256_GCM_SHA384: 'AES256-GCM-SHA384',
  TLS_ECDHE_ECDSA_WITH_RC4_128_SHA: 'ECDHE-ECDSA-RC4-SHA',
  TLS_ECDHE_RSA_WITH_RC4_128_SHA: 'ECDHE-RSA-RC4-SHA',
  TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA: 'ECDHE-RSA-DES-CBC3-SHA',
  TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256: 'ECDHE-ECDSA-AES128-SHA256',
  TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256: 'ECDHE-RSA-AES128-SHA256',
};
/** TLS 1.3's suites, which Go does not let a list turn off. */
const TLS13 = ['TLS_AES_128_GCM_SHA256', 'TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256'];

/** Whether Node's OpenSSL has the suite: its build has no RC4 or 3DES ones, at any security level. */
const offeredByOpenSsl = (openssl: string): boolean => getCiphers().includes(openssl.toLowerCase());

interface CipherChoice {
  /** OpenSSL's list: TLS 1.3's suites, then the named ones this server offers. */
  readonly ciphers: string;
  /** Go names accepted, as upstream does, that Node's OpenSSL cannot offer. */
  readonly notOffered: readonly string[];
}

/**
 * --tls-cipher-suites in OpenSSL's words. A name Go knows but OpenSSL cannot offer is accepted
 * and reported, as prometheus-adapter's Deployments may name one; unless no named suite is
 * offered at all, which would leave TLS 1.2 clients none.
 */
function cipherSuites(names: readonly string[]): CipherChoice {
  const openssl: string[] = [];
  const notOffered: string[] = [];
  let anyOffered = false;
  for (const n of names) {
    if (TLS13.includes(n)) {
      anyOffered = true;
      continue;
    }
    const name = Object.hasOwn(CIPHER_SUITES, n) ? CIPHER_SUITES[n] : undefined;
    if (name === undefined) {
      const hint =
        n === ''
          ? ' (an empty entry: a comma too many?)'
          : n !== n.trim()
            ? ' (spaces are part of the name, as Go reads the list)'
            : '';
      throw new FlagError(
        `invalid argument ${JSON.stringify(n)} for "--tls-cipher-suites": not a cipher suite Go's crypto/tls knows${hint}`,
      );
    }
    if (offeredByOpenSsl(name)) {
      openssl.push(name);
      anyOffered = true;
    } else notOffered.push(n);
  }
  if (!anyOffered)
    throw new FlagError(
      `invalid argument ${JSON.stringify(names.join(','))} for "--tls-cipher-suites": Node's OpenSSL ${process.versions.openssl} offers none of these suites (it has no RC4 or 3DES ones)`,
    );
  return { ciphers: [...TLS13, ...new Set(openssl)].join(':'), notOffered };
}

/**
 * --prometheus-header values as upstream's parseHeaderArgs reads them: split at the first `=`,
 * a value with none is the empty one. A header needs a name. A name given again (in any case:
 * `http.Header.Add` canonicalises it) adds a value, as `Add` does, rather than replacing the
 * first, and each value goes as a field line of its own, under the name as first written, as Go
 * writes them. Joined into one line they would be the same field to a server that joins lines
 * (RFC 9110 §5.3), but not to a Go one: `Header.Get` reads the first line only, so Mimir or
 * Cortex behind `X-Scope-OrgID` would read a tenant named `team-a, team-b`.
 */
function prometheusHeaders(args: readonly string[]): Record<string, string | string[]> {
  const values = new Map<string, { name: string; values: string[] }>();
  for (const h of args) {
    const eq = h.indexOf('=');
    const name = (eq < 0 ? h : h.slice(0, eq)).trim();
    if (name === '')
      throw new FlagError(
        `invalid argument ${JSON.stringify(h)} for "--prometheus-header": want Name=Value or Name`,
      );
    const value = eq < 0 ? '' : h.slice(eq + 1).trim();
    const key = name.toLowerCase();
    const seen = values.get(key);
    if (seen) seen.values.push(value);
    else values.set(key, { name, values: [value] });
  }
  const headers: Record<string, string | string[]> = {};
  for (const { name, values: v } of values.values())
    headers[name] = v.length > 1 ? v : (v[0] ?? '');
  return headers;
}

/**
 * --bind-address as pflag's IPVar reads it: an IP address (a host name, or nothing, is an
 * error, not a name looked up). IPv6 is written as the URL standard writes it, so that any
 * unspecified one (`0:0:0:0:0:0:0:0`, `::ffff:0.0.0.0`, as Go's IsUnspecified) is `::`.
 */
function bindAddress(text: string): string {
  const ip = text.trim();
  const bad = () =>
    new FlagError(
      `invalid argument ${JSON.stringify(text)} for "--bind-address": not an IP address`,
    );
  if (isIP(ip) === 0 || ip.includes('%')) throw bad();
  if (isIP(ip) === 4) return ip;
  let v6: string;
  try {
    v6 = new URL(`http://[${ip}]/`).hostname.slice(1, -1);
  } catch {
    throw bad();
  }
  return v6 === '::ffff:0:0' ? '::' : v6;
}

export function parseFlags(argv: readonly string[]): AdapterFlags {
  const read = readFlagArgs(argv, FLAG_TABLE);
  const given = new Map<string, string[]>();
  const ignored: string[] = [];
  for (const { name, value } of read.flags) {
    const kind = FLAGS[name]?.kind;
    if (kind === 'ignored' || kind === 'ignored-bool') ignored.push(`--${name}=${value}`);
    else given.set(name, [...(given.get(name) ?? []), value]);
  }
  if (read.help) given.set('help', ['true']);
  const positionals = read.positionals;

  const str = (name: string) => {
    const values = given.get(name);
    return values ? (values[values.length - 1] as string) : FLAGS[name]?.fallback;
  };
  const list = (name: string) => {
    const values =
      given.get(name) ?? (FLAGS[name]?.fallback ? [FLAGS[name]?.fallback as string] : []);
    // Each entry trimmed and an empty one dropped, where pflag keeps them: an allowed name
    // " aggregator" would match no certificate, a header name "" no header.
    return values
      .flatMap((v) => (name === 'prometheus-header' ? [v] : csvFields(v, name)))
      .map((v) => v.trim())
      .filter(Boolean);
  };
  const optional = (name: string) => str(name) || undefined;
  // Go takes `-1s`; no duration here means anything below zero (k8s.io/apiserver refuses a
  // negative --shutdown-delay-duration too).
  const duration = (name: string) => {
    const ms = parseGoDuration(str(name) as string, name);
    if (ms < 0)
      throw new FlagError(
        `invalid argument ${JSON.stringify(str(name))} for "--${name}": must not be negative`,
      );
    return ms;
  };
  // A duration Node runs a timer for: past 2^31-1 ms, setTimeout and setInterval fire after
  // 1 ms instead (TimeoutOverflowWarning), so `--metrics-relist-interval=720h` relisted every
  // millisecond. Go's timers take any duration; here a longer one is refused, naming the bound.
  const timer = (name: string) => {
    const ms = duration(name);
    if (ms > MAX_TIMER_MS)
      throw new FlagError(
        `invalid argument ${JSON.stringify(str(name))} for "--${name}": at most 596h31m23.647s (the longest timer Node runs)`,
      );
    return ms;
  };

  const headers = prometheusHeaders(list('prometheus-header'));
  // Upper case only, as prometheus-adapter compares it: a flag it would refuse is refused here.
  const verb = str('prometheus-verb') as string;
  if (verb !== 'GET' && verb !== 'POST') {
    throw new FlagError(
      `invalid argument ${JSON.stringify(verb)} for "--prometheus-verb": want GET or POST`,
    );
  }
  const url = str('prometheus-url') as string;
  try {
    parsePrometheusUrl(url);
  } catch (err) {
    if (!(err instanceof PrometheusUrlError)) throw err;
    throw new FlagError(
      `invalid argument ${JSON.stringify(url)} for "--prometheus-url": ${err.message}`,
    );
  }
  const port = parseIntFlag(str('secure-port') as string, 'secure-port');
  if (port < 0 || port > 65535)
    throw new FlagError(`invalid argument "${port}" for "--secure-port": want 0–65535`);
  const relist = timer('metrics-relist-interval');
  if (relist <= 0) throw new FlagError('"--metrics-relist-interval" must be positive');
  // Unset or 0, as upstream's main: the relist interval. Anything smaller upstream's
  // makeProvider refuses ("max age must not be less than relist interval").
  const maxAge = (given.has('metrics-max-age') && duration('metrics-max-age')) || relist;
  if (maxAge < relist)
    throw new FlagError(
      `"--metrics-max-age" (${str('metrics-max-age')}) must not be less than "--metrics-relist-interval" (${str('metrics-relist-interval')})`,
    );
  // 0 would abort every query at once (each a 503), not wait for ever.
  const timeout = timer('prometheus-timeout');
  if (timeout <= 0) throw new FlagError('"--prometheus-timeout" must be positive');
  const certFile = optional('tls-cert-file');
  const keyFile = optional('tls-private-key-file');
  if ((certFile === undefined) !== (keyFile === undefined)) {
    throw new FlagError(
      '--tls-cert-file and --tls-private-key-file are given together or not at all',
    );
  }

  const clientCert = optional('prometheus-client-tls-cert-file');
  const clientKey = optional('prometheus-client-tls-key-file');
  if ((clientCert === undefined) !== (clientKey === undefined))
    throw new FlagError(
      '--prometheus-client-tls-cert-file and --prometheus-client-tls-key-file are given together or not at all',
    );
  const authInCluster = parseBool(
    str('prometheus-auth-incluster') as string,
    'prometheus-auth-incluster',
  );
  if (authInCluster && optional('prometheus-auth-config'))
    throw new FlagError(
      '--prometheus-auth-incluster and --prometheus-auth-config may not be used together',
    );
  const minVersion = optional('tls-min-version');
  // As pflag's StringSlice reads it (encoding/csv, one record), spaces kept: an empty or padded
  // entry is then a name Go does not know.
  const ciphers = (given.get('tls-cipher-suites') ?? []).flatMap((v) =>
    csvFields(v, 'tls-cipher-suites'),
  );
  const suites = ciphers.length > 0 ? cipherSuites(ciphers) : undefined;
  for (const n of suites?.notOffered ?? []) ignored.push(`--tls-cipher-suites=${n}`);

  return {
    help: parseBool(str('help') as string, 'help'),
    printPresets: parseBool(str('print-presets') as string, 'print-presets'),
    prometheusUrl: url,
    prometheusHeaders: headers,
    prometheusVerb: verb,
    prometheusTimeoutMs: timeout,
    prometheusCaFile: optional('prometheus-ca-file'),
    prometheusClientTlsCertFile: clientCert,
    prometheusClientTlsKeyFile: clientKey,
    prometheusTokenFile: optional('prometheus-token-file'),
    prometheusAuthInCluster: authInCluster,
    prometheusAuthConfig: optional('prometheus-auth-config'),
    config: optional('config'),
    presets: parseBool(str('presets') as string, 'presets'),
    metricsRelistIntervalMs: relist,
    metricsMaxAgeMs: maxAge,
    valueCacheTtlMs: duration('value-cache-ttl'),
    objectCacheTtlMs: duration('object-cache-ttl'),
    shutdownDelayMs: timer('shutdown-delay-duration'),
    bindAddress: bindAddress(str('bind-address') as string),
    securePort: port,
    certDir: str('cert-dir') as string,
    tlsCertFile: certFile,
    tlsPrivateKeyFile: keyFile,
    clientCaFile: optional('client-ca-file'),
    requestheaderClientCaFile: optional('requestheader-client-ca-file'),
    requestheaderAllowedNames: list('requestheader-allowed-names'),
    requestheaderUsernameHeaders: list('requestheader-username-headers'),
    requestheaderUidHeaders: list('requestheader-uid-headers'),
    requestheaderGroupHeaders: list('requestheader-group-headers'),
    requestheaderExtraHeadersPrefix: list('requestheader-extra-headers-prefix'),
    listerKubeconfig: optional('lister-kubeconfig'),
    authenticationKubeconfig: optional('authentication-kubeconfig'),
    authorizationKubeconfig: optional('authorization-kubeconfig'),
    authenticationSkipLookup: parseBool(
      str('authentication-skip-lookup') as string,
      'authentication-skip-lookup',
    ),
    insecureServeAnonymous: parseBool(
      str('insecure-serve-anonymous') as string,
      'insecure-serve-anonymous',
    ),
    authenticationTolerateLookupFailure: parseBool(
      str('authentication-tolerate-lookup-failure') as string,
      'authentication-tolerate-lookup-failure',
    ),
    ...(minVersion ? { tlsMinVersion: tlsVersion(minVersion) } : {}),
    ...(suites ? { tlsCipherSuites: suites.ciphers } : {}),
    verbosity: parseIntFlag(str('v') as string, 'v'),
    ignored,
    positionals,
  };
}

/** A default as pflag's help writes it: a string quoted, a list in brackets, a duration as Go's. */
function pflagDefault(type: string, fallback: string): string {
  if (type === 'stringSlice') return `[${fallback}]`;
  if (type === 'int' || type === 'uint64') return fallback;
  if (type === 'duration') return goDurationText(parseGoDuration(fallback));
  return JSON.stringify(fallback);
}

/** Milliseconds as Go's time.Duration.String writes them: `10m0s`, `1h0m0s`, `1.5s`, `500ms`. */
export function goDurationText(ms: number): string {
  if (ms === 0) return '0s';
  if (ms < 1000) return `${ms}ms`;
  const hours = Math.floor(ms / 3_600_000);
  const minutes = Math.floor((ms % 3_600_000) / 60_000);
  const seconds = (ms % 60_000) / 1000;
  return `${hours > 0 ? `${hours}h` : ''}${hours > 0 || minutes > 0 ? `${minutes}m` : ''}${seconds}s`;
}

export function usage(): string {
  const lines = Object.entries(FLAGS).map(([name, spec]) => {
    // pflag's names for the value's type, and its way of writing each type's default.
    const type = spec.kind === 'list' ? 'stringSlice' : (spec.goType ?? spec.kind);
    const arg =
      spec.kind === 'bool' || spec.kind === 'ignored-bool'
        ? ''
        : type === 'duration' || type === 'int'
          ? ` ${type}`
          : type === 'uint64'
            ? ' uint'
            : type === 'stringSlice'
              ? ' strings'
              : ' string';
    const left = `  --${name}${arg}`;
    // pflag leaves out a default that is its type's zero value (0, 0s, false, empty).
    const written = spec.fallback ? pflagDefault(type, spec.fallback) : '';
    const fallback =
      spec.kind === 'bool' || spec.kind === 'ignored-bool'
        ? spec.fallback === 'true'
          ? ' (default true)'
          : ''
        : written && !['0', '0s', '""', '[]'].includes(written)
          ? ` (default ${written})`
          : '';
    // At least two spaces between a long flag and its help.
    return `${left.padEnd(42)}  ${spec.help}${fallback}`;
  });
  return [
    'beacon-metrics-adapter — Kubernetes custom and external metrics API served from Prometheus',
    '',
    'Usage: beacon-metrics-adapter [flags]',
    '',
    "Flags (prometheus-adapter's, plus those marked Beacon):",
    ...lines,
    '',
  ].join('\n');
}
