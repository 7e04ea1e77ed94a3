// Maps a request path and query string to what the adapter is asked for, or to the Status it
// must answer with: 404 for a path the API does not have, 400 for one it has but cannot read
// (bad escape, bad namespace or object name, bad selector). Pure, so every path shape can be
// tested, including 100k random ones, without a server.
import { LabelSelectorError, parseLabelSelector, type Requirement } from '../k8s/label-selector';
import { goQuery, INT_OPTIONS, isInt64 } from '../k8s/go-query';
import { canonicalResource } from '../k8s/resources';
import { compareGoStrings } from './go-strings';
import { badRequest, notFoundPath, type Status } from './status';

export const CUSTOM_GROUP = 'custom.metrics.k8s.io';
export const EXTERNAL_GROUP = 'external.metrics.k8s.io';
export const GROUP_VERSIONS: Readonly<Record<string, readonly string[]>> = {
  [CUSTOM_GROUP]: ['v1beta2', 'v1beta1'],
  [EXTERNAL_GROUP]: ['v1beta1'],
};

/**
 * The versions served of `group`, or undefined: an own key only, since a path may name any
 * group, `valueOf` or `__proto__` included (fast-check found `/apis/valueOf/…` answered 500).
 */
export const versionsOf = (group: string): readonly string[] | undefined =>
  Object.hasOwn(GROUP_VERSIONS, group) ? GROUP_VERSIONS[group] : undefined;

export type Route =
  | {
      readonly kind: 'health';
      readonly check: 'healthz' | 'livez' | 'readyz';
      /** One check of it by name (`/readyz/shutdown`); the whole list when absent. */
      readonly only?: 'ping' | 'log' | 'shutdown';
    }
  | { readonly kind: 'version' | 'openapi' | 'metrics' | 'apis' }
  /** /openapi/v3, or a document there: `document` is its path under it (`apis/<group>/<version>`). */
  | { readonly kind: 'openapi-v3'; readonly document?: string }
  | { readonly kind: 'group'; readonly group: string }
  | { readonly kind: 'resources'; readonly group: string; readonly version: string }
  | {
      readonly kind: 'custom';
      readonly version: string;
      /** Absent for root-scoped resources such as nodes. */
      readonly namespace?: string;
      /** Plural resource, with its group when it has one: `pods`, `deployments.apps`, `namespaces`. */
      readonly resource: string;
      /** Object name; `*` means every object the selectors match. */
      readonly name: string;
      readonly metric: string;
    }
  | {
      readonly kind: 'external';
      readonly version: string;
      readonly namespace: string;
      readonly metric: string;
    };

export interface Selectors {
  readonly labelSelector: readonly Requirement[];
  readonly metricLabelSelector: readonly Requirement[];
  /** From `fieldSelector=metadata.name=<name>`, the only field selector the API supports. */
  readonly objectName?: string;
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
/**
 * `<plural>` or `<plural>.<group>`: a custom resource's plural is a DNS-1035 label, `-` included
 * (apiextensions' ValidateCustomResourceDefinitionNames), and its group a DNS subdomain.
 */
const RESOURCE = DNS_SUBDOMAIN;

/**
 * The 404 for `path`, with the empty details k8s.io/apiserver gives it when the path falls under
 * one of the go-restful web services a custom-metrics-apiserver registers (its director hands
 * `/version…` and `/apis/<group>…` of a served group to go-restful, which finds no route there;
 * anything else reaches the NotFoundHandler, which sets no details).
 */
function pathNotFound(path: string): Status {
  const [, first, group] = path.split('/');
  const underWebService =
    first === 'version' || (first === 'apis' && group !== undefined && !!versionsOf(group));
  return notFoundPath(path, underWebService);
}

/** A path's segments, percent-decoded, or the Status for one that cannot be. */
export function segments(path: string): string[] | Status {
  const parts = path.split('/').slice(1);
  if (parts.length > 0 && parts[parts.length - 1] === '') parts.pop(); // trailing slash
  const out: string[] = [];
  for (const raw of parts) {
    let seg: string;
    try {
      seg = decodeURIComponent(raw);
    } catch {
      return badRequest(`malformed path segment ${JSON.stringify(raw)}: invalid percent-encoding`);
    }
    if (seg === '' || seg.includes('/')) return pathNotFound(path);
    out.push(seg);
  }
  return out;
}

function checkNamespace(ns: string): Status | undefined {
  if (ns.length > 63 || !DNS_LABEL.test(ns)) {
    return badRequest(
      `invalid namespace ${JSON.stringify(ns)}: must be a DNS label (lower-case letters, digits and "-", at most 63 characters)`,
    );
  }
  return undefined;
}

function checkName(name: string): Status | undefined {
  if (name === '*') return undefined;
  if (name.length > 253 || !DNS_SUBDOMAIN.test(name)) {
    return badRequest(
      `invalid object name ${JSON.stringify(name)}: must be a DNS subdomain (lower-case letters, digits, "-" and ".")`,
    );
  }
  return undefined;
}

function checkResource(resource: string, path: string): Status | undefined {
  return RESOURCE.test(resource) ? undefined : pathNotFound(path);
}

function checkMetric(metric: string): Status | undefined {
  // Metric names come from rule templates (name.as), so only characters no template yields are refused.
  const control = [...metric].some((c) => c.charCodeAt(0) < 0x20 || c === '\u007f' || /\s/.test(c));
  if (control) return badRequest(`invalid metric name ${JSON.stringify(metric)}`);
  return undefined;
}

/** The route for `path` (no query string), or the Status to answer with. */
export function route(path: string): Route | Status {
  const s = segments(path);
  if (!Array.isArray(s)) return s;
  const [a, group, version, ...rest] = s;
  // /readyz, and each of its checks by name, as Kubernetes servers serve them: `ping` and `log`
  // (k8s.io/apiserver's default checks) on all three, `shutdown` (failing from SIGTERM on) on
  // /readyz alone.
  if ((a === 'healthz' || a === 'livez' || a === 'readyz') && s.length === 1)
    return { kind: 'health', check: a };
  if (
    (a === 'healthz' || a === 'livez' || a === 'readyz') &&
    s.length === 2 &&
    (group === 'ping' || group === 'log' || (group === 'shutdown' && a === 'readyz'))
  )
    return { kind: 'health', check: a, only: group };
  if (s.length === 1 && a === 'version') return { kind: 'version' };
  if (s.length === 1 && a === 'metrics') return { kind: 'metrics' };
  if (s.length === 2 && a === 'openapi' && group === 'v2') return { kind: 'openapi' };
  if (a === 'openapi' && group === 'v3')
    return s.length === 2
      ? { kind: 'openapi-v3' }
      : { kind: 'openapi-v3', document: s.slice(2).join('/') };
  if (a !== 'apis') return pathNotFound(path);
  if (group === undefined) return { kind: 'apis' };
  const versions = versionsOf(group);
  if (!versions) return pathNotFound(path);
  if (version === undefined) return { kind: 'group', group };
  if (!versions.includes(version)) return pathNotFound(path);
  if (rest.length === 0) return { kind: 'resources', group, version };
  return group === CUSTOM_GROUP
    ? customRoute(path, version, rest)
    : externalRoute(path, version, rest);
}

function customRoute(path: string, version: string, rest: string[]): Route | Status {
  let namespace: string | undefined;
  let tail = rest;
  // namespaces/{ns}/… is namespaced; namespaces/{name}/{metric} is the root-scoped namespace object.
  if (rest[0] === 'namespaces' && rest.length >= 4) {
    namespace = rest[1] as string;
    tail = rest.slice(2);
  }
  if (namespace !== undefined) {
    const bad = checkNamespace(namespace);
    if (bad) return bad;
    // namespaces/{ns}/metrics/{metric}: a metric describing the namespace itself.
    if (tail.length === 2 && tail[0] === 'metrics') {
      const metric = tail[1] as string;
      return (
        checkMetric(metric) ?? {
          kind: 'custom',
          version,
          resource: 'namespaces',
          name: namespace,
          metric,
        }
      );
    }
  }
  if (tail.length !== 3) return pathNotFound(path);
  const [asked, name, metric] = tail as [string, string, string];
  // As the API server normalises it: `deployments` and `deployment.apps` are `deployments.apps`.
  const resource = checkResource(asked, path) ? asked : canonicalResource(asked);
  const bad =
    checkResource(asked, path) ??
    (resource === 'namespaces' && name !== '*' ? checkNamespace(name) : checkName(name)) ??
    checkMetric(metric);
  if (bad) return bad;
  return namespace === undefined
    ? { kind: 'custom', version, resource, name, metric }
    : { kind: 'custom', version, namespace, resource, name, metric };
}

function externalRoute(path: string, version: string, rest: string[]): Route | Status {
  if (rest.length !== 3 || rest[0] !== 'namespaces') return pathNotFound(path);
  const [, namespace, metric] = rest as [string, string, string];
  const bad = checkNamespace(namespace) ?? checkMetric(metric);
  if (bad) return bad;
  return { kind: 'external', version, namespace, metric };
}

/** A label selector parameter: its first value, as ListOptions' decoding takes a repeated one. */
function selectorParam(
  params: Map<string, string[]>,
  name: string,
): readonly Requirement[] | Status {
  try {
    return parseLabelSelector(params.get(name)?.[0] ?? '');
  } catch (err) {
    if (err instanceof LabelSelectorError) return badRequest(`${name}: ${err.message}`);
    throw err;
  }
}

/** One term of a field selector: `field=value`, `field==value` (the same) or `field!=value`. */
export interface FieldTerm {
  readonly field: string;
  readonly operator: '=' | '!=';
  readonly value: string;
}

/** fields.UnescapeValue: `\\`, `\,` and `\=` are escapes; an unescaped `,` or `=` is refused. */
function unescapeFieldValue(raw: string): string | { readonly error: string } {
  let out = '';
  let inSlash = false;
  for (const c of raw) {
    if (inSlash) {
      if (c !== '\\' && c !== ',' && c !== '=')
        return { error: `invalid field selector: invalid escape sequence: \\${c}` };
      out += c;
      inSlash = false;
    } else if (c === '\\') inSlash = true;
    else if (c === ',' || c === '=')
      // Go prints the rune with %v: its code point.
      return { error: `invalid field selector: unescaped character in value: ${c.codePointAt(0)}` };
    else out += c;
  }
  if (inSlash) return { error: 'invalid field selector: invalid escape sequence: \\' };
  return out;
}

/**
 * A field selector as k8s.io/apimachinery's fields.ParseSelector reads it, or why it cannot:
 * terms split on unescaped commas (empty ones skipped) and sorted; in each, the first `!=`,
 * `==` or `=` splits field from value, nothing trimmed (`metadata.name = x` names the field
 * `metadata.name `). Its errors are worded as there.
 */
export function parseFieldSelector(text: string): FieldTerm[] | { readonly error: string } {
  const parts: string[] = [];
  let start = 0;
  let inSlash = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inSlash) inSlash = false;
    else if (c === '\\') inSlash = true;
    else if (c === ',') {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  if (text !== '') parts.push(text.slice(start));
  // sort.StringSlice: by UTF-8 bytes, which `<` on UTF-16 units is not past U+FFFF.
  parts.sort(compareGoStrings);
  const terms: FieldTerm[] = [];
  for (const part of parts) {
    if (part === '') continue;
    let at = 0;
    while (at < part.length && !part.startsWith('=', at) && !part.startsWith('!=', at)) at++;
    if (at === part.length)
      return { error: `invalid selector: '${text}'; can't understand '${part}'` };
    const operator = part.startsWith('!=', at) ? '!=' : '=';
    const skip = part.startsWith('!=', at) || part.startsWith('==', at) ? 2 : 1;
    const value = unescapeFieldValue(part.slice(at + skip));
    if (typeof value !== 'string') return value;
    // A term of neither field nor value (`=`, `!=`) is Everything() once transformed: no term.
    if (at === 0 && value === '') continue;
    terms.push({ field: part.slice(0, at), operator, value });
  }
  return terms;
}

/** The value a field selector requires `field` to equal (RequiresExactMatch), if it does. */
export const exactMatch = (terms: readonly FieldTerm[], field: string): string | undefined =>
  terms.find((t) => t.field === field && t.operator === '=')?.value;

const doesNotMatchName = () =>
  badRequest("fieldSelector metadata.name doesn't match requested name");

/**
 * Reads labelSelector, metricLabelSelector and fieldSelector from a query string, as
 * custom-metrics-apiserver's list handler reads them for a path naming `objectName`:
 * - the field selector names only `metadata.name` and `metadata.namespace` (the scheme's
 *   default field label conversion; any other field is a 400 naming it);
 * - for a path that names an object, a non-empty field selector must require exactly that
 *   name (`metadata.name=<name>`), else a 400 "fieldSelector metadata.name doesn't match
 *   requested name", as upstream answers; `*` (the default) takes the name the selector
 *   requires as the one object asked for (upstream refuses that: it is this adapter's own);
 * - `objectName` null, for a path that names none (external metrics): the field selector is
 *   checked, not applied.
 */
export function selectors(query: string, objectName: string | null = '*'): Selectors | Status {
  // As Go reads it, and the authorizer with it (k8s/go-query.ts): a pair with a `;` or a bad
  // escape is dropped, and of a parameter given twice the first counts.
  const params = goQuery(query);
  const labelSelector = selectorParam(params, 'labelSelector');
  if (!Array.isArray(labelSelector)) return labelSelector as Status;
  const metricLabelSelector = selectorParam(params, 'metricLabelSelector');
  if (!Array.isArray(metricLabelSelector)) return metricLabelSelector as Status;
  // ListOptions' integers: a value ParseInt cannot read fails the decoding, a 400 upstream.
  for (const option of INT_OPTIONS) {
    const value = params.get(option)?.[0];
    if (value !== undefined && !isInt64(value))
      return badRequest(`query parameter ${option}: ${JSON.stringify(value)} is not an integer`);
  }
  const field = params.get('fieldSelector')?.[0] ?? null;
  const terms = parseFieldSelector(field ?? '');
  if (!Array.isArray(terms))
    return badRequest(`fieldSelector ${JSON.stringify(field)}: ${terms.error}`);
  if (terms.length === 0) return { labelSelector, metricLabelSelector };
  const unknown = terms.find(
    (t) => t.field !== 'metadata.name' && t.field !== 'metadata.namespace',
  );
  if (unknown) {
    return badRequest(
      `fieldSelector ${JSON.stringify(field)}: ${JSON.stringify(unknown.field)} is not a known field selector: only "metadata.name", "metadata.namespace"`,
    );
  }
  const name = exactMatch(terms, 'metadata.name');
  if (objectName === null)
    return { labelSelector, metricLabelSelector, ...(name ? { objectName: name } : {}) };
  if (name === undefined || (objectName !== '*' && name !== objectName)) return doesNotMatchName();
  if (objectName === '*') {
    const bad = checkName(name);
    if (bad) return bad;
  }
  return { labelSelector, metricLabelSelector, objectName: name };
}
