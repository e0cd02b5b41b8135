import type { AnyEvent, CloudEvent } from '@bazaar/contracts';
import type { Database, Tx } from '../db/database';
import type { InboxTable, OutboxTable } from '../db/messaging-tables';
import type { Logger } from '../logger';
import type { Metrics } from '../metrics';
import { withTraceparent } from '../telemetry/trace-context';
import type { EventBus } from './event-bus';
import { type Emit, type Subscription, startEventConsumer } from './event-consumer';
import { InProcessBus } from './in-process-bus';
import { appendToOutbox, OutboxRelay } from './outbox';

export interface MessagingOptions {
  service: string;
  database: Database;
  bus: EventBus;
  logger: Logger;
  metrics: Metrics;
  outbox: OutboxTable;
  inbox?: InboxTable;
  /** Called once an event's handler has committed. */
  onEventApplied?: (event: AnyEvent) => void;
  /**
   * Called with the events a transaction wrote to the outbox, once it has committed (never for one rolled
   * back or tried again): the place to count what happened exactly once.
   */
  onCommitted?: (emitted: readonly CloudEvent[]) => void;
}

/**
 * A service's messaging: state changes and their events commit together (`transact`), the relay
 * publishes them, and subscribed events are consumed idempotently through the inbox.
 */
export function createMessaging(options: MessagingOptions) {
  const { database, bus, logger, metrics, outbox } = options;
  const relay = new OutboxRelay({
    db: database.db,
    table: outbox,
    bus,
    logger,
    // Rows committed here are published straight after their commit; the pass is for what that missed.
    graceMs: 5_000,
    pollIntervalMs: 1_000,
    metrics: { published: metrics.outboxPublished, failures: metrics.outboxFailures, lag: metrics.outboxLag },
  });
  let lagTimer: NodeJS.Timeout | undefined;
  let dropRedeliverySource: (() => void) | undefined;

  return {
    relay,

    /** Runs `work` in one transaction; events it emits are written to the outbox in that transaction. */
    async transact<T>(work: (tx: Tx, emit: Emit) => Promise<T>): Promise<T> {
      const events: CloudEvent[] = [];
      const result = await database.db.transaction(async (tx) => {
        events.length = 0; // a retried transaction starts over
        // Each event carries the request's trace: the relay publishes it later, outside the request.
        const value = await work(tx, (...e) => events.push(...withTraceparent(e)));
        await appendToOutbox(tx, outbox, events);
        return value;
      });
      relay.publishCommitted(events);
      if (events.length > 0) options.onCommitted?.(events);
      return result;
    },

    async start(subscriptions: readonly Subscription[] = []) {
      relay.start();
      // The embedded bus forgets what it held when the process ends; it asks the outboxes again on start.
      if (bus instanceof InProcessBus) {
        dropRedeliverySource = bus.addRedeliverySource((windowMs) => relay.recentlyPublished(windowMs));
      }
      lagTimer = setInterval(() => {
        relay
          .lag()
          .then((lag) => {
            metrics.outboxLag.set(lag.oldestSeconds);
            metrics.outboxBacklog.set(lag.pending);
          })
          .catch(() => {});
      }, 5_000);
      lagTimer.unref();
      if (subscriptions.length > 0) {
        if (!options.inbox) throw new Error(`${options.service} consumes events but has no inbox table`);
        metrics.watchDeadLetters(() => bus.countDeadLetters(options.service));
        await startEventConsumer({
          queue: options.service,
          db: database.db,
          inbox: options.inbox,
          outbox,
          bus,
          logger,
          subscriptions,
          afterCommit: (event, emitted) => {
            relay.publishCommitted(emitted);
            if (emitted.length > 0) options.onCommitted?.(emitted);
            options.onEventApplied?.(event);
          },
          metrics: {
            handled: metrics.eventsHandled,
            batchSize: metrics.consumerBatchSize,
            duration: metrics.eventHandlingDuration,
            retries: metrics.eventRetries,
            deadLettered: metrics.eventsDeadLettered,
          },
        });
      }
    },

    async stop() {
      clearInterval(lagTimer);
      dropRedeliverySource?.();
      await relay.stop();
    },
  };
}

export type Messaging = ReturnType<typeof createMessaging>;
