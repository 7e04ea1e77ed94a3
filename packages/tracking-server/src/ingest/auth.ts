// Sentry authentication: the project's public key as `sentry_key`, in the X-Sentry-Auth header
// (`Sentry sentry_version=7, sentry_key=…, sentry_client=…`), as the user of `Authorization:
// Basic`, or in the query string, or — for an envelope a tunnel forwards without them — as the
// user of the DSN in the envelope's header, as Sentry's ingest reads it; OTLP exporters send it
// as `Authorization: Bearer <key>`.
import type { IncomingHttpHeaders } from 'node:http';

export function sentryKey(
  headers: IncomingHttpHeaders,
  query: URLSearchParams,
): string | undefined {
  const header = headers['x-sentry-auth'] ?? headers.authorization;
  const text = Array.isArray(header) ? header[0] : header;
  // `Authorization: Basic base64(key:secret)`, which Relay takes as well.
  const basic = text ? /^\s*basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(text) : null;
  if (basic) {
    const key = Buffer.from(basic[1] as string, 'base64')
      .toString('utf8')
      .split(':')[0];
    if (key) return key;
  }
  if (text && /^\s*sentry\s/i.test(text)) {
    for (const part of text.replace(/^\s*sentry\s+/i, '').split(',')) {
      const [k, ...v] = part.split('=');
      if (k?.trim() === 'sentry_key') return v.join('=').trim() || undefined;
    }
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
