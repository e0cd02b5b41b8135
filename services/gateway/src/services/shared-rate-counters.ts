import type { KeyValueStore, Logger } from '@bazaar/platform';

interface WindowCount {
  id: string;
  endsAt: number;
  ttlSeconds: number;
  /** The shared total at the last answer from the store, this replica's flushed counts included. */
  shared: number;
  /** Counted here and not yet sent. */
  pending: number;
  /** Sent and not yet acknowledged. */
  sending: number;
  /** Requests this replica has counted in the window, the first included. */
  arrivals: number;
  /**
   * The first request of a window here waits for the shared total, so a fresh replica starts informed;
   * requests arriving meanwhile are numbered after it.
   */
  first?: Promise<number>;
}

type Answer = (err: Error | null, result?: { current: number; ttl: number }) => void;

/**
 * Fixed-window request counters shared by every gateway replica through the key-value store, without a
 * round trip per request: the first request of a client in a window reads and bumps the shared count,
 * later ones are counted here and added to the shared counters every `syncMs` in one pipelined write.
 * A request is judged on the last shared total plus what this replica counted since, so a burst split
 * across replicas can overshoot a limit by what the others admitted within one sync interval. When the
 * store is unreachable, counting goes on locally (the limit fails open rather than failing requests).
 */
export class SharedRateCounters {
  private readonly windows = new Map<string, WindowCount>();
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly kv: KeyValueStore,
    private readonly logger: Logger,
    private readonly syncMs = 50,
  ) {}

  count(key: string, windowMs: number, answer: Answer): void {
    const now = Date.now();
    const start = now - (now % windowMs);
    const id = `${key}:${start}`;
    const existing = this.windows.get(id);
    const ttl = () => Math.max(0, start + windowMs - Date.now());
    if (existing) {
      existing.pending++;
      existing.arrivals++;
      this.schedule();
      if (existing.first) {
        const behindFirst = existing.arrivals - 1;
        void existing.first.then((base) => answer(null, { current: base + behindFirst, ttl: ttl() }));
      } else {
        answer(null, { current: existing.shared + existing.sending + existing.pending, ttl: ttl() });
      }
      return;
    }
    const window: WindowCount = {
      id,
      endsAt: start + windowMs,
      ttlSeconds: Math.ceil(windowMs / 1000) + 1,
      shared: 0,
      pending: 1,
      sending: 0,
      arrivals: 1,
    };
    this.windows.set(id, window);
    // The base is what the store answered to this send: a later sync may be answered in the same tick.
    window.first = this.send([window]).then((totals) => {
      window.first = undefined;
      return totals.get(window) ?? window.shared;
    });
    void window.first.then((base) => answer(null, { current: base, ttl: ttl() }));
  }

  /** Sends what is still counted locally; called on shutdown. */
  async flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const now = Date.now();
    for (const [id, w] of this.windows) if (w.endsAt <= now && !w.first) this.windows.delete(id);
    await this.send([...this.windows.values()]);
  }

  private schedule() {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.flush();
    }, this.syncMs);
    this.timer.unref();
  }

  /** Adds what is pending to the shared counters; answers the totals the store reported. */
  private async send(windows: WindowCount[]): Promise<Map<WindowCount, number>> {
    const totals = new Map<WindowCount, number>();
    const batch = windows
      .filter((w) => w.pending > 0)
      .map((w) => {
        const by = w.pending;
        w.pending = 0;
        w.sending += by;
        return { w, by };
      });
    if (batch.length === 0) return totals;
    try {
      const counts = await this.kv.addToCounters(
        batch.map(({ w, by }) => ({ key: w.id, by, ttlSeconds: w.ttlSeconds })),
      );
      batch.forEach(({ w, by }, i) => {
        w.sending -= by;
        w.shared = Math.max(w.shared + by, counts[i] ?? 0);
        totals.set(w, counts[i] ?? w.shared);
      });
    } catch (err) {
      this.logger.warn({ err }, 'rate-limit counters not shared; counting locally');
      for (const { w, by } of batch) {
        w.sending -= by;
        w.shared += by;
        totals.set(w, w.shared);
      }
    }
    return totals;
  }
}

/**
 * A store for @fastify/rate-limit over shared counters. Route-level limits get their own key space,
 * as the plugin's own stores do.
 */
export function rateLimitStore(counters: SharedRateCounters, prefix: string) {
  class Store {
    // The plugin constructs the store with its options, which this store does not need.
    constructor(
      _options?: unknown,
      readonly keyPrefix = prefix,
    ) {}
    incr(key: string, answer: Answer, timeWindow: number) {
      counters.count(`${this.keyPrefix}${key}`, timeWindow, answer);
    }
    child(options: object): Store {
      const { routeInfo } = options as { routeInfo: { method: string; url: string } };
      return new Store(undefined, `${this.keyPrefix}${routeInfo.method}${routeInfo.url}-`);
    }
  }
  return Store;
}
