// Cross-origin ingest, answered as Sentry's own ingest (Relay) answers it: SDKs in browsers —
// Sentry's browser SDK, OpenTelemetry's web exporter — post from the page's origin and read the
// answer's rate-limit headers. Any origin may post (the project's key authorises a request, not
// a cookie), and a preflight is answered for the headers those SDKs send.
import type { ServerResponse } from 'node:http';

/** On every answer of an ingest path, so that the page's SDK may read it. */
const ANSWER_HEADERS = {
  'access-control-allow-origin': '*',
  'access-control-expose-headers': 'x-sentry-error, x-sentry-rate-limits, retry-after',
} as const;

const PREFLIGHT_HEADERS = {
  ...ANSWER_HEADERS,
  'access-control-allow-methods': 'POST',
  'access-control-allow-headers': [
    'x-sentry-auth',
    'x-requested-with',
    'x-forwarded-for',
    'origin',
    'referer',
    'accept',
    'content-type',
    'authentication',
    'authorization',
    'content-encoding',
    'transfer-encoding',
  ].join(', '),
  'access-control-max-age': '3600',
  vary: 'origin, access-control-request-method, access-control-request-headers',
  'content-length': '0',
} as const;

/** Lets a browser hand this ingest answer, whatever its status, to the page that posted. */
export function allowCrossOrigin(res: ServerResponse): void {
  for (const [name, value] of Object.entries(ANSWER_HEADERS)) res.setHeader(name, value);
}

/** Answers a browser's preflight (OPTIONS) of a post to an ingest path. */
export function answerPreflight(res: ServerResponse): void {
  res.writeHead(200, PREFLIGHT_HEADERS);
  res.end();
}
