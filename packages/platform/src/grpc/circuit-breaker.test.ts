import { describe, expect, it } from 'vitest';
import { CircuitBreaker, CircuitOpenError } from './circuit-breaker';

describe('CircuitBreaker', () => {
  const fail = () => Promise.reject(new Error('down'));
  const succeed = () => Promise.resolve('ok');

  it('opens after the threshold, fails fast, then lets one trial through after the cool-down', async () => {
    let now = 0;
    const breaker = new CircuitBreaker({
      name: 'catalog',
      failureThreshold: 3,
      cooldownMs: 1000,
      now: () => now,
    });
    for (let i = 0; i < 3; i++) await expect(breaker.execute(fail)).rejects.toThrow('down');
    expect(breaker.state).toBe('open');
    await expect(breaker.execute(succeed)).rejects.toBeInstanceOf(CircuitOpenError);

    now = 1000;
    expect(breaker.state).toBe('half-open');
    await expect(breaker.execute(fail)).rejects.toThrow('down');
    expect(breaker.state).toBe('open');

    now = 2500;
    await expect(breaker.execute(succeed)).resolves.toBe('ok');
    expect(breaker.state).toBe('closed');
  });

  it('counts consecutive failures only', async () => {
    const breaker = new CircuitBreaker({ name: 'x', failureThreshold: 2 });
    await expect(breaker.execute(fail)).rejects.toThrow();
    await breaker.execute(succeed);
    await expect(breaker.execute(fail)).rejects.toThrow();
    expect(breaker.state).toBe('closed');
  });

  it('takes an error the peer gave as an answer for a success', async () => {
    const answer = Object.assign(new Error('no such address'), { answer: true });
    const breaker = new CircuitBreaker({
      name: 'identity',
      failureThreshold: 2,
      isFailure: (err) => !(err as { answer?: boolean }).answer,
    });
    await expect(breaker.execute(fail)).rejects.toThrow('down');
    for (let i = 0; i < 5; i++)
      await expect(breaker.execute(() => Promise.reject(answer))).rejects.toBe(answer);
    // The answers also ended the run of failures: one more failure leaves it closed.
    await expect(breaker.execute(fail)).rejects.toThrow('down');
    expect(breaker.state).toBe('closed');
  });
});
