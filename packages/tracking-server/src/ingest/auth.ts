// Sentry authentication: the project's public key as `sentry_key`, in the X-Sentry-Auth header
// (`Sentry sentry_version=7, sentry_key=…, sentry_client=…`), as the user of `Authorization:
// Basic`, or in the query string, or — for an envelope a tunnel forwards without them — as the
// user of the DSN in the envelope's header, as Sentry's ingest reads it; OTLP exporters send it
// as `Authorization: Bearer <key>`.
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';

/** The query string of a request's URL, where `sentry_key` and `sentry_client` may be. */
export function queryOf(req: IncomingMessage): URLSearchParams {
  const query = req.url?.indexOf('?') ?? -1;
  return new URLSearchParams(query >= 0 ? (req.url as string).slice(query + 1) : '');
}

export function sentryKey(
  headers: IncomingHttpHeaders,
  query: URLSearchParams,
): string | undefined {
  const first = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value);
  const auth = first(headers['x-sentry-auth']);
  const authorization = first(headers.authorization);
  // As Relay reads them (request_meta.rs, auth_from_parts): X-Sentry-Auth and then Authorization,
  // each only when written `Sentry …`, so that another scheme in X-Sentry-Auth (a proxy's) does
  // not hide `Authorization: Sentry sentry_key=…`.
  for (const text of [auth, authorization]) {
    if (!text || !/^\s*sentry\s/i.test(text)) continue;
    for (const part of text.replace(/^\s*sentry\s+/i, '').split(',')) {
      const [k, ...v] = part.split('=');
      if (k?.trim() === 'sentry_key') {
        const key = v.join('=').trim();
        if (key) return key;
      }
    }
  }
  // `Authorization: Basic base64(key:secret)`, which Relay takes as well.
  for (const text of [authorization, auth]) {
    const basic = text ? /^\s*basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(text) : null;
    if (!basic) continue;
    const key = Buffer.from(basic[1] as string, 'base64')
      .toString('utf8')
      .split(':')[0];
    if (key) return key;
  }
  return query.get('sentry_key') ?? undefined;
}

export function bearer(headers: IncomingHttpHeaders): string | undefined {
  const text = headers.authorization;
  const m = text ? /^\s*Bearer\s+(\S+)\s*$/i.exec(text) : null;
  return m?.[1];
}

/**
 * The public key and project id of a DSN, `{scheme}://{key}[:{secret}]@{host}[:{port}]/[{path}/]
 * {project}`, or undefined when the text is not one. The key is taken as written (keys are hex).
 */
export function parseDsn(text: string): { key: string; projectId: string } | undefined {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return undefined;
  }
  const projectId = /\/(\d+)\/?$/.exec(url.pathname)?.[1];
  if (!/^https?:$/.test(url.protocol) || !url.username || projectId === undefined) return undefined;
  return { key: url.username, projectId };
}
