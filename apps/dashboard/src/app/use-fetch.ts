import { useCallback, useEffect, useState } from 'react';
import { api, type Query, withQuery } from './api.ts';

export interface Fetched<T> {
  data: T | undefined;
  error: Error | undefined;
  loading: boolean;
  reload(): void;
}

/**
 * GETs path with query whenever either changes; a slower earlier answer never overwrites a newer
 * one. Pass null as path to wait (e.g. until a parameter is known).
 */
export function useFetch<T>(path: string | null, query: Query = {}): Fetched<T> {
  const url = path === null ? null : withQuery(path, query);
  const [state, setState] = useState<{ url: string | null; data?: T; error?: Error }>({ url: null });
  const [generation, setGeneration] = useState(0);
  // biome-ignore lint/correctness/useExhaustiveDependencies: generation is the reload trigger
  useEffect(() => {
    if (url === null) return;
    let current = true;
    api.get<T>(url).then(
      (data) => current && setState({ url, data }),
      (error: Error) => current && setState({ url, error }),
    );
    return () => {
      current = false;
    };
  }, [url, generation]);
  const reload = useCallback(() => setGeneration((g) => g + 1), []);
  const fresh = state.url === url;
  return {
    data: state.data,
    error: fresh ? state.error : undefined,
    loading: !fresh,
    reload,
  };
}
