import { describe, expect, it } from 'vitest';
import { aggregateLines, findShortfalls } from './allocation';

describe('allocation', () => {
  it('adds up repeated SKUs and orders them for locking', () => {
    expect(
      aggregateLines([
        { sku: 'B', quantity: 1 },
        { sku: 'A', quantity: 2 },
        { sku: 'B', quantity: 3 },
      ]),
    ).toEqual([
      { sku: 'A', quantity: 2 },
      { sku: 'B', quantity: 4 },
    ]);
  });

  it('reports every line that cannot be served, unknown SKUs as zero', () => {
    const available = new Map([
      ['A', 5],
      ['B', 1],
    ]);
    expect(
      findShortfalls(
        [
          { sku: 'A', quantity: 5 },
          { sku: 'B', quantity: 2 },
          { sku: 'C', quantity: 1 },
        ],
        available,
      ),
    ).toEqual([
      { sku: 'B', requested: 2, available: 1 },
      { sku: 'C', requested: 1, available: 0 },
    ]);
  });
});
