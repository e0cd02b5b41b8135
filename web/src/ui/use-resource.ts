import { type DependencyList, useCallback, useEffect, useState } from 'react';

export type Resource<T> =
  | { state: 'loading'; data?: T; reload: () => void }
  | { state: 'error'; error: unknown; data?: T; reload: () => void }
  | { state: 'ready'; data: T; reload: () => void };

/** Loads data for a page; a newer load (the dependencies changed) wins over an older one. */
export function useResource<T>(load: (signal: AbortSignal) => Promise<T>, deps: DependencyList): Resource<T> {
  const [result, setResult] = useState<
    | { state: 'loading'; data?: T }
    | { state: 'error'; error: unknown; data?: T }
    | { state: 'ready'; data: T }
  >({ state: 'loading' });
  const [generation, setGeneration] = useState(0);
  const reload = useCallback(() => setGeneration((g) => g + 1), []);

  // biome-ignore lint/correctness/useExhaustiveDependencies: the caller's deps decide when to load again
  useEffect(() => {
    const controller = new AbortController();
    setResult((previous) => ({ state: 'loading', data: previous.data }));
    load(controller.signal).then(
      (data) => {
        if (!controller.signal.aborted) setResult({ state: 'ready', data });
      },
      (error: unknown) => {
        if (!controller.signal.aborted)
          setResult((previous) => ({ state: 'error', error, data: previous.data }));
      },
    );
    return () => controller.abort();
  }, [...deps, generation]);

  return { ...result, reload } as Resource<T>;
}
