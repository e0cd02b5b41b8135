import type { CacheCounter } from '@bazaar/platform';

/**
 * Products as the catalog last described them, for adding to a cart: each kept for `ttlMs`, and all of
 * them forgotten when a product or price event arrives. An add then asks the catalog once per product per
 * while, not once per add. The checkout never reads it: it prices from the catalog itself.
 */
export class ProductCache<P> {
  private readonly kept = new Map<string, { product: P; until: number }>();
  /** Moves on with every `clear`, so an answer asked for before a change is not kept after it. */
  private generation = 0;

  constructor(
    private readonly ttlMs: number,
    private readonly max = 10_000,
    private readonly count: CacheCounter = () => {},
  ) {}

  /** The kept product, or the one `fetch` finds (kept unless the catalog changed meanwhile). */
  async find(sku: string, fetch: () => Promise<P | undefined>): Promise<P | undefined> {
    const entry = this.kept.get(sku);
    if (entry && entry.until > Date.now()) {
      this.count('hit');
      return entry.product;
    }
    this.count('miss');
    const generation = this.generation;
    const product = await fetch();
    if (product !== undefined && this.ttlMs > 0 && generation === this.generation) {
      this.kept.delete(sku);
      if (this.kept.size >= this.max) this.kept.delete(this.kept.keys().next().value!);
      this.kept.set(sku, { product, until: Date.now() + this.ttlMs });
    }
    return product;
  }

  clear(): void {
    this.generation++;
    this.kept.clear();
  }
}
