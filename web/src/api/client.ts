import { ApiError, readProblem } from './problem';
import { sessionStore } from './session';
import type { Session } from './types';

export interface RequestOptions {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  body?: unknown;
  query?: Record<string, string | number | undefined>;
  idempotencyKey?: string;
  signal?: AbortSignal;
}

/** Calls the gateway's public API; a problem+json answer becomes an ApiError with a readable message. */
export async function apiRequest<T>(path: string, options: RequestOptions = {}): Promise<T> {
  let response = await send(path, options, sessionStore.current()?.accessToken);
  if (response.status === 401 && sessionStore.current()) {
    // Access tokens are short-lived: renew once with the refresh token, then ask again.
    const renewed = await refreshSession();
    if (renewed) response = await send(path, options, renewed.accessToken);
  }
  if (!response.ok) throw await readProblem(response);
  if (response.status === 204) return undefined as T;
  return (await response.json()) as T;
}

export const api = {
  get: <T>(path: string, query?: RequestOptions['query'], signal?: AbortSignal) =>
    apiRequest<T>(path, { query, signal }),
  post: <T>(path: string, body?: unknown, idempotencyKey?: string) =>
    apiRequest<T>(path, { method: 'POST', body, idempotencyKey }),
  put: <T>(path: string, body: unknown) => apiRequest<T>(path, { method: 'PUT', body }),
  patch: <T>(path: string, body: unknown) => apiRequest<T>(path, { method: 'PATCH', body }),
  delete: <T>(path: string) => apiRequest<T>(path, { method: 'DELETE' }),
};

function send(path: string, options: RequestOptions, accessToken: string | undefined): Promise<Response> {
  const headers: Record<string, string> = { accept: 'application/json, application/problem+json' };
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  if (accessToken) headers.authorization = `Bearer ${accessToken}`;
  if (options.idempotencyKey) headers['idempotency-key'] = options.idempotencyKey;
  const guestCartId = sessionStore.guestCartId();
  if (guestCartId && isCartPath(path)) headers['x-cart-id'] = guestCartId;
  return fetch(withQuery(path, options.query), {
    method: options.method ?? 'GET',
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
    signal: options.signal,
  });
}

const isCartPath = (path: string) => path.startsWith('/api/v1/cart') || path.startsWith('/api/v1/checkout');

function withQuery(path: string, query: RequestOptions['query']): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query ?? {})) {
    if (value !== undefined && value !== '') params.set(name, String(value));
  }
  const search = params.toString();
  return search ? `${path}?${search}` : path;
}

let refreshing: Promise<Session | null> | null = null;

/**
 * Renews the session once for however many requests saw a 401 together: a refresh token is single-use
 * (reusing one revokes its family), so two parallel refreshes would sign the shopper out.
 */
export function refreshSession(): Promise<Session | null> {
  refreshing ??= renew().finally(() => {
    refreshing = null;
  });
  return refreshing;
}

async function renew(): Promise<Session | null> {
  const session = sessionStore.current();
  if (!session) return null;
  const response = await fetch('/api/v1/auth/refresh', {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify({ refreshToken: session.refreshToken }),
  }).catch(() => null);
  if (!response) return null;
  if (!response.ok) {
    sessionStore.set(null);
    return null;
  }
  const renewed = (await response.json()) as Omit<Session, 'user'> & { user?: Session['user'] };
  const next: Session = { ...renewed, user: renewed.user ?? session.user };
  sessionStore.set(next);
  return next;
}

/** A key that makes a retried POST safe (the gateway replays the first answer). */
export function newIdempotencyKey(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  // randomUUID exists only on secure origins (https, localhost); a LAN address over http lacks it.
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

export { ApiError };
