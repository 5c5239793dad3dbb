import { useEffect, useRef, useState } from "preact/hooks";

/** Loading state of an async value. */
export interface Loaded<T> {
  data: T | undefined;
  error: string | undefined;
  loading: boolean;
}

/**
 * Loads `fetcher()` whenever `key` changes; with `pollMs`, polls while `keepPolling(data)` says so
 * (the run page of a live run). Stale answers of an older key are dropped.
 */
export function useLoad<T>(key: string, fetcher: () => Promise<T>, pollMs?: number, keepPolling?: (data: T) => boolean): Loaded<T> {
  const [state, setState] = useState<Loaded<T>>({ data: undefined, error: undefined, loading: true });
  const latest = useRef(key);
  latest.current = key;
  useEffect(() => {
    let timer: number | undefined;
    let stopped = false;
    setState((s) => ({ ...s, loading: true }));
    const load = () => {
      fetcher().then(
        (data) => {
          if (stopped || latest.current !== key) return;
          setState({ data, error: undefined, loading: false });
          if (pollMs && (!keepPolling || keepPolling(data))) timer = window.setTimeout(load, pollMs);
        },
        (error: unknown) => {
          if (stopped || latest.current !== key) return;
          setState((s) => ({ data: s.data, error: error instanceof Error ? error.message : String(error), loading: false }));
          if (pollMs) timer = window.setTimeout(load, pollMs * 3);
        },
      );
    };
    load();
    return () => {
      stopped = true;
      if (timer !== undefined) window.clearTimeout(timer);
    };
  }, [key]);
  return state;
}

/** `value`, changed only after it has been stable for `ms` (for search boxes). */
export function useDebounced<T>(value: T, ms: number): T {
  const [debounced, setDebounced] = useState(value);
  useEffect(() => {
    const timer = window.setTimeout(() => setDebounced(value), ms);
    return () => window.clearTimeout(timer);
  }, [value, ms]);
  return debounced;
}
