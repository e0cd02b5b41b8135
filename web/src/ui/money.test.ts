import { describe, expect, it } from 'vitest';
import { formatMoney, minorUnitsToText, parseMinorUnits } from './money';

describe('money in the web app', () => {
  it('formats minor units in the currency’s own decimals', () => {
    const euros = formatMoney({ amount: 123456, currency: 'EUR' });
    expect(euros).toMatch(/1[,.\s\u202f]?234[.,]56/);
    expect(euros).toContain('€');
    expect(formatMoney({ amount: 1500, currency: 'JPY' })).toMatch(/1[,.\s\u202f]?500$/);
    expect(formatMoney({ amount: 1500, currency: 'JPY' })).not.toMatch(/[.,]\d{2}$/);
    expect(formatMoney({ amount: 5, currency: 'USD' })).toMatch(/0[.,]05/);
  });

  it('reads a typed price back into minor units, refusing what is not an amount', () => {
    expect(parseMinorUnits('19.90', 'EUR')).toBe(1990);
    expect(parseMinorUnits('19,9', 'EUR')).toBe(1990);
    expect(parseMinorUnits(' 7 ', 'EUR')).toBe(700);
    expect(parseMinorUnits('0.29', 'EUR')).toBe(29);
    expect(parseMinorUnits('1500', 'JPY')).toBe(1500);
    for (const bad of ['', 'abc', '1.999', '-3', '1e3', '15.5'.replace('.', '..')]) {
      expect(parseMinorUnits(bad, 'EUR'), bad).toBeUndefined();
    }
    expect(parseMinorUnits('15.5', 'JPY')).toBeUndefined();
    expect(minorUnitsToText(1990, 'EUR')).toBe('19.90');
    expect(minorUnitsToText(1500, 'JPY')).toBe('1500');
  });
});
