import { refreshSession } from './client';
import { sessionStore } from './session';
import type { OrderStatusEvent } from './types';

export interface LiveOrderHandlers {
  onStatus(event: OrderStatusEvent): void;
  /** Changes may have been missed (the stream was down, or the gateway lost its broker): read again. */
  onResync(): void;
  onConnectionChange?(connected: boolean): void;
}

/**
 * Follows the signed-in shopper's order changes over `GET /api/v1/events` (Server-Sent Events). The
 * browser's EventSource cannot send headers, so the access token goes in the query. When the stream
 * drops, the browser reconnects by itself; when it is refused (an expired token), the session is renewed
 * and the stream opened again. Returns a function that closes it.
 */
export function followOrderStatus(handlers: LiveOrderHandlers): () => void {
  let source: EventSource | undefined;
  let retry: ReturnType<typeof setTimeout> | undefined;
  let closed = false;
  let failures = 0;

  const open = () => {
    const token = sessionStore.current()?.accessToken;
    if (closed || !token) return;
    source = new EventSource(`/api/v1/events?access_token=${encodeURIComponent(token)}`);
    source.onopen = () => {
      failures = 0;
      handlers.onConnectionChange?.(true);
      // Whatever happened while the stream was closed is not replayed: read the state once.
      handlers.onResync();
    };
    source.addEventListener('order-status', (message) => {
      handlers.onStatus(JSON.parse((message as MessageEvent<string>).data) as OrderStatusEvent);
    });
    source.addEventListener('resync', () => handlers.onResync());
    source.onerror = () => {
      handlers.onConnectionChange?.(false);
      if (source?.readyState !== EventSource.CLOSED) return;
      // Refused rather than dropped: most likely the access token expired.
      failures += 1;
      retry = setTimeout(
        () => {
          void refreshSession().then(open);
        },
        Math.min(1000 * 2 ** (failures - 1), 15_000),
      );
    };
  };

  open();
  return () => {
    closed = true;
    clearTimeout(retry);
    source?.close();
  };
}
