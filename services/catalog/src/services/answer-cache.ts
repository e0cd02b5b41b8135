import type { CacheCounter, KeyValueStore } from '@bazaar/platform';

/**
 * Read-through cache of serialised answers, two levels: this process's memory, then Redis (shared by
 * replicas). The near level keeps encoded bytes, so a hit is written to the socket as it is, with no
 * UTF-8 encoding or length count per request. Every change bumps one generation number that is part of each key, so invalidation is a
 * single write and never a scan; old entries simply expire.
 */
export class AnswerCache {
  private generation?: { value: string; readAt: number };
  private readonly local = new Map<string, { value: Buffer; expiresAt: number }>();
  private static readonly maxLocalEntries = 2_000;
  private pending?: NodeJS.Timeout;

  constructor(
    private readonly kv: KeyValueStore,
    private readonly ttlSeconds: number,
    // Other replicas see a bump within this long.
    private readonly generationMaxAgeMs = 250,
    private readonly count: CacheCounter = () => {},
  ) {}

  async read(key: string, load: () => Promise<string>): Promise<Buffer> {
    const fullKey = `catalog:${await this.currentGeneration()}:${key}`;
    const now = Date.now();
    const near = this.local.get(fullKey);
    if (near && near.expiresAt > now) {
      this.count('hit');
      return near.value;
    }
    const shared = await this.kv.get(fullKey).catch(() => null);
    this.count(shared === null ? 'miss' : 'hit');
    const value = Buffer.from(shared ?? (await this.loadAndShare(fullKey, load)));
    if (this.local.size >= AnswerCache.maxLocalEntries) this.local.clear();
    this.local.set(fullKey, { value, expiresAt: now + this.ttlSeconds * 1000 });
    return value;
  }

  private async loadAndShare(fullKey: string, load: () => Promise<string>): Promise<string> {
    const fresh = await load();
    await this.kv.set(fullKey, fresh, this.ttlSeconds).catch(() => {});
    return fresh;
  }

  /** Invalidates within `withinMs`: any number of changes in that time cost one invalidation. */
  invalidateSoon(withinMs: number): void {
    if (withinMs <= 0) {
      void this.invalidate().catch(() => {});
      return;
    }
    if (this.pending) return;
    this.pending = setTimeout(() => {
      this.pending = undefined;
      void this.invalidate().catch(() => {});
    }, withinMs);
    this.pending.unref();
  }

  async invalidate(): Promise<void> {
    const next = String(Date.now()) + Math.random().toString(36).slice(2, 6);
    await this.kv.set('catalog:generation', next);
    this.generation = { value: next, readAt: Date.now() };
    this.local.clear();
  }

  private async currentGeneration(): Promise<string> {
    const now = Date.now();
    if (this.generation && now - this.generation.readAt < this.generationMaxAgeMs)
      return this.generation.value;
    const value = (await this.kv.get('catalog:generation').catch(() => null)) ?? '0';
    this.generation = { value, readAt: now };
    return value;
  }
}
