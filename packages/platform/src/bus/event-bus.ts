import type { CloudEvent } from '@bazaar/contracts';

export interface Delivery {
  /** 1 for the first delivery, then counts the retries. */
  attempt: number;
}

/** Handles one raw message. Throwing retries it later; throwing a PoisonMessageError dead-letters it. */
export type MessageHandler = (raw: unknown, delivery: Delivery) => Promise<void>;

export interface SubscribeOptions {
  /** A private, non-durable queue for this process only (the gateway's live stream). */
  exclusive?: boolean;
  /**
   * Called when an exclusive queue was made again after the broker connection came back: what was
   * published while it was down never reached this process (a cache fed by the queue should start over).
   */
  afterGap?: () => void;
  /** How many messages are handled at once. */
  prefetch?: number;
  /** Told of each failed delivery of a durable queue's message: tried again later, or dead-lettered. */
  onFailure?: (failure: DeliveryFailure) => void;
}

export interface DeliveryFailure {
  /** The event's type, or `unknown` when the message does not say. */
  type: string;
  outcome: 'retried' | 'dead_lettered';
}

/** The type a raw message claims, for counting its failures (it may be anything at all). */
export function typeOfMessage(message: unknown): string {
  const type = (message as { type?: unknown } | null)?.type;
  return typeof type === 'string' ? type : 'unknown';
}

export interface DeadLetter {
  id: string;
  type: string;
  reason: string;
  failedAt: string;
  message: unknown;
  /** Deliveries tried before it was dead-lettered (1 for a poison message), when the bus counted them. */
  attempts?: number;
  /** The broker's message headers (RabbitMQ), as text. */
  headers?: Record<string, string>;
}

/**
 * The one delivery contract both adapters keep: at-least-once, asynchronous, retried with backoff,
 * then dead-lettered per queue where an operator can list and replay.
 */
export interface EventBus {
  readonly kind: 'rabbitmq' | 'in-process';
  /** Resolves once the broker has confirmed the message. */
  publish(event: CloudEvent): Promise<void>;
  subscribe(
    queue: string,
    routingKeys: readonly string[],
    handler: MessageHandler,
    options?: SubscribeOptions,
  ): Promise<void>;
  /** The queue's dead letters, oldest first, at most `limit` of them (all when not given). */
  listDeadLetters(queue: string, limit?: number): Promise<DeadLetter[]>;
  /** How many dead letters the queue holds (cheap: no message is read). */
  countDeadLetters(queue: string): Promise<number>;
  /** Sends every dead letter of the queue back to it; returns how many. */
  replayDeadLetters(queue: string): Promise<number>;
  isConnected(): boolean;
  close(): Promise<void>;
}

/** A message that can never succeed (bad schema, a broken rule): dead-letter it at once. */
export class PoisonMessageError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PoisonMessageError';
  }
}

/**
 * The handler could not run because something it needs is unavailable for now (the database restarting
 * or refusing connections): not the message's fault. Buses retry it without spending one of its attempts,
 * every `outageRetryDelayMs(n)`, for as long as the outage lasts, so an outage longer than the retry
 * schedule dead-letters nothing.
 */
export class DependencyUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DependencyUnavailableError';
  }
}

/** The wait before the n-th retry (from 0) of a message whose handler met an outage: 1 s doubling to 15 s. */
export const outageRetryDelayMs = (n: number) => Math.min(1_000 * 2 ** n, 15_000);

/** Delays before each retry; after the last one the message is dead-lettered. */
export const retryDelaysMs = [50, 200, 1_000, 5_000, 15_000] as const;

export function matchesRoutingKey(pattern: string, key: string): boolean {
  const p = pattern.split('.');
  const k = key.split('.');
  const match = (i: number, j: number): boolean => {
    if (i === p.length) return j === k.length;
    if (p[i] === '#') return match(i + 1, j) || (j < k.length && match(i, j + 1));
    if (j === k.length) return false;
    return (p[i] === '*' || p[i] === k[j]) && match(i + 1, j + 1);
  };
  return match(0, 0);
}

export function describeError(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}

/**
 * Test-time chaos: publishes every event twice, so every consumer in the platform sees each of its
 * events delivered twice (switched on by BAZAAR_DUPLICATE_DELIVERY=1).
 */
export function withDuplicateDelivery(bus: EventBus): EventBus {
  return new Proxy(bus, {
    get(target, prop, receiver) {
      if (prop === 'publish') {
        return async (event: CloudEvent) => {
          await target.publish(event);
          await target.publish(event);
        };
      }
      const value = Reflect.get(target, prop, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}
