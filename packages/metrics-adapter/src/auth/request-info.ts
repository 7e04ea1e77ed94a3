// What a request asks, in the terms a SubjectAccessReview asks about it, as kube-apiserver's
// RequestInfoFactory (k8s.io/apiserver/pkg/endpoints/request) reads a path: under
// /apis/<group>/<version> (or /api/<version>, the core group), an optional `watch` or `proxy`
// verb, then `namespaces/<ns>/…` names the namespace and the rest is
// resource/name/subresource; a GET without a name is a `list`. kube-apiserver checked the same
// attributes before the aggregator passed the request on, so RBAC rules written for
// prometheus-adapter (`get` and `list` on custom.metrics.k8s.io, a namespaced RoleBinding)
// mean the same here.
import { parseLabelSelector } from '../k8s/label-selector';
import { exactMatch, parseFieldSelector } from '../api/routes';
import type { RequestAttributes } from './types';
import { goQuery, INT_OPTIONS, isInt64 } from '../k8s/go-query';

/** Namespace subresources that stay with the namespace (requestinfo's namespaceSubresources). */
const NAMESPACE_SUBRESOURCES = new Set(['status', 'finalize']);
/** Verbs spelled in the path, after the version (requestinfo's specialVerbs). */
const SPECIAL_VERBS = new Set(['proxy', 'watch']);

/** Whether the query's first `watch` is anything but `false` or `0` (any case), as Go reads it. */
const watches = (params: Map<string, string[]>) => {
  const watch = params.get('watch')?.[0];
  return watch !== undefined && !['false', '0'].includes(watch.toLowerCase());
};

/** Whether a query asks for a watch, as ListOptions and NewRequestInfo read `watch`. */
export const asksToWatch = (query: string): boolean => watches(goQuery(query));

/**
 * What a GET without a name asks, as NewRequestInfo reads its query through ListOptions: the
 * verb is `watch` when the first `watch` is anything but `false` or `0` (any case), else `list`;
 * a field selector requiring `metadata.name` to be a name that is a valid path segment names the
 * object. When the query does not decode as ListOptions (a bad labelSelector, fieldSelector or
 * integer), the name is not read, and `watch` is read on its own.
 */
function listQuery(query: string): { verb: 'list' | 'watch'; name?: string } {
  const params = goQuery(query);
  const first = (key: string) => params.get(key)?.[0];
  const verb = watches(params) ? 'watch' : 'list';
  const label = first('labelSelector');
  const field = first('fieldSelector');
  try {
    if (label !== undefined) parseLabelSelector(label);
  } catch {
    return { verb };
  }
  if (INT_OPTIONS.some((k) => first(k) !== undefined && !isInt64(first(k) as string)))
    return { verb };
  const terms = field === undefined ? [] : parseFieldSelector(field);
  if (!Array.isArray(terms)) return { verb };
  const name = exactMatch(terms, 'metadata.name');
  // path.IsValidPathSegmentName; an empty name is no name.
  if (!name || name === '.' || name === '..' || name.includes('/') || name.includes('%'))
    return { verb };
  return { verb, name };
}

/**
 * The attributes of a GET or HEAD of `path`, read into `segments` (decoded), with `query` (the
 * query string, without `?`). Paths outside /apis and /api are non-resource requests, and so are
 * /apis/<group>/<version> and /api/<version> (the discovery documents) and anything shorter:
 * their verb is the method in lower case (`head` too) and their path the decoded one, as Go's
 * req.URL.Path (an RBAC rule for /version does not see /ver%73ion).
 */
export function requestAttributes(
  segments: readonly string[],
  path: string,
  query = '',
  method = 'GET',
): RequestAttributes {
  const [prefix, ...afterPrefix] = segments;
  // /api/<version>/… is the core group's (requestinfo's GrouplessAPIPrefixes); without it
  // /api/v1/namespaces/x/pods would be asked about as a non-resource path, as no RBAC rule
  // written for kube-apiserver means.
  const grouped = prefix === 'apis';
  if ((!grouped && prefix !== 'api') || afterPrefix.length < (grouped ? 3 : 2)) {
    const decoded = `/${segments.join('/')}`;
    const slash = path.endsWith('/') && !decoded.endsWith('/') ? '/' : '';
    return { kind: 'nonResource', verb: method.toLowerCase(), path: decoded + slash };
  }
  const [group, version, ...rest] = grouped ? afterPrefix : ['', ...afterPrefix];
  let parts = rest;
  let verb: string | undefined;
  // /apis/<g>/<v>/watch/… and …/proxy/…: the verb is in the path. kube-apiserver refuses the
  // verb with nothing after it (a 500, never passed on); it is taken here as a resource name.
  if (SPECIAL_VERBS.has(parts[0] as string) && parts.length > 1) {
    verb = parts[0];
    parts = parts.slice(1);
  }
  let namespace: string | undefined;
  if (parts[0] === 'namespaces' && parts.length > 1) {
    namespace = parts[1];
    if (parts.length > 2 && !NAMESPACE_SUBRESOURCES.has(parts[2] as string)) parts = parts.slice(2);
  }
  const [resource = '', pathName, sub] = parts;
  // A proxy has no subresource: what follows its name is the proxied path.
  const subresource = verb === 'proxy' ? undefined : sub;
  // A GET without a name is a list or a watch, of one object when a field selector names it.
  const listed = verb === undefined && !pathName ? listQuery(query) : undefined;
  const name = pathName || listed?.name;
  return {
    kind: 'resource',
    verb: verb ?? listed?.verb ?? 'get',
    group: group as string,
    version: version as string,
    resource,
    ...(subresource ? { subresource } : {}),
    ...(namespace ? { namespace } : {}),
    ...(name ? { name } : {}),
  };
}
