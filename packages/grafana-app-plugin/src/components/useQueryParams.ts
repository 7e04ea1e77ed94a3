import { useCallback } from 'react';
import { useSearchParams } from 'react-router-dom';

/**
 * The page's URL query and a setter for one of its parameters: an empty value removes it, and the
 * history entry is replaced, since changing a filter is not a step to go back through.
 */
export function useQueryParams(): [URLSearchParams, (key: string, value: string | undefined) => void] {
  const [params, setParams] = useSearchParams();
  const setParam = useCallback(
    (key: string, value: string | undefined) =>
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
        { replace: true }
      ),
    [setParams]
  );
  return [params, setParam];
}

/** Sets a URL parameter to a list, one parameter per value; an empty list removes it. */
export function useListParam(): (key: string, values: readonly string[]) => void {
  const [, setParams] = useSearchParams();
  return useCallback(
    (key, values) =>
      setParams(
        (prev) => {
          const next = new URLSearchParams(prev);
          next.delete(key);
          values.forEach((v) => next.append(key, v));
          return next;
        },
        // As useQueryParams: a filter change is not a step to go back through.
        { replace: true }
      ),
    [setParams]
  );
}
