import { describe, expect, it } from 'vitest';
import { canonicalHash, mergeLines, toCartView } from './cart';

const line = (sku: string, quantity: number, unitAmount = 100) => ({
  sku,
  productId: '0190b5c8-4c2a-7a10-8000-000000000003',
  name: sku,
  quantity,
  unitAmount,
  currency: 'EUR',
});

describe('cart rules', () => {
  it('totals lines in minor units', () => {
    const view = toCartView('c', [line('A', 2, 1250), line('B', 1, 399)]);
    expect(view.total).toEqual({ amount: 2899, currency: 'EUR' });
    expect(view.items[0]!.lineTotal).toEqual({ amount: 2500, currency: 'EUR' });
    expect(toCartView('c', []).total).toEqual({ amount: 0, currency: 'EUR' });
  });

  it('merges a guest cart into a user cart within availability', () => {
    const merged = mergeLines(
      [line('A', 2)],
      [line('A', 5), line('B', 1)],
      new Map([
        ['A', 4],
        ['B', 10],
      ]),
    );
    expect(merged.map((l) => [l.sku, l.quantity])).toEqual([
      ['A', 4],
      ['B', 1],
    ]);
  });

  it('hashes bodies independently of key order', () => {
    expect(canonicalHash({ a: 1, b: { c: 2, d: 3 } })).toBe(canonicalHash({ b: { d: 3, c: 2 }, a: 1 }));
    expect(canonicalHash({ a: 1 })).not.toBe(canonicalHash({ a: 2 }));
  });
});
