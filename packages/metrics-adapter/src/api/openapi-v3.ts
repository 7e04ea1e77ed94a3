// /openapi/v3 as k8s.io/kube-openapi's handler3 serves it for every Kubernetes API server: a
// discovery document naming each group version's document by a URL that carries the
// document's hash, and the documents themselves, cached by clients for good when asked for by
// that URL. kube-apiserver's aggregator reads it to serve the cluster's OpenAPI v3 (what kubectl
// reads); from a server that answers 404 here it converts /openapi/v2 instead, losing detail.
import { createHash } from 'node:crypto';
import { qualityOf } from './content-encoding';
import { openApiDocument, openApiV3Documents } from './openapi';
import { notAcceptable, notFoundPath, type Status } from './status';

export interface Document {
  readonly body: Buffer;
  /** SHA-512 of the body in upper-case hex: the `hash` its URL carries (handler3's etag). */
  readonly hash: string;
}

export interface OpenApiV3 {
  /** `{"paths": {"apis/<group>/<version>": {"serverRelativeURL": …}}}` and its hash. */
  readonly discovery: Document;
  /** Each group version's document, by its path under /openapi/v3/. */
  readonly documents: ReadonlyMap<string, Document>;
  /** When the documents were built: their Last-Modified. */
  readonly builtAt: Date;
}

const documentOf = (value: unknown): Document => {
  const body = Buffer.from(JSON.stringify(value));
  return { body, hash: createHash('sha512').update(body).digest('hex').toUpperCase() };
};

/** A document's URL with its hash, which clients cache by: `/openapi/v3/apis/…?hash=…`. */
export const openApiV3Url = (path: string, hash: string) =>
  `/openapi/v3/${path}?${new URLSearchParams({ hash })}`;

/**
 * The documents, built once. Only the group versions this server serves are listed: the
 * aggregator merges every APIService's list into kube-apiserver's own, where an `apis` or
 * `version` entry from here would stand in for kube-apiserver's.
 */
export function openApiV3(version: string, now = new Date()): OpenApiV3 {
  const documents = new Map(
    [...openApiV3Documents(version)].map(([path, doc]) => [path, documentOf(doc)] as const),
  );
  const paths = Object.fromEntries(
    [...documents].map(([path, doc]) => [
      path,
      { serverRelativeURL: openApiV3Url(path, doc.hash) },
    ]),
  );
  return { discovery: documentOf({ paths }), documents, builtAt: now };
}

/** /openapi/v2's Swagger document and its hash, built once (kube-openapi's handler caches it so). */
export const openApiV2 = (version: string): Document => documentOf(openApiDocument(version));

export interface OpenApiV3Request {
  /** The query string, without `?`. */
  readonly query: string;
  readonly accept: string | undefined;
  readonly ifNoneMatch: string | undefined;
}

/** A document's answer with headers of its own (ETag and the like): OpenAPI's, and discovery's. */
export interface DocumentAnswer {
  readonly code: number;
  readonly headers: Readonly<Record<string, string>>;
  /** A document, a Status (404, 406), or nothing (301, 304). */
  readonly body?: Buffer | Status;
}

/** How specifically a media range names JSON: 2 `application/json`, 1 `application/*`, 0 `*\/*`. */
function jsonSpecificity(range: string): number | undefined {
  const m = /^([^/\s]+)\/([^/\s]+)$/.exec(range.trim().toLowerCase());
  if (!m) return undefined;
  const [, type, subtype] = m;
  if (type === '*') return subtype === '*' ? 0 : undefined;
  if (type !== 'application') return undefined;
  return subtype === 'json' ? 2 : subtype === '*' ? 1 : undefined;
}

/**
 * Whether an Accept header (RFC 9110 §12.5.1) takes JSON: absent, or the most specific range that
 * matches it — `application/json`, else `application/*`, else `*\/*` — has a weight over zero.
 */
export function acceptsJson(header: string | undefined): boolean {
  if (header === undefined || header.trim() === '') return true;
  let best = -1;
  let weight = 0;
  for (const member of header.split(',')) {
    const [range = '', ...params] = member.split(';');
    const specificity = jsonSpecificity(range);
    if (specificity === undefined || specificity < best) continue;
    const q = qualityOf(params);
    weight = specificity > best ? q : Math.max(weight, q);
    best = specificity;
  }
  return weight > 0;
}

/** Whether an If-None-Match header names `etag` (quoted) or is `*`. */
function matches(ifNoneMatch: string | undefined, etag: string): boolean {
  if (ifNoneMatch === undefined) return false;
  return ifNoneMatch
    .split(',')
    .map((t) => t.trim().replace(/^W\//, ''))
    .some((t) => t === '*' || t === etag);
}

/**
 * The answer to a GET of /openapi/v3 (`path` undefined) or of a document there, as handler3
 * gives it: JSON only (its protobuf form is not served: 406 for a caller that takes nothing
 * else), the hash as ETag, and for a URL with a stale hash a 301 to the current one.
 */
export function answerOpenApiV3(
  v3: OpenApiV3,
  path: string | undefined,
  request: OpenApiV3Request,
  now = new Date(),
): DocumentAnswer {
  const doc = path === undefined ? v3.discovery : v3.documents.get(path);
  if (!doc) return { code: 404, headers: {}, body: notFoundPath(`/openapi/v3/${path}`) };
  const etag = JSON.stringify(doc.hash);
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    etag,
    'last-modified': v3.builtAt.toUTCString(),
  };
  if (path !== undefined) {
    headers.vary = 'Accept';
    if (!acceptsJson(request.accept)) return { code: 406, headers: {}, body: notAcceptable() };
    const hash = new URLSearchParams(request.query).get('hash');
    if (hash !== null && hash !== '') {
      if (hash !== doc.hash)
        return { code: 301, headers: { location: openApiV3Url(path, doc.hash) } };
      // The URL names these very bytes, so they may be kept for good (a year, as handler3 says).
      headers['cache-control'] = 'public, immutable';
      const expires = new Date(now);
      expires.setUTCFullYear(expires.getUTCFullYear() + 1);
      headers.expires = expires.toUTCString();
    }
  }
  return conditional(doc, headers, request.ifNoneMatch);
}

/** The document, or 304 when If-None-Match names its ETag (http.ServeContent, as kube-openapi). */
function conditional(
  doc: Document,
  headers: Record<string, string>,
  ifNoneMatch: string | undefined,
): DocumentAnswer {
  if (matches(ifNoneMatch, headers.etag ?? '')) {
    delete headers['content-type'];
    return { code: 304, headers };
  }
  return { code: 200, headers, body: doc.body };
}

/**
 * The answer to a GET of /openapi/v2, as kube-openapi's handler.go (OpenAPIService.ServeHTTP)
 * gives it: the hash as ETag and 304 when the caller has it — kube-aggregator's downloader
 * (pkg/controllers/openapi/aggregator/downloader.go) sends the last ETag every minute, and
 * without one re-reads and re-parses the whole document each time — and 406 for a caller
 * that takes only the protobuf form, which is not served.
 */
export function answerOpenApiV2(
  doc: Document,
  builtAt: Date,
  request: Omit<OpenApiV3Request, 'query'>,
): DocumentAnswer {
  if (!acceptsJson(request.accept)) return { code: 406, headers: {}, body: notAcceptable() };
  const headers = {
    'content-type': 'application/json',
    etag: JSON.stringify(doc.hash),
    'last-modified': builtAt.toUTCString(),
    vary: 'Accept',
  };
  return conditional(doc, headers, request.ifNoneMatch);
}
