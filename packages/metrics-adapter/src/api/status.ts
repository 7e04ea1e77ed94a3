// Kubernetes `Status` objects (k8s.io/apimachinery/pkg/apis/meta/v1), the only error body the
// adapter ever sends: clients such as kubectl and the HPA controller read `reason` and `message`.
// Named factories mirror apimachinery's errors.NewNotFound / NewBadRequest / ….
import type { RequestAttributes } from '../auth/types';

export type StatusReason =
  | 'BadRequest'
  | 'Unauthorized'
  | 'Forbidden'
  | 'NotFound'
  | 'MethodNotAllowed'
  | 'NotAcceptable'
  | 'InternalError'
  | 'ServiceUnavailable'
  | 'Timeout';

/** metav1.StatusCause: the keys Go writes, each left out when empty. */
export interface StatusCause {
  readonly reason?: string;
  readonly message?: string;
  readonly field?: string;
}

/**
 * metav1.StatusDetails, keys in the Go type's order, each left out when empty (omitempty), so
 * details with nothing in them are `{}`, as the apiserver writes them wherever it sets them.
 */
export interface StatusDetails {
  readonly name?: string;
  readonly group?: string;
  readonly kind?: string;
  readonly causes?: readonly StatusCause[];
}

export interface Status {
  readonly kind: 'Status';
  readonly apiVersion: 'v1';
  readonly metadata: Record<string, never>;
  readonly status: 'Failure';
  readonly message: string;
  readonly reason: StatusReason;
  readonly details?: StatusDetails;
  readonly code: number;
}

function failure(
  code: number,
  reason: StatusReason,
  message: string,
  details?: StatusDetails,
): Status {
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message,
    reason,
    ...(details ? { details } : {}),
    code,
  };
}

/** 404, phrased as apimachinery does: `<kind>.<group> "<name>" not found`. */
/**
 * 404 for a metric with no value for what was asked, as custom-metrics-apiserver's
 * NewMetricNotFoundError and NewMetricNotFoundForError write it: the message alone, no details.
 */
export const metricNotFound = (message: string): Status => failure(404, 'NotFound', message);

/**
 * 404 for a path the server does not serve, worded as k8s.io/apiserver words it. Under one of
 * its go-restful web services (`/apis/<group>`, `/apis/<group>/<version>`, `/version`), go-restful
 * finds no route and the server's serviceErrorHandler answers NewGenericServerResponse(404), with
 * empty details; elsewhere its NotFoundHandler answers the same message without details. `path`
 * is not part of the message (kubectl prints it as it is).
 */
export const notFoundPath = (_path: string, underWebService = false): Status =>
  failure(
    404,
    'NotFound',
    'the server could not find the requested resource',
    underWebService ? {} : undefined,
  );

export const badRequest = (message: string): Status => failure(400, 'BadRequest', message);

export const unauthorized = (message = 'Unauthorized'): Status =>
  failure(401, 'Unauthorized', message);

/** responsewriters.Forbidden's sanitizer: what names the user and the request, HTML-escaped. */
const sanitize = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/**
 * 403, as kube-apiserver words it (responsewriters.Forbidden and apierrors.NewForbidden):
 * `<resource>.<group> "<name>" is forbidden: User "<u>" cannot <verb> resource "<r>[/<sub>]" in
 * API group "<g>" in the namespace "<ns>"` (or `at the cluster scope`), then the reason; the
 * part from `User` to the scope HTML-escaped, as its sanitizer escapes it (`dev&lt;ops&gt;`).
 */
export function forbidden(user: string, attrs: RequestAttributes, reason?: string): Status {
  const because = reason ? `: ${reason}` : '';
  const who = `User ${JSON.stringify(user)} cannot ${attrs.verb}`;
  if (attrs.kind === 'nonResource')
    // NewForbidden with no resource: its details are set, and empty.
    return failure(
      403,
      'Forbidden',
      `forbidden: ${sanitize(`${who} path ${JSON.stringify(attrs.path)}`)}${because}`,
      {},
    );
  const resource = attrs.subresource ? `${attrs.resource}/${attrs.subresource}` : attrs.resource;
  const scope = attrs.namespace
    ? `in the namespace ${JSON.stringify(attrs.namespace)}`
    : 'at the cluster scope';
  const qualified = attrs.group ? `${attrs.resource}.${attrs.group}` : attrs.resource;
  const subject = attrs.name ? `${qualified} ${JSON.stringify(attrs.name)}` : qualified;
  return failure(
    403,
    'Forbidden',
    `${subject} is forbidden: ${sanitize(`${who} resource ${JSON.stringify(resource)} in API group ${JSON.stringify(attrs.group)} ${scope}`)}${because}`,
    // NewForbidden's details: empty strings left out (the core group's "" too).
    {
      ...(attrs.name ? { name: attrs.name } : {}),
      ...(attrs.group ? { group: attrs.group } : {}),
      ...(attrs.resource ? { kind: attrs.resource } : {}),
    },
  );
}

/**
 * 405 for a method a path is not served for: go-restful finds the path but no route for the
 * method, and k8s.io/apiserver's serviceErrorHandler answers NewGenericServerResponse(405), in
 * its words and with empty details (the method is not named).
 */
export const methodNotAllowed = (_method?: string): Status =>
  failure(
    405,
    'MethodNotAllowed',
    'the server does not allow this method on the requested resource',
    {},
  );

/**
 * 405 for a watch of the external metrics: custom-metrics-apiserver gives the apiserver's
 * ListResource no watcher, which answers errors.NewMethodNotSupported for its resource (`*` of
 * the group) once the request is authorized as a watch.
 */
export const watchNotSupported = (group: string): Status =>
  failure(405, 'MethodNotAllowed', `watch is not supported on resources of kind "*.${group}"`, {
    group,
    kind: '*',
  });

/** 406, as k8s.io/apiserver's content negotiation words it. */
export const notAcceptable = (accepted: readonly string[] = ['application/json']): Status =>
  failure(
    406,
    'NotAcceptable',
    `only the following media types are accepted: ${accepted.join(', ')}`,
  );

export const serviceUnavailable = (message: string): Status =>
  failure(503, 'ServiceUnavailable', message);

/** apierrors.NewInternalError: the error also as the one cause in details. */
export const internalError = (message: string): Status =>
  failure(500, 'InternalError', `Internal error occurred: ${message}`, {
    causes: [message ? { message } : {}],
  });

export function isStatus(value: unknown): value is Status {
  return (
    typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === 'Status'
  );
}
