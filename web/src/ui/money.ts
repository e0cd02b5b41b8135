import type { Money } from '../api/types';

const formatters = new Map<string, Intl.NumberFormat>();

function formatterFor(currency: string): Intl.NumberFormat {
  let formatter = formatters.get(currency);
  if (!formatter) {
    formatter = new Intl.NumberFormat(undefined, { style: 'currency', currency });
    formatters.set(currency, formatter);
  }
  return formatter;
}

/** Integer minor units → "£12.50": the currency says how many decimals it has (JPY none, GBP two). */
export function formatMoney(money: Money): string {
  const formatter = formatterFor(money.currency);
  const digits = formatter.resolvedOptions().maximumFractionDigits ?? 2;
  return formatter.format(money.amount / 10 ** digits);
}

/** "12.50" typed in a form → 1250 minor units, or undefined when it is not an amount. */
export function parseMinorUnits(text: string, currency: string): number | undefined {
  const digits = formatterFor(currency).resolvedOptions().maximumFractionDigits ?? 2;
  const pattern = digits === 0 ? /^\d+$/ : new RegExp(`^\\d+([.,]\\d{1,${digits}})?$`);
  const trimmed = text.trim();
  if (!pattern.test(trimmed)) return undefined;
  return Math.round(Number(trimmed.replace(',', '.')) * 10 ** digits);
}

/** 1250 minor units → "12.50" for an editable field. */
export function minorUnitsToText(amount: number, currency: string): string {
  const digits = formatterFor(currency).resolvedOptions().maximumFractionDigits ?? 2;
  return (amount / 10 ** digits).toFixed(digits);
}
