// Aggregated discovery (apidiscovery.k8s.io/v2, and v2beta1 for older clients) at /apis, as
// k8s.io/apiserver serves it for any server built on it (discovery/aggregated: wrapper.go picks
// it by Accept, handler.go and etag.go answer). kube-aggregator (handler_discovery.go) and
// client-go's discovery client ask /apis for it first and read the answer's Content-Type: the
// aggregated one saves them an /apis/<group>/<version> request per group version; anything else
// sends them to those legacy documents, which stay as they were.
import { createHash } from 'node:crypto';
import type { DocumentAnswer } from './openapi-v3';
import { parseAccept } from './output-negotiation';
import { GROUP_VERSIONS } from './routes';
import { apiResources, type APIResource, type ServedMetric } from './wire';

export const DISCOVERY_GROUP = 'apidiscovery.k8s.io';
export const DISCOVERY_KIND = 'APIGroupDiscoveryList';
export type DiscoveryVersion = 'v2' | 'v2beta1';

/**
 * The aggregated discovery version an Accept header asks for, or undefined for the legacy
 * APIGroupList. As NegotiateMediaTypeOptions with DiscoveryEndpointRestrictions: the first
 * clause, in goautoneg's order, that takes JSON and names `g=apidiscovery.k8s.io;v=v2|v2beta1;
 * as=APIGroupDiscoveryList` wins; clauses without those (`application/json`) are passed over,
 * whatever their place. Only the JSON form is served: a clause asking for it as protobuf or YAML
 * is passed over too, so such a caller gets the legacy list and reads the per-version documents
 * (when another clause takes the list: client-go's ends with `application/json`; else a 406).
 */
export function negotiateDiscovery(accept: string | undefined): DiscoveryVersion | undefined {
  if (accept === undefined || accept === '') return undefined;
  for (const c of parseAccept(accept)) {
    const json =
      (c.type === 'application' && (c.subtype === 'json' || c.subtype === '*')) ||
      (c.type === '*' && c.subtype === '*');
    if (!json) continue;
    // A server version, or a stream other than watch, is refused for this clause.
    if ((c.params.get('sv') ?? '') !== '') continue;
    const stream = c.params.get('stream') ?? '';
    if (stream !== '' && stream !== 'watch') continue;
    const version = c.params.get('v');
    if (
      c.params.get('g') === DISCOVERY_GROUP &&
      c.params.get('as') === DISCOVERY_KIND &&
      (version === 'v2' || version === 'v2beta1')
    )
      return version;
  }
  return undefined;
}

/**
 * The Content-Type the apiserver writes (responsewriters' generateMediaTypeWithGVK): clients tell
 * the two forms apart by it, not by the body.
 */
export const discoveryContentType = (version: DiscoveryVersion) =>
  `application/json;g=${DISCOVERY_GROUP};v=${version};as=${DISCOVERY_KIND}`;

interface GroupVersionKind {
  readonly group: string;
  readonly version: string;
  readonly kind: string;
}

export interface APISubresourceDiscovery {
  readonly subresource: string;
  readonly responseKind: GroupVersionKind;
  readonly verbs: readonly string[];
}

/** apidiscovery/v2 APIResourceDiscovery, keys in the Go type's field order. */
export interface APIResourceDiscovery {
  readonly resource: string;
  readonly responseKind: GroupVersionKind;
  readonly scope: 'Namespaced' | 'Cluster';
  readonly singularResource: string;
  /** null for a parent made up for its subresources, as Go writes a nil slice. */
  readonly verbs: readonly string[] | null;
  readonly subresources?: readonly APISubresourceDiscovery[];
}

/**
 * A legacy resource list in its aggregated form, as k8s.io/apiserver's
 * ConvertGroupVersionIntoToDiscovery makes it (and kube-aggregator makes it from our
 * APIResourceList when it falls back to that): `pods/websocket_connections` is subresource
 * `websocket_connections` of a resource `pods` that has no kind of its own (client-go leaves
 * such a parent out and lists the subresource under its full name, as the legacy list does).
 * One difference: a resource whose metrics are namespaced for some rules and root-scoped for
 * others gets a parent per scope, where upstream fails the whole group version.
 */
export function resourceDiscovery(list: readonly APIResource[]): APIResourceDiscovery[] {
  const out: (APIResourceDiscovery & { subresources?: APISubresourceDiscovery[] })[] = [];
  const parents = new Map<string, number>();
  const scopeOf = (r: APIResource) => (r.namespaced ? 'Namespaced' : 'Cluster');
  for (const r of list) {
    if (r.name.includes('/')) continue;
    out.push({
      resource: r.name,
      responseKind: { group: '', version: '', kind: r.kind },
      scope: scopeOf(r),
      singularResource: r.singularName,
      verbs: [...r.verbs],
    });
    parents.set(`${r.name}\0${scopeOf(r)}`, out.length - 1);
  }
  for (const r of list) {
    const slash = r.name.indexOf('/');
    if (slash < 0) continue;
    const name = r.name.slice(0, slash);
    const key = `${name}\0${scopeOf(r)}`;
    let at = parents.get(key);
    if (at === undefined) {
      out.push({
        resource: name,
        responseKind: { group: '', version: '', kind: '' },
        scope: scopeOf(r),
        singularResource: '',
        verbs: null,
      });
      parents.set(key, (at = out.length - 1));
    }
    const parent = out[at] as (typeof out)[number];
    (parent.subresources ??= []).push({
      subresource: r.name.slice(slash + 1),
      responseKind: { group: '', version: '', kind: r.kind },
      verbs: [...r.verbs],
    });
  }
  return out;
}

/** What the served groups list: the provider's metrics by group, as the legacy documents use. */
export type ServedByGroup = (group: string) => readonly ServedMetric[];

/**
 * The list's items: every group and version this server serves, in the order of the legacy
 * APIGroupList (which is the order the apiserver sorts to: equal priorities, so by name, and
 * versions newest first). Group items carry no kind (Go's empty TypeMeta) and the
 * `creationTimestamp: null` an empty ObjectMeta has in JSON.
 */
export function discoveryItems(served: ServedByGroup): object[] {
  return Object.entries(GROUP_VERSIONS).map(([group, versions]) => {
    const resources = resourceDiscovery(apiResources(group, served(group)));
    return {
      metadata: { name: group, creationTimestamp: null },
      versions: versions.map((version) => ({
        version,
        // An empty list is left out, as Go's omitempty does.
        ...(resources.length > 0 ? { resources } : {}),
        freshness: 'Current',
      })),
    };
  });
}

/**
 * The answer to a GET of /apis that asked for `version`, as etag.go's ServeHTTPWithETag gives it:
 * the SHA-512 of the document (without kind and apiVersion, so the same for both versions) as
 * ETag, `Vary: Accept` and `Cache-Control: public`, and 304 when If-None-Match is exactly that
 * ETag (kube-aggregator sends back the last one each minute).
 */
export function answerDiscovery(
  items: readonly object[],
  version: DiscoveryVersion,
  ifNoneMatch: string | undefined,
): DocumentAnswer {
  const hash = createHash('sha512')
    .update(JSON.stringify({ metadata: {}, items }))
    .digest('hex')
    .toUpperCase();
  const etag = JSON.stringify(hash);
  const headers = { etag, vary: 'Accept', 'cache-control': 'public' };
  if (ifNoneMatch === etag) return { code: 304, headers };
  const body = Buffer.from(
    JSON.stringify({
      kind: DISCOVERY_KIND,
      apiVersion: `${DISCOVERY_GROUP}/${version}`,
      metadata: {},
      items,
    }),
  );
  return {
    code: 200,
    headers: { ...headers, 'content-type': discoveryContentType(version) },
    body,
  };
}
