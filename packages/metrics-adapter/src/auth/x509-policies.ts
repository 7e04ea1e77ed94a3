// Certificate policy processing as Go's Verify does it (crypto/x509 policiesValid): RFC 5280
// section 6.1 as RFC 9618 replaces its policy tree with a graph, with the caller asking for no
// policy in particular (kube-apiserver asks for none). A chain then fails only where a CA or the
// leaf requires an explicit policy and no policy is valid down the whole chain, or where a CA maps
// anyPolicy while mapping is allowed.
import { children, tlv } from './der';

/** 2.5.29.32.0, anyPolicy: its OID's DER content in hex, as every policy here is kept. */
const ANY_POLICY = '551d2000';

/** What a certificate's policy extensions say. */
export interface Policies {
  /** certificatePolicies' policy identifiers; empty when it has none. */
  readonly policies: readonly string[];
  /** policyMappings' pairs: issuerDomainPolicy, subjectDomainPolicy. */
  readonly mappings: readonly (readonly [string, string])[];
  /** policyConstraints' requireExplicitPolicy and inhibitPolicyMapping, and inhibitAnyPolicy. */
  readonly requireExplicit?: number;
  readonly inhibitMapping?: number;
  readonly inhibitAny?: number;
}

const EXT = {
  policies: '551d20',
  mappings: '551d21',
  constraints: '551d24',
  inhibitAny: '551d36',
};

const int = (content: Buffer) => content.reduce((n, b) => n * 256 + b, 0);
const oid = (content: Buffer) => {
  const first = children(content)[0];
  return first?.tag === 0x06 ? first.content.toString('hex') : '';
};

/** The policy extensions among `exts` (OIDs and values as extensionsOf reads them). */
export function policiesOf(exts: readonly { oid: string; value: Buffer }[]): Policies {
  const value = (id: string) => {
    const ext = exts.find((e) => e.oid === id);
    return ext ? tlv(ext.value, 0) : undefined;
  };
  const list = value(EXT.policies);
  const mappings = value(EXT.mappings);
  const constraints = value(EXT.constraints);
  const inhibitAny = value(EXT.inhibitAny);
  const constraint = (tag: number) => {
    const field = constraints && children(constraints.content).find((f) => f.tag === tag);
    return field ? { value: int(field.content) } : undefined;
  };
  const requireExplicit = constraint(0x80)?.value;
  const inhibitMapping = constraint(0x81)?.value;
  return {
    policies: list ? children(list.content).map((info) => oid(info.content)) : [],
    mappings: mappings
      ? children(mappings.content).map((pair) => {
          const [from, to] = children(pair.content);
          return [from?.content.toString('hex') ?? '', to?.content.toString('hex') ?? ''] as const;
        })
      : [],
    ...(requireExplicit !== undefined ? { requireExplicit } : {}),
    ...(inhibitMapping !== undefined ? { inhibitMapping } : {}),
    ...(inhibitAny ? { inhibitAny: int(inhibitAny.content) } : {}),
  };
}

/** A node of the valid-policy graph (RFC 9618 section 3). */
interface PolicyNode {
  readonly policy: string;
  expected: readonly string[];
  readonly parents: Set<PolicyNode>;
  readonly children: Set<PolicyNode>;
}

function node(policy: string, parents: Iterable<PolicyNode>): PolicyNode {
  const n: PolicyNode = { policy, expected: [policy], parents: new Set(), children: new Set() };
  for (const p of parents) {
    p.children.add(n);
    n.parents.add(p);
  }
  return n;
}

type Level = Map<string, PolicyNode>;

/** Drops nodes without children from every level between the first and the last, bottom up. */
function prune(levels: Level[]): void {
  for (let i = levels.length - 2; i > 0; i--)
    for (const [policy, n] of levels[i] as Level)
      if (n.children.size === 0) {
        for (const p of n.parents) p.children.delete(n);
        (levels[i] as Level).delete(policy);
      }
}

/** One certificate of a chain as policy processing sees it. */
export interface PolicyLink {
  readonly policies: Policies;
  /** Issuer and subject the same name: RFC 5280's self-issued, whose counters do not count down. */
  readonly selfIssued: boolean;
}

/**
 * Whether the chain (leaf first, trust anchor last) is valid by its certificate policies as
 * Go's policiesValid judges it for a caller that asks for no policy: the anchor's own policies
 * do not count, and neither do the leaf's mappings or constraints except a requireExplicitPolicy
 * of 0.
 */
export function policiesValid(chain: readonly PolicyLink[]): boolean {
  const n = chain.length - 1;
  if (n === 0) return true;
  let explicitPolicy = n + 1;
  let policyMapping = n + 1;
  let inhibitAnyPolicy = n + 1;
  let levels: Level[] | undefined = [new Map([[ANY_POLICY, node(ANY_POLICY, [])]])];
  for (let i = n - 1; i >= 0; i--) {
    const { policies: cert, selfIssued } = chain[i] as PolicyLink;
    if (cert.policies.length === 0) levels = undefined;
    if (explicitPolicy === 0 && !levels) return false;
    if (levels) {
      const parents = levels[levels.length - 1] as Level;
      const leaves: Level = new Map();
      levels.push(leaves);
      for (const policy of cert.policies) {
        if (policy === ANY_POLICY) continue;
        const expecting = [...parents.values()].filter((p) => p.expected.includes(policy));
        const any = parents.get(ANY_POLICY);
        const from = expecting.length > 0 ? expecting : any ? [any] : [];
        if (from.length > 0) leaves.set(policy, node(policy, from));
      }
      if (cert.policies.includes(ANY_POLICY) && (inhibitAnyPolicy > 0 || (i > 0 && selfIssued))) {
        const missing = new Map<string, PolicyNode[]>();
        for (const p of parents.values())
          for (const e of p.expected)
            if (!leaves.has(e)) missing.set(e, [...(missing.get(e) ?? []), p]);
        for (const [policy, from] of missing) leaves.set(policy, node(policy, from));
      }
      prune(levels);
      if (i !== 0 && cert.mappings.length > 0) {
        const mapped = new Map<string, string[]>();
        for (const [from, to] of cert.mappings) {
          if (policyMapping > 0) {
            if (from === ANY_POLICY || to === ANY_POLICY) return false;
            mapped.set(from, [...(mapped.get(from) ?? []), to]);
          } else {
            const gone = leaves.get(from);
            if (gone) for (const p of gone.parents) p.children.delete(gone);
            leaves.delete(from);
          }
        }
        prune(levels);
        for (const [from, to] of mapped) {
          const match = leaves.get(from);
          const any = leaves.get(ANY_POLICY);
          if (match) match.expected = to;
          else if (any) {
            const n = node(from, [any]);
            n.expected = to;
            leaves.set(from, n);
          }
        }
      }
    }
    if (i !== 0) {
      if (!selfIssued) {
        explicitPolicy = Math.max(0, explicitPolicy - 1);
        policyMapping = Math.max(0, policyMapping - 1);
        inhibitAnyPolicy = Math.max(0, inhibitAnyPolicy - 1);
      }
      explicitPolicy = Math.min(explicitPolicy, cert.requireExplicit ?? Infinity);
      policyMapping = Math.min(policyMapping, cert.inhibitMapping ?? Infinity);
      inhibitAnyPolicy = Math.min(inhibitAnyPolicy, cert.inhibitAny ?? Infinity);
    }
  }
  explicitPolicy = Math.max(0, explicitPolicy - 1);
  if (chain[0]?.policies.requireExplicit === 0) explicitPolicy = 0;
  if (explicitPolicy > 0) return true;
  // The authority-constrained policy set: anyPolicy still valid at the leaf, or a policy whose
  // node hangs from anyPolicy alone, anywhere in the graph.
  if (!levels) return false;
  if ((levels[levels.length - 1] as Level).has(ANY_POLICY)) return true;
  return levels.some((level) =>
    [...level.values()].some(
      (n) =>
        n.policy !== ANY_POLICY && n.parents.size === 1 && [...n.parents][0]?.policy === ANY_POLICY,
    ),
  );
}
