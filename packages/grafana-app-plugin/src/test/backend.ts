import { of, throwError } from 'rxjs';
import type { BackendSrvRequest, FetchResponse } from '@grafana/runtime';

/**
 * A data-driven BackendSrv for ProxyTrackerApi: "METHOD url" → the data it answers; records every
 * request. A request with no answer gets the tracker's 404, so a wrong URL shows as "not found".
 */
export function fakeBackend(answers: Record<string, unknown>) {
  const requests: string[] = [];
  const backend = {
    fetch<T>(req: BackendSrvRequest) {
      const key = `${req.method} ${req.url}`;
      requests.push(key);
      if (!(key in answers)) {
        return throwError(() => ({ status: 404, data: { error: `no fake for ${key}` } }));
      }
      return of({ data: answers[key] as T, status: 200 } as FetchResponse<T>);
    },
  };
  return { backend, requests };
}
