import { describe, expect, it } from 'vitest';
import { ProductCache } from './product-cache';

describe('ProductCache', () => {
  const answers = (...values: string[]) => {
    let asked = 0;
    return { fetch: async () => values[asked++], asked: () => asked };
  };

  it('asks once while an answer is kept, and again after a clear', async () => {
    const cache = new ProductCache<string>(60_000);
    const catalog = answers('v1', 'v2');
    expect(await cache.find('SKU', catalog.fetch)).toBe('v1');
    expect(await cache.find('SKU', catalog.fetch)).toBe('v1');
    expect(catalog.asked()).toBe(1);
    cache.clear();
    expect(await cache.find('SKU', catalog.fetch)).toBe('v2');
  });

  it('does not keep an answer that was asked for before a clear', async () => {
    const cache = new ProductCache<string>(60_000);
    let release: (value: string) => void = () => {};
    const slow = cache.find('SKU', () => new Promise<string>((r) => (release = r)));
    cache.clear(); // the catalog changed while the question was out
    release('old');
    expect(await slow).toBe('old');
    expect(await cache.find('SKU', async () => 'new')).toBe('new');
  });

  it('keeps nothing with no time to keep it, and no more than its size', async () => {
    const none = new ProductCache<string>(0);
    const catalog = answers('a', 'b');
    await none.find('SKU', catalog.fetch);
    expect(await none.find('SKU', catalog.fetch)).toBe('b');
    const small = new ProductCache<string>(60_000, 2);
    for (const sku of ['A', 'B', 'C']) await small.find(sku, async () => sku);
    expect(await small.find('A', async () => 'asked again')).toBe('asked again');
    expect(await small.find('C', async () => 'asked again')).toBe('C');
  });

  it('counts a kept product as a hit and a question to the catalog as a miss', async () => {
    const looked: string[] = [];
    const cache = new ProductCache<string>(60_000, 10, (result) => looked.push(result));
    const catalog = answers('v1', 'v2');
    await cache.find('SKU', catalog.fetch);
    await cache.find('SKU', catalog.fetch);
    cache.clear();
    await cache.find('SKU', catalog.fetch);
    expect(looked).toEqual(['miss', 'hit', 'miss']);
  });
});
