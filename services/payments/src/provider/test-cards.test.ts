import { describe, expect, it } from 'vitest';
import { backoffMs, behaviourOf } from './test-cards';

describe('test cards', () => {
  it.each([
    ['pm_card_visa', 'succeeds'],
    ['pm_card_chargeDeclined', 'declines'],
    ['pm_card_insufficientFunds', 'declines'],
    ['pm_card_flaky', 'flaky'],
    ['pm_card_slow', 'slow'],
    ['pm_card_made_up', 'declines'],
  ])('%s %s', (method, kind) => {
    expect(behaviourOf(method).kind).toBe(kind);
  });

  it('backs off exponentially within a cap', () => {
    for (let attempt = 1; attempt <= 10; attempt++) {
      const delay = backoffMs(attempt, 50, 1_000);
      expect(delay).toBeGreaterThanOrEqual(Math.min(1_000, 50 * 2 ** (attempt - 1)) / 2);
      expect(delay).toBeLessThanOrEqual(1_000);
    }
  });
});
