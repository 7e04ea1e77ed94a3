// parseKubeconfig against client-go itself: random kubeconfigs, written by a generator here (not
// by kubeconfig.ts) in every YAML style (testing/random-yaml.ts), with servers in every form
// (a scheme or none, a path, a query, an IPv6 literal), certificates and keys inline as base64
// (right, wrapped, URL-safe, unpadded, not PEM, of another key), tokens, TLS server names,
// names given twice or missing, and now and then a way of reaching the server this adapter does
// not take (exec, auth-provider, basic auth, proxy-url, impersonation), are read by Go
// (testdata/kubeconfig-oracle: clientcmd.RESTConfigFromKubeConfig, rest.DefaultServerUrlFor and
// rest.TLSConfigFor of client-go v0.32.3, run with `go run`) and by parseKubeconfig. Where Go
// refuses one, ours must too; where Go reads it, ours must reach the same URL with the same
// CA, certificate, key, token and TLS settings, or refuse it for a reason it documents. The e2e
// suite needs Go too; without it this test fails, naming it.
import { join } from 'node:path';
import fc from 'fast-check';
import { askGoOracle } from '../testing/go-oracle';
import { createPki, type Pki } from '../testing/pki';
import { random, render, type Random, type Style, type Y } from '../testing/random-yaml';
import { KubeconfigError, parseKubeconfig, type KubeConnection } from './kubeconfig';

interface GoConnection {
  url: string;
  serverName: string;
  insecure: boolean;
  ca: string;
  cert: string;
  key: string;
  token: string;
  exec: boolean;
  authProvider: boolean;
  proxy: boolean;
  username: string;
  password: string;
  impersonate: boolean;
  tlsError?: string;
}
type Answer = { error: string } | { config: GoConnection };

interface Material {
  ca: string;
  cert: string;
  key: string;
  /** Another client's key: a pair that does not match. */
  otherKey: string;
}

const b64 = (text: string) => Buffer.from(text).toString('base64');

class Generator {
  constructor(
    private readonly r: Random,
    private readonly m: Material,
  ) {}

  private str(text: string): Y {
    const style = this.r.pick<Style>(['plain', 'plain', 'single', 'double', 'literal']);
    return { t: 'str', text, style };
  }

  /** A value from `good` most of the time, else one from `odd` written as it stands. */
  private value(good: readonly string[], odd: readonly string[], pOdd = 0.06): Y {
    return this.r.chance(pOdd) ? { t: 'raw', src: this.r.pick(odd) } : this.str(this.r.pick(good));
  }

  private map(entries: [string, Y | undefined][]): Y {
    const kept = entries.filter((e): e is [string, Y] => e[1] !== undefined);
    if (this.r.chance(0.3)) kept.reverse();
    return { t: 'map', entries: kept, flow: this.r.chance(0.3) };
  }

  private maybe(p: number, make: () => Y): Y | undefined {
    return this.r.chance(p) ? make() : undefined;
  }

  private pem(text: string): Y {
    const r = this.r;
    const forms = [
      b64(text),
      b64(text),
      b64(text)
        .replace(/.{1,76}/g, '$&\n')
        .trimEnd(), // wrapped, as base64(1) writes it
      b64(text).replace(/\+/g, '-').replace(/\//g, '_'), // URL-safe
      b64(text).replace(/=+$/, ''), // unpadded
      b64('hello'), // base64, not PEM
      'not base64!',
    ];
    const form = r.chance(0.9) ? forms[0]! : r.pick(forms);
    return form.includes('\n')
      ? { t: 'str', text: form, style: r.pick(['literal', 'double']) }
      : this.str(form);
  }

  private cluster(): Y {
    const r = this.r;
    const https = [
      'https://10.0.0.1:6443',
      'https://kube.example:443',
      'https://kube.example/prefix',
      'https://kube.example/',
      'https://[::1]:6443',
      'HTTPS://kube.example',
    ];
    const others = [
      'http://127.0.0.1:8001',
      '10.0.0.1:6443',
      'kube.example',
      '[::1]:6443',
      'kube.example/path',
      'https://kube.example?x=1',
      'https://kube.example#f',
      'https://user@kube.example',
      'https://',
      'ftp://kube.example',
      '',
    ];
    const tls = r.chance(0.6);
    return this.map([
      [
        'server',
        this.maybe(0.97, () =>
          this.value(r.chance(0.75) ? https : others, ['42', 'true', '~', '[a]']),
        ),
      ],
      ['certificate-authority-data', tls ? this.pem(this.m.ca) : undefined],
      [
        'insecure-skip-tls-verify',
        this.maybe(0.25, () => ({
          t: 'raw',
          src: r.pick(['true', 'false', 'yes', 'on', '"true"', '1', '~']),
        })),
      ],
      ['tls-server-name', this.maybe(0.2, () => this.value(['kubernetes', ''], ['42']))],
      ['proxy-url', this.maybe(0.04, () => this.str('http://proxy:3128'))],
    ]);
  }

  private user(): Y {
    const r = this.r;
    const certified = r.chance(0.4);
    return this.map([
      ['token', this.maybe(0.5, () => this.value(['abc123', ''], ['42', '~', 'true']))],
      ['client-certificate-data', certified || r.chance(0.05) ? this.pem(this.m.cert) : undefined],
      [
        'client-key-data',
        certified || r.chance(0.05)
          ? this.pem(r.chance(0.1) ? this.m.otherKey : this.m.key)
          : undefined,
      ],
      ['username', this.maybe(0.03, () => this.str('jane'))],
      ['password', this.maybe(0.03, () => this.str('secret'))],
      ['as', this.maybe(0.03, () => this.str('admin'))],
      [
        'exec',
        this.maybe(0.03, () =>
          this.map([
            ['apiVersion', this.str('client.authentication.k8s.io/v1')],
            ['command', this.str('aws')],
            ['interactiveMode', this.str('Never')],
          ]),
        ),
      ],
      [
        'auth-provider',
        this.maybe(0.03, () =>
          this.map([
            ['name', this.str('oidc')],
            ['config', this.map([['idp-issuer-url', this.str('https://idp')]])],
          ]),
        ),
      ],
    ]);
  }

  private named(kind: 'cluster' | 'user' | 'context', names: string[], body: () => Y): Y {
    const items = names.map((name) =>
      this.map([
        ['name', this.str(name)],
        [kind, body()],
      ]),
    );
    return { t: 'seq', items, flow: this.r.chance(0.15) };
  }

  file(): string {
    const r = this.r;
    // Names usually unique and matching; now and then one given twice or missing.
    const clusters = r.chance(0.9) ? ['c1'] : r.pick([['c1', 'c2'], ['c1', 'c1'], []]);
    const users = r.chance(0.85) ? ['u1'] : r.pick([['u1', 'u2'], ['u1', 'u1'], []]);
    const contexts = r.chance(0.9) ? ['ctx'] : r.pick([['ctx', 'other'], ['ctx', 'ctx'], []]);
    const doc = this.map([
      ['apiVersion', this.maybe(0.9, () => this.value(['v1'], ['v2', '1']))],
      ['kind', this.maybe(0.8, () => this.str('Config'))],
      ['current-context', this.maybe(0.95, () => this.value(['ctx'], ['other', '""', '~']))],
      ['clusters', this.named('cluster', clusters, () => this.cluster())],
      ['users', this.maybe(0.95, () => this.named('user', users, () => this.user()))],
      [
        'contexts',
        this.named('context', contexts, () =>
          this.map([
            ['cluster', this.maybe(0.97, () => this.value(['c1'], ['c2', '""']))],
            ['user', this.maybe(0.9, () => this.value(['u1'], ['u2', '""']))],
            ['namespace', this.maybe(0.3, () => this.str('default'))],
          ]),
        ),
      ],
      ['preferences', this.maybe(0.3, () => ({ t: 'raw', src: '{}' }))],
    ]);
    return render(doc, 0, false) + '\n';
  }
}

/** What ours read, in Go's terms: the URL its requests go to, and what they carry. */
function actual(c: KubeConnection) {
  return {
    url: c.server,
    serverName: c.tlsServerName ?? '',
    insecure: c.insecureSkipTlsVerify,
    ca: c.ca ?? '',
    cert: c.cert ?? '',
    key: c.key ?? '',
    token: c.token ?? '',
    username: c.basic?.username ?? '',
    password: c.basic?.password ?? '',
  };
}

function expected(g: GoConnection) {
  return {
    // Ours drops a trailing slash; the request paths appended to either are the same.
    url: g.url.replace(/\/+$/, ''),
    serverName: g.serverName,
    insecure: g.insecure,
    ca: g.ca,
    cert: g.cert,
    key: g.key,
    token: g.token,
    username: g.username,
    password: g.password,
  };
}

type Outcome = { refused: string } | { read: KubeConnection };

function readOurs(text: string): Outcome {
  try {
    return { read: parseKubeconfig(text, '/nowhere/kubeconfig') };
  } catch (err) {
    if (!(err instanceof KubeconfigError)) throw err;
    return { refused: err.message };
  }
}

/**
 * What this adapter refuses by design, where client-go reads on (its README lists them), each
 * with what shows it in the kubeconfig or in what Go read: a way of reaching the server it
 * does not take; a context naming a user that is not there (client-go sends no credentials); a
 * server URL with a query or fragment, or not http(s), that request paths cannot be appended
 * to; TLS settings or credentials for a server reached over plain http, which client-go drops;
 * a client key without a certificate, which it drops too.
 */
const BY_DESIGN: readonly { why: RegExp; shown: (yaml: string, go: GoConnection) => boolean }[] = [
  {
    why: /is not supported here/,
    shown: (yaml) => /\b(?:exec|auth-provider|proxy-url|as):/.test(yaml),
  },
  // client-go sends no basic auth with a password alone (rest.Config.HasBasicAuth).
  {
    why: /a password but no username/,
    shown: (yaml, go) => /\bpassword:/.test(yaml) && !go.username,
  },
  { why: /no user named/, shown: (_, go) => !go.token && !go.cert },
  {
    why: /cluster\.server must be an http\(s\) URL/,
    shown: (_, go) => /[?#]/.test(go.url) || !/^https?:/.test(go.url),
  },
  { why: /is reached over plain http/, shown: (_, go) => go.url.startsWith('http://') },
  // client-go takes a key only with a certificate, and drops one given alone.
  {
    why: /a client key but no client-certificate/,
    shown: (yaml, go) => yaml.includes('client-key-data') && !go.cert,
  },
];

describe("parseKubeconfig against client-go's clientcmd", () => {
  let pki: Pki;
  let material: Material;
  beforeAll(() => {
    pki = createPki();
    const ca = pki.ca('ca');
    const client = pki.client(ca, 'jane', '/CN=jane');
    const other = pki.client(ca, 'joe', '/CN=joe');
    material = { ca: ca.cert, cert: client.cert, key: client.key, otherKey: other.key };
  });
  afterAll(() => pki.remove());

  it('refuses what client-go refuses and reaches the server as it does, for 2,000 random kubeconfigs', () => {
    const seed = Number(process.env.FC_SEED ?? Date.now() % 2 ** 31);
    const files = fc
      .sample(fc.nat(), { numRuns: 2_000, seed })
      .map((n) => new Generator(random(n), material).file());
    const answers = askGoOracle<Answer[]>(
      'the Go kubeconfig oracle (client-go)',
      join(__dirname, 'testdata', 'kubeconfig-oracle'),
      files,
    );
    const differ: unknown[] = [];
    const seen = { read: 0, refusedByBoth: 0, byDesign: 0 };
    for (const [i, yaml] of files.entries()) {
      const go = answers[i] as Answer;
      const ours = readOurs(yaml);
      const refused = 'refused' in ours ? ours.refused : undefined;
      const byDesign = (g: GoConnection) =>
        BY_DESIGN.some(({ why, shown }) => refused && why.test(refused) && shown(yaml, g));
      if ('config' in go && !go.config.tlsError && byDesign(go.config)) {
        seen.byDesign++;
        continue;
      }
      if ('error' in go || go.config.tlsError) {
        if ('refused' in ours) seen.refusedByBoth++;
        else differ.push({ yaml, go, ours: 'read' });
        continue;
      }
      if ('refused' in ours) {
        differ.push({ yaml, go: go.config, ours: ours.refused });
        continue;
      }
      const want = expected(go.config);
      const got = actual(ours.read);
      if (JSON.stringify(got) === JSON.stringify(want)) seen.read++;
      else differ.push({ yaml, go: want, ours: got });
    }
    expect({ seed, differ: differ.slice(0, 10) }).toEqual({ seed, differ: [] });
    expect(seen.read).toBeGreaterThan(400);
    expect(seen.refusedByBoth).toBeGreaterThan(400);
  });
});
