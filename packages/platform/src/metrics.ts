import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

let defaultsCollectedOn: Registry | undefined;

/**
 * prom-client's defaults include three gauges named `*_total`, which the exposition conventions keep for
 * counters (`promtool check metrics` rejects them). Each is the sum of its by-type twin
 * (`nodejs_active_handles{type}` and so on), so nothing is lost by leaving them out.
 */
const misnamedDefaults = [
  'nodejs_active_handles_total',
  'nodejs_active_requests_total',
  'nodejs_active_resources_total',
];

/** Counts one look-up of a cache: `hit` when it answered, `miss` when the source had to. */
export type CacheCounter = (result: 'hit' | 'miss') => void;

/**
 * One registry per service, so that several services in one process (embedded mode) each expose their
 * own figures. Process-wide defaults go to the first registry only.
 */
export function createMetrics(service: string) {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  if (!defaultsCollectedOn) {
    collectDefaultMetrics({ register: registry });
    for (const name of misnamedDefaults) registry.removeSingleMetric(name);
    defaultsCollectedOn = registry;
  }
  let readDeadLetters: (() => Promise<number | undefined>) | undefined;
  const cacheRequests = new Counter({
    name: 'cache_requests_total',
    help: 'Cache look-ups by cache and result (hit, miss)',
    labelNames: ['cache', 'result'],
    registers: [registry],
  });
  return {
    registry,
    httpDuration: new Histogram({
      name: 'http_request_duration_seconds',
      help: 'HTTP requests by route and status',
      labelNames: ['method', 'route', 'status_code'],
      buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers: [registry],
    }),
    outboxPublished: new Counter({
      name: 'outbox_published_events_total',
      help: 'Events published from the outbox',
      registers: [registry],
    }),
    outboxFailures: new Counter({
      name: 'outbox_publish_failures_total',
      help: 'Outbox rows whose publish failed and will be retried',
      registers: [registry],
    }),
    outboxLag: new Gauge({
      name: 'outbox_lag_seconds',
      help: 'Age of the oldest unpublished outbox row',
      registers: [registry],
    }),
    outboxBacklog: new Gauge({
      name: 'outbox_backlog',
      help: 'Outbox rows not yet published',
      registers: [registry],
    }),
    eventsHandled: new Counter({
      name: 'events_consumed_total',
      help: 'Consumed events by type and outcome (applied, duplicate, failed)',
      labelNames: ['type', 'outcome'],
      registers: [registry],
    }),
    eventHandlingDuration: new Histogram({
      name: 'event_handling_duration_seconds',
      help: 'From an event reaching its consumer to its transaction committed (applied or duplicate)',
      labelNames: ['type'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    eventRetries: new Counter({
      name: 'event_retries_total',
      help: 'Failed deliveries that will be tried again',
      labelNames: ['type'],
      registers: [registry],
    }),
    eventsDeadLettered: new Counter({
      name: 'events_dead_lettered_total',
      help: "Events given up on and moved to the service's dead-letter queue",
      labelNames: ['type'],
      registers: [registry],
    }),
    deadLetters: new Gauge({
      name: 'dead_letters',
      help: "Messages waiting in the service's dead-letter queue (0 for a service that consumes nothing)",
      registers: [registry],
      async collect() {
        const count = await readDeadLetters?.();
        if (count !== undefined) this.set(count);
      },
    }),
    /** Where `dead_letters` is read from at scrape time (the service's bus queue). */
    watchDeadLetters(read: () => Promise<number>) {
      readDeadLetters = cachedReading(read);
    },
    consumerBatchSize: new Histogram({
      name: 'events_consumed_per_transaction',
      help: 'Events handled together in one consumer transaction (group commit)',
      buckets: [1, 2, 4, 8, 16],
      registers: [registry],
    }),
    cacheRequests,
    /** The counter a cache named `cache` reports its look-ups to. */
    countCache(cache: string): CacheCounter {
      const hit = cacheRequests.labels({ cache, result: 'hit' });
      const miss = cacheRequests.labels({ cache, result: 'miss' });
      // Both series exist from the start, so a hit ratio is defined before the first miss.
      hit.inc(0);
      miss.inc(0);
      return (result) => (result === 'hit' ? hit : miss).inc();
    },
  };
}

export type Metrics = ReturnType<typeof createMetrics>;

/**
 * A figure that costs a query, for a gauge read at scrape time: read at most once per `maxAgeMs`, and a
 * scrape waits at most `waitMs` for a fresh reading before it takes the last one (undefined before the
 * first), so a slow database or broker never holds a scrape. A failed reading keeps the last value, and
 * one unanswered after `timeoutMs` (a lost connection) is given up, so the next scrape asks again.
 */
export function cachedReading(
  read: () => Promise<number>,
  { maxAgeMs = 5_000, waitMs = 250, timeoutMs = 10_000 } = {},
): () => Promise<number | undefined> {
  let last: number | undefined;
  let readAt = Number.NEGATIVE_INFINITY;
  let reading: Promise<void> | undefined;
  return async () => {
    if (!reading && Date.now() - readAt >= maxAgeMs) {
      reading = withTimeout(read(), timeoutMs)
        .then((value) => {
          last = value;
          readAt = Date.now();
        })
        .catch(() => {
          // Tried again at the next scrape.
        })
        .finally(() => {
          reading = undefined;
        });
    }
    if (reading) {
      let timer: NodeJS.Timeout | undefined;
      const patience = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, waitMs);
      });
      await Promise.race([reading, patience]).finally(() => clearTimeout(timer));
    }
    return last;
  };
}

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const overrun = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([work, overrun]).finally(() => clearTimeout(timer));
}
