import {
  type AnyEvent,
  type CloudEvent,
  type EventType,
  EventValidationError,
  parseEvent,
  routingKeyOf,
} from '@bazaar/contracts';
import { sql } from 'drizzle-orm';
import type { Counter, Histogram } from 'prom-client';
import { type Db, query, type Tx } from '../db/database';
import { isDatabaseBusy, isDatabaseConnectionLost } from '../db/database-errors';
import type { InboxTable, OutboxTable } from '../db/messaging-tables';
import { AppError } from '../errors';
import { type Logger, withLogFields } from '../logger';
import { traceIdOf, withEventSpan, withTraceparent } from '../telemetry/trace-context';
import {
  type DeliveryFailure,
  DependencyUnavailableError,
  describeError,
  type EventBus,
  PoisonMessageError,
  type SubscribeOptions,
} from './event-bus';
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
  /** Runs after a handler's transaction committed, with the events it emitted (to publish them, to drop caches). */
  afterCommit?: (event: AnyEvent, emitted: readonly CloudEvent[]) => void;
  metrics?: ConsumerMetrics;
  subscribeOptions?: SubscribeOptions;
}

export interface ConsumerMetrics {
  handled: Counter;
  batchSize?: Histogram;
  duration?: Histogram;
  retries?: Counter;
  deadLettered?: Counter;
}

/**
 * Subscribes a service to its events. Each message is validated against its schema, then handled in a
 * transaction together with its inbox row, so a redelivered event finds its id already there and is
 * skipped: the effect is applied exactly once.
 *
 * Under load, events that arrive while the consumer's transactions are busy are handled together, in one
 * transaction (group commit): one inbox insert, one outbox insert and one commit for the lot instead of
 * one each. If a handler in such a batch throws, the batch is rolled back, that event is handled again
 * in its own transaction (where it fails, or succeeds, as it would have alone) and the others go again
 * together; if the batch fails for another reason, each event is handled in its own transaction. Either
 * way a failure, a retry or a dead letter concerns one event only. Events of one order (correlation id)
 * never sit in two running transactions: they are applied in the order they arrived.
 */
export async function startEventConsumer(options: EventConsumerOptions): Promise<void> {
  const { queue, bus, subscriptions } = options;
  const byType = new Map<string, Subscription>(subscriptions.map((s) => [s.type, s]));
  const batcher = new GroupCommit(options, byType);
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
      if (!byType.has(event.type)) throw new PoisonMessageError(`${queue} has no handler for ${event.type}`);
      const endTimer = options.metrics?.duration?.startTimer({ type: event.type });
      await batcher.submit(event);
      endTimer?.();
    },
    { ...options.subscribeOptions, onFailure: (failure) => countFailure(options.metrics, failure) },
  );
}

/** The bus gave up on a delivery for now (a retry) or for good (a dead letter). */
function countFailure(metrics: ConsumerMetrics | undefined, { type, outcome }: DeliveryFailure) {
  metrics?.handled.inc({ type, outcome: 'failed' });
  (outcome === 'retried' ? metrics?.retries : metrics?.deadLettered)?.inc({ type });
}

interface Waiting {
  event: AnyEvent;
  resolve(): void;
  reject(err: unknown): void;
}

/** How many transactions a consumer runs at once, and how many events one of them may take. */
const CONCURRENT_TRANSACTIONS = 2;
const MAX_BATCH = 16;

class GroupCommit {
  private waiting: Waiting[] = [];
  private running = 0;
  /** Orders (correlation ids) with an event in a running transaction. */
  private readonly busy = new Set<string>();

  constructor(
    private readonly options: EventConsumerOptions,
    private readonly byType: Map<string, Subscription>,
  ) {}

  submit(event: AnyEvent): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.waiting.push({ event, resolve, reject });
      this.pump();
    });
  }

  private pump() {
    while (this.running < CONCURRENT_TRANSACTIONS) {
      const batch = this.takeBatch();
      if (batch.length === 0) return;
      const orders = [...new Set(batch.map((w) => w.event.correlationid ?? ''))].filter(Boolean);
      for (const order of orders) this.busy.add(order);
      this.running++;
      void this.run(batch).finally(() => {
        for (const order of orders) this.busy.delete(order);
        this.running--;
        this.pump();
      });
    }
  }

  /**
   * The oldest waiting events, up to a batch. An event of an order that the other transaction is handling
   * waits for it, and so do the order's later events: one order's events are applied in the order they
   * arrived, so a step never overtakes the one before it (which would only come back as a retry).
   */
  private takeBatch(): Waiting[] {
    const batch: Waiting[] = [];
    const kept: Waiting[] = [];
    const held = new Set(this.busy);
    for (const w of this.waiting) {
      const order = w.event.correlationid;
      if (batch.length < MAX_BATCH && !(order && held.has(order))) {
        batch.push(w);
      } else {
        kept.push(w);
        if (order) held.add(order);
      }
    }
    this.waiting = kept;
    return batch;
  }

  private async run(batch: Waiting[]): Promise<void> {
    let rest = batch;
    while (rest.length > 1) {
      try {
        const outcomes = await this.handle(rest.map((w) => w.event));
        this.options.metrics?.batchSize?.observe(rest.length);
        for (const w of rest) w.resolve();
        this.report(outcomes);
        return;
      } catch (err) {
        // The event whose handler failed goes on alone (to its retry); the others try again together.
        const culprit = err instanceof HandlerFailure ? rest.find((w) => w.event === err.event) : undefined;
        if (!culprit) break;
        rest = rest.filter((w) => w !== culprit);
        await this.runAlone(culprit);
      }
    }
    for (const w of rest) await this.runAlone(w);
  }

  private async runAlone(w: Waiting): Promise<void> {
    try {
      const outcomes = await this.handle([w.event]);
      this.options.metrics?.batchSize?.observe(1);
      this.report(outcomes);
      w.resolve();
    } catch (failure) {
      const err = failure instanceof HandlerFailure ? failure.cause : failure;
      if (err instanceof AppError) w.reject(new PoisonMessageError(err.message, { cause: err }));
      else if (isDatabaseBusy(err) || isDatabaseConnectionLost(err)) {
        // The database is restarting or full, not the event at fault: its attempts are not spent.
        w.reject(
          new DependencyUnavailableError(`database unavailable: ${describeError(err)}`, { cause: err }),
        );
      } else w.reject(err);
    }
  }

  /** Handles events in one transaction; returns what each did, in the order given. */
  private async handle(events: AnyEvent[]): Promise<Outcome[]> {
    const { db, inbox, outbox, queue } = this.options;
    // Events of one order stay in arrival order; sorting by order gives concurrent batches one lock order.
    const ordered = events.length > 1 ? stableSortBy(events, (e) => e.correlationid ?? '') : events;
    let outcomes: Outcome[] = [];
    await db.transaction(async (tx) => {
      outcomes = [];
      const unique = uniqueById(ordered);
      const inserted = await query<{ event_id: string }>(
        tx,
        sql`insert into ${inbox} (event_id, type, correlation_id, trace_id)
            select * from unnest(${sql.param(unique.map((e) => e.id))}::uuid[],
              ${sql.param(unique.map((e) => e.type))}::text[],
              ${sql.param(unique.map((e) => e.correlationid ?? null))}::text[],
              ${sql.param(unique.map((e) => traceIdOf(e.traceparent) ?? null))}::text[])
            on conflict do nothing returning event_id`,
      );
      const fresh = new Set(inserted.map((r) => r.event_id));
      const all: CloudEvent[] = [];
      for (const event of ordered) {
        // A repeat within the batch, or an event the inbox has seen before, changes nothing.
        if (!fresh.delete(event.id)) {
          outcomes.push({ event, applied: false, emitted: [] });
          continue;
        }
        const emitted: CloudEvent[] = [];
        try {
          // Its own span, child of the span that emitted the event, even when the transaction is shared.
          await withEventSpan(queue, event, () =>
            withLogFields({ orderId: event.correlationid, eventId: event.id }, () =>
              this.byType.get(event.type)!.handle(event, tx, (...e) => emitted.push(...withTraceparent(e))),
            ),
          );
        } catch (err) {
          throw new HandlerFailure(event, err);
        }
        outcomes.push({ event, applied: true, emitted });
        all.push(...emitted);
      }
      if (all.length > 0) {
        if (!outbox) throw new Error(`${queue} emits events but has no outbox`);
        await appendToOutbox(tx, outbox, all);
      }
    });
    return outcomes;
  }

  private report(outcomes: Outcome[]) {
    const { metrics, logger, afterCommit } = this.options;
    for (const { event, applied, emitted } of outcomes) {
      metrics?.handled.inc({ type: event.type, outcome: applied ? 'applied' : 'duplicate' });
      if (!applied) continue;
      // Logged after the commit, outside the event's span: the trace is the one its envelope names.
      const trace_id = traceIdOf(event.traceparent);
      logger.debug(
        { eventId: event.id, type: event.type, orderId: event.correlationid, trace_id },
        'event handled',
      );
      afterCommit?.(event, emitted);
    }
  }
}

/** A handler threw: says whose it was, so a batch can go on without that event. */
class HandlerFailure extends Error {
  constructor(
    readonly event: AnyEvent,
    override readonly cause: unknown,
  ) {
    super(describeError(cause));
  }
}

interface Outcome {
  event: AnyEvent;
  applied: boolean;
  emitted: CloudEvent[];
}

function uniqueById(events: AnyEvent[]): AnyEvent[] {
  const seen = new Set<string>();
  return events.filter((e) => !seen.has(e.id) && seen.add(e.id));
}

function stableSortBy<T>(items: T[], key: (item: T) => string): T[] {
  return items
    .map((item, i) => ({ item, i, k: key(item) }))
    .sort((a, b) => (a.k < b.k ? -1 : a.k > b.k ? 1 : a.i - b.i))
    .map((x) => x.item);
}
