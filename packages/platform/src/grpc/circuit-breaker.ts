export class CircuitOpenError extends Error {
  constructor(name: string) {
    super(`${name} is failing; calls are paused (circuit open)`);
    this.name = 'CircuitOpenError';
  }
}

export interface CircuitBreakerOptions {
  name: string;
  /** Consecutive failures that open the circuit. */
  failureThreshold?: number;
  /** How long an open circuit refuses calls before letting one trial through. */
  cooldownMs?: number;
  /**
   * Whether an error says the peer is failing. An answer such as "not found" is the peer working, and
   * counts as a success. Every error counts when this is not given.
   */
  isFailure?: (err: unknown) => boolean;
  now?: () => number;
}

type State = 'closed' | 'open' | 'half-open';

/**
 * Stops calling a peer that keeps failing, so callers fail fast instead of piling up behind time-outs,
 * and lets one trial call through after a cool-down to find out whether it has recovered.
 */
export class CircuitBreaker {
  private failures = 0;
  private openedAt = 0;
  private current: State = 'closed';
  private trialInFlight = false;
  private readonly threshold: number;
  private readonly cooldownMs: number;
  private readonly now: () => number;

  constructor(private readonly options: CircuitBreakerOptions) {
    this.threshold = options.failureThreshold ?? 5;
    this.cooldownMs = options.cooldownMs ?? 5_000;
    this.now = options.now ?? Date.now;
  }

  get state(): State {
    if (this.current === 'open' && this.now() - this.openedAt >= this.cooldownMs) return 'half-open';
    return this.current;
  }

  async execute<T>(call: () => Promise<T>): Promise<T> {
    const state = this.state;
    if (state === 'open' || (state === 'half-open' && this.trialInFlight)) {
      throw new CircuitOpenError(this.options.name);
    }
    const trial = state === 'half-open';
    if (trial) this.trialInFlight = true;
    try {
      const result = await call();
      this.failures = 0;
      this.current = 'closed';
      return result;
    } catch (err) {
      if (this.options.isFailure && !this.options.isFailure(err)) {
        this.failures = 0;
        this.current = 'closed';
        throw err;
      }
      this.failures++;
      if (trial || this.failures >= this.threshold) {
        this.current = 'open';
        this.openedAt = this.now();
      }
      throw err;
    } finally {
      if (trial) this.trialInFlight = false;
    }
  }
}
