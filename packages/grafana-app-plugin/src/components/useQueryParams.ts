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
