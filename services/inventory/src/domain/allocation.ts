import type { StockLine } from '@bazaar/contracts';

/** Adds up the lines of each SKU and sorts them, so locks are always taken in the same order. */
export function aggregateLines(lines: readonly StockLine[]): StockLine[] {
  const bySku = new Map<string, number>();
  for (const line of lines) bySku.set(line.sku, (bySku.get(line.sku) ?? 0) + line.quantity);
  return [...bySku.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([sku, quantity]) => ({ sku, quantity }));
}

export interface Shortfall {
  sku: string;
  requested: number;
  available: number;
}

/** The lines that cannot be served from what is available (a SKU nobody stocks has 0). */
export function findShortfalls(
  lines: readonly StockLine[],
  available: ReadonlyMap<string, number>,
): Shortfall[] {
  return lines
    .map((l) => ({ sku: l.sku, requested: l.quantity, available: Math.max(0, available.get(l.sku) ?? 0) }))
    .filter((s) => s.available < s.requested);
}
