import { Redis } from 'ioredis';

/** The few Redis operations the platform uses; an in-memory twin stands in when REDIS_URL is unset. */
export interface KeyValueStore {
  readonly kind: 'redis' | 'memory';
  get(key: string): Promise<string | null>;
  set(key: string, value: string, ttlSeconds?: number): Promise<void>;
  /** Sets only if absent; true when this call set it. */
  setIfAbsent(key: string, value: string, ttlSeconds: number): Promise<boolean>;
  del(...keys: string[]): Promise<void>;
  /** Adds one to a counter that lives `ttlSeconds` from its first increment; returns the new count. */
  increment(key: string, ttlSeconds: number): Promise<number>;
  /** Adds to several such counters in one round trip; returns their new counts in order. */
  addToCounters(counts: readonly CounterIncrement[]): Promise<number[]>;
  /** Deletes every key with the prefix. */
  delPrefix(prefix: string): Promise<void>;
  ping(): Promise<void>;
  close(): Promise<void>;
  /** The Redis client, for libraries that take one (rate limiting); undefined in memory. */
  readonly redis?: Redis;
}

export interface CounterIncrement {
  key: string;
  by: number;
  ttlSeconds: number;
}

const REDIS_COMMAND_TIMEOUT_MS = 5_000;

export class RedisStore implements KeyValueStore {
  readonly kind = 'redis' as const;
  readonly redis: Redis;

  constructor(
    url: string,
    private readonly prefix = '',
    /** How Redis lists this client (CLIENT LIST), e.g. `bazaar_cart`. */
    clientName?: string,
    commandTimeoutMs = REDIS_COMMAND_TIMEOUT_MS,
  ) {
    this.redis = new Redis(url, {
      keyPrefix: prefix,
      ...(clientName ? { connectionName: clientName } : {}),
      maxRetriesPerRequest: 2,
      enableOfflineQueue: true,
      connectTimeout: 2_000,
      // A Redis that takes a command and never answers (stalled, or a network gone quiet) fails it rather
      // than holding the request; generous, so a busy event loop reading the answer late is no failure.
      commandTimeout: commandTimeoutMs,
      lazyConnect: false,
    });
    // Errors surface on the commands; the connection retries by itself.
    this.redis.on('error', () => {});
  }

  get(key: string) {
    return this.redis.get(key);
  }

  async set(key: string, value: string, ttlSeconds?: number) {
    if (ttlSeconds) await this.redis.set(key, value, 'EX', ttlSeconds);
    else await this.redis.set(key, value);
  }

  async setIfAbsent(key: string, value: string, ttlSeconds: number) {
    return (await this.redis.set(key, value, 'EX', ttlSeconds, 'NX')) === 'OK';
  }

  async del(...keys: string[]) {
    if (keys.length > 0) await this.redis.del(...keys);
  }

  async increment(key: string, ttlSeconds: number) {
    const [[, count]] = (await this.redis.multi().incr(key).expire(key, ttlSeconds, 'NX').exec()) as [
      [unknown, number],
    ];
    return count;
  }

  async addToCounters(counts: readonly CounterIncrement[]) {
    if (counts.length === 0) return [];
    const pipeline = this.redis.pipeline();
    for (const { key, by, ttlSeconds } of counts) pipeline.incrby(key, by).expire(key, ttlSeconds, 'NX');
    const results = (await pipeline.exec()) ?? [];
    return counts.map((_, i) => {
      const [err, count] = results[i * 2] ?? [new Error('no reply')];
      if (err) throw err;
      return Number(count);
    });
  }

  async delPrefix(prefix: string) {
    let cursor = '0';
    do {
      // SCAN sees full key names, while other commands add the client's prefix themselves.
      const [next, keys] = await this.redis.scan(cursor, 'MATCH', `${this.prefix}${prefix}*`, 'COUNT', 500);
      cursor = next;
      const own = keys.map((k) => k.slice(this.prefix.length));
      if (own.length > 0) await this.redis.unlink(...own);
    } while (cursor !== '0');
  }

  async ping() {
    await this.redis.ping();
  }

  async close() {
    this.redis.disconnect();
  }
}

export class MemoryStore implements KeyValueStore {
  readonly kind = 'memory' as const;
  private readonly entries = new Map<string, { value: string; expiresAt: number }>();

  async get(key: string) {
    const entry = this.entries.get(key);
    if (!entry) return null;
    if (entry.expiresAt <= Date.now()) {
      this.entries.delete(key);
      return null;
    }
    return entry.value;
  }

  async set(key: string, value: string, ttlSeconds?: number) {
    this.entries.set(key, { value, expiresAt: ttlSeconds ? Date.now() + ttlSeconds * 1000 : Infinity });
  }

  async setIfAbsent(key: string, value: string, ttlSeconds: number) {
    if ((await this.get(key)) !== null) return false;
    await this.set(key, value, ttlSeconds);
    return true;
  }

  async del(...keys: string[]) {
    for (const k of keys) this.entries.delete(k);
  }

  async increment(key: string, ttlSeconds: number) {
    return this.add(key, 1, ttlSeconds);
  }

  async addToCounters(counts: readonly CounterIncrement[]) {
    return counts.map(({ key, by, ttlSeconds }) => this.add(key, by, ttlSeconds));
  }

  private add(key: string, by: number, ttlSeconds: number): number {
    const entry = this.entries.get(key);
    const alive = entry !== undefined && entry.expiresAt > Date.now();
    const current = (alive ? Number(entry.value) : 0) + by;
    this.entries.set(key, {
      value: String(current),
      expiresAt: alive ? entry.expiresAt : Date.now() + ttlSeconds * 1000,
    });
    return current;
  }

  async delPrefix(prefix: string) {
    for (const k of this.entries.keys()) if (k.startsWith(prefix)) this.entries.delete(k);
  }

  async ping() {}

  async close() {
    this.entries.clear();
  }
}

export function openKeyValueStore(redisUrl?: string, namespace = '', clientName?: string): KeyValueStore {
  return redisUrl
    ? new RedisStore(redisUrl, namespace ? `${namespace}:` : '', clientName)
    : new MemoryStore();
}

/**
 * Redis could not be reached for the command (restarting, or the connection dropped with the command in
 * flight and the client's retries ran out). Like a lost database connection, the caller is told to come
 * back shortly (503), not that the server failed.
 */
export function isStoreUnavailable(error: unknown): boolean {
  const e = error as { name?: string; message?: string } | undefined;
  return (
    e?.name === 'MaxRetriesPerRequestError' ||
    /^Connection is closed\.|Stream isn't writeable and enableOfflineQueue|^Command timed out/.test(
      String(e?.message),
    )
  );
}
