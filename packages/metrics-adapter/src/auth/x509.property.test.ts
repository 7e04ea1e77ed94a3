// readBundle and subjectValues against bundles and subjects a generator builds. Node prints a
// certificate's subject with OpenSSL's X509_NAME_print_ex: one RDN a line, a multi-valued RDN's
// attributes joined by " + ", values escaped as ASN1_STRFLGS_ESC_2253 | ASN1_STRFLGS_ESC_CTRL
// say (`,+"\<>;` backslashed, a leading `#` or space and a trailing space backslashed, control
// characters as `\XX`; a value that is only `#` is left bare, as OpenSSL 3 leaves it). The
// generator's printer is written from those rules, and checked against certificates the openssl
// CLI makes.
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deepStrictEqual, ok, strictEqual } from 'node:assert/strict';
import fc from 'fast-check';
import { certificateUser, readBundle, subjectValues } from './x509';

interface Ava {
  readonly type: string;
  readonly value: string;
}
type Subject = readonly (readonly Ava[])[];

const SPECIAL = ',+"\\<>;';

/** A value as X509_NAME_print_ex writes it with ESC_2253 and ESC_CTRL. */
function escapeValue(value: string): string {
  const chars = [...value];
  return chars
    .map((c, i) => {
      const code = c.codePointAt(0) as number;
      if (code < 0x20 || code === 0x7f)
        return '\\' + code.toString(16).toUpperCase().padStart(2, '0');
      if (SPECIAL.includes(c)) return '\\' + c;
      // OpenSSL's last-character rule replaces its first-character one: a lone `#` is bare.
      if (i === 0 && chars.length > 1 && (c === '#' || c === ' ')) return '\\' + c;
      if (i === chars.length - 1 && c === ' ') return '\\' + c;
      return c;
    })
    .join('');
}

const print = (subject: Subject) =>
  subject.map((rdn) => rdn.map((a) => `${a.type}=${escapeValue(a.value)}`).join(' + ')).join('\n');

const valuesOf = (subject: Subject, type: string) =>
  subject.flatMap((rdn) => rdn.filter((a) => a.type === type).map((a) => a.value));

const tricky = fc.constantFrom(
  ',',
  '+',
  '"',
  '\\',
  '<',
  '>',
  ';',
  '#',
  ' ',
  '=',
  '\n',
  '\r',
  '\x01',
  '\x1f',
  '\x7f',
  '/',
  ' + ',
  '\\0A',
  'a',
  'Z',
  '0',
  'é',
  'ü',
  '😀',
  '中',
  'system:masters',
);
const value = fc.oneof(
  fc.string({ unit: tricky, maxLength: 8 }).map((s) => s),
  fc.string({ unit: 'grapheme', maxLength: 10 }),
);

describe('subjectValues (properties)', () => {
  it("reads each attribute's values back from the printed subject (20k cases)", () => {
    const type = fc.constantFrom('CN', 'O', 'OU', 'L', 'C', 'emailAddress', 'UID', '1.2.3.4');
    const subject = fc.array(fc.array(fc.record({ type, value }), { minLength: 1, maxLength: 3 }), {
      maxLength: 5,
    });
    fc.assert(
      fc.property(subject, (s) => {
        const printed = print(s);
        for (const t of ['CN', 'O', 'OU', 'UID'])
          deepStrictEqual(subjectValues(printed, t), valuesOf(s, t));
      }),
      { numRuns: 20_000 },
    );
  });

  it('never throws on any text, and finds nothing in text without the attribute (20k cases)', () => {
    fc.assert(
      fc.property(
        fc.string({
          unit: fc.constantFrom('C', 'N', '=', '\\', '+', ' ', '\n', 'x', 'é', 'A', '0'),
        }),
        (t) => {
          const cn = subjectValues(t, 'CN');
          ok(Array.isArray(cn) && cn.every((v) => typeof v === 'string'));
          if (!t.includes('CN=')) strictEqual(cn.length, 0);
        },
      ),
      { numRuns: 20_000 },
    );
  });
});

describe('subjects of real certificates (properties)', () => {
  let dir: string;
  let key: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'beacon-x509-prop-'));
    key = join(dir, 'k.pem');
    execFileSync('openssl', [
      'genpkey',
      '-algorithm',
      'EC',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-out',
      key,
    ]);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** openssl's -subj syntax: `/` between RDNs, `+` within one, `\` escaping either and itself. */
  const subjArg = (s: Subject) =>
    s
      .map(
        (rdn) =>
          '/' +
          rdn.map((a) => `${a.type}=${a.value.replace(/[\\/+]/g, (c) => '\\' + c)}`).join('+'),
      )
      .join('');

  const certFor = (s: Subject) =>
    new X509Certificate(
      execFileSync(
        'openssl',
        [
          'req',
          '-new',
          '-x509',
          '-key',
          key,
          '-days',
          '1',
          '-utf8',
          '-multivalue-rdn',
          '-subj',
          subjArg(s),
        ],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      ),
    );

  // openssl drops empty values; one attribute of each type per RDN keeps the order of values
  // across RDNs the generator's, whatever order DER sorts a multi-valued RDN's attributes into.
  const realValue = fc
    .oneof(
      fc.string({ unit: tricky, minLength: 1, maxLength: 6 }),
      fc.string({
        unit: fc.constantFrom('a', 'é', '\u0085', '😀', ' ', '#', '-'),
        minLength: 1,
        maxLength: 6,
      }),
    )
    .filter((v) => !v.includes('\0'));
  const realSubject = fc.array(
    fc
      .uniqueArray(fc.constantFrom('CN', 'O', 'OU'), { minLength: 1, maxLength: 3 })
      .chain((types) =>
        fc.tuple(...types.map((type) => realValue.map((v) => ({ type, value: v })))),
      ),
    { minLength: 1, maxLength: 4 },
  );

  it('prints subjects as the generator does, and reads back CN and O, and the user kube-apiserver names (100 cases)', () => {
    fc.assert(
      fc.property(realSubject, (s) => {
        const cert = certFor(s);
        const sorted = (text: string) => text.split('\n').map((line) => line.split(' + ').sort());
        deepStrictEqual(sorted(cert.subject), sorted(print(s)));
        deepStrictEqual(subjectValues(cert.subject, 'CN'), valuesOf(s, 'CN'));
        deepStrictEqual(subjectValues(cert.subject, 'O'), valuesOf(s, 'O'));
        const cns = valuesOf(s, 'CN');
        // Go's pkix.Name.CommonName is the last CN; groups are every O.
        deepStrictEqual(
          certificateUser(cert),
          cns.length === 0 ? undefined : { name: cns.at(-1), groups: valuesOf(s, 'O') },
        );
      }),
      { numRuns: 100 },
    );
  });
});

describe('readBundle (properties)', () => {
  let dir: string;
  let certs: { pem: string; fingerprint: string }[];
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'beacon-bundle-prop-'));
    certs = ['one', 'two', 'three'].map((cn) => {
      const pem = execFileSync(
        'openssl',
        [
          'req',
          '-x509',
          '-newkey',
          'ec',
          '-pkeyopt',
          'ec_paramgen_curve:P-256',
          '-nodes',
          '-keyout',
          join(dir, `${cn}.key`),
          '-days',
          '1',
          '-subj',
          `/CN=${cn}`,
        ],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      ).toString('utf8');
      return { pem, fingerprint: new X509Certificate(pem).fingerprint256 };
    });
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const FILE = '/etc/kubernetes/pki/front-proxy-ca.crt';

  /** readBundle's answer: fingerprints, or the Error's message; anything else fails. */
  function outcome(pem: string): string[] | string {
    try {
      return readBundle(pem, FILE).map((c) => c.fingerprint256);
    } catch (err) {
      ok(err instanceof Error && err.constructor === Error, `threw ${String(err)}`);
      ok(err.message.startsWith(`${FILE}: `), err.message);
      return err.message;
    }
  }

  const otherBlock = fc.constantFrom(
    '-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg\n-----END PRIVATE KEY-----\n',
    '-----BEGIN CERTIFICATE REQUEST-----\nMIIBADCBpwIBADA=\n-----END CERTIFICATE REQUEST-----\n',
    '-----BEGIN X509 CRL-----\nMIIBADCBpwIBADA=\n-----END X509 CRL-----\n',
    '# kube-root-ca\n',
    'subject=CN = one\nissuer=CN = one\n',
  );
  const junk = fc.oneof(
    otherBlock,
    fc.string({ maxLength: 20 }).filter((s) => !s.includes('-----')),
  );
  /** A bundle: which certificates, in order, with other text between them. */
  const bundle = fc
    .record({
      picks: fc.array(fc.nat({ max: 2 }), { maxLength: 4 }),
      between: fc.array(junk, { minLength: 5, maxLength: 5 }),
      crlf: fc.boolean(),
    })
    .map(({ picks, between, crlf }) => {
      const text =
        picks.map((i, n) => (between[n] as string) + (certs[i] as { pem: string }).pem).join('') +
        between[4];
      return { picks, text: crlf ? text.replace(/\r?\n/g, '\r\n') : text };
    });

  it('reads every certificate of a bundle, in order, past other PEM blocks and text (5k cases)', () => {
    fc.assert(
      fc.property(bundle, ({ picks, text }) => {
        const got = outcome(text);
        if (picks.length === 0) strictEqual(got, `${FILE}: no PEM certificate found`);
        else
          deepStrictEqual(
            got,
            picks.map((i) => (certs[i] as { fingerprint: string }).fingerprint),
          );
      }),
      { numRuns: 5_000 },
    );
  });

  it('answers a mangled bundle with certificates or an error naming the file (5k cases)', () => {
    const mangled = fc
      .tuple(
        bundle,
        fc.array(fc.tuple(fc.nat(), fc.nat({ max: 3 }), fc.string({ maxLength: 3 })), {
          minLength: 1,
          maxLength: 4,
        }),
      )
      .map(([{ text }, edits]) =>
        edits.reduce((t, [at, kind, s]) => {
          const i = t.length === 0 ? 0 : at % t.length;
          if (kind === 0) return t.slice(0, i); // truncated
          if (kind === 1) return t.slice(0, i) + t.slice(i + 1); // a character lost
          if (kind === 2) return t.slice(0, i) + s + t.slice(i); // characters added
          return t.slice(0, i) + s + t.slice(i + 1); // a character replaced
        }, text),
      );
    fc.assert(
      fc.property(mangled, (text) => {
        const got = outcome(text);
        if (typeof got !== 'string')
          ok(got.length <= text.split('-----BEGIN CERTIFICATE-----').length - 1);
      }),
      { numRuns: 5_000 },
    );
  });

  it('answers any text with certificates or an error naming the file (5k cases)', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ unit: 'binary' }),
          fc
            .string({ maxLength: 200 })
            .map((s) => `-----BEGIN CERTIFICATE-----\n${s}\n-----END CERTIFICATE-----\n`),
          fc
            .base64String({ maxLength: 400 })
            .map((s) => `-----BEGIN CERTIFICATE-----\n${s}\n-----END CERTIFICATE-----`),
        ),
        (text) => void outcome(text),
      ),
      { numRuns: 5_000 },
    );
  });
});
