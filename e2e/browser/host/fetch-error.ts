// What a failed request looks like to a plugin, as Grafana's backendSrv (public/app/core/services/
// backend_srv.ts) hands it over: a FetchError whose body went through parseResponseBody (JSON if it
// parses, else the text, '' for none) and then processRequestError, which makes `data` an object
// with a `message` — a text body becomes { message: text, error: statusText, response: text }, a
// JSON body without `message` gets its `error` string as one, and no body at all (a request that
// never got an answer) is { message: 'Unexpected error' }.

export interface GrafanaFetchError<C> {
  status?: number;
  statusText?: string;
  data: { message: string; error?: unknown; response?: string; [key: string]: unknown };
  config: C;
}

/** Grafana's parseResponseBody: JSON when the text parses, the text otherwise. */
export function parseBody(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** Grafana's processRequestError on `{ status, statusText, data, config }`. */
export function processRequestError<C>(err: {
  status?: number;
  statusText?: string;
  data?: unknown;
  config: C;
}): GrafanaFetchError<C> {
  let data: unknown = err.data ?? { message: 'Unexpected error' };
  if (typeof data === 'string') {
    data = { message: data, error: err.statusText, response: data };
  }
  const object = (typeof data === 'object' && data !== null ? data : { message: data }) as Record<
    string,
    unknown
  >;
  if (!object.message && typeof object.error === 'string') object.message = object.error;
  return { ...err, data: object as GrafanaFetchError<C>['data'] };
}
