/** The provider's test payment methods, like a card provider's test mode. */
export type CardBehaviour =
  | { kind: 'succeeds'; brand: string; last4: string }
  | { kind: 'declines'; reason: 'DECLINED' | 'INSUFFICIENT_FUNDS'; last4: string; message: string }
  | { kind: 'flaky'; brand: string; last4: string; failures: number }
  | { kind: 'slow'; brand: string; last4: string };

export const testCards: Record<string, CardBehaviour> = {
  pm_card_visa: { kind: 'succeeds', brand: 'visa', last4: '4242' },
  pm_card_mastercard: { kind: 'succeeds', brand: 'mastercard', last4: '4444' },
  pm_card_chargeDeclined: {
    kind: 'declines',
    reason: 'DECLINED',
    last4: '0002',
    message: 'Your card was declined.',
  },
  pm_card_insufficientFunds: {
    kind: 'declines',
    reason: 'INSUFFICIENT_FUNDS',
    last4: '9995',
    message: 'Your card has insufficient funds.',
  },
  pm_card_flaky: { kind: 'flaky', brand: 'visa', last4: '4000', failures: 2 },
  pm_card_slow: { kind: 'slow', brand: 'visa', last4: '4111' },
};

export function behaviourOf(paymentMethod: string): CardBehaviour {
  return (
    testCards[paymentMethod] ?? {
      kind: 'declines',
      reason: 'DECLINED',
      last4: '0000',
      message: `Unknown payment method ${paymentMethod}.`,
    }
  );
}

/** Exponential backoff, capped, with equal jitter (half to all of the delay): retries spread out. */
export function backoffMs(attempt: number, baseMs: number, capMs = 2_000): number {
  return Math.min(capMs, baseMs * 2 ** (attempt - 1)) * (0.5 + Math.random() / 2);
}
