// A small Prometheus HTTP API client: instant queries and series discovery, with
// prometheus-adapter's --prometheus-verb and --prometheus-header, and a deadline per call.
// Failures carry a kind so the API layer can answer 503 (down, slow) or 400 (bad query).
import {
  apiUrl,
  parsePrometheusUrl,
  prometheusAt,
  PrometheusUrlError,
  type PrometheusBase,
} from './base-url';
import { httpTransport, type Transport, type TransportResponse } from './transport';
import { valuesAtSampleTime, withSampleTime } from './sample-times';

export type PrometheusErrorKind = 'unavailable' | 'timeout' | 'bad_query' | 'bad_response';

export class PrometheusError extends Error {
  constructor(
    readonly kind: PrometheusErrorKind,
    message: string,
    options?: { cause?: unknown; status?: number },
  ) {
    super(message, options);
    this.name = 'PrometheusError';
    this.status = options?.status;
  }

  /** The HTTP status Prometheus answered with, when the error is its answer. */
  readonly status: number | undefined;
}

/** RFC 9110's token: what a header name may be. */
const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/**
 * The headers as they go on the wire, checked when the client is made (at start): a name that
 * is no token (`--prometheus-header="X-Scope-OrgID: t"`, whose name upstream's parseHeaderArgs
 * takes whole, as it splits at `=` only) or a value with a control character but a tab is
 * refused, as Go's client refuses it at every query (httpguts.ValidHeaderFieldValue). A value
 * goes as its UTF-8 bytes, as Go sends it: node:http writes each char of a value as one byte
 * (latin1), so `Zoë` went as 0xEB and an emoji failed every query.
 */
function wireHeaders(
  headers: Readonly<Record<string, string | string[]>>,
): Record<string, string | string[]> {
  const wire: Record<string, string | string[]> = {};
  for (const [name, values] of Object.entries(headers)) {
    if (!HEADER_NAME.test(name)) {
      const hint = name.includes(':') ? ' (write it Name=Value, not Name: Value)' : '';
      throw new Error(
        `--prometheus-header ${JSON.stringify(name)}: not a valid HTTP header name${hint}`,
      );
    }
    const bytes = (value: string) => {
      if ([...value].some((c) => (c < ' ' && c !== '\t') || c === '\x7f'))
        throw new Error(
          `--prometheus-header ${name}: the value ${JSON.stringify(value)} has a control character`,
        );
      return Buffer.from(value, 'utf8').toString('latin1');
    };
    wire[name] = typeof values === 'string' ? bytes(values) : values.map(bytes);
  }
  return wire;
}

export interface PrometheusClientOptions {
  readonly url: string;
  readonly verb?: 'GET' | 'POST';
  /** Sent with every query; a list goes as one field line a value. */
  readonly headers?: Readonly<Record<string, string | string[]>>;
  readonly timeoutMs?: number;
  /** Called after every call: its kind, outcome (success, error, timeout) and seconds. */
  readonly observe?: (kind: 'instant' | 'series', outcome: string, seconds: number) => void;
  /** How requests travel; defaults to node:http(s) with kept-alive connections (transport.ts). */
  readonly fetch?: Transport;
  /** The Authorization header to send with each call (auth.ts), when Prometheus wants one. */
  readonly authorization?: () => string;
}

export interface Sample {
  /** The series' labels; `{}` for a scalar's value, which belongs to no series. */
  readonly labels: Readonly<Record<string, string>>;
  /** As Prometheus sent it ("1.5", "NaN", "+Inf"), so no precision is lost before formatting. */
  readonly value: string;
  /** The sample's own time, unix seconds. */
  readonly timestamp: number;
  /**
   * Set on the one value of a scalar answer, which belongs to no series: an external value of
   * it carries `metricLabels: null`, as prometheus-adapter's convertScalar leaves MetricLabels
   * unset, where a vector sample without labels carries `{}`.
   */
  readonly scalar?: true;
}

/** The series an answer's values are read from (sample-times.ts): where their time comes from. */
export interface SampleSource {
  readonly series: string;
  readonly matchers: readonly string[];
}

export interface PrometheusClient {
  /**
   * An instant query. With `source`, its values are dated at the oldest sample of the series
   * they are read from, rather than at the evaluation time.
   */
  query(expr: string, time?: Date, source?: SampleSource): Promise<Sample[]>;
  /**
   * The series the matchers select. `timeoutMs`: this call's deadline where it is longer than
   * --prometheus-timeout (series discovery's: listing a large cluster's series takes seconds).
   */
  series(
    matchers: readonly string[],
    start?: Date,
    timeoutMs?: number,
  ): Promise<Record<string, string>[]>;
}

interface ApiBody {
  status?: string;
  data?: unknown;
  errorType?: string;
  error?: string;
}

/** A `[<unix time>, "<value>"]` pair, or a bad_response naming what it belongs to. */
function samplePair(pair: unknown, what: string | object): [number, string] {
  if (
    !Array.isArray(pair) ||
    pair.length !== 2 ||
    typeof pair[0] !== 'number' ||
    typeof pair[1] !== 'string'
  )
    throw new PrometheusError(
      'bad_response',
      `${typeof what === 'string' ? what : seriesText(what)} has no [time, "value"] pair: ${brief(pair)}`,
    );
  return [pair[0], pair[1]];
}

/**
 * Whether a 422's error says the backend's own query deadline passed. Prometheus answers its
 * timeout with a 503 (errorTimeout); VictoriaMetrics with a 422 like any query error
 * (SendPrometheusError), its text "timeout exceeded during query execution: …" or "timeout
 * exceeded while fetching data block …" (-search.maxQueryDuration). A slow backend, not a bad
 * query: the 503 a caller retries, not the rule's 500.
 */
const ranOutOfTime = (error: unknown) =>
  typeof error === 'string' && /\btimeout exceeded\b/i.test(error);

const brief = (v: unknown) => {
  const text = JSON.stringify(v) ?? String(v);
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
};

const seriesText = (labels: object) =>
  `{${Object.entries(labels)
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
    .join(',')}}`;

export function createPrometheusClient(options: PrometheusClientOptions): PrometheusClient {
  let baseUrl: PrometheusBase;
  try {
    baseUrl = parsePrometheusUrl(options.url);
  } catch (err) {
    if (!(err instanceof PrometheusUrlError)) throw err;
    throw new Error(`--prometheus-url ${JSON.stringify(options.url)}: ${err.message}`, {
      cause: err,
    });
  }
  const base = prometheusAt(baseUrl);
  const headers = options.headers && wireHeaders(options.headers);
  const verb = options.verb ?? 'GET';
  const timeoutMs = options.timeoutMs ?? 5000;
  const doFetch = options.fetch ?? httpTransport();

  async function call(path: string, params: URLSearchParams, ms = timeoutMs): Promise<unknown> {
    if (!options.observe) return send(path, params, ms);
    const started = performance.now();
    const kind = path.endsWith('/series') ? 'series' : 'instant';
    try {
      const data = await send(path, params, ms);
      options.observe(kind, 'success', (performance.now() - started) / 1000);
      return data;
    } catch (err) {
      const outcome =
        err instanceof PrometheusError && err.kind === 'timeout' ? 'timeout' : 'error';
      options.observe(kind, outcome, (performance.now() - started) / 1000);
      throw err;
    }
  }

  async function send(path: string, params: URLSearchParams, ms: number): Promise<unknown> {
    // One deadline for the answer and its body, cleared once the body is read: the timer of
    // AbortSignal.timeout fired for every call, answered or not, and built a DOMException each time.
    const deadline = new AbortController();
    const timer = setTimeout(
      () => deadline.abort(new DOMException('deadline passed', 'TimeoutError')),
      ms,
    );
    const timedOut = (err: unknown) =>
      new PrometheusError('timeout', `prometheus at ${base} did not answer within ${ms}ms`, {
        cause: err,
      });
    try {
      return await answer(path, params, deadline.signal, timedOut);
    } finally {
      clearTimeout(timer);
    }
  }

  async function answer(
    path: string,
    params: URLSearchParams,
    signal: AbortSignal,
    timedOut: (err: unknown) => PrometheusError,
  ): Promise<unknown> {
    const init = {
      method: verb,
      headers: {
        accept: 'application/json',
        ...(options.authorization ? { authorization: options.authorization() } : {}),
        ...headers,
        // After --prometheus-header, as upstream sets it: the body is a form whatever they say.
        ...(verb === 'POST' ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
      },
      signal,
      ...(verb === 'POST' ? { body: params.toString() } : {}),
    };
    let res: TransportResponse;
    try {
      res = await doFetch(apiUrl(baseUrl, path, verb === 'GET' ? params : undefined), init);
    } catch (err) {
      if (signal.aborted) throw timedOut(err);
      throw new PrometheusError(
        'unavailable',
        `prometheus at ${base} is unreachable: ${(err as Error).message}`,
        { cause: err },
      );
    }
    let body: ApiBody;
    try {
      body = (await res.json()) as ApiBody;
    } catch (err) {
      // A body cut off by the deadline is a slow Prometheus, not a bad answer.
      if (signal.aborted) throw timedOut(err);
      throw new PrometheusError(
        'bad_response',
        `prometheus at ${base} answered ${res.status} with a body that is not JSON`,
        { cause: err },
      );
    }
    if (res.status === 422 && ranOutOfTime(body?.error)) {
      throw new PrometheusError(
        'unavailable',
        `prometheus at ${base} ran out of time for the query: ${body?.error}`,
        { status: res.status },
      );
    }
    if (res.status === 400 || res.status === 422) {
      throw new PrometheusError(
        'bad_query',
        `prometheus rejected the query: ${body?.error ?? res.status}`,
        { status: res.status },
      );
    }
    if (!res.ok || body?.status !== 'success') {
      throw new PrometheusError(
        'unavailable',
        `prometheus at ${base} answered ${res.status}: ${body?.error ?? 'no error text'}`,
        { status: res.status },
      );
    }
    return body.data;
  }

  /** An instant query, its values at the evaluation time Prometheus stamps on them. */
  async function instant(expr: string, time?: Date): Promise<Sample[]> {
    const params = new URLSearchParams({ query: expr });
    if (time) params.set('time', String(time.getTime() / 1000));
    const data = (await call('/api/v1/query', params)) as {
      resultType?: string;
      result?: unknown;
    } | null;
    if (data?.resultType === 'scalar') {
      const [timestamp, value] = samplePair(data.result, 'the scalar');
      return [{ labels: {}, value, timestamp, scalar: true }];
    }
    if (data?.resultType !== 'vector' || !Array.isArray(data.result)) {
      // A range vector or a string is the rule's query (upstream: a 500), not a Prometheus down.
      const type = data?.resultType;
      throw new PrometheusError(
        type === 'matrix' || type === 'string' ? 'bad_query' : 'bad_response',
        `expected an instant vector, got ${JSON.stringify(type)}`,
      );
    }
    return (data.result as unknown[]).map((item): Sample => {
      const r = item as { metric?: unknown; value?: unknown; histogram?: unknown } | null;
      const labels = r?.metric;
      if (typeof labels !== 'object' || labels === null)
        throw new PrometheusError('bad_response', `a vector sample without labels: ${brief(item)}`);
      // A native histogram sample carries `histogram` where a float one carries `value`: an HPA
      // needs a number (histogram_count, histogram_sum, histogram_quantile … make one).
      if (r?.value === undefined && r?.histogram !== undefined)
        throw new PrometheusError(
          'bad_query',
          `the query answered a native histogram for ${seriesText(labels)}, not a number: take one from it (histogram_count, histogram_sum, histogram_quantile, …)`,
        );
      const [timestamp, value] = samplePair(r?.value, labels);
      return { labels: labels as Record<string, string>, value, timestamp };
    });
  }

  return {
    async query(expr, time, source) {
      if (!source) return instant(expr, time);
      try {
        return valuesAtSampleTime(
          await instant(withSampleTime(expr, source.series, source.matchers), time),
        );
      } catch (err) {
        // A query `or` cannot join (one that answers a scalar) is asked as it is, at the
        // evaluation time; one Prometheus refuses either way is its own error. An answer the
        // adapter cannot use (a native histogram) was Prometheus' yes: asking again is no use.
        if (!(err instanceof PrometheusError && err.kind === 'bad_query' && err.status)) throw err;
        return instant(expr, time);
      }
    },
    async series(matchers, start, seriesTimeoutMs) {
      const params = new URLSearchParams();
      for (const m of matchers) params.append('match[]', m);
      if (start) params.set('start', String(start.getTime() / 1000));
      const data = await call('/api/v1/series', params, Math.max(timeoutMs, seriesTimeoutMs ?? 0));
      if (!Array.isArray(data))
        throw new PrometheusError('bad_response', 'expected a list of series');
      return data as Record<string, string>[];
    },
  };
}
