import { createHash } from 'node:crypto';
import type { Money } from '@bazaar/contracts';
import type { CartLine } from '../services/cart-store';

export const MAX_QUANTITY = 99;

export interface CartView {
  id: string;
  items: {
    sku: string;
    productId: string;
    name: string;
    quantity: number;
    unitPrice: Money;
    lineTotal: Money;
  }[];
  total: Money;
}

export function toCartView(id: string, lines: readonly CartLine[], defaultCurrency = 'EUR'): CartView {
  const items = lines.map((l) => ({
    sku: l.sku,
    productId: l.productId,
    name: l.name,
    quantity: l.quantity,
    unitPrice: { amount: l.unitAmount, currency: l.currency },
    lineTotal: { amount: l.unitAmount * l.quantity, currency: l.currency },
  }));
  return {
    id,
    items,
    total: {
      amount: items.reduce((sum, i) => sum + i.lineTotal.amount, 0),
      currency: items[0]?.unitPrice.currency ?? defaultCurrency,
    },
  };
}

/** Adds a guest cart's lines to a user's, keeping to what can be bought. */
export function mergeLines(
  into: readonly CartLine[],
  from: readonly CartLine[],
  available: ReadonlyMap<string, number>,
) {
  const merged = new Map(into.map((l) => [l.sku, { ...l }]));
  for (const line of from) {
    const current = merged.get(line.sku);
    const wanted = (current?.quantity ?? 0) + line.quantity;
    const cap = Math.min(MAX_QUANTITY, available.get(line.sku) ?? wanted);
    merged.set(line.sku, {
      ...(current ?? line),
      quantity: Math.max(current?.quantity ?? 0, Math.min(wanted, cap)),
    });
  }
  return [...merged.values()].filter((l) => l.quantity > 0);
}

/** The same request body always hashes the same, whatever the order of its keys. */
export function canonicalHash(value: unknown): string {
  const canonical = (v: unknown): unknown =>
    Array.isArray(v)
      ? v.map(canonical)
      : v && typeof v === 'object'
        ? Object.fromEntries(
            Object.keys(v as object)
              .sort()
              .map((k) => [k, canonical((v as Record<string, unknown>)[k])]),
          )
        : v;
  return createHash('sha256')
    .update(JSON.stringify(canonical(value)))
    .digest('base64url');
}
