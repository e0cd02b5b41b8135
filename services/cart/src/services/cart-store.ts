import type { Db, Executor } from '@bazaar/platform';
import { and, eq, sql } from 'drizzle-orm';
import type { Redis } from 'ioredis';
import { cartItems } from '../db/schema';

export interface CartLine {
  sku: string;
  productId: string;
  name: string;
  quantity: number;
  unitAmount: number;
  currency: string;
}

/** Where carts live: Redis when there is one, the cart schema's table otherwise. */
export interface CartStore {
  lines(cartKey: string): Promise<CartLine[]>;
  put(cartKey: string, line: CartLine): Promise<void>;
  remove(cartKey: string, sku: string): Promise<boolean>;
  /** Empties a cart; `skus`, when the caller has just read them, saves reading them again. */
  clear(cartKey: string, skus?: readonly string[]): Promise<void>;
  /**
   * Applies a new price to the SKU in every cart that holds it; `tx` is the consumer's open transaction,
   * which a SQL store must use (the embedded database has a single connection).
   */
  reprice(sku: string, unitAmount: number, currency: string, tx?: Executor): Promise<number>;
}

const cartTtlSeconds = 30 * 86_400;

export class RedisCartStore implements CartStore {
  constructor(private readonly redis: Redis) {}

  private key = (cartKey: string) => `cart:${cartKey}`;
  private skuKey = (sku: string) => `cart-sku:${sku}`;

  async lines(cartKey: string) {
    const fields = await this.redis.hvals(this.key(cartKey));
    return fields.map((f) => JSON.parse(f) as CartLine).sort((a, b) => a.sku.localeCompare(b.sku));
  }

  async put(cartKey: string, line: CartLine) {
    await this.redis
      .multi()
      .hset(this.key(cartKey), line.sku, JSON.stringify(line))
      .expire(this.key(cartKey), cartTtlSeconds)
      .sadd(this.skuKey(line.sku), cartKey)
      .exec();
  }

  async remove(cartKey: string, sku: string) {
    const [[, removed]] = (await this.redis
      .multi()
      .hdel(this.key(cartKey), sku)
      .srem(this.skuKey(sku), cartKey)
      .exec()) as [[unknown, number]];
    return removed > 0;
  }

  async clear(cartKey: string, known?: readonly string[]) {
    const skus = known ?? (await this.redis.hkeys(this.key(cartKey)));
    const multi = this.redis.multi().del(this.key(cartKey));
    for (const sku of skus) multi.srem(this.skuKey(sku), cartKey);
    await multi.exec();
  }

  async reprice(sku: string, unitAmount: number, currency: string) {
    const carts = await this.redis.smembers(this.skuKey(sku));
    let changed = 0;
    for (const cartKey of carts) {
      const raw = await this.redis.hget(this.key(cartKey), sku);
      if (!raw) {
        await this.redis.srem(this.skuKey(sku), cartKey);
        continue;
      }
      const line = { ...(JSON.parse(raw) as CartLine), unitAmount, currency };
      await this.redis.hset(this.key(cartKey), sku, JSON.stringify(line));
      changed++;
    }
    return changed;
  }
}

export class SqlCartStore implements CartStore {
  constructor(private readonly db: Db) {}

  async lines(cartKey: string) {
    const rows = await this.db
      .select()
      .from(cartItems)
      .where(eq(cartItems.cartKey, cartKey))
      .orderBy(cartItems.sku);
    return rows.map(({ cartKey: _k, updatedAt: _u, ...line }) => line);
  }

  async put(cartKey: string, line: CartLine) {
    await this.db
      .insert(cartItems)
      .values({ cartKey, ...line })
      .onConflictDoUpdate({
        target: [cartItems.cartKey, cartItems.sku],
        set: { quantity: line.quantity, unitAmount: line.unitAmount, name: line.name, updatedAt: sql`now()` },
      });
  }

  async remove(cartKey: string, sku: string) {
    const removed = await this.db
      .delete(cartItems)
      .where(and(eq(cartItems.cartKey, cartKey), eq(cartItems.sku, sku)))
      .returning({ sku: cartItems.sku });
    return removed.length > 0;
  }

  async clear(cartKey: string) {
    await this.db.delete(cartItems).where(eq(cartItems.cartKey, cartKey));
  }

  async reprice(sku: string, unitAmount: number, currency: string, tx: Executor = this.db) {
    const rows = await tx
      .update(cartItems)
      .set({ unitAmount, currency, updatedAt: sql`now()` })
      .where(eq(cartItems.sku, sku))
      .returning({ cartKey: cartItems.cartKey });
    return rows.length;
  }
}
