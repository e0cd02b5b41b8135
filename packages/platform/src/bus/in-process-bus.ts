import type { CloudEvent } from '@bazaar/contracts';
import { routingKeyOf } from '@bazaar/contracts';
import type { Logger } from '../logger';
import { type DeadLetterStore, MemoryDeadLetters } from './dead-letter-store';
import {
  type DeadLetter,
  DependencyUnavailableError,
  describeError,
  type EventBus,
  type MessageHandler,
  matchesRoutingKey,
  outageRetryDelayMs,
  PoisonMessageError,
  retryDelaysMs,
  type SubscribeOptions,
  typeOfMessage,
} from './event-bus';

interface Queue {
  name: string;
  bindings: readonly string[];
  handler: MessageHandler;
  prefetch: number;
  /** A live consumer's private queue: it gets what is published from now on, never old events. */
  exclusive: boolean;
  inFlight: number;
  waiting: Delivery[];
  onFailure?: SubscribeOptions['onFailure'];
}

interface Delivery {
  body: string;
  attempt: number;
  /** The kept dead letter this is a replay of: removed once handled, replaced if it fails again. */
  replayOf?: string;
}

export interface InProcessBusOptions {
  /** Waits before each retry; after the last one a message is dead-lettered. */
  delaysMs?: readonly number[];
  /** Where dead letters are kept: in memory unless given the embedded database's store. */
  deadLetters?: DeadLetterStore;
}

/**
 * The embedded stand-in for RabbitMQ. It keeps the same contract: messages are copied (serialised)
 * and delivered asynchronously, each queue handles a bounded number at once, failures are retried
 * with the same backoff and then dead-lettered. A dead letter stays kept until its replay is handled, so
 * one kept in the embedded database outlives the process.
 */
export class InProcessBus implements EventBus {
  readonly kind = 'in-process' as const;
  private readonly queues = new Map<string, Queue>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private closed = false;
  private idleWaiters: (() => void)[] = [];
  private readonly redeliverySources = new Set<(windowMs: number) => Promise<CloudEvent[]>>();

  private readonly delaysMs: readonly number[];
  private readonly deadLetters: DeadLetterStore;

  constructor(
    private readonly logger: Logger,
    options: InProcessBusOptions = {},
  ) {
    this.delaysMs = options.delaysMs ?? retryDelaysMs;
    this.deadLetters = options.deadLetters ?? new MemoryDeadLetters();
  }

  async publish(event: CloudEvent): Promise<void> {
    this.route(event, () => true);
  }

  private route(event: CloudEvent, to: (queue: Queue) => boolean): void {
    if (this.closed) throw new Error('bus closed');
    const key = routingKeyOf(event.type);
    const body = JSON.stringify(event);
    for (const queue of this.queues.values()) {
      if (to(queue) && queue.bindings.some((b) => matchesRoutingKey(b, key))) {
        this.enqueue(queue, { body, attempt: 1 });
      }
    }
  }

  /**
   * Where to find what was published lately (a service's outbox), for `redeliverRecent`. Returns the
   * function that takes it off again (when the service stops).
   */
  addRedeliverySource(source: (windowMs: number) => Promise<CloudEvent[]>): () => void {
    this.redeliverySources.add(source);
    return () => this.redeliverySources.delete(source);
  }

  /**
   * Hands every queue again the events published in the last `windowMs`, oldest first. This bus keeps
   * its messages in memory, so when the process ended, those delivered but not yet handled and those
   * waiting for a retry were gone with it, and a saga stopped half-way; consumers' inboxes drop the
   * events they had applied. Live consumers (exclusive queues) are left out, as a broker's would be.
   * Call it once every service has subscribed. Returns how many were handed.
   */
  async redeliverRecent(windowMs: number): Promise<number> {
    const batches = await Promise.all([...this.redeliverySources].map((source) => source(windowMs)));
    const byId = new Map(batches.flat().map((e) => [e.id, e]));
    // UUIDv7 ids sort by creation time, across services.
    const events = [...byId.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    for (const event of events) this.route(event, (queue) => !queue.exclusive);
    return events.length;
  }

  async subscribe(
    name: string,
    routingKeys: readonly string[],
    handler: MessageHandler,
    options: SubscribeOptions = {},
  ): Promise<void> {
    if (this.queues.has(name)) throw new Error(`queue ${name} already has a consumer`);
    this.queues.set(name, {
      name,
      bindings: routingKeys,
      handler,
      prefetch: options.prefetch ?? 32,
      exclusive: options.exclusive ?? false,
      inFlight: 0,
      waiting: [],
      onFailure: options.onFailure,
    });
  }

  async listDeadLetters(queue: string, limit?: number): Promise<DeadLetter[]> {
    const letters = await this.deadLetters.list(queue, limit);
    return letters.map(({ key: _key, ...letter }) => letter);
  }

  countDeadLetters(queue: string): Promise<number> {
    return this.deadLetters.count(queue);
  }

  /** Hands the queue its dead letters again; each stays kept until its replay has been handled. */
  async replayDeadLetters(name: string): Promise<number> {
    const queue = this.queues.get(name);
    if (!queue) return 0;
    const letters = await this.deadLetters.list(name);
    for (const letter of letters) {
      this.enqueue(queue, { body: JSON.stringify(letter.message), attempt: 1, replayOf: letter.key });
    }
    return letters.length;
  }

  isConnected(): boolean {
    return !this.closed;
  }

  /** Resolves when no message is in flight or waiting (tests and shutdown use it). */
  async idle(): Promise<void> {
    if (this.isIdle()) return;
    await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    for (const q of this.queues.values()) q.waiting.length = 0;
    while ([...this.queues.values()].some((q) => q.inFlight > 0)) {
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  private isIdle(): boolean {
    return (
      this.timers.size === 0 &&
      [...this.queues.values()].every((q) => q.inFlight === 0 && q.waiting.length === 0)
    );
  }

  private enqueue(queue: Queue, delivery: Delivery): void {
    queue.waiting.push(delivery);
    setImmediate(() => this.pump(queue));
  }

  private pump(queue: Queue): void {
    while (!this.closed && queue.inFlight < queue.prefetch && queue.waiting.length > 0) {
      const next = queue.waiting.shift()!;
      queue.inFlight++;
      void this.deliver(queue, next).finally(() => {
        queue.inFlight--;
        this.pump(queue);
        if (this.isIdle()) for (const w of this.idleWaiters.splice(0)) w();
      });
    }
  }

  private async deliver(queue: Queue, delivery: Delivery): Promise<void> {
    const { body, attempt, replayOf } = delivery;
    const message: unknown = JSON.parse(body);
    try {
      await queue.handler(message, { attempt });
    } catch (err) {
      // An outage (the database unavailable) spends no attempt: the message waits and tries again.
      const outage = err instanceof DependencyUnavailableError;
      const delay = outage ? outageRetryDelayMs(0) : this.delaysMs[attempt - 1];
      if (err instanceof PoisonMessageError || delay === undefined) {
        await this.deadLetter(queue, message, describeError(err), replayOf, attempt);
        if (!queue.exclusive) queue.onFailure?.({ type: typeOfMessage(message), outcome: 'dead_lettered' });
        return;
      }
      this.logger.warn({ err, queue: queue.name, attempt }, 'handler failed, retrying');
      if (!queue.exclusive) queue.onFailure?.({ type: typeOfMessage(message), outcome: 'retried' });
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        if (!this.closed) this.enqueue(queue, { ...delivery, attempt: outage ? attempt : attempt + 1 });
      }, delay);
      this.timers.add(timer);
      return;
    }
    if (replayOf !== undefined) {
      await this.deadLetters.remove(queue.name, replayOf).catch((err: unknown) => {
        // Kept a little longer: a later replay hands it again and the consumer's inbox drops it.
        this.logger.warn({ err, queue: queue.name }, 'replayed dead letter handled, but not removed');
      });
    }
  }

  private async deadLetter(
    queue: Queue,
    message: unknown,
    reason: string,
    replacing?: string,
    attempts?: number,
  ) {
    const m = message as { id?: unknown; type?: unknown };
    const letter: DeadLetter = {
      id: typeof m.id === 'string' ? m.id : 'unknown',
      type: typeof m.type === 'string' ? m.type : 'unknown',
      reason,
      failedAt: new Date().toISOString(),
      message,
      ...(attempts ? { attempts } : {}),
    };
    try {
      await this.deadLetters.add(queue.name, letter, replacing);
      this.logger.error({ queue: queue.name, reason, eventId: m.id }, 'message dead-lettered');
    } catch (err) {
      // The store is gone (the process is stopping): the log is then the only place the message is.
      this.logger.error({ err, queue: queue.name, letter }, 'message dead-lettered, but could not be kept');
    }
  }
}
