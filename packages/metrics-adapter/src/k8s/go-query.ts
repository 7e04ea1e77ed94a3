// A request's query as the Kubernetes API server reads it: Go's url.ParseQuery, and the
// ListOptions parameters that are integers. The authorizer (auth/request-info.ts) and the list
// handler (api/routes.ts) read the same pairs, as kube-apiserver and custom-metrics-apiserver do.

/** The ListOptions parameters that are integers there (a value ParseInt cannot read fails them). */
export const INT_OPTIONS = ['timeoutSeconds', 'limit'];
export const isInt64 = (v: string) =>
  /^[+-]?\d+$/.test(v) && BigInt(v) >= -(2n ** 63n) && BigInt(v) < 2n ** 63n;

/**
 * A query as Go's url.ParseQuery reads it (NewRequestInfo reads req.URL.Query()): pairs split at
 * `&`, each at its first `=`, `+` a space; a pair that holds a `;` or an escape that is not `%`
 * and two hex digits is dropped, and the rest are kept. (URLSearchParams splits at `;` never and
 * keeps a bad escape as text: `watch=1;x` was a watch, which Go reads as no `watch` at all.)
 */
export function goQuery(query: string): Map<string, string[]> {
  const values = new Map<string, string[]>();
  const unescape = (s: string): string | undefined => {
    if (/%(?![0-9A-Fa-f]{2})/.test(s)) return undefined;
    const parts = s.split(/(%[0-9A-Fa-f]{2})/);
    return Buffer.concat(
      parts.map((part) =>
        part.startsWith('%')
          ? Buffer.from([parseInt(part.slice(1), 16)])
          : Buffer.from(part.replace(/\+/g, ' ')),
      ),
    ).toString('utf8');
  };
  for (const pair of query.split('&')) {
    if (pair === '' || pair.includes(';')) continue;
    const at = pair.indexOf('=');
    const key = unescape(at < 0 ? pair : pair.slice(0, at));
    const value = unescape(at < 0 ? '' : pair.slice(at + 1));
    if (key === undefined || value === undefined) continue;
    values.set(key, [...(values.get(key) ?? []), value]);
  }
  return values;
}
