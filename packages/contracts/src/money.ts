import { z } from 'zod';

/** An amount in integer minor units (cents) of an ISO 4217 currency; never a float. */
export const Money = z.object({
  amount: z.number().int().nonnegative(),
  currency: z.string().regex(/^[A-Z]{3}$/, 'an ISO 4217 code such as EUR'),
});
export type Money = z.infer<typeof Money>;

export const zeroMoney = (currency: string): Money => ({ amount: 0, currency });

export function addMoney(a: Money, b: Money): Money {
  if (a.currency !== b.currency) throw new Error(`cannot add ${a.currency} and ${b.currency}`);
  return { amount: a.amount + b.amount, currency: a.currency };
}

export function multiplyMoney(m: Money, factor: number): Money {
  if (!Number.isInteger(factor)) throw new Error('money is multiplied by whole quantities only');
  return { amount: m.amount * factor, currency: m.currency };
}

const formatters = new Map<string, { format: Intl.NumberFormat; decimals: number }>();

/** Formats minor units in the currency's own number of decimals (2 for EUR, 0 for JPY, 3 for KWD). */
export function formatMoney(m: Money, locale = 'en-IE'): string {
  const key = `${locale}|${m.currency}`;
  let formatter = formatters.get(key);
  if (!formatter) {
    const format = new Intl.NumberFormat(locale, { style: 'currency', currency: m.currency });
    formatter = { format, decimals: format.resolvedOptions().maximumFractionDigits ?? 2 };
    formatters.set(key, formatter);
  }
  return formatter.format.format(m.amount / 10 ** formatter.decimals);
}
