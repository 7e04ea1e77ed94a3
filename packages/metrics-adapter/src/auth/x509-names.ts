// Name constraints as Go's Verify applies them (crypto/x509 checkChainConstraints): a CA's
// permitted and excluded subtrees bind the subject alternative names of every certificate
// below it in the chain. DNS names and IP addresses are checked as Go checks them; an email
// address or URI below a CA with any name constraints refuses the chain here (Go reads them by
// RFC 2821 mailbox and URL grammars this does not copy), which is stricter than Go, never
// looser.
import { children, tlv, type Tlv } from './der';

/** The names a subjectAltName claims, by the GeneralName types Go reads. */
export interface AltNames {
  readonly dns: readonly string[];
  readonly ips: readonly Buffer[];
  /** rfc822Name or uniformResourceIdentifier entries: not checked here. */
  readonly others: number;
}

interface IpRange {
  readonly ip: Buffer;
  readonly mask: Buffer;
}

interface Subtrees {
  readonly dns: readonly string[];
  readonly ips: readonly IpRange[];
}

export interface NameConstraints {
  readonly permitted: Subtrees;
  readonly excluded: Subtrees;
}

// GeneralName tags, context-specific and primitive: [1] rfc822Name, [2] dNSName,
// [6] uniformResourceIdentifier, [7] iPAddress.
const RFC822 = 0x81;
const DNS = 0x82;
const URI = 0x86;
const IP = 0x87;

/** The GeneralName types Go reads (rfc822Name, dNSName, URI, iPAddress), by context tag number. */
const GO_NAME_TYPES = new Set([1, 2, 6, 7]);
const goReads = (name: Tlv | undefined) => name !== undefined && GO_NAME_TYPES.has(name.tag & 0x1f);

/** Whether a subjectAltName value holds a name Go reads; one that holds none Go leaves unhandled. */
export const goReadsAnAltName = (value: Buffer) => children(tlv(value, 0).content).some(goReads);

/** Whether Go reads every subtree of a nameConstraints value; one it does not (directoryName) it leaves unhandled. */
export const goReadsEveryConstraint = (value: Buffer) =>
  children(tlv(value, 0).content).every((subtrees) =>
    children(subtrees.content).every((subtree) => goReads(children(subtree.content)[0])),
  );

/** The subjectAltName extension's value (its OCTET STRING's content) as names. */
export function altNamesOf(value: Buffer): AltNames {
  const names = children(tlv(value, 0).content);
  return {
    dns: names.filter((n) => n.tag === DNS).map((n) => n.content.toString('latin1')),
    ips: names.filter((n) => n.tag === IP).map((n) => n.content),
    others: names.filter((n) => n.tag === RFC822 || n.tag === URI).length,
  };
}

/** The nameConstraints extension's value: permittedSubtrees [0] and excludedSubtrees [1]. */
export function nameConstraintsOf(value: Buffer): NameConstraints {
  const subtrees = (tag: number): Subtrees => {
    const list = children(tlv(value, 0).content).find((t) => t.tag === tag);
    // GeneralSubtree: base GeneralName, then minimum and maximum, which no one sets.
    const bases = list
      ? children(list.content).flatMap((s) => children(s.content).slice(0, 1))
      : [];
    return {
      dns: bases.filter((b) => b.tag === DNS).map((b) => b.content.toString('latin1')),
      // An iPAddress constraint is the address and then its mask, 4 + 4 or 16 + 16 bytes.
      ips: bases
        .filter((b) => b.tag === IP)
        .map(({ content }) => ({
          ip: content.subarray(0, content.length / 2),
          mask: content.subarray(content.length / 2),
        })),
    };
  };
  return { permitted: subtrees(0xa0), excluded: subtrees(0xa1) };
}

/**
 * Go's domainNameValid for a name (not a constraint): printable ASCII and no empty label, so no
 * trailing dot either; an empty name passes.
 */
const domainNameValid = (name: string) =>
  name.length === 0 || name.split('.').every((label) => /^[\x21-\x7e]+$/.test(label));

const lower = (s: string) => s.replace(/[A-Z]/g, (c) => c.toLowerCase());

/**
 * Whether DNS constraint `c` covers `name` (Go's dnsHasSuffix): `name` ends in `c`, ASCII
 * letters in either case, at a label boundary; a constraint with a leading dot covers only names
 * below it.
 */
function dnsCovers(c: string, name: string): boolean {
  if (c.length === 0) return true;
  if (!lower(name).endsWith(lower(c))) return false;
  return c.startsWith('.') || name.length === c.length || name[name.length - c.length - 1] === '.';
}

/** The name without its first label, from the dot on; empty for a single label. */
const parentOf = (name: string) => (name.includes('.') ? name.slice(name.indexOf('.')) : '');

/** Whether an excluded DNS constraint refuses `name`: a wildcard refused where a name it stands for would be. */
const dnsExcluded = (c: string, name: string) =>
  dnsCovers(c, name) ||
  (name.startsWith('*') &&
    parentOf(lower(c)) !== '' &&
    parentOf(lower(c)) === parentOf(lower(name)));

/** net.IPNet.Contains: an address of the range's family, equal to it under the mask. */
const ipCovers = (r: IpRange, ip: Buffer) =>
  r.ip.length === ip.length &&
  ip.every((b, i) => (b & (r.mask[i] ?? 0)) === ((r.ip[i] ?? 0) & (r.mask[i] ?? 0)));

/** Whether `names` pass one CA's constraints. */
function within(names: AltNames, nc: NameConstraints): boolean {
  if (names.others > 0) return false; // email addresses and URIs: not checked, so refused
  const { permitted, excluded } = nc;
  for (const ip of names.ips) {
    if (permitted.ips.length > 0 && !permitted.ips.some((r) => ipCovers(r, ip))) return false;
    if (excluded.ips.some((r) => ipCovers(r, ip))) return false;
  }
  for (const name of names.dns) {
    if (!domainNameValid(name)) return false;
    if (permitted.dns.length > 0 && !permitted.dns.some((c) => dnsCovers(c, name))) return false;
    if (excluded.dns.some((c) => dnsExcluded(c, name))) return false;
  }
  return true;
}

/** One certificate of a chain as name constraint checking sees it. */
export interface NamedLink {
  /** Its subjectAltName, when it has the extension. */
  readonly altNames: AltNames | undefined;
  /** Its nameConstraints, when it has the extension. */
  readonly nameConstraints: NameConstraints | undefined;
}

/** Whether every certificate's alternative names (leaf first) pass the constraints of every CA above it. */
export function nameConstraintsHold(chain: readonly NamedLink[]): boolean {
  return chain.every(
    (cert, i) =>
      !cert.altNames ||
      chain
        .slice(i + 1)
        .every(
          (ca) => !ca.nameConstraints || within(cert.altNames as AltNames, ca.nameConstraints),
        ),
  );
}
