import type { IncomingHttpHeaders } from 'node:http';
import type { CacheCounter } from '@bazaar/platform';

export interface CachedResponse {
  status: number;
  contentType: string;
  cacheControl: string;
  body: Buffer;
  storedAt: number;
  expiresAt: number;
}

interface RequestLike {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
}

const maxAgeOf = (cacheControl: string | undefined): number | undefined => {
  if (!cacheControl) return undefined;
  const directives = cacheControl
    .toLowerCase()
    .split(',')
    .map((d) => d.trim());
  if (!directives.includes('public') || directives.some((d) => d === 'no-store' || d === 'private'))
    return undefined;
  const maxAge = directives.find((d) => d.startsWith('max-age='));
  const seconds = maxAge ? Number(maxAge.slice('max-age='.length)) : Number.NaN;
  return Number.isFinite(seconds) && seconds > 0 ? seconds : undefined;
};

/**
 * A short-lived shared cache of public answers, as a reverse proxy keeps one: only anonymous GET/HEAD
 * requests, only answers the service itself marks `Cache-Control: public, max-age=N`, keyed by the full
 * URL and kept at most N seconds. A request that asks for `no-cache` goes through to the service, and
 * the gateway empties the cache whenever a product or a price changes (stock figures age out with the
 * max-age), so browsing stays fresh while the hottest pages skip a hop.
 */
export class ResponseCache {
  private readonly entries = new Map<string, CachedResponse>();

  constructor(
    private readonly maxEntries = 2_000,
    private readonly maxBodyBytes = 512 * 1024,
    private readonly count: CacheCounter = () => {},
  ) {}

  /** Whether this request may be answered from, or fill, the cache. */
  applies(request: RequestLike): boolean {
    if (request.method !== 'GET' && request.method !== 'HEAD') return false;
    const { authorization, cookie } = request.headers;
    if (authorization || cookie) return false;
    const asked = request.headers['cache-control'];
    return !(asked?.includes('no-cache') || asked?.includes('no-store'));
  }

  lookup(request: RequestLike, now = Date.now()): CachedResponse | undefined {
    if (!this.applies(request)) return undefined;
    const entry = this.entries.get(request.url);
    if (entry && entry.expiresAt <= now) this.entries.delete(request.url);
    const fresh = entry && entry.expiresAt > now ? entry : undefined;
    this.count(fresh ? 'hit' : 'miss');
    return fresh;
  }

  /** The max-age in seconds when the answer may be kept, otherwise undefined. */
  cacheableFor(request: RequestLike, status: number, headers: IncomingHttpHeaders): number | undefined {
    if (status !== 200 || request.method !== 'GET' || !this.applies(request)) return undefined;
    if (headers['set-cookie'] || headers.vary === '*') return undefined;
    const length = Number(headers['content-length'] ?? Number.NaN);
    if (Number.isFinite(length) && length > this.maxBodyBytes) return undefined;
    return maxAgeOf(headers['cache-control']);
  }

  store(url: string, entry: Omit<CachedResponse, 'storedAt' | 'expiresAt'>, maxAgeSeconds: number): void {
    if (entry.body.length > this.maxBodyBytes) return;
    // Oldest first: a Map iterates in insertion order.
    if (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
    const now = Date.now();
    this.entries.set(url, { ...entry, storedAt: now, expiresAt: now + maxAgeSeconds * 1000 });
  }

  clear(): void {
    this.entries.clear();
  }

  get size(): number {
    return this.entries.size;
  }
}
