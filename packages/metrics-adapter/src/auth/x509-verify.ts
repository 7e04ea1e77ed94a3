// Client-certificate chain verification as Go's x509.Certificate.Verify does it for
// kube-apiserver's x509 and requestheader authenticators (k8s.io/apiserver
// pkg/authentication/request/x509: Roots the CA bundle, Intermediates what the client sent,
// KeyUsages [ExtKeyUsageClientAuth]). OpenSSL's own verdict on the handshake (socket.authorized)
// differs from Go's where it matters here: it refuses a leaf whose only extended key usage is
// anyExtendedKeyUsage, a leaf whose KeyUsage or Netscape type does not name client use (Go
// ignores both), and a bundle whose CA is not self-signed (Go trusts any certificate in Roots).
import type { X509Certificate } from 'node:crypto';
import { children, tlv, type Tlv } from './der';
import {
  altNamesOf,
  goReadsAnAltName,
  goReadsEveryConstraint,
  nameConstraintsHold,
  nameConstraintsOf,
  type NamedLink,
} from './x509-names';
import { policiesOf, policiesValid, type PolicyLink } from './x509-policies';

const EKU_ANY = '2.5.29.37.0';
const EKU_CLIENT_AUTH = '1.3.6.1.5.5.7.3.2';
/** Go's maxChainSignatureChecks: a bound on the signatures one verification checks. */
const MAX_SIGNATURE_CHECKS = 100;

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
const KEY_USAGE = '551d0f';
const NAME_CONSTRAINTS = '551d1e';
const SUBJECT_ALT_NAME = '551d11';
/** The extensions Go's parser handles; a critical one outside these fails Verify. */
const HANDLED = new Set([
  KEY_USAGE,
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
 * Whether Go's parser leaves the extension unhandled: one it does not know, a subject alternative
 * name with none of the names it reads, or name constraints with a type it does not support
 * (directoryName among them). A critical one fails Verify on any certificate of the chain.
 */
function unhandled(ext: Extension): boolean {
  if (!HANDLED.has(ext.oid)) return true;
  if (ext.oid === SUBJECT_ALT_NAME) return !goReadsAnAltName(ext.value);
  if (ext.oid === NAME_CONSTRAINTS) return !goReadsEveryConstraint(ext.value);
  return false;
}

const hex = (t: Tlv | undefined) => t?.raw.toString('hex') ?? '';
const SHA2 = ['608648016503040201', '608648016503040202', '608648016503040203']; // SHA-256/384/512
const NULL = '0500';

/**
 * Whether Go verifies signatures by this AlgorithmIdentifier (getSignatureAlgorithmFromAI, then
 * checkSignature for a certificate): RSA PKCS #1 v1.5, ECDSA and RSASSA-PSS with SHA-256/384/512,
 * and Ed25519. MD5 and SHA-1 it refuses as insecure; SHA-224, DSA and PSS with any other
 * parameters than the hash's own MGF1 and salt length it does not know.
 */
function goVerifiesWith(algorithm: Tlv): boolean {
  const [oid, params] = children(algorithm.content);
  switch (oid?.content.toString('hex')) {
    case '2a864886f70d01010b': // sha256WithRSAEncryption
    case '2a864886f70d01010c': // sha384WithRSAEncryption
    case '2a864886f70d01010d': // sha512WithRSAEncryption
    case '2a8648ce3d040302': // ecdsa-with-SHA256
    case '2a8648ce3d040303': // ecdsa-with-SHA384
    case '2a8648ce3d040304': // ecdsa-with-SHA512
      return true;
    case '2b6570': // Ed25519, whose parameters must be absent
      return params === undefined;
    case '2a864886f70d01010a': // RSASSA-PSS
      return params !== undefined && pssGoKnows(params);
    default:
      return false;
  }
}

/** RSASSA-PSS-params as Go accepts them: one SHA-2 hash for the message and MGF1, salt = hash length. */
function pssGoKnows(params: Tlv): boolean {
  const fields = children(params.content);
  // hashAlgorithm [0], maskGenAlgorithm [1], saltLength [2], trailerField [3] OPTIONAL
  if (fields.length < 3 || fields.length > 4 || fields.some((f, i) => f.tag !== 0xa0 + i))
    return false;
  const [hash, mgf, salt, trailer] = fields.map((f) => children(f.content)[0]);
  const hashParts = hash ? children(hash.content) : [];
  const mgfParts = mgf ? children(mgf.content) : [];
  const mgfHash = mgfParts[1] ? children(mgfParts[1].content) : [];
  const hashOid = hashParts[0]?.content.toString('hex') ?? '';
  const at = SHA2.indexOf(hashOid);
  const nullOrAbsent = (t: Tlv | undefined) => t === undefined || hex(t) === NULL;
  return (
    at >= 0 &&
    nullOrAbsent(hashParts[1]) &&
    mgfParts[0]?.content.toString('hex') === '2a864886f70d010108' && // id-mgf1
    mgfHash[0]?.content.toString('hex') === hashOid &&
    nullOrAbsent(mgfHash[1]) &&
    salt?.tag === 0x02 &&
    salt.content.readUIntBE(0, Math.min(salt.content.length, 6)) === [32, 48, 64][at] &&
    (trailer === undefined || hex(trailer) === '020101')
  );
}

interface BasicConstraints {
  readonly ca: boolean;
  /** pathLenConstraint; undefined when the certificate sets none. */
  readonly pathLen: number | undefined;
}

/**
 * basicConstraints as Go reads it (cA DEFAULT FALSE, pathLenConstraint OPTIONAL); undefined
 * without the extension. Read here, not from X509Certificate.ca: OpenSSL's X509_check_ca also
 * says no for a CA whose key usage lacks keyCertSign, which Go judges apart (maySign).
 */
function basicConstraints(exts: readonly Extension[]): BasicConstraints | undefined {
  const bc = exts.find((e) => e.oid === BASIC_CONSTRAINTS);
  if (!bc) return undefined;
  const seq = children(tlv(bc.value, 0).content);
  const flag = seq.find((t) => t.tag === 0x01);
  const int = seq.find((t) => t.tag === 0x02);
  return {
    ca: flag !== undefined && flag.content[0] !== 0,
    pathLen: int ? int.content.reduce((n, b) => n * 256 + b, 0) : undefined,
  };
}

/**
 * Whether Go lets this certificate's key sign others (CheckSignatureFrom): a v3 certificate only
 * with basic constraints, and those must say it is a CA; a key usage, when it names any, must
 * name keyCertSign. Go's KeyUsage is the BIT STRING's bits; keyCertSign is bit 5.
 */
function maySign(
  version: number,
  bc: BasicConstraints | undefined,
  exts: readonly Extension[],
): boolean {
  if ((version === 3 && !bc) || (bc && !bc.ca)) return false;
  const ku = exts.find((e) => e.oid === KEY_USAGE);
  if (!ku) return true;
  const bits = tlv(ku.value, 0).content.subarray(1); // after the unused-bits octet
  return bits.every((b) => b === 0) || ((bits[0] ?? 0) & 0x04) !== 0;
}

/** Whether `parent`'s key signed `child`; a key that cannot verify that signature did not. */
function verifies(child: X509Certificate, parent: X509Certificate): boolean {
  try {
    return child.verify(parent.publicKey);
  } catch {
    return false;
  }
}

interface Info extends PolicyLink, NamedLink {
  readonly cert: X509Certificate;
  readonly exts: readonly Extension[];
  /** The DER of issuer and subject, which Go compares byte for byte. */
  readonly issuer: string;
  readonly subject: string;
  /** Subject, public key and subject alternative names: Go's test of a certificate already in the chain. */
  readonly identity: string;
  /** basicConstraints' cA, which Go asks of every intermediate. */
  readonly isCA: boolean;
  readonly pathLen: number | undefined;
  readonly unhandledCritical: boolean;
  readonly maySign: boolean;
  /** Signed by an algorithm Go verifies with. */
  readonly goAlgorithm: boolean;
  /** An RSA key under 1024 bits, which Go refuses to verify with (rsa1024min). */
  readonly weakKey: boolean;
  readonly notBefore: number;
  readonly notAfter: number;
}

function info(cert: X509Certificate): Info | undefined {
  try {
    const [tbs, algorithm] = children(tlv(cert.raw, 0).content);
    if (!tbs || !algorithm) return undefined;
    const fields = children(tbs.content);
    // version [0] EXPLICIT (absent: v1), serialNumber, signature, issuer, validity, subject, spki
    const explicit = fields[0]?.tag === 0xa0 ? fields[0] : undefined;
    const version = explicit ? (children(explicit.content)[0]?.content[0] ?? 0) + 1 : 1;
    const [issuer, , subject, spki] = fields.slice(explicit ? 3 : 2);
    const exts = extensionsOf(cert);
    const bc = basicConstraints(exts);
    const san = exts.find((e) => e.oid === SUBJECT_ALT_NAME);
    const constraints = exts.find((e) => e.oid === NAME_CONSTRAINTS);
    const key = cert.publicKey;
    return {
      cert,
      exts,
      issuer: hex(issuer),
      subject: hex(subject),
      selfIssued: hex(issuer) === hex(subject),
      policies: policiesOf(exts),
      altNames: san && altNamesOf(san.value),
      nameConstraints: constraints && nameConstraintsOf(constraints.value),
      identity: [hex(subject), hex(spki), san?.value.toString('hex')].join('/'),
      isCA: bc?.ca ?? false,
      pathLen: bc?.pathLen,
      unhandledCritical: exts.some((e) => e.critical && unhandled(e)),
      maySign: maySign(version, bc, exts),
      goAlgorithm: goVerifiesWith(algorithm),
      weakKey:
        (key.asymmetricKeyType ?? '').startsWith('rsa') &&
        (key.asymmetricKeyDetails?.modulusLength ?? 0) < 1024,
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
 * certificate of `roots`, each certificate issued by the next (issuer and subject the same
 * bytes, the next one's key allowed to sign and verifying a signature by an algorithm Go
 * accepts, with no RSA key under 1024 bits; a root's own self-signature is not one of the
 * chain's), none in the chain twice (by subject, key and alternative names), none with a
 * critical extension Go does not handle, every certificate's extended key usage allowing
 * clientAuth, its certificate policies valid (x509-policies.ts) and its names within the
 * constraints above them (x509-names.ts); a chain is valid while all its certificates are (Go
 * checks each against the time). Empty when it does not verify at all. Stricter than Go in one
 * way: an email address or URI below a CA with name constraints is not checked, so refused.
 */
export function verifiedWindows(
  leaf: X509Certificate,
  intermediates: readonly X509Certificate[],
  roots: readonly X509Certificate[],
): Window[] {
  const leafInfo = info(leaf);
  if (!leafInfo || leafInfo.unhandledCritical) return [];
  const usable = (i: Info | undefined): i is Info => i !== undefined && !i.unhandledCritical;
  const rootInfos = roots.map(info).filter(usable);
  const interInfos = intermediates.map(info).filter((i) => usable(i) && i.isCA) as Info[];
  let checks = 0;
  const issued = (chain: readonly Info[], parent: Info) => {
    const child = chain[chain.length - 1] as Info;
    return (
      child.issuer === parent.subject &&
      checks++ < MAX_SIGNATURE_CHECKS &&
      !chain.some((c) => c.identity === parent.identity) &&
      parent.maySign &&
      child.goAlgorithm &&
      !parent.weakKey &&
      verifies(child.cert, parent.cert)
    );
  };
  const windows: Window[] = [];
  const accept = (chain: readonly Info[]) => {
    if (!allowsClientAuth(chain) || !policiesValid(chain) || !nameConstraintsHold(chain)) return;
    windows.push({
      notBefore: Math.max(...chain.map((c) => c.notBefore)),
      notAfter: Math.min(...chain.map((c) => c.notAfter)),
    });
  };
  // Go's isValid: a CA's pathLenConstraint bounds the intermediates below it.
  const pathOk = (ca: Info, chain: readonly Info[]) =>
    ca.pathLen === undefined || chain.length - 1 <= ca.pathLen;
  const build = (chain: readonly Info[]) => {
    for (const root of rootInfos)
      if (pathOk(root, chain) && issued(chain, root)) accept([...chain, root]);
    if (chain.length > 10) return;
    for (const ca of interInfos) if (pathOk(ca, chain) && issued(chain, ca)) build([...chain, ca]);
  };
  // A leaf that is itself in the bundle is its own chain, and the only one, as in Go's Verify.
  if (rootInfos.some((r) => r.cert.raw.equals(leaf.raw))) accept([leafInfo]);
  else build([leafInfo]);
  return windows;
}
