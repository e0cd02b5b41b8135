import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

let defaultsCollectedOn: Registry | undefined;

/**
 * One registry per service, so that several services in one process (embedded mode) each expose their
 * own figures. Process-wide defaults go to the first registry only.
 */
export function createMetrics(service: string) {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  if (!defaultsCollectedOn) {
    collectDefaultMetrics({ register: registry });
    defaultsCollectedOn = registry;
  }
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
    eventsHandled: new Counter({
      name: 'events_consumed_total',
      help: 'Consumed events by type and outcome (applied, duplicate)',
      labelNames: ['type', 'outcome'],
      registers: [registry],
    }),
    consumerBatchSize: new Histogram({
      name: 'events_consumed_per_transaction',
      help: 'Events handled together in one consumer transaction (group commit)',
      buckets: [1, 2, 4, 8, 16],
      registers: [registry],
    }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
