import { describe, expect, it } from 'vitest';
import { nextAttemptDelay } from './notification.service';

describe('nextAttemptDelay', () => {
  const policy = { maxAttempts: 5, firstDelayMs: 10_000 };

  it('waits twice as long after each failure', () => {
    expect([1, 2, 3, 4].map((n) => nextAttemptDelay(n, policy))).toEqual([10_000, 20_000, 40_000, 80_000]);
  });

  it('gives up after the last attempt', () => {
    expect(nextAttemptDelay(5, policy)).toBeUndefined();
    expect(nextAttemptDelay(6, policy)).toBeUndefined();
  });

  it('never waits more than an hour', () => {
    expect(nextAttemptDelay(20, { maxAttempts: 50, firstDelayMs: 10_000 })).toBe(3_600_000);
  });
});
