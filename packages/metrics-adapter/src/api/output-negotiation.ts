// How an answer is written, as k8s.io/apiserver's negotiation package decides it
// (handlers/negotiation/negotiate.go, v0.32): whether the caller's Accept takes what is served,
// and whether to pretty-print. The value, discovery and Status answers go through it; health,
// /metrics and OpenAPI have writers of their own upstream, and here.
import { goQuery } from '../k8s/go-query';
import { goParseBool } from '../pflag';

/** One Accept member as munnerz/goautoneg's ParseAccept reads it. */
export interface Clause {
  readonly type: string;
  readonly subtype: string;
  readonly q: number;
  readonly params: ReadonlyMap<string, string>;
}

const trimSpaces = (s: string) => s.replace(/^ +| +$/g, '');

/** goautoneg's nextSplitElement: the text before the first `sep` and the text after it. */
function cut(s: string, sep: string): [string, string] {
  const at = s.indexOf(sep);
  return at < 0 ? [s, ''] : [s.slice(0, at), s.slice(at + 1)];
}

/** Go's strconv.ParseFloat on a weight, decimal forms only; what it cannot read is 0. */
const weight = (text: string) =>
  /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/.test(text) ? Number(text) : 0;

/** One member, or none where goautoneg skips it (no `/`, a second `/`). */
function parseClause(member: string): Clause | undefined {
  const [range, paramText] = cut(trimSpaces(member), ';');
  const [typeText, afterType] = cut(range, '/');
  const type = trimSpaces(typeText);
  let subtype = '*';
  if (afterType === '') {
    if (type !== '*') return undefined;
  } else {
    const [subtypeText, extra] = cut(afterType, '/');
    if (extra !== '') return undefined;
    subtype = trimSpaces(subtypeText);
  }
  let q = 1;
  const params = new Map<string, string>();
  let rest = paramText;
  while (rest !== '') {
    let param: string;
    [param, rest] = cut(rest, ';');
    const [key, afterKey] = cut(param, '=');
    if (afterKey === '') continue;
    const [value, extra] = cut(afterKey, '=');
    if (extra !== '') continue;
    // A weight of 0 still counts, sorted last, as there.
    if (trimSpaces(key) === 'q') q = weight(value);
    else params.set(trimSpaces(key), trimSpaces(value));
  }
  return { type, subtype, q, params };
}

/** goautoneg's order: weight, then a concrete type, then a concrete subtype. */
const before = (a: Clause, b: Clause) =>
  a.q > b.q || (a.type !== '*' && b.type === '*') || (a.subtype !== '*' && b.subtype === '*');

/** An Accept header's clauses in goautoneg's order; what it cannot read is skipped, never thrown. */
export function parseAccept(accept: string): Clause[] {
  const clauses = accept
    .split(',')
    .map(parseClause)
    .filter((c): c is Clause => c !== undefined);
  // Insertion sort, as Go's sort.Sort does for up to 12 elements: the order `before` gives is
  // not a total one, so another sort could order ties differently.
  for (let i = 1; i < clauses.length; i++)
    for (let j = i; j > 0 && before(clauses[j] as Clause, clauses[j - 1] as Clause); j--)
      [clauses[j - 1], clauses[j]] = [clauses[j] as Clause, clauses[j - 1] as Clause];
  return clauses;
}

/** What the 406 names: the one form served. */
export const SERVED_MEDIA_TYPES: readonly string[] = ['application/json'];

/**
 * Whether a clause takes a served answer. JSON, or the Kubernetes protobuf form, which is answered
 * in JSON too: the HPA controller's clients send `application/vnd.kubernetes.protobuf, *\/*`, and
 * client-go decodes by the answer's Content-Type, so JSON reads fine. Its parameters as
 * acceptMediaTypeOptions takes them with DefaultEndpointRestrictions (custom-metrics-apiserver's
 * endpoints and the discovery documents allow no transformation): `as`, `g` or `v` asks for one
 * (`as=Table;g=meta.k8s.io;v=v1`) and is refused, as are a server version (`sv`) and a stream
 * other than `watch`. A weight of 0 refuses it too, as RFC 9110 has it (upstream reads q only
 * to order the clauses).
 */
function takesServed(c: Clause): boolean {
  if (!(c.q > 0)) return false;
  const type =
    (c.type === '*' && c.subtype === '*') ||
    (c.type === 'application' &&
      (c.subtype === 'json' || c.subtype === 'vnd.kubernetes.protobuf' || c.subtype === '*'));
  if (!type) return false;
  if (c.params.has('as') || c.params.has('g') || c.params.has('v') || c.params.has('sv'))
    return false;
  const stream = c.params.get('stream');
  return stream === undefined || stream === 'watch';
}

export interface Output {
  /** False: a 200 is answered with a 406 NotAcceptable Status instead. */
  readonly acceptable: boolean;
  /** Indented as Go's json.MarshalIndent(v, "", "  "). */
  readonly pretty: boolean;
}

const ANY: Output = { acceptable: true, pretty: false };
const REFUSED: Output = { acceptable: false, pretty: false };

/**
 * What an Accept header takes, as NegotiateMediaTypeOptions decides it: absent or empty takes the
 * default; else the first clause in goautoneg's order that takes a served answer is chosen (its
 * `pretty=1` asks for indenting), and none is a 406. A header of which no clause can be read is
 * taken as absent (upstream answers it 406): it names nothing to refuse.
 */
export function negotiateAccept(accept: string | undefined): Output {
  if (accept === undefined || accept === '') return ANY;
  const clauses = parseAccept(accept);
  if (clauses.length === 0) return ANY;
  const chosen = clauses.find(takesServed);
  if (!chosen) return REFUSED;
  return chosen.params.get('pretty') === '1' ? { acceptable: true, pretty: true } : ANY;
}

/**
 * negotiate.go's isPrettyPrint: a non-empty `pretty` query parameter (its first value, as Go's
 * Query().Get) decides; without one, a User-Agent of curl, Wget or a browser does.
 */
export function isPrettyPrint(query: string, userAgent: string | undefined): boolean {
  // As upstream, the query is parsed only when it names `pretty` at all.
  if (query.includes('pretty')) {
    const pretty = goQuery(query).get('pretty')?.[0] ?? '';
    // strconv.ParseBool; what it cannot read (`yes`) is false, as the error is ignored there.
    if (pretty !== '') return goParseBool(pretty) ?? false;
  }
  const ua = userAgent ?? '';
  return ua.startsWith('curl') || ua.startsWith('Wget') || ua.startsWith('Mozilla/5.0');
}

/** Accept headers up to this long are remembered, up to this many. */
const KEPT_LENGTH = 256;
const KEPT = 256;

/**
 * A request's Output: acceptable per Accept, pretty per the chosen clause or isPrettyPrint.
 * Accept answers are remembered (a caller sends the same header every time, so the HPA's costs a
 * map lookup), a bounded number of short ones: past the bound they are all forgotten at once.
 */
export function outputNegotiator(): (
  accept: string | undefined,
  query: string,
  userAgent: string | undefined,
) => Output {
  const known = new Map<string, Output>();
  return (accept, query, userAgent) => {
    let answer = accept === undefined ? ANY : known.get(accept);
    if (answer === undefined) {
      answer = negotiateAccept(accept);
      if (accept !== undefined && accept.length <= KEPT_LENGTH) {
        if (known.size >= KEPT) known.clear();
        known.set(accept, answer);
      }
    }
    if (answer.pretty) return answer;
    return isPrettyPrint(query, userAgent)
      ? { acceptable: answer.acceptable, pretty: true }
      : answer;
  };
}
