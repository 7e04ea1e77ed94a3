// Client-certificate chain verification as Go's x509.Certificate.Verify does it for
// kube-apiserver's x509 and requestheader authenticators (k8s.io/apiserver
// pkg/authentication/request/x509: Roots the CA bundle, Intermediates what the client sent,
// KeyUsages [ExtKeyUsageClientAuth]). OpenSSL's own verdict on the handshake (socket.authorized)
// differs from Go's where it matters here: it refuses a leaf whose only extended key usage is
// anyExtendedKeyUsage, a leaf whose KeyUsage or Netscape type does not name client use (Go
// ignores both), and a bundle whose CA is not self-signed (Go trusts any certificate in Roots).
import type { X509Certificate } from 'node:crypto';

const EKU_ANY = '2.5.29.37.0';
const EKU_CLIENT_AUTH = '1.3.6.1.5.5.7.3.2';
/** Go's maxChainSignatureChecks: a bound on the signatures one verification checks. */
const MAX_SIGNATURE_CHECKS = 100;

interface Tlv {
  readonly tag: number;
  readonly content: Buffer;
  readonly end: number;
}

function tlv(buf: Buffer, offset: number): Tlv {
  const tag = buf[offset];
  let len = buf[offset + 1];
  if (tag === undefined || len === undefined) throw new Error('truncated DER');
  let start = offset + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 4) throw new Error('unsupported DER length');
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + (buf[start + i] ?? NaN);
    start += n;
  }
  const end = start + len;
  if (!Number.isFinite(end) || end > buf.length) throw new Error('truncated DER');
  return { tag, content: buf.subarray(start, end), end };
}

function children(buf: Buffer): Tlv[] {
  const out: Tlv[] = [];
  for (let off = 0; off < buf.length;) {
    const t = tlv(buf, off);
    out.push(t);
    off = t.end;
  }
  return out;
}

export interface Extension {
  /** The OID's DER content, in hex (`551d13` is 2.5.29.19). */
  readonly oid: string;
  readonly critical: boolean;
  readonly value: Buffer;
}

/** The certificate's extensions, read from its DER (tbsCertificate's [3]). */
export function extensionsOf(cert: X509Certificate): Extension[] {
  const tbs = children(tlv(cert.raw, 0).content)[0];
  if (!tbs) throw new Error('no tbsCertificate');
  const wrapped = children(tbs.content).find((t) => t.tag === 0xa3);
  if (!wrapped) return [];
  const list = children(wrapped.content)[0];
  if (!list) return [];
  return children(list.content).map((ext) => {
    const [oid, second, third] = children(ext.content);
    const critical = second?.tag === 0x01 && second.content[0] !== 0;
    const value = (second?.tag === 0x04 ? second : third)?.content ?? Buffer.alloc(0);
    return { oid: oid?.content.toString('hex') ?? '', critical, value };
  });
}

const BASIC_CONSTRAINTS = '551d13';
const NAME_CONSTRAINTS = '551d1e';
const SUBJECT_ALT_NAME = '551d11';
/** The extensions Go's parser handles; a critical one outside these fails Verify. */
const HANDLED = new Set([
  '551d0f', // keyUsage
  BASIC_CONSTRAINTS,
  SUBJECT_ALT_NAME,
  NAME_CONSTRAINTS,
  '551d1f', // cRLDistributionPoints
  '551d23', // authorityKeyIdentifier
  '551d0e', // subjectKeyIdentifier
  '551d20', // certificatePolicies
  '551d21', // policyMappings
  '551d24', // policyConstraints
  '551d36', // inhibitAnyPolicy
  '551d25', // extKeyUsage
  '2b06010505070101', // authorityInfoAccess
]);

/**
 * Signature algorithms whose signatures Go's CheckSignatureFrom refuses (InsecureAlgorithmError):
 * MD5 and SHA-1 with RSA, ECDSA and DSA; md2WithRSA it does not know.
 */
const INSECURE_SIGNATURES = new Set([
  '2a864886f70d010102', // md2WithRSAEncryption
  '2a864886f70d010104', // md5WithRSAEncryption
  '2a864886f70d010105', // sha1WithRSAEncryption
  '2b0e03021d', // sha1WithRSASignature (OIW)
  '2a8648ce3d0401', // ecdsa-with-SHA1
  '2a8648ce380403', // dsaWithSHA1
]);

/** The OID (DER content, hex) of the algorithm the certificate's issuer signed it with. */
export function signatureAlgorithmOf(cert: X509Certificate): string {
  const algorithm = children(tlv(cert.raw, 0).content)[1];
  const oid = algorithm && children(algorithm.content)[0];
  if (oid?.tag !== 0x06) throw new Error('no signatureAlgorithm');
  return oid.content.toString('hex');
}

/** basicConstraints' pathLenConstraint; undefined when the certificate sets none. */
function maxPathLen(exts: readonly Extension[]): number | undefined {
  const bc = exts.find((e) => e.oid === BASIC_CONSTRAINTS);
  if (!bc) return undefined;
  const seq = children(tlv(bc.value, 0).content);
  const int = seq.find((t) => t.tag === 0x02);
  return int ? int.content.reduce((n, b) => n * 256 + b, 0) : undefined;
}

function weakKey(cert: X509Certificate): boolean {
  const key = cert.publicKey;
  if (key.asymmetricKeyType === 'dsa') return true;
  const bits = key.asymmetricKeyDetails?.modulusLength;
  return (key.asymmetricKeyType ?? '').startsWith('rsa') && (bits ?? 0) < 1024;
}

/** Whether `parent`'s key signed `child`; a key that cannot verify that signature did not. */
function verifies(child: X509Certificate, parent: X509Certificate): boolean {
  try {
    return child.verify(parent.publicKey);
  } catch {
    return false;
  }
}

interface Info {
  readonly cert: X509Certificate;
  readonly exts: readonly Extension[];
  readonly pathLen: number | undefined;
  readonly insecureSignature: boolean;
  /** An RSA key under 1024 bits, which Go refuses to verify with (rsa1024min), or a DSA key, which it cannot. */
  readonly weakKey: boolean;
  readonly notBefore: number;
  readonly notAfter: number;
}

function info(cert: X509Certificate): Info | undefined {
  try {
    const exts = extensionsOf(cert);
    return {
      cert,
      exts,
      pathLen: maxPathLen(exts),
      insecureSignature: INSECURE_SIGNATURES.has(signatureAlgorithmOf(cert)),
      weakKey: weakKey(cert),
      notBefore: Date.parse(cert.validFrom),
      notAfter: Date.parse(cert.validTo),
    };
  } catch {
    return undefined; // DER we cannot read is not verified.
  }
}

/** Go's checkChainForKeyUsage for [clientAuth]: every certificate without EKUs, with any, or with clientAuth. */
const allowsClientAuth = (chain: readonly Info[]) =>
  chain.every((c) => {
    const eku = c.cert.keyUsage;
    return !eku || eku.length === 0 || eku.includes(EKU_ANY) || eku.includes(EKU_CLIENT_AUTH);
  });

/** A time window in which one verified chain is valid (ms since the epoch). */
export interface Window {
  readonly notBefore: number;
  readonly notAfter: number;
}

/**
 * The windows in which `leaf` verifies against `roots` as Go's Verify would: each chain from the
 * leaf through `intermediates` (CAs by basicConstraints, their path lengths kept) to a
 * certificate of `roots`, signatures checked (none by MD5 or SHA-1, as Go refuses them; a root's
 * own self-signature is not one of the chain's), no RSA key under 1024 bits and no DSA key (Go
 * verifies with neither), every certificate's extended key usage allowing
 * clientAuth; a chain is valid while all its certificates are (Go checks each against the
 * time). Empty when it does not verify at all. Stricter than Go in one way: a chain through a
 * CA with name constraints is refused when the leaf has subject alternative names, which are not
 * checked against them here.
 */
export function verifiedWindows(
  leaf: X509Certificate,
  intermediates: readonly X509Certificate[],
  roots: readonly X509Certificate[],
): Window[] {
  const leafInfo = info(leaf);
  if (!leafInfo) return [];
  if (leafInfo.exts.some((e) => e.critical && !HANDLED.has(e.oid))) return [];
  const rootInfos = roots.map(info).filter((i): i is Info => i !== undefined);
  const interInfos = intermediates.map(info).filter((i): i is Info => i !== undefined && i.cert.ca);
  let checks = 0;
  const issued = (child: Info, parent: Info) =>
    child.cert.issuer === parent.cert.subject &&
    !child.insecureSignature &&
    checks++ < MAX_SIGNATURE_CHECKS &&
    verifies(child.cert, parent.cert);
  const windows: Window[] = [];
  const leafHasSan = leafInfo.exts.some((e) => e.oid === SUBJECT_ALT_NAME);
  const accept = (chain: readonly Info[]) => {
    if (!allowsClientAuth(chain) || chain.some((c) => c.weakKey)) return;
    if (leafHasSan && chain.slice(1).some((c) => c.exts.some((e) => e.oid === NAME_CONSTRAINTS)))
      return;
    windows.push({
      notBefore: Math.max(...chain.map((c) => c.notBefore)),
      notAfter: Math.min(...chain.map((c) => c.notAfter)),
    });
  };
  // Go's isValid: a CA's pathLenConstraint bounds the intermediates below it.
  const pathOk = (ca: Info, chain: readonly Info[]) =>
    ca.pathLen === undefined || chain.length - 1 <= ca.pathLen;
  const build = (chain: readonly Info[]) => {
    const last = chain[chain.length - 1] as Info;
    for (const root of rootInfos) {
      if (chain.some((c) => c.cert.raw.equals(root.cert.raw))) continue;
      if (pathOk(root, chain) && issued(last, root)) accept([...chain, root]);
    }
    if (chain.length > 10) return;
    for (const ca of interInfos) {
      if (chain.some((c) => c.cert.raw.equals(ca.cert.raw))) continue;
      if (pathOk(ca, chain) && issued(last, ca)) build([...chain, ca]);
    }
  };
  // A leaf that is itself in the bundle is its own chain, and the only one, as in Go's Verify.
  if (rootInfos.some((r) => r.cert.raw.equals(leaf.raw))) accept([leafInfo]);
  else build([leafInfo]);
  return windows;
}
