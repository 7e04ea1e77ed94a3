// Client-certificate chains against Go's own crypto/x509: 2,000 random PKIs a run, described by
// a grammar here (names that collide and are encoded two ways, keys shared between
// certificates, issuers that are not their signer, basic constraints and path lengths, key
// usages, extended key usages, validity windows that overlap or not, unknown critical
// extensions, signature algorithms Go refuses or does not know, a 512-bit RSA key, version 1,
// subject alternative names, name constraints, certificate policies; a third of them chains
// that pass every other check, so that policies or names decide), built by Go
// (testdata/x509-oracle) and verified by Go's Verify as kube-apiserver's x509 authenticator
// calls it, at each certificate's notBefore and notAfter and a second either side. Here each
// is verified by verifiedWindows; both must accept the client at the same times. Where they
// part on purpose, BY_DESIGN says why. The e2e suite needs Go too; without it this test fails,
// naming it.
import { X509Certificate } from 'node:crypto';
import { join } from 'node:path';
import fc from 'fast-check';
import { askGoOracle } from '../testing/go-oracle';
import { verifiedWindows } from './x509-verify';

/** 2030-01-01T00:00:00Z; every validity window is a whole number of hours from it. */
const T0 = 1_893_456_000;
const HOUR = 3_600;

/** A certificate as testdata/x509-oracle builds it (see its spec type). */
interface Spec {
  name: string;
  printable: boolean;
  key: string;
  signer: number;
  issuerName?: string;
  bc: '' | 'ca' | 'leaf';
  pathLen?: number;
  keyUsage: number;
  eku: string[] | null;
  notBefore: number;
  notAfter: number;
  unknownCritical: boolean;
  sig: string;
  v1: boolean;
  san?: string[];
  ips?: string[];
  emails?: string[];
  uris?: string[];
  otherNameSan?: boolean;
  permitted?: string[];
  excluded?: string[];
  permittedIps?: string[];
  excludedIps?: string[];
  permittedEmails?: string[];
  dirConstraint?: boolean;
  policies?: string[];
  requireExplicit?: number;
  inhibitMapping?: number;
  inhibitAny?: number;
  mappings?: [string, string][];
}
interface Pki {
  certs: Spec[];
  leaf: number;
  intermediates: number[];
  roots: number[];
  times: number[];
}
type GoAnswer = { error: string } | { pems: string[]; ok: boolean[] };

// Go's KeyUsage bits: digitalSignature 1, keyEncipherment 4, certSign 32, cRLSign 64.
const KEY_USAGES = [0, 0, 0, 0, 96, 97, 32, 33, 1, 5, 64];
const ANY_POLICY = '2.5.29.32.0';
const percent = (p: number) => fc.nat(99).map((n) => n < p);

/** Certificate policies, mappings and policy constraints, any of them. */
const policyExtensions: fc.Arbitrary<Partial<Spec>> = fc.record(
  {
    policies: fc.subarray(['1.2.3.1', '1.2.3.2', ANY_POLICY], { minLength: 1 }),
    requireExplicit: fc.nat(2),
    inhibitMapping: fc.nat(2),
    inhibitAny: fc.nat(2),
    mappings: fc.constantFrom<[string, string][]>(
      [['1.2.3.1', '1.2.3.2']],
      [['1.2.3.2', '1.2.3.1']],
      [[ANY_POLICY, '1.2.3.1']],
      [['1.2.3.1', ANY_POLICY]],
    ),
  },
  { requiredKeys: [] },
);

/** Subject alternative names: DNS names valid and not (an empty label, a trailing dot, a space), IPs, rarely an email address or URI. */
const altNames: fc.Arbitrary<Partial<Spec>> = fc
  .tuple(
    fc.record({
      san: fc.subarray(
        [
          'a.example.com',
          'example.com',
          'A.EXAMPLE.COM',
          'b.other.org',
          '*.example.com',
          'a.example.com.evil',
          'xexample.com',
          'a..example.com',
          'trailing.example.com.',
          'sp ace.example.com',
        ],
        { maxLength: 2 },
      ),
      ips: fc.subarray(['10.1.2.3', '192.168.0.1', '192.168.1.1', '::1', 'fe80::1'], {
        maxLength: 2,
      }),
    }),
    fc.oneof(
      { weight: 8, arbitrary: fc.constant({}) },
      fc.constantFrom<Partial<Spec>>(
        { emails: ['u@example.com'] },
        { uris: ['https://a.example.com/x'] },
      ),
    ),
  )
  .map(([names, others]) => ({ ...names, ...others }));

/** Name constraints on DNS names (with and without a leading dot, any case, empty: all) and IP ranges, rarely on email addresses. */
const nameConstraints: fc.Arbitrary<Partial<Spec>> = fc.record(
  {
    permitted: fc.subarray(
      ['example.com', '.example.com', 'A.EXAMPLE.COM', 'a.example.com', 'other.org', ''],
      { maxLength: 2 },
    ),
    excluded: fc.subarray(
      ['example.com', '.example.com', 'a.example.com', 'b.example.com', 'other.org', ''],
      { maxLength: 2 },
    ),
    permittedIps: fc.subarray(['10.0.0.0/8', '192.168.0.0/24', '::/0', 'fe80::/10'], {
      maxLength: 2,
    }),
    excludedIps: fc.subarray(['10.1.0.0/16', '192.168.1.0/24', '::1/128'], { maxLength: 2 }),
    permittedEmails: fc.constantFrom(['example.com']),
  },
  { requiredKeys: ['permitted', 'excluded', 'permittedIps', 'excludedIps'] },
);

const spec = (i: number, role: 'leaf' | 'other'): fc.Arbitrary<Spec> =>
  fc
    .record({
      name: fc.constantFrom('root', 'ca', 'ca', 'sub', 'leaf'),
      printable: percent(70),
      key: fc.constantFrom(
        'p256a',
        'p256a',
        'p256b',
        'p256c',
        'p384',
        'p224',
        'ed25519a',
        'ed25519b',
        'rsa2048',
        'rsa1024',
        'rsa512',
      ),
      signer: fc.oneof(
        { weight: 8, arbitrary: fc.constant(Math.max(0, i - 1)) },
        fc.constant(i),
        fc.nat(i),
      ),
      issuerName: fc.oneof(
        { weight: 20, arbitrary: fc.constant(undefined) },
        fc.constantFrom('root', 'ca', 'other'),
      ),
      bc:
        role === 'leaf'
          ? fc.constantFrom<Spec['bc']>('leaf', 'leaf', 'leaf', '', 'ca')
          : fc.constantFrom<Spec['bc']>('ca', 'ca', 'ca', 'ca', 'ca', '', 'leaf'),
      pathLen: fc.oneof({ weight: 3, arbitrary: fc.constant(undefined) }, fc.nat(2)),
      keyUsage: fc.constantFrom(...KEY_USAGES),
      eku: fc.option(fc.subarray(['client', 'server', 'any', 'other']), { freq: 2, nil: null }),
      from: fc.integer({ min: -2, max: 1 }),
      hours: fc.oneof(
        { weight: 3, arbitrary: fc.integer({ min: 3, max: 6 }) },
        fc.integer({ min: 0, max: 2 }),
      ),
      unknownCritical: percent(5),
      sig: fc.oneof(
        { weight: 20, arbitrary: fc.constant('default') },
        fc.constantFrom('sha384', 'sha512', 'pss', 'pss-salt', 'sha1', 'md5', 'sha224'),
      ),
      v1: percent(5),
      altNames: fc.oneof({ weight: 4, arbitrary: fc.constant({}) }, altNames, {
        weight: 1,
        arbitrary: fc.constant({ otherNameSan: true }),
      }),
      constraints: fc.oneof({ weight: 6, arbitrary: fc.constant({}) }, nameConstraints, {
        weight: 1,
        arbitrary: fc.constant({ dirConstraint: true }),
      }),
      policy: fc.oneof({ weight: 10, arbitrary: fc.constant({}) }, policyExtensions),
    })
    .map(({ from, hours, altNames, constraints, policy, issuerName, pathLen, ...s }) => ({
      ...s,
      ...(issuerName ? { issuerName } : {}),
      ...(pathLen !== undefined ? { pathLen } : {}),
      notBefore: T0 + from * HOUR,
      notAfter: T0 + (from + hours) * HOUR,
      ...altNames,
      ...constraints,
      ...policy,
    }));

/** Every second at which some certificate's validity starts or ends, and either side of it. */
function edges(certs: readonly Spec[]): number[] {
  const times = new Set<number>([T0]);
  for (const c of certs)
    for (const t of [c.notBefore, c.notAfter]) for (const d of [-1, 0, 1]) times.add(t + d);
  return [...times].sort((a, b) => a - b);
}

const upTo = (n: number) => Array.from({ length: n }, (_, i) => i);

const pki: fc.Arbitrary<Pki> = fc.integer({ min: 1, max: 5 }).chain((n) =>
  fc
    .tuple(
      fc.tuple(...upTo(n).map((i) => spec(i, 'other'))),
      spec(n, 'leaf'),
      fc.subarray(upTo(n)),
      fc.subarray(upTo(n), { minLength: 1 }),
      percent(5),
    )
    .map(([others, leaf, intermediates, roots, leafIsRoot]) => {
      const certs = [...others, leaf];
      return {
        certs,
        leaf: n,
        intermediates,
        roots: leafIsRoot ? [...roots, n] : roots,
        times: edges(certs),
      };
    }),
);

/**
 * A chain that passes every other check (one key a certificate, each signed by the one before,
 * the same validity), with random `extras` on each certificate: here they decide. A CA named as
 * the one above it is self-issued, which RFC 5280's policy counters skip.
 */
const cleanChain = (extras: fc.Arbitrary<Partial<Spec>>): fc.Arbitrary<Pki> =>
  fc.integer({ min: 1, max: 4 }).chain((n) =>
    fc
      .tuple(
        fc.array(fc.constantFrom('ca', 'sub'), { minLength: n + 1, maxLength: n + 1 }),
        fc.array(fc.oneof(fc.constant({}), { weight: 4, arbitrary: extras }), {
          minLength: n + 1,
          maxLength: n + 1,
        }),
      )
      .map(([names, more]) => {
        const certs = names.map((name, i): Spec => ({
          name,
          printable: true,
          key: ['p256a', 'p256b', 'p256c', 'p384', 'ed25519a'][i] as string,
          signer: Math.max(0, i - 1),
          bc: i === n ? 'leaf' : 'ca',
          keyUsage: 0,
          eku: null,
          notBefore: T0 - HOUR,
          notAfter: T0 + HOUR,
          unknownCritical: false,
          sig: 'default',
          v1: false,
          ...more[i],
        }));
        return { certs, leaf: n, intermediates: upTo(n).slice(1), roots: [0], times: edges(certs) };
      }),
  );

/** Alternative names on any certificate, name constraints on any CA. */
const namesAndConstraints: fc.Arbitrary<Partial<Spec>> = fc
  .tuple(altNames, fc.oneof(fc.constant({}), nameConstraints))
  .map(([names, constraints]) => ({ ...names, ...constraints }));

/** Whether ours accepts the client at each time. */
function ours(p: Pki, pems: readonly string[]): boolean[] {
  const certs = pems.map((pem) => new X509Certificate(pem));
  const pick = (i: number) => certs[i] as X509Certificate;
  const windows = verifiedWindows(pick(p.leaf), p.intermediates.map(pick), p.roots.map(pick));
  return p.times.map((t) => windows.some((w) => w.notBefore <= t * 1000 && t * 1000 <= w.notAfter));
}

const has = (p: Pki, what: (s: Spec) => boolean) => p.certs.some(what);

const BY_DESIGN: { why: string; holds: (p: Pki, go: boolean, ours: boolean) => boolean }[] = [
  {
    why: 'an email address or URI below a CA with name constraints: not checked here, so refused',
    holds: (p, go, o) =>
      go &&
      !o &&
      has(p, (s) => Boolean(s.emails ?? s.uris)) &&
      has(p, (s) =>
        Boolean(
          s.dirConstraint ??
          [s.permitted, s.excluded, s.permittedIps, s.excludedIps, s.permittedEmails].some(
            (l) => l && l.length > 0,
          ),
        ),
      ),
  },
];

describe("client-certificate chains against Go's crypto/x509 Verify", () => {
  it('accepts a client at the times Go does, for 2,000 random PKIs', () => {
    const seed = Number(process.env.FC_SEED ?? Date.now() % 2 ** 31);
    const pkis = fc.sample(
      fc.oneof(
        { weight: 4, arbitrary: pki },
        cleanChain(policyExtensions),
        cleanChain(namesAndConstraints),
      ),
      { numRuns: 2_000, seed },
    );
    const answers = askGoOracle<GoAnswer[]>(
      'the Go crypto/x509 oracle',
      join(__dirname, 'testdata', 'x509-oracle'),
      pkis,
    );
    const differ: unknown[] = [];
    const seen = { accepted: 0, refused: 0, byDesign: 0, pkisAccepted: 0 };
    for (const [i, p] of pkis.entries()) {
      const go = answers[i] as GoAnswer;
      if ('error' in go) throw new Error(`the oracle could not build PKI ${i}: ${go.error}`);
      const got = ours(p, go.pems);
      if (go.ok.includes(true)) seen.pkisAccepted++;
      for (const [j, t] of p.times.entries()) {
        const [g, o] = [go.ok[j] as boolean, got[j] as boolean];
        if (g === o) seen[g ? 'accepted' : 'refused']++;
        else if (BY_DESIGN.some((d) => d.holds(p, g, o))) seen.byDesign++;
        else differ.push({ at: t - T0, go: g, ours: o, pki: JSON.stringify({ ...p, times: [] }) });
      }
    }
    expect({ seed, differ: differ.slice(0, 5) }).toEqual({ seed, differ: [] });
    // The grammar reaches both outcomes often enough for the comparison to mean something.
    expect(seen.accepted).toBeGreaterThan(1_000);
    expect(seen.refused).toBeGreaterThan(1_000);
    expect(seen.pkisAccepted).toBeGreaterThan(300);
  });
});
