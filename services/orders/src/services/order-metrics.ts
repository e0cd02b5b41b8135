import type { CloudEvent, OrderStatus } from '@bazaar/contracts';
import { cachedReading } from '@bazaar/platform';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

export interface SagaEnding {
  finalState: Extract<OrderStatus, 'COMPLETED' | 'CANCELLED'>;
  reason?: string;
  seconds: number;
}

/** Far more than the endings one process has in flight, uncommitted, at a time. */
const MAX_PENDING_ENDINGS = 10_000;

/**
 * The saga's figures. An ending is noted beside the event that announces it and counted only once the
 * transaction that wrote that event has committed: a batch rolled back and handled again, or a
 * redelivered event (which the inbox drops), never counts an order twice.
 */
export function createOrderMetrics(registry: Registry, countStuck: () => Promise<number>) {
  const sagaDuration = new Histogram({
    name: 'saga_duration_seconds',
    help: 'From the order created to COMPLETED or CANCELLED',
    labelNames: ['final_state'],
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300],
    registers: [registry],
  });
  const finished = new Counter({
    name: 'orders_finished_total',
    help: 'Orders by the state their saga ended in (COMPLETED, CANCELLED) and the reason of a cancellation',
    labelNames: ['final_state', 'reason'],
    registers: [registry],
  });
  const created = new Counter({
    name: 'orders_created_total',
    help: 'Orders created from checkouts',
    registers: [registry],
  });
  const readStuck = cachedReading(countStuck);
  new Gauge({
    name: 'sagas_stuck',
    help: 'Orders not yet COMPLETED or CANCELLED and past their deadline',
    registers: [registry],
    async collect() {
      const stuck = await readStuck();
      if (stuck !== undefined) this.set(stuck);
    },
  });
  // By event id (the event may be copied on its way to the outbox, to carry the trace). What a rolled-back
  // transaction noted is never asked for again; the oldest notes go once there are too many to be pending.
  const endings = new Map<string, SagaEnding>();

  return {
    /** `event` ends its order's saga; counted if and when its transaction commits. */
    noteEnding(event: CloudEvent, ending: SagaEnding): void {
      if (endings.size >= MAX_PENDING_ENDINGS) endings.delete(endings.keys().next().value!);
      endings.set(event.id, ending);
    },

    /** Counts what the committed events say: orders created and sagas ended. */
    countCommitted(events: readonly CloudEvent[]): void {
      for (const event of events) {
        if (event.type === 'OrderCreated') created.inc();
        const ending = endings.get(event.id);
        if (!ending) continue;
        endings.delete(event.id);
        sagaDuration.observe({ final_state: ending.finalState }, ending.seconds);
        finished.inc({ final_state: ending.finalState, reason: ending.reason ?? '' });
      }
    },
  };
}

export type OrderMetrics = ReturnType<typeof createOrderMetrics>;
