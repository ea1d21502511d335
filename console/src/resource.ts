import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { ApiError } from './api.ts';

/** Data loaded from the admin API, refreshed while the page wants it. */
export interface Resource<T> {
  readonly data: T | undefined;
  readonly error: ApiError | undefined;
  /** Loads again now (after an action), keeping the data shown meanwhile. */
  readonly reload: () => void;
}

/**
 * Loads `load()` when `key` changes, and again `refreshMs(data)` milliseconds after each load while that is a
 * number: pages refresh by themselves while runs are going, and stop once nothing moves. A hidden tab waits.
 */
export function useResource<T>(
  key: string,
  load: () => Promise<T>,
  refreshMs: (data: T | undefined) => number | undefined = () => undefined,
): Resource<T> {
  const [state, setState] = useState<{ key: string; data?: T; error?: ApiError }>({ key });
  const [tick, setTick] = useState(0);
  const loadRef = useRef(load);
  loadRef.current = load;
  const refreshRef = useRef(refreshMs);
  refreshRef.current = refreshMs;
  useEffect(() => {
    let cancelled = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const run = async () => {
      let data: T | undefined;
      try {
        data = await loadRef.current();
        if (cancelled) return;
        setState({ key, data });
      } catch (error) {
        if (cancelled) return;
        const apiError = error instanceof ApiError ? error : new ApiError(0, 'failed', String(error));
        setState((previous) => ({ ...(previous.key === key ? previous : { key }), error: apiError }));
      }
      const next = refreshRef.current(data);
      if (next !== undefined && !cancelled) {
        timer = setTimeout(function wait() {
          if (cancelled) return;
          if (document.hidden) timer = setTimeout(wait, 1000);
          else void run();
        }, next);
      }
    };
    void run();
    return () => {
      cancelled = true;
      if (timer !== undefined) clearTimeout(timer);
    };
  }, [key, tick]);
  const reload = useCallback(() => setTick((value) => value + 1), []);
  const current = state.key === key ? state : { key };
  return { data: current.data, error: current.error, reload };
}
