import { type DependencyList, useCallback, useEffect, useRef, useState } from 'react';

export interface PagedList<T> {
  items: T[];
  state: 'loading' | 'ready' | 'error';
  error: unknown;
  /** Whether the server said there is more after what is shown. */
  hasMore: boolean;
  loadingMore: boolean;
  loadMore(): void;
  reload(): void;
}

/**
 * A list read a cursor page at a time, each page appended to the ones before ("Show more"). Changing the
 * dependencies (a filter) starts again from the first page; an answer for an older filter is dropped.
 */
export function usePagedList<T>(
  loadPage: (
    cursor: string | undefined,
    signal: AbortSignal,
  ) => Promise<{ items: T[]; nextCursor: string | null }>,
  deps: DependencyList,
): PagedList<T> {
  const [items, setItems] = useState<T[]>([]);
  const [state, setState] = useState<PagedList<T>['state']>('loading');
  const [error, setError] = useState<unknown>(null);
  const [nextCursor, setNextCursor] = useState<string | null>(null);
  const [loadingMore, setLoadingMore] = useState(false);
  const [generation, setGeneration] = useState(0);
  const controller = useRef<AbortController | null>(null);
  const load = useRef(loadPage);
  load.current = loadPage;

  const fetchPage = useCallback(async (cursor: string | undefined, append: boolean) => {
    controller.current?.abort();
    const current = new AbortController();
    controller.current = current;
    try {
      const page = await load.current(cursor, current.signal);
      if (current.signal.aborted) return;
      setItems((previous) => (append ? [...previous, ...page.items] : page.items));
      setNextCursor(page.nextCursor);
      setState('ready');
      setError(null);
    } catch (failure) {
      if (current.signal.aborted) return;
      setError(failure);
      setState('error');
    } finally {
      if (!current.signal.aborted) setLoadingMore(false);
    }
  }, []);

  // biome-ignore lint/correctness/useExhaustiveDependencies: the caller's deps decide when to start again
  useEffect(() => {
    setState('loading');
    setItems([]);
    void fetchPage(undefined, false);
    return () => controller.current?.abort();
  }, [...deps, generation, fetchPage]);

  return {
    items,
    state,
    error,
    hasMore: nextCursor !== null,
    loadingMore,
    loadMore: () => {
      if (!nextCursor || loadingMore) return;
      setLoadingMore(true);
      void fetchPage(nextCursor, true);
    },
    reload: () => setGeneration((g) => g + 1),
  };
}
