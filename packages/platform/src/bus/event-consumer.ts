import {
  type AnyEvent,
  type CloudEvent,
  type EventType,
  EventValidationError,
  parseEvent,
  routingKeyOf,
} from '@bazaar/contracts';
import type { Counter } from 'prom-client';
import type { Db, Tx } from '../db/database';
import type { InboxTable, OutboxTable } from '../db/messaging-tables';
import { AppError } from '../errors';
import type { Logger } from '../logger';
import { type EventBus, PoisonMessageError, type SubscribeOptions } from './event-bus';
import { appendToOutbox } from './outbox';

export type EventOf<T extends EventType> = Extract<AnyEvent, { type: T }>;

/** Adds events to the outbox in the handler's own transaction. */
export type Emit = (...events: CloudEvent[]) => void;

export interface Subscription<T extends EventType = EventType> {
  type: T;
  handle(event: EventOf<T>, tx: Tx, emit: Emit): Promise<void>;
}

/** Declares one line of a service's subscription list. */
export function on<T extends EventType>(
  type: T,
  handle: (event: EventOf<T>, tx: Tx, emit: Emit) => Promise<void>,
) {
  return { type, handle } as Subscription<T> as unknown as Subscription;
}

export interface EventConsumerOptions {
  queue: string;
  db: Db;
  inbox: InboxTable;
  /** Where events emitted by handlers go, in the handler's transaction. */
  outbox?: OutboxTable;
  bus: EventBus;
  logger: Logger;
  subscriptions: readonly Subscription[];
  /** Runs after a handler's transaction committed (to poke the outbox relay, to drop caches). */
  afterCommit?: (event: AnyEvent) => void;
  metrics?: { handled: Counter };
  subscribeOptions?: SubscribeOptions;
}

/**
 * Subscribes a service to its events. Each message is validated against its schema, then handled in one
 * transaction together with its inbox row, so a redelivered event finds its id already there and is
 * skipped: the effect is applied exactly once.
 */
export async function startEventConsumer(options: EventConsumerOptions): Promise<void> {
  const { queue, db, inbox, bus, subscriptions, logger } = options;
  const byType = new Map<string, Subscription>(subscriptions.map((s) => [s.type, s]));
  await bus.subscribe(
    queue,
    subscriptions.map((s) => routingKeyOf(s.type)),
    async (raw) => {
      let event: AnyEvent;
      try {
        event = parseEvent(raw);
      } catch (err) {
        if (err instanceof EventValidationError) throw new PoisonMessageError(err.message, { cause: err });
        throw err;
      }
      const subscription = byType.get(event.type);
      if (!subscription) throw new PoisonMessageError(`${queue} has no handler for ${event.type}`);
      let applied = false;
      try {
        await db.transaction(async (tx) => {
          const inserted = await tx
            .insert(inbox)
            .values({ eventId: event.id, type: event.type })
            .onConflictDoNothing()
            .returning({ id: inbox.eventId });
          if (inserted.length === 0) return;
          const emitted: CloudEvent[] = [];
          await subscription.handle(event, tx, (...e) => emitted.push(...e));
          if (emitted.length > 0) {
            if (!options.outbox) throw new Error(`${queue} emits events but has no outbox`);
            await appendToOutbox(tx, options.outbox, emitted);
          }
          applied = true;
        });
      } catch (err) {
        if (err instanceof AppError) throw new PoisonMessageError(err.message, { cause: err });
        throw err;
      }
      options.metrics?.handled.inc({ type: event.type, outcome: applied ? 'applied' : 'duplicate' });
      if (applied) {
        logger.debug({ eventId: event.id, type: event.type, orderId: event.correlationid }, 'event handled');
        options.afterCommit?.(event);
      }
    },
    options.subscribeOptions,
  );
}
