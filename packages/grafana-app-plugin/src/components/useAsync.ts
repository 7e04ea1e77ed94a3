import { useCallback, useEffect, useState } from 'react';
import { isAborted } from '../api/client';

export interface AsyncState<T> {
  loading: boolean;
  error?: Error;
  /** The latest answer; kept while a newer request is on its way. */
  value?: T;
}

/**
 * Runs `load` whenever `deps` change; a stale answer never overwrites a newer one. `load` gets a
 * signal that is aborted when a newer request (deps, reload) supersedes it or the component
 * unmounts, so the request itself is cancelled; its rejection for that is never an error shown.
 */
export function useAsync<T>(
  load: (signal: AbortSignal) => Promise<T>,
  deps: unknown[]
): AsyncState<T> & { reload: () => void } {
  const [tick, setTick] = useState(0);
  // A fresh key per request (deps and reloads): the answer is kept with the request it belongs to.
  const request = useRequestKey([...deps, tick]);
  const [state, setState] = useState<{ request?: object; value?: T; error?: Error }>({});
  useEffect(() => {
    let live = true;
    const controller = new AbortController();
    load(controller.signal).then(
      (value) => live && setState({ request, value }),
      (error: Error) => live && !isAborted(error) && setState((s) => ({ request, value: s.value, error }))
    );
    return () => {
      live = false;
      controller.abort();
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [request]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  const loading = state.request !== request;
  return { loading, value: state.value, error: loading ? undefined : state.error, reload };
}

/** A new object whenever any of `deps` changes (by Object.is), else the same one. */
function useRequestKey(deps: unknown[]): object {
  const [current, setCurrent] = useState(() => ({ deps, key: {} }));
  const same = current.deps.length === deps.length && current.deps.every((d, i) => Object.is(d, deps[i]));
  if (!same) {
    // Adjusting state while rendering (React's pattern for derived state): the next render sees it.
    const next = { deps, key: {} };
    setCurrent(next);
    return next.key;
  }
  return current.key;
}
