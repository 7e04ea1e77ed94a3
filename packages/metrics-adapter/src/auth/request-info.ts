// What a request asks, in the terms a SubjectAccessReview asks about it, as kube-apiserver's
// RequestInfoFactory (k8s.io/apiserver/pkg/endpoints/request) reads a path: under
// /apis/<group>/<version>, `namespaces/<ns>/…` names the namespace and the rest is
// resource/name/subresource; a GET without a name is a `list`. kube-apiserver checked the same
// attributes before the aggregator passed the request on, so RBAC rules written for
// prometheus-adapter (`get` and `list` on custom.metrics.k8s.io, a namespaced RoleBinding)
// mean the same here.
import type { RequestAttributes } from './types';

/** Namespace subresources that stay with the namespace (requestinfo's namespaceSubresources). */
const NAMESPACE_SUBRESOURCES = new Set(['status', 'finalize']);

/**
 * The attributes of a GET of `segments` (the path's decoded segments). Paths outside /apis are
 * non-resource requests.
 */
export function requestAttributes(segments: readonly string[], path: string): RequestAttributes {
  const [prefix, group, version, ...rest] = segments;
  if (prefix !== 'apis' || group === undefined || version === undefined || rest.length === 0)
    return { kind: 'nonResource', verb: 'get', path };
  let parts = rest;
  let namespace: string | undefined;
  if (parts[0] === 'namespaces' && parts.length > 1) {
    namespace = parts[1];
    if (parts.length > 2 && !NAMESPACE_SUBRESOURCES.has(parts[2] as string)) parts = parts.slice(2);
  }
  const [resource = '', name, subresource] = parts;
  return {
    kind: 'resource',
    verb: name ? 'get' : 'list',
    group,
    version,
    resource,
    ...(subresource ? { subresource } : {}),
    ...(namespace ? { namespace } : {}),
    ...(name ? { name } : {}),
  };
}
