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

export interface StatusDetails {
  readonly name?: string;
  readonly group?: string;
  readonly kind?: string;
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
export function notFound(resource: { group?: string; kind: string; name: string }): Status {
  const qualified = resource.group ? `${resource.kind}.${resource.group}` : resource.kind;
  return failure(404, 'NotFound', `${qualified} ${JSON.stringify(resource.name)} not found`, {
    name: resource.name,
    ...(resource.group ? { group: resource.group } : {}),
    kind: resource.kind,
  });
}

export const notFoundPath = (path: string): Status =>
  failure(404, 'NotFound', `the server could not find the requested resource (${path})`);

export const badRequest = (message: string): Status => failure(400, 'BadRequest', message);

export const unauthorized = (message = 'Unauthorized'): Status =>
  failure(401, 'Unauthorized', message);

/**
 * 403, as kube-apiserver words it (responsewriters.Forbidden and apierrors.NewForbidden):
 * `<resource>.<group> "<name>" is forbidden: User "<u>" cannot <verb> resource "<r>[/<sub>]" in
 * API group "<g>" in the namespace "<ns>"` (or `at the cluster scope`), then the reason.
 */
export function forbidden(user: string, attrs: RequestAttributes, reason?: string): Status {
  const because = reason ? `: ${reason}` : '';
  const who = `User ${JSON.stringify(user)} cannot ${attrs.verb}`;
  if (attrs.kind === 'nonResource')
    return failure(
      403,
      'Forbidden',
      `forbidden: ${who} path ${JSON.stringify(attrs.path)}${because}`,
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
    `${subject} is forbidden: ${who} resource ${JSON.stringify(resource)} in API group ${JSON.stringify(attrs.group)} ${scope}${because}`,
    { ...(attrs.name ? { name: attrs.name } : {}), group: attrs.group, kind: attrs.resource },
  );
}

export const methodNotAllowed = (method: string): Status =>
  failure(
    405,
    'MethodNotAllowed',
    `the server does not allow the method ${method} on this resource`,
  );

/** 406, as k8s.io/apiserver's content negotiation words it. */
export const notAcceptable = (accepted: readonly string[] = ['application/json']): Status =>
  failure(
    406,
    'NotAcceptable',
    `only the following media types are accepted: ${accepted.join(', ')}`,
  );

export const serviceUnavailable = (message: string): Status =>
  failure(503, 'ServiceUnavailable', message);

export const internalError = (message: string): Status =>
  failure(500, 'InternalError', `Internal error occurred: ${message}`);

export function isStatus(value: unknown): value is Status {
  return (
    typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === 'Status'
  );
}
