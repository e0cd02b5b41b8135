import { type DependencyList, useEffect } from 'react';
import { type Resource, useResource } from '../ui/use-resource';

/**
 * A resource loaded again every `intervalMs` while the page is visible, so that a console left open
 * stays current; a hidden tab asks for nothing.
 */
export function useRefreshing<T>(
  load: (signal: AbortSignal) => Promise<T>,
  deps: DependencyList,
  intervalMs: number,
): Resource<T> {
  const resource = useResource(load, deps);
  const { reload } = resource;
  useEffect(() => {
    const timer = setInterval(() => {
      if (document.visibilityState === 'visible') reload();
    }, intervalMs);
    return () => clearInterval(timer);
  }, [reload, intervalMs]);
  return resource;
}
