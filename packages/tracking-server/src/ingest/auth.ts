// Sentry authentication: the project's public key as `sentry_key`, in the X-Sentry-Auth header
// (`Sentry sentry_version=7, sentry_key=…, sentry_client=…`) or in the query string; OTLP
// exporters send it as `Authorization: Bearer <key>`.
import type { IncomingHttpHeaders } from 'node:http';

export function sentryKey(
  headers: IncomingHttpHeaders,
  query: URLSearchParams,
): string | undefined {
  const header = headers['x-sentry-auth'] ?? headers.authorization;
  const text = Array.isArray(header) ? header[0] : header;
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
