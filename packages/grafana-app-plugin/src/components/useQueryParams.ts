import { useCallback } from 'react';
import { useSearchParams } from 'react-router-dom';

/**
 * How a change of the page's URL query enters the browser's history.
 *
 * - `push` (the default): a discrete choice the user makes (a radio group's value, a checkbox, a
 *   value picked in or removed from a multi-select, the sort, the project) is a step of its own,
 *   which Back undoes, as Grafana Scenes' UrlSyncManager pushes a history entry for a user's
 *   variable change.
 * - `replace`: typing (a debounced text box, reported at each pause) and a default written on
 *   load replace the entry, so Back does not walk through every pause of the typing, nor come back
 *   to the address the default was written over.
 */
export type HistoryStep = 'push' | 'replace';

/** The page's URL query and a setter for one of its parameters: an empty value removes it. */
export function useQueryParams(): [
  URLSearchParams,
  (key: string, value: string | undefined, step?: HistoryStep) => void,
] {
  const [params, setParams] = useSearchParams();
  const setParam = useCallback(
    (key: string, value: string | undefined, step: HistoryStep = 'push') =>
      setParams(
        (prev) => {
          const next = new URLSearchParams(prev);
          if (value) {
            next.set(key, value);
          } else {
            next.delete(key);
          }
          return next;
        },
        { replace: step === 'replace' }
      ),
    [setParams]
  );
  return [params, setParam];
}

/**
 * Sets a URL parameter to a list, one parameter per value; an empty list removes it. A pick is a
 * step of its own, as in useQueryParams (`HistoryStep`).
 */
export function useListParam(): (key: string, values: readonly string[], step?: HistoryStep) => void {
  const [, setParams] = useSearchParams();
  return useCallback(
    (key, values, step = 'push') =>
      setParams(
        (prev) => {
          const next = new URLSearchParams(prev);
          next.delete(key);
          values.forEach((v) => next.append(key, v));
          return next;
        },
        { replace: step === 'replace' }
      ),
    [setParams]
  );
}
