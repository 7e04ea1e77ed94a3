import { execFileSync, spawnSync } from 'node:child_process';
import { createServer as createHttpServer } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { getCiphers } from 'node:tls';
import fc from 'fast-check';
import {
  CIPHER_SUITES,
  FlagError,
  goDurationText,
  parseFlags,
  parseGoDuration,
  usage,
} from './flags';
import { createPrometheusClient } from './provider/prometheus/client';

describe('flags', () => {
  it("takes prometheus-adapter's defaults", () => {
    const f = parseFlags([]);
    expect(f).toMatchObject({
      prometheusUrl: 'https://localhost',
      prometheusVerb: 'GET',
      metricsRelistIntervalMs: 600_000,
      metricsMaxAgeMs: 600_000,
      securePort: 443,
      certDir: 'apiserver.local.config/certificates',
      requestheaderUsernameHeaders: ['X-Remote-User'],
      requestheaderUidHeaders: [],
      requestheaderGroupHeaders: ['X-Remote-Group'],
      requestheaderExtraHeadersPrefix: ['X-Remote-Extra-'],
      presets: true,
      help: false,
      shutdownDelayMs: 0,
      ignored: [],
    });
  });

  it('takes --requestheader-uid-headers as a list, as the other header flags, with no default', () => {
    expect(parseFlags([]).requestheaderUidHeaders).toEqual([]);
    expect(parseFlags(['--requestheader-uid-headers=X-Remote-Uid'])).toMatchObject({
      requestheaderUidHeaders: ['X-Remote-Uid'],
      ignored: [],
    });
    expect(
      parseFlags([
        '--requestheader-uid-headers',
        'X-Remote-Uid, X-Other-Uid',
        '--requestheader-uid-headers=X-Third-Uid',
      ]).requestheaderUidHeaders,
    ).toEqual(['X-Remote-Uid', 'X-Other-Uid', 'X-Third-Uid']);
    // Given, the other header flags keep their defaults.
    expect(parseFlags(['--requestheader-uid-headers=X-Remote-Uid'])).toMatchObject({
      requestheaderUsernameHeaders: ['X-Remote-User'],
      requestheaderGroupHeaders: ['X-Remote-Group'],
    });
  });

  it('takes --shutdown-delay-duration as k8s.io/apiserver does, a Go duration', () => {
    expect(parseFlags(['--shutdown-delay-duration=15s']).shutdownDelayMs).toBe(15_000);
    expect(parseFlags(['--shutdown-delay-duration', '1m30s']).shutdownDelayMs).toBe(90_000);
    expect(() => parseFlags(['--shutdown-delay-duration=15'])).toThrow(
      /"--shutdown-delay-duration"/,
    );
  });

  it('reads a published prometheus-adapter Deployment unchanged', () => {
    const f = parseFlags([
      '--cert-dir=/var/run/serving-cert',
      '--config=/etc/adapter/config.yaml',
      '--logtostderr=true',
      '--metrics-relist-interval=1m',
      '--prometheus-url=http://prometheus.monitoring.svc:9090/',
      '--secure-port=6443',
      '--tls-cipher-suites=TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256',
      '--v=4',
      '--prometheus-header',
      'X-Scope-OrgID=platform',
      '--prometheus-header=Authorization=Bearer abc=',
      '--prometheus-verb=POST',
      '--requestheader-allowed-names=front-proxy-client,aggregator',
    ]);
    expect(f).toMatchObject({
      certDir: '/var/run/serving-cert',
      config: '/etc/adapter/config.yaml',
      metricsRelistIntervalMs: 60_000,
      metricsMaxAgeMs: 60_000,
      prometheusUrl: 'http://prometheus.monitoring.svc:9090/',
      securePort: 6443,
      verbosity: 4,
      prometheusHeaders: { 'X-Scope-OrgID': 'platform', Authorization: 'Bearer abc=' },
      prometheusVerb: 'POST',
      requestheaderAllowedNames: ['front-proxy-client', 'aggregator'],
    });
    expect(f.ignored).toEqual(['--logtostderr=true']);
    // Go's suite names in OpenSSL's words; TLS 1.3's stay on, as Go cannot turn them off.
    expect(f.tlsCipherSuites).toBe(
      'TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES128-GCM-SHA256',
    );
  });

  it('reads what the prometheus-community Helm chart renders: the binary again, Prometheus auth, klog flags', () => {
    const f = parseFlags([
      '/adapter',
      '--secure-port=6443',
      '--cert-dir=/tmp/cert',
      '--prometheus-url=https://prometheus.monitoring.svc:9091',
      '--metrics-relist-interval=1m',
      '--v=4',
      '--config=/etc/adapter/config.yaml',
      '--prometheus-ca-file=/etc/prometheus/ca.crt',
      '--prometheus-token-file=/var/run/secrets/prometheus/token',
      '--prometheus-client-tls-cert-file=/etc/prometheus/tls.crt',
      '--prometheus-client-tls-key-file=/etc/prometheus/tls.key',
      '--tls-min-version=VersionTLS13',
      '--vmodule=provider=5',
      '--authorization-always-allow-paths=/healthz,/readyz,/livez,/metrics',
      '--profiling',
    ]);
    expect(f).toMatchObject({
      positionals: ['/adapter'],
      prometheusCaFile: '/etc/prometheus/ca.crt',
      prometheusTokenFile: '/var/run/secrets/prometheus/token',
      prometheusClientTlsCertFile: '/etc/prometheus/tls.crt',
      prometheusClientTlsKeyFile: '/etc/prometheus/tls.key',
      prometheusAuthInCluster: false,
      tlsMinVersion: 'TLSv1.3',
    });
    expect(f.ignored).toEqual([
      '--vmodule=provider=5',
      '--authorization-always-allow-paths=/healthz,/readyz,/livez,/metrics',
      '--profiling=true',
    ]);
  });

  it("accepts klog's underscore flags, the audit flags and --permit-address-sharing, reporting them", () => {
    const f = parseFlags([
      '--log_file=/var/log/adapter.log',
      '--log_dir',
      '/var/log',
      '--log_file_max_size=1800',
      '--skip_headers',
      '--skip_log_headers=false',
      '--add_dir_header',
      '--one_output=true',
      '--log_backtrace_at=provider.go:42',
      '--alsologtostderr',
      '--stderrthreshold=ERROR',
      '--permit-address-sharing',
      '--audit-log-path=-',
      '--audit-log-maxage=7',
      '--audit-log-maxbackup',
      '3',
      '--audit-log-maxsize=100',
      '--audit-log-format=json',
      '--audit-log-compress',
      '--audit-log-mode=batch',
      '--audit-log-batch-throttle-enable=false',
      '--audit-log-truncate-max-event-size=102400',
      '--audit-policy-file=/etc/audit/policy.yaml',
      '--audit-webhook-config-file=/etc/audit/webhook.yaml',
      '--audit-webhook-initial-backoff=10s',
      '--audit-webhook-batch-max-wait=30s',
      '--audit-webhook-truncate-enabled',
      '--audit-webhook-version=audit.k8s.io/v1',
      '--v=2',
    ]);
    expect(f.verbosity).toBe(2);
    expect(f.ignored).toEqual([
      '--log_file=/var/log/adapter.log',
      '--log_dir=/var/log',
      '--log_file_max_size=1800',
      '--skip_headers=true',
      '--skip_log_headers=false',
      '--add_dir_header=true',
      '--one_output=true',
      '--log_backtrace_at=provider.go:42',
      '--alsologtostderr=true',
      '--stderrthreshold=ERROR',
      '--permit-address-sharing=true',
      '--audit-log-path=-',
      '--audit-log-maxage=7',
      '--audit-log-maxbackup=3',
      '--audit-log-maxsize=100',
      '--audit-log-format=json',
      '--audit-log-compress=true',
      '--audit-log-mode=batch',
      '--audit-log-batch-throttle-enable=false',
      '--audit-log-truncate-max-event-size=102400',
      '--audit-policy-file=/etc/audit/policy.yaml',
      '--audit-webhook-config-file=/etc/audit/webhook.yaml',
      '--audit-webhook-initial-backoff=10s',
      '--audit-webhook-batch-max-wait=30s',
      '--audit-webhook-truncate-enabled=true',
      '--audit-webhook-version=audit.k8s.io/v1',
    ]);
  });

  it('takes --metrics-max-age=0s as the relist interval, as upstream does', () => {
    expect(
      parseFlags(['--metrics-relist-interval=2m', '--metrics-max-age=0s']).metricsMaxAgeMs,
    ).toBe(120_000);
    expect(parseFlags(['--metrics-max-age=0']).metricsMaxAgeMs).toBe(600_000);
    expect(parseFlags(['--metrics-max-age=30m']).metricsMaxAgeMs).toBe(1_800_000);
  });

  it('refuses a --metrics-max-age below --metrics-relist-interval, as makeProvider does', () => {
    for (const argv of [
      ['--metrics-relist-interval=5m', '--metrics-max-age=1m'],
      ['--metrics-max-age', '9m59s'],
    ]) {
      expect(() => parseFlags(argv)).toThrow(FlagError);
      expect(() => parseFlags(argv)).toThrow(
        /"--metrics-max-age" \((1m|9m59s)\) must not be less than "--metrics-relist-interval" \((5m|10m)\)/,
      );
    }
    // Equal, larger, unset and 0 (the relist interval) all start.
    expect(
      parseFlags(['--metrics-relist-interval=5m', '--metrics-max-age=5m']).metricsMaxAgeMs,
    ).toBe(300_000);
    expect(parseFlags(['--metrics-relist-interval=1m']).metricsMaxAgeMs).toBe(60_000);
    expect(
      parseFlags(['--metrics-relist-interval=1h', '--metrics-max-age=0s']).metricsMaxAgeMs,
    ).toBe(3_600_000);
  });

  it("accepts k8s.io/apiserver's --debug-socket-path (a string) and --enable-priority-and-fairness (a bool), reporting them", () => {
    expect(
      parseFlags(['--debug-socket-path=/tmp/debug.sock', '--enable-priority-and-fairness=false'])
        .ignored,
    ).toEqual(['--debug-socket-path=/tmp/debug.sock', '--enable-priority-and-fairness=false']);
    // Space form for the string; a bare bool takes no value, so the next word stays a flag.
    const f = parseFlags([
      '--debug-socket-path',
      '/run/adapter/debug.sock',
      '--enable-priority-and-fairness',
      '--v=3',
    ]);
    expect(f.ignored).toEqual([
      '--debug-socket-path=/run/adapter/debug.sock',
      '--enable-priority-and-fairness=true',
    ]);
    expect(f.verbosity).toBe(3);
    expect(() => parseFlags(['--debug-socket-path'])).toThrow(
      'flag needs an argument: --debug-socket-path',
    );
    const text = usage();
    expect(text).toMatch(/\n {2}--debug-socket-path string +accepted; /);
    expect(text).toMatch(/\n {2}--enable-priority-and-fairness +accepted; /);
  });

  it('refuses a value of an accepted flag that its Go type upstream refuses, as pflag does at start', () => {
    // audit.go's IntVar and DurationVar, klog's Uint64Var, AdapterBase's DurationVar and IntVar,
    // DelegatingAuthorizationOptions' StringSliceVar: a Deployment upstream refuses to start.
    for (const [arg, reason] of [
      ['--audit-log-maxage=7d', 'want an integer (invalid syntax)'],
      ['--audit-webhook-batch-max-wait=5', 'time: missing unit in duration'],
      ['--log_file_max_size=-1', 'want an unsigned integer (invalid syntax)'],
      ['--log_file_max_size=18446744073709551616', 'want an unsigned integer (value out of range)'],
      ['--discovery-interval=10', 'time: missing unit in duration'],
      ['--client-burst=1.5', 'want an integer (invalid syntax)'],
      ['--authorization-always-allow-paths=/a"b', 'bare " in non-quoted-field'],
    ] as const)
      expect(() => parseFlags([arg])).toThrow(reason);
    // What those types take is still accepted and reported.
    expect(
      parseFlags([
        '--audit-log-maxage=0x7',
        '--audit-webhook-batch-max-wait=5s',
        '--log_file_max_size=18446744073709551615',
        '--discovery-interval=1m30s',
        '--client-burst=1_000',
        '--authorization-always-allow-paths=/healthz,"/a,b"',
        '--audit-log-batch-throttle-qps=1.5',
      ]).ignored,
    ).toHaveLength(7);
    const text = usage();
    expect(text).toMatch(/\n {2}--audit-log-maxage int +accepted; /);
    expect(text).toMatch(/\n {2}--log_file_max_size uint +accepted; /);
    expect(text).toMatch(/\n {2}--discovery-interval duration +accepted; /);
    expect(text).toMatch(/\n {2}--authorization-always-allow-paths strings +accepted; /);
  });

  it("accepts custom-metrics-apiserver's --client-qps and --client-burst (AdapterBase.InstallFlags), reporting them", () => {
    // prometheus-adapter 0.12 builds on custom-metrics-apiserver 1.30, whose AdapterBase adds
    // both (kubernetes-sigs/custom-metrics-apiserver#121): a Deployment tuning its lister's
    // client-side throttle must start here too.
    const f = parseFlags(['--client-qps=50', '--client-burst', '100', '--v=2']);
    expect(f.ignored).toEqual(['--client-qps=50', '--client-burst=100']);
    expect(f.verbosity).toBe(2);
    const text = usage();
    expect(text).toMatch(/\n {2}--client-qps string +accepted; /);
    expect(text).toMatch(/\n {2}--client-burst int +accepted; /);
  });

  it('sends --prometheus-header=Name (no =) with an empty value, as parseHeaderArgs does', () => {
    expect(
      parseFlags(['--prometheus-header=X-Empty', '--prometheus-header', 'X-Scope-OrgID=a=b'])
        .prometheusHeaders,
    ).toEqual({ 'X-Empty': '', 'X-Scope-OrgID': 'a=b' });
  });

  it('sends every value of a --prometheus-header name given twice as its own line, as http.Header.Add does', async () => {
    const f = parseFlags([
      '--prometheus-header=X-Scope-OrgID=team-a',
      '--prometheus-header=Accept-Language=en',
      // Add canonicalises the name: x-scope-orgid is the same header.
      '--prometheus-header=x-scope-orgid=team-b',
    ]);
    expect(f.prometheusHeaders).toEqual({
      'X-Scope-OrgID': ['team-a', 'team-b'],
      'Accept-Language': 'en',
    });
    // What Prometheus reads: upstream's Go client sends two field lines, written here by hand as
    // it sends them; a Go server's Header.Get reads the first alone, so one joined line would be
    // another value to it. The adapter's client must send the same two lines.
    const lines: string[][] = [];
    const server = createHttpServer((req, res) => {
      const raw = req.rawHeaders;
      const mine: string[] = [];
      for (let i = 0; i < raw.length; i += 2)
        if (raw[i]?.toLowerCase() === 'x-scope-orgid') mine.push(String(raw[i + 1]));
      lines.push(mine);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ status: 'success', data: { resultType: 'vector', result: [] } }));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as AddressInfo;
    try {
      const goLike = connect(port, '127.0.0.1');
      goLike.end(
        'GET /api/v1/query?query=up HTTP/1.1\r\nHost: x\r\nX-Scope-Orgid: team-a\r\n' +
          'X-Scope-Orgid: team-b\r\nConnection: close\r\n\r\n',
      );
      await new Promise((r) => goLike.on('close', r).resume());
      await createPrometheusClient({
        url: `http://127.0.0.1:${port}`,
        headers: f.prometheusHeaders,
      }).query('up');
      expect(lines).toEqual([
        ['team-a', 'team-b'],
        ['team-a', 'team-b'],
      ]);
    } finally {
      server.close();
    }
  });

  it.each([
    [['--nope=1'], 'unknown flag: --nope'],
    [['--constructor=1'], 'unknown flag: --constructor'],
    // pflag's names are case-sensitive: named as unknown, as pflag names it.
    [['--Secure-Port=6443'], 'unknown flag: --Secure-Port'],
    [['--secure.port', '1'], 'unknown flag: --secure.port'],
    // pflag's parseArgs: one dash is shorthands, of which -v is the only one (and -h, help).
    [['-prometheus-url=http://p'], "unknown shorthand flag: 'p' in -prometheus-url=http://p"],
    [['---secure-port=1'], 'bad flag syntax: ---secure-port=1'],
    [['--=1'], 'bad flag syntax: --=1'],
    [['-v'], "flag needs an argument: 'v' in -v"],
    [['--config'], 'flag needs an argument: --config'],
    // Each value is read as pflag sets it, a bad one an error though a later one replaces it.
    [['--secure-port=x', '--secure-port=1'], 'invalid argument "x" for "--secure-port"'],
    [['--requestheader-allowed-names=a"b'], 'bare " in non-quoted-field'],
    [
      ['--tls-min-version=TLS1.2'],
      'want one of VersionTLS10, VersionTLS11, VersionTLS12, VersionTLS13',
    ],
    [['--tls-cipher-suites=TLS_RSA_WITH_NOPE'], "not a cipher suite Go's crypto/tls knows"],
    [
      ['--tls-cipher-suites=TLS_RSA_WITH_RC4_128_SHA,TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA'],
      'offers none of these suites (it has no RC4 or 3DES ones)',
    ],
    [
      ['--prometheus-client-tls-cert-file=a.crt'],
      '--prometheus-client-tls-key-file are given together',
    ],
    [
      ['--prometheus-auth-incluster', '--prometheus-auth-config=k.yaml'],
      'may not be used together',
    ],
    [['--config'], 'flag needs an argument: --config'],
    [['--prometheus-verb=PUT'], 'want GET or POST'],
    [['--prometheus-verb=post'], '"post" for "--prometheus-verb": want GET or POST'],
    [['--prometheus-url=ftp://x'], '"--prometheus-url": want an http:// or https:// URL'],
    [['--metrics-relist-interval=10'], 'invalid argument "10" for "--metrics-relist-interval"'],
    [['--secure-port=https'], 'invalid argument "https" for "--secure-port"'],
    [['--prometheus-header==v'], '"--prometheus-header": want Name=Value or Name'],
    [['--log-file_max-size=1'], 'unknown flag: --log-file_max-size'],
    [['--audit-log-nope=1'], 'unknown flag: --audit-log-nope'],
    [['--presets=maybe'], 'invalid argument "maybe" for "--presets"'],
    [['--tls-cert-file=a.crt'], '--tls-cert-file and --tls-private-key-file'],
    [
      ['--metrics-relist-interval=720h'],
      'invalid argument "720h" for "--metrics-relist-interval": at most 596h31m23.647s',
    ],
    [
      ['--shutdown-delay-duration=596h31m23.648s'],
      'invalid argument "596h31m23.648s" for "--shutdown-delay-duration": at most',
    ],
    [['--prometheus-timeout=600h'], 'invalid argument "600h" for "--prometheus-timeout"'],
    [['--prometheus-timeout=0s'], '"--prometheus-timeout" must be positive'],
    // strconv.ParseBool's spellings only, for the booleans that change nothing too.
    [['--logtostderr=yes'], 'invalid argument "yes" for "--logtostderr": want true or false'],
    [['--alsologtostderr=on'], 'invalid argument "on" for "--alsologtostderr"'],
    [['--presets=tRuE'], 'invalid argument "tRuE" for "--presets"'],
  ])('rejects %j naming the problem', (argv, message) => {
    expect(() => parseFlags(argv)).toThrow(FlagError);
    expect(() => parseFlags(argv)).toThrow(message);
  });

  it("takes klog's -v as pflag takes a shorthand: -v4, -v=4, -v 4", () => {
    for (const argv of [['-v4'], ['-v=4'], ['-v', '4'], ['--v=4']])
      expect(parseFlags(argv).verbosity).toBe(4);
    // What pflag makes of a long name after one dash that starts with v: -v's value.
    expect(() => parseFlags(['-vmodule=x'])).toThrow('invalid argument "module=x" for "--v"');
  });

  it("takes --bind-address as an IP address, as pflag's IPVar does; any unspecified one is every interface", () => {
    expect(parseFlags([]).bindAddress).toBe('0.0.0.0');
    expect(parseFlags(['--bind-address=10.1.2.3']).bindAddress).toBe('10.1.2.3');
    expect(parseFlags(['--bind-address= 127.0.0.1 ']).bindAddress).toBe('127.0.0.1');
    expect(parseFlags(['--bind-address=::']).bindAddress).toBe('::');
    expect(parseFlags(['--bind-address=0:0:0:0:0:0:0:0']).bindAddress).toBe('::');
    expect(parseFlags(['--bind-address=::ffff:0.0.0.0']).bindAddress).toBe('::');
    expect(parseFlags(['--bind-address=FD00:0:0::1']).bindAddress).toBe('fd00::1');
    for (const bad of ['localhost', '', '10.0.0', '010.0.0.1', 'fe80::1%eth0'])
      expect(() => parseFlags([`--bind-address=${bad}`])).toThrow(
        `invalid argument ${JSON.stringify(bad)} for "--bind-address": not an IP address`,
      );
  });

  it("reads the values as pflag's types do: base-0 ints, CSV string slices, - as a word", () => {
    // strconv.ParseInt(s, 0, 64), pflag's intValue.
    for (const [text, port] of [
      ['0x1bb', 443],
      ['0o673', 443],
      ['0673', 443],
      ['0b110111011', 443],
      ['+4_4_3', 443],
      ['00443', 291],
    ] as const)
      expect(parseFlags([`--secure-port=${text}`]).securePort).toBe(port);
    // encoding/csv's first record, pflag's readAsCSV: quotes hold commas.
    expect(
      parseFlags(['--requestheader-allowed-names="front,proxy",aggregator'])
        .requestheaderAllowedNames,
    ).toEqual(['front,proxy', 'aggregator']);
    expect(parseFlags(['-', '--v=1']).positionals).toEqual(['-']);
    // klog's Level: base 10 into 32 bits.
    expect(() => parseFlags(['-v=0x1'])).toThrow('invalid argument "0x1" for "--v"');
    expect(() => parseFlags(['-v=2147483648'])).toThrow('value out of range');
  });

  it('takes -h for --help, as pflag does', () => {
    expect(parseFlags(['-h']).help).toBe(true);
    expect(parseFlags(['--help']).help).toBe(true);
    expect(() => parseFlags(['--h'])).toThrow('unknown flag: --h');
  });

  it('ends the flags at --, as pflag does: what follows is words, even a flag', () => {
    const f = parseFlags(['--v=2', '--', '--secure-port=1', 'x']);
    expect(f).toMatchObject({
      verbosity: 2,
      securePort: 443,
      positionals: ['--secure-port=1', 'x'],
    });
  });

  it("takes every spelling of a boolean that Go's strconv.ParseBool takes", () => {
    for (const t of ['1', 't', 'T', 'TRUE', 'true', 'True'])
      expect(parseFlags([`--presets=${t}`, `--logtostderr=${t}`])).toMatchObject({
        presets: true,
        ignored: [`--logtostderr=${t}`],
      });
    for (const f of ['0', 'f', 'F', 'FALSE', 'false', 'False'])
      expect(parseFlags([`--presets=${f}`, `--logtostderr=${f}`])).toMatchObject({
        presets: false,
        ignored: [`--logtostderr=${f}`],
      });
  });

  it("takes a timer's duration up to the longest node runs, which fires early past it", () => {
    // Node's own behaviour, the bound's source: 2^31-1 ms runs, one more fires after 1 ms.
    const node = spawnSync(process.execPath, [
      '-e',
      'setTimeout(() => {}, 2147483647).unref(); setTimeout(() => {}, 2147483648).unref()',
    ]);
    expect(String(node.stderr).match(/TimeoutOverflowWarning: \d+/g)).toEqual([
      'TimeoutOverflowWarning: 2147483648',
    ]);
    const f = parseFlags([
      '--metrics-relist-interval=596h31m23.647s',
      '--shutdown-delay-duration=596h31m23.647s',
      '--prometheus-timeout=596h31m23.647s',
    ]);
    expect(f).toMatchObject({
      metricsRelistIntervalMs: 2_147_483_647,
      shutdownDelayMs: 2_147_483_647,
      prometheusTimeoutMs: 2_147_483_647,
    });
    // Not a timer: discovery's look-back may be longer.
    expect(parseFlags(['--metrics-max-age=8760h']).metricsMaxAgeMs).toBe(8760 * 3_600_000);
  });

  it("takes both micro signs Go's time.ParseDuration takes", () => {
    expect(parseGoDuration('1500\u00b5s')).toBe(1.5);
    expect(parseGoDuration('1500\u03bcs')).toBe(1.5);
  });

  it("parses Go durations as Go's time.ParseDuration does", () => {
    expect(parseGoDuration('90s')).toBe(90_000);
    expect(parseGoDuration('1h30m')).toBe(5_400_000);
    expect(parseGoDuration('1.5s')).toBe(1_500);
    expect(parseGoDuration('250ms')).toBe(250);
    expect(parseGoDuration('0')).toBe(0);
    for (const bad of ['', '1', 'm', '1x', '1m ', '--1s'])
      expect(() => parseGoDuration(bad)).toThrow(FlagError);
  });

  // Each answer is Go 1.26's time.ParseDuration's, run on the text (2026-12-05); found by
  // flags.oracle.test.ts, which asks Go for 20,000 more each run.
  it('reads a sign, whole nanoseconds and the int64 bound as Go does', () => {
    expect(parseGoDuration('+5s')).toBe(5_000);
    expect(parseGoDuration('-1s')).toBe(-1_000);
    expect(Object.is(parseGoDuration('-0s'), 0)).toBe(true);
    expect(parseGoDuration('1.9999999999s')).toBe(1_999.999999);
    expect(parseGoDuration('1.5ns')).toBe(0.000001);
    expect(parseGoDuration('2562047h47m16.854775807s')).toBe(
      Number(9_223_372_036_854_775_807n) / 1e6,
    );
    expect(() => parseGoDuration('2562047h47m16.854775808s', 'metrics-max-age')).toThrow(
      'invalid argument "2562047h47m16.854775808s" for "--metrics-max-age": time: invalid duration',
    );
    expect(() => parseGoDuration('5d')).toThrow('time: unknown unit "d" in duration "5d"');
    // Go's uint64 sum wraps at 2^64, past its check: Go reads this as 1h.
    expect(parseGoDuration('9223372036854775808ns9223372036854775808ns1h')).toBe(3_600_000);
  });

  it('refuses a negative duration, which Go would take', () => {
    for (const flag of ['value-cache-ttl', 'metrics-max-age', 'shutdown-delay-duration'])
      expect(() => parseFlags([`--${flag}=-1s`])).toThrow(
        `invalid argument "-1s" for "--${flag}": must not be negative`,
      );
  });

  it('never fails on any input with anything but a FlagError', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ maxLength: 30 }), { maxLength: 6 }), (argv) => {
        try {
          parseFlags(argv);
        } catch (err) {
          if (!(err instanceof FlagError)) throw err;
        }
      }),
      { numRuns: 20_000 },
    );
  });

  it('reads every generated duration to the milliseconds it names', () => {
    const part = fc.tuple(fc.integer({ min: 0, max: 999 }), fc.constantFrom('h', 'm', 's', 'ms'));
    const ms: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1_000, ms: 1 };
    fc.assert(
      fc.property(fc.array(part, { minLength: 1, maxLength: 4 }), (parts) => {
        const text = parts.map(([n, u]) => `${n}${u}`).join('');
        const want = parts.reduce((sum, [n, u]) => sum + n * (ms[u] as number), 0);
        expect(parseGoDuration(text)).toBe(want);
      }),
    );
  });

  it('keeps a long flag apart from its help in --help', () => {
    const text = usage();
    expect(text).toContain(
      '  --requestheader-extra-headers-prefix strings  header prefixes holding extra user info',
    );
    expect(text).toContain('  --authorization-webhook-cache-authorized-ttl duration  accepted\n');
    expect(text).toContain(
      '  --prometheus-url string                   URL of the Prometheus HTTP API',
    );
  });

  it("writes each default as pflag's help does: strings quoted, lists bracketed, Go durations, no zero values", () => {
    const line = (flag: string) =>
      usage()
        .split('\n')
        .find((l) => l.startsWith(`  --${flag} `));
    // As prometheus-adapter 0.12's --help prints them.
    expect(line('prometheus-verb')).toMatch(/ \(default "GET"\)$/);
    expect(line('secure-port')).toMatch(/^ {2}--secure-port int .* \(default 443\)$/);
    expect(line('metrics-relist-interval')).toMatch(/ \(default 10m0s\)$/);
    expect(line('prometheus-timeout')).toMatch(/ \(default 5s\)$/);
    expect(line('requestheader-username-headers')).toMatch(
      /^ {2}--requestheader-username-headers strings .* \(default \[X-Remote-User\]\)$/,
    );
    expect(line('tls-cipher-suites')).toMatch(/^ {2}--tls-cipher-suites strings /);
    // pflag leaves a zero default out.
    expect(line('v')).not.toContain('(default');
    expect(line('shutdown-delay-duration')).not.toContain('(default');
    expect(line('presets')).toMatch(/ \(default true\)$/);
  });

  it('writes durations as Go does', () => {
    for (const [ms, text] of [
      [0, '0s'],
      [500, '500ms'],
      [1_500, '1.5s'],
      [60_000, '1m0s'],
      [600_000, '10m0s'],
      [3_600_000, '1h0m0s'],
      [3_723_000, '1h2m3s'],
    ] as const)
      expect([ms, goDurationText(ms)]).toEqual([ms, text]);
  });

  it('lists every flag in --help', () => {
    const text = usage();
    for (const flag of [
      '--prometheus-url',
      '--config',
      '--metrics-relist-interval',
      '--prometheus-header',
      '--prometheus-verb',
      '--secure-port',
      '--cert-dir',
      '--tls-cert-file',
      '--tls-private-key-file',
      '--client-ca-file',
      '--requestheader-client-ca-file',
      '--requestheader-allowed-names',
      '--requestheader-uid-headers',
      '--lister-kubeconfig',
      '--authentication-kubeconfig',
      '--authorization-kubeconfig',
      '--v',
      '--logtostderr',
      '--metrics-max-age',
      '--tls-cipher-suites',
    ]) {
      expect(text).toContain(`  ${flag}`);
    }
  });
});

describe('--tls-cipher-suites', () => {
  // Go 1.26's tls.CipherSuites() then tls.InsecureCipherSuites(), as a small Go program printed
  // them; then the two legacy names component-base's ciphersuites_flag.go keeps.
  const GO_SUITES = [
    'TLS_AES_128_GCM_SHA256',
    'TLS_AES_256_GCM_SHA384',
    'TLS_CHACHA20_POLY1305_SHA256',
    'TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA',
    'TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA',
    'TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA',
    'TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA',
    'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256',
    'TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384',
    'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256',
    'TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384',
    'TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256',
    'TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256',
    'TLS_RSA_WITH_RC4_128_SHA',
    'TLS_RSA_WITH_3DES_EDE_CBC_SHA',
    'TLS_RSA_WITH_AES_128_CBC_SHA',
    'TLS_RSA_WITH_AES_256_CBC_SHA',
    'TLS_RSA_WITH_AES_128_CBC_SHA256',
    'TLS_RSA_WITH_AES_128_GCM_SHA256',
    'TLS_RSA_WITH_AES_256_GCM_SHA384',
    'TLS_ECDHE_ECDSA_WITH_RC4_128_SHA',
    'TLS_ECDHE_RSA_WITH_RC4_128_SHA',
    'TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA',
    'TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256',
    'TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256',
  ];
  const LEGACY = ['TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305', 'TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305'];
  // RC4 and 3DES, in openssl-ciphers(1)'s words: Node's OpenSSL 3 has none of them.
  const NOT_OFFERED: Record<string, string> = {
    TLS_RSA_WITH_RC4_128_SHA: 'RC4-SHA',
    TLS_RSA_WITH_3DES_EDE_CBC_SHA: 'DES-CBC3-SHA',
    TLS_ECDHE_ECDSA_WITH_RC4_128_SHA: 'ECDHE-ECDSA-RC4-SHA',
    TLS_ECDHE_RSA_WITH_RC4_128_SHA: 'ECDHE-RSA-RC4-SHA',
    TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA: 'ECDHE-RSA-DES-CBC3-SHA',
  };

  it('accepts every suite Go knows, offering those Node has and reporting the others', () => {
    const f = parseFlags([`--tls-cipher-suites=${[...GO_SUITES, ...LEGACY].join(',')}`]);
    expect(f.tlsCipherSuites).toBe(
      [
        'TLS_AES_128_GCM_SHA256',
        'TLS_AES_256_GCM_SHA384',
        'TLS_CHACHA20_POLY1305_SHA256',
        'ECDHE-ECDSA-AES128-SHA',
        'ECDHE-ECDSA-AES256-SHA',
        'ECDHE-RSA-AES128-SHA',
        'ECDHE-RSA-AES256-SHA',
        'ECDHE-ECDSA-AES128-GCM-SHA256',
        'ECDHE-ECDSA-AES256-GCM-SHA384',
        'ECDHE-RSA-AES128-GCM-SHA256',
        'ECDHE-RSA-AES256-GCM-SHA384',
        'ECDHE-RSA-CHACHA20-POLY1305',
        'ECDHE-ECDSA-CHACHA20-POLY1305',
        'AES128-SHA',
        'AES256-SHA',
        'AES128-SHA256',
        'AES128-GCM-SHA256',
        'AES256-GCM-SHA384',
        'ECDHE-ECDSA-AES128-SHA256',
        'ECDHE-RSA-AES128-SHA256',
      ].join(':'),
    );
    expect(f.ignored).toEqual(Object.keys(NOT_OFFERED).map((n) => `--tls-cipher-suites=${n}`));
  });

  // pflag's StringSlice reads the value with encoding/csv (a Go program printed what its Reader
  // makes of these: "A,," → ["A" "" ""], "A, B" → ["A" " B"]), and component-base's
  // TLSCipherSuites looks each entry up as it is: an empty or padded one is no suite.
  it.each([
    ['TLS_AES_128_GCM_SHA256,,', '""', 'an empty entry'],
    [',TLS_AES_128_GCM_SHA256', '""', 'an empty entry'],
    [
      'TLS_AES_128_GCM_SHA256, TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256',
      '" TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"',
      'spaces are part of the name',
    ],
    [
      'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 ',
      '"TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 "',
      'spaces are part of the name',
    ],
  ])(
    'refuses --tls-cipher-suites=%j, naming the entry %s as Go does not know it',
    (value, entry, hint) => {
      expect(() => parseFlags([`--tls-cipher-suites=${value}`])).toThrow(
        `invalid argument ${entry} for "--tls-cipher-suites": not a cipher suite Go's crypto/tls knows (${hint}`,
      );
    },
  );

  it('takes an empty --tls-cipher-suites as no suites named, as pflag reads it', () => {
    expect(parseFlags(['--tls-cipher-suites=']).tlsCipherSuites).toBeUndefined();
  });

  it('takes the CBC-SHA256 and 3DES names the review found refused', () => {
    const f = parseFlags([
      '--tls-cipher-suites=TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256,TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256,TLS_RSA_WITH_AES_128_CBC_SHA256,TLS_RSA_WITH_3DES_EDE_CBC_SHA,TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA',
    ]);
    expect(f.tlsCipherSuites).toBe(
      'TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256:ECDHE-RSA-AES128-SHA256:ECDHE-ECDSA-AES128-SHA256:AES128-SHA256',
    );
    expect(f.ignored).toEqual([
      '--tls-cipher-suites=TLS_RSA_WITH_3DES_EDE_CBC_SHA',
      '--tls-cipher-suites=TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA',
    ]);
  });

  it("maps each Go name to the suite of that IANA name in OpenSSL's words, one Node knows", () => {
    const tls13 = GO_SUITES.slice(0, 3);
    expect(Object.keys(CIPHER_SUITES).sort()).toEqual(
      [...GO_SUITES.filter((n) => !tls13.includes(n)), ...LEGACY].sort(),
    );
    // OpenSSL's own table of IANA names (which are Go's) to its names.
    const stdnames = new Map(
      execFileSync('openssl', ['ciphers', '-stdname', 'ALL:COMPLEMENTOFALL:@SECLEVEL=0'], {
        encoding: 'utf8',
      })
        .split('\n')
        .map((line) => line.split(/\s+/))
        .map(([iana, , openssl]) => [iana, openssl] as const),
    );
    const nodeKnows = new Set(getCiphers());
    for (const [go, openssl] of Object.entries(CIPHER_SUITES)) {
      if (Object.hasOwn(NOT_OFFERED, go)) {
        expect([go, openssl]).toEqual([go, NOT_OFFERED[go]]);
        expect([go, nodeKnows.has(openssl.toLowerCase())]).toEqual([go, false]);
        continue;
      }
      const iana = LEGACY.includes(go) ? `${go}_SHA256` : go;
      expect([go, openssl]).toEqual([go, stdnames.get(iana)]);
      expect([go, nodeKnows.has(openssl.toLowerCase())]).toEqual([go, true]);
    }
  });
});
