import type { CloudEvent } from '@bazaar/contracts';
import { routingKeyOf } from '@bazaar/contracts';
import { context } from '@opentelemetry/api';
import amqp, {
  type Channel,
  type ChannelModel,
  type ConfirmChannel,
  type ConsumeMessage,
  type Message,
} from 'amqplib';
import type { Logger } from '../logger';
import { contextOfTraceparent } from '../telemetry/trace-context';
import {
  type DeadLetter,
  DependencyUnavailableError,
  describeError,
  type EventBus,
  type MessageHandler,
  outageRetryDelayMs,
  PoisonMessageError,
  retryDelaysMs,
  type SubscribeOptions,
} from './event-bus';

export interface RabbitMqBusOptions {
  /** Prefix of every exchange and queue name. */
  namespace?: string;
  delaysMs?: readonly number[];
  /** Deletes queues unused this long (test runs leave none behind). */
  queueExpiresMs?: number;
  /** How the broker lists this connection (`connection_name`), e.g. `bazaar_orders`. */
  connectionName?: string;
  /**
   * How long declaring the exchanges, queues and consumers may take (30 s): a broker that stops answering
   * part-way (one still recovering its queues after a restart) would otherwise hold a start or a
   * reconnection forever. A connection that overruns it is dropped and made again.
   */
  setupTimeoutMs?: number;
  /**
   * How long a publish waits for the broker's confirm (15 s) before it counts as failed; the outbox
   * publishes it again later, and consumers drop the repeat if the first did arrive.
   */
  publishTimeoutMs?: number;
  /**
   * How many times a message may be handed to this service and never answered (the process died, or lost
   * its connection, while handling it) before it is dead-lettered unopened (10): a message that crashes
   * its consumer would otherwise crash every replica in turn. It is dead-lettered with a confirmed publish
   * and a reason, unlike the broker's own limit (`x-delivery-limit`, 20, kept as the last resort), whose
   * dead-lettering from a quorum queue is at most once and says only "delivery_limit".
   */
  maxDeliveries?: number;
}

type RecoveringModel = Awaited<ReturnType<typeof connectRecovering>>;

interface Subscription {
  queue: string;
  routingKeys: readonly string[];
  handler: MessageHandler;
  options: SubscribeOptions;
  channel?: Channel;
  /** The channel of the consumer that holds this queue's retries until they are due. */
  retryChannel?: Channel;
  /** A consumer ran before: the next start is a restart after a lost connection. */
  started?: boolean;
}

const deadLetterQueueOf = (queue: string) => `${queue}.dead-letter`;

/** The broker closed the channel because the queue is not there (AMQP 404 NOT_FOUND). */
const isQueueNotFound = (err: unknown) => (err as { code?: unknown }).code === 404;
/**
 * Where a failed message waits for its next attempt. It carries the time it is due (`x-due-at`); the
 * service's own retry consumer holds it, unacknowledged, until then, hands it back to the service's queue
 * with a publisher confirm, and only then acknowledges it. Every hand-over is confirmed, so a broker
 * restart or a crashed process at any moment leaves the message in one queue or the other. (TTL queues
 * that dead-letter back were used before: the broker hands an expired message over once and forgets it,
 * and a real restart lost an order's step that way.)
 */
const retryQueueOf = (queue: string) => `${queue}.retry`;
/** How many waiting retries one consumer holds at once; more wait in the retry queue. */
const RETRY_PREFETCH = 1_000;
const HANDSHAKE_TIMEOUT_MS = 10_000;
const SETUP_TIMEOUT_MS = 30_000;
const CLOSE_TIMEOUT_MS = 5_000;
const PUBLISH_TIMEOUT_MS = 15_000;
const MAX_DELIVERIES = 10;
const expiry = (ms?: number) => (ms ? { 'x-expires': ms } : {});

/**
 * Ends a connection whose broker stopped answering. A polite close would wait for that broker's answer
 * forever; failing the socket closes the connection at once (amqplib keeps it as `connection.stream`),
 * and a later close() returns straight away.
 */
async function dropConnection(model: ChannelModel): Promise<void> {
  const stream = (
    model as unknown as { connection?: { stream?: { destroyed: boolean; destroy(err: Error): void } } }
  ).connection?.stream;
  if (!stream || stream.destroyed) return;
  const closed = new Promise((resolve) => model.once('close', resolve));
  stream.destroy(new Error('rabbitmq stopped answering'));
  await closed;
}

function connectRecovering(
  url: string,
  setup: (model: ChannelModel) => Promise<void>,
  connectionName?: string,
) {
  return amqp.connect(url, {
    recovery: { initialDelay: 200, maxDelay: 5_000, initialMaxRetries: 5, setup },
    // A broker that accepts the connection and never answers (one busy starting up) would otherwise hold
    // a start, or a reconnection, forever: the open handshake gets this long, then it is tried again.
    timeout: HANDSHAKE_TIMEOUT_MS,
    ...(connectionName ? { clientProperties: { connection_name: connectionName } } : {}),
  });
}

/**
 * RabbitMQ adapter: one topic exchange, a durable quorum queue per consuming service, delayed retries
 * through a retry queue per service (held by the service until due, then handed back with a confirm),
 * and a dead-letter queue per service. The connection recovers by itself; topology and consumers are re-declared on reconnect.
 */
export class RabbitMqBus implements EventBus {
  readonly kind = 'rabbitmq' as const;
  private model?: RecoveringModel;
  private publisher: ConfirmChannel | undefined;
  private readonly subscriptions: Subscription[] = [];
  private inFlight = 0;
  private consuming = false;
  private closing = false;

  private readonly exchange: string;
  private readonly deadLetterExchange: string;
  private readonly delaysMs: readonly number[];

  private constructor(
    private readonly logger: Logger,
    private readonly options: RabbitMqBusOptions,
  ) {
    const ns = options.namespace ?? '';
    this.exchange = `${ns}bazaar.events`;
    this.deadLetterExchange = `${ns}bazaar.dead-letter`;
    this.delaysMs = options.delaysMs ?? retryDelaysMs;
  }

  private queueName(queue: string) {
    return `${this.options.namespace ?? ''}${queue}`;
  }

  static async connect(url: string, logger: Logger, options: RabbitMqBusOptions = {}) {
    const bus = new RabbitMqBus(logger, options);
    bus.model = await connectRecovering(url, (model) => bus.setupOrDrop(model), options.connectionName);
    bus.model.on('connect-failed', (err: Error) =>
      logger.warn({ err: describeError(err) }, 'rabbitmq connection attempt failed'),
    );
    bus.model.on('disconnect', (err: Error) => {
      bus.publisher = undefined;
      bus.consuming = false;
      for (const s of bus.subscriptions) {
        s.channel = undefined;
        s.retryChannel = undefined;
      }
      if (!bus.closing) logger.warn({ err: describeError(err) }, 'rabbitmq connection lost, recovering');
    });
    bus.model.on('connect', () => logger.info('rabbitmq connected'));
    bus.model.on('error', (err: Error) => logger.warn({ err: describeError(err) }, 'rabbitmq error'));
    return bus;
  }

  /** Sets a new connection up within the setup time-out, or drops it (the recovery then tries again). */
  private async setupOrDrop(model: ChannelModel): Promise<void> {
    // Until the recovering model adopts this connection, nothing else listens for its errors, and an
    // unheard 'error' (the broker going away mid-setup) would end the process.
    const settingUp = (err: Error) =>
      this.logger.warn({ err: describeError(err) }, 'rabbitmq connection failed while setting up');
    model.on('error', settingUp);
    try {
      await this.within('declaring the topology and consumers', this.setup(model));
    } catch (err) {
      await dropConnection(model);
      throw err;
    } finally {
      model.off('error', settingUp);
    }
  }

  private async setup(model: ChannelModel): Promise<void> {
    const channel = await model.createConfirmChannel();
    channel.on('error', (err: Error) =>
      this.logger.warn({ err: describeError(err) }, 'publisher channel error'),
    );
    await channel.assertExchange(this.exchange, 'topic', { durable: true });
    await channel.assertExchange(this.deadLetterExchange, 'direct', { durable: true });
    this.publisher = channel;
    for (const s of this.subscriptions) await this.startConsumer(model, s);
    // Connected (ready) once every consumer is back, not before.
    this.consuming = true;
  }

  async publish(event: CloudEvent): Promise<void> {
    const channel = this.publisher;
    if (!channel) throw new Error('rabbitmq is not connected');
    // The publish span (amqplib instrumentation) belongs to the trace that emitted the event, not to
    // whichever request the relay happens to run in.
    const confirmed = new Promise<void>((resolve, reject) => {
      publishIn(event, () =>
        channel.publish(
          this.exchange,
          routingKeyOf(event.type),
          Buffer.from(JSON.stringify(event)),
          {
            persistent: true,
            contentType: 'application/cloudevents+json',
            messageId: event.id,
            type: event.type,
            headers: event.traceparent ? { traceparent: event.traceparent } : {},
          },
          (err) => (err ? reject(err) : resolve()),
        ),
      );
    });
    await this.within(
      `confirming ${event.type} ${event.id}`,
      confirmed,
      this.options.publishTimeoutMs ?? PUBLISH_TIMEOUT_MS,
    );
  }

  async subscribe(
    queue: string,
    routingKeys: readonly string[],
    handler: MessageHandler,
    options: SubscribeOptions = {},
  ): Promise<void> {
    const subscription: Subscription = { queue, routingKeys, handler, options };
    this.subscriptions.push(subscription);
    const model = await this.currentModel();
    try {
      await this.within(`subscribing ${this.queueName(queue)}`, this.startConsumer(model, subscription));
    } catch (err) {
      // Not subscribed: a reconnection does not start it either.
      this.subscriptions.splice(this.subscriptions.indexOf(subscription), 1);
      throw err;
    }
  }

  /** `work`, or an error once `ms` (the setup time-out) has passed with no answer from the broker. */
  private within<T>(
    what: string,
    work: Promise<T>,
    ms = this.options.setupTimeoutMs ?? SETUP_TIMEOUT_MS,
  ): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const overrun = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`rabbitmq did not answer within ${ms} ms ${what}`)), ms);
    });
    // Whatever the abandoned work does later (it fails with its connection), nobody waits for it.
    work.catch(() => {});
    return Promise.race([work, overrun]).finally(() => clearTimeout(timer));
  }

  private async currentModel(): Promise<ChannelModel> {
    // The recovering model creates channels on whatever connection is current.
    return this.model as unknown as ChannelModel;
  }

  private async startConsumer(model: ChannelModel, s: Subscription): Promise<void> {
    const channel = await model.createChannel();
    channel.on('error', (err: Error) =>
      this.logger.warn({ err: describeError(err) }, 'consumer channel error'),
    );
    await channel.prefetch(s.options.prefetch ?? 32);
    const name = this.queueName(s.queue);
    let queue = name;
    if (s.options.exclusive) {
      queue = (await channel.assertQueue('', { exclusive: true, autoDelete: true, durable: false })).queue;
    } else {
      const expires = expiry(this.options.queueExpiresMs);
      await channel.assertQueue(name, {
        durable: true,
        arguments: {
          'x-queue-type': 'quorum',
          // A message that crashes its consumer over and over still ends up dead-lettered.
          'x-delivery-limit': 20,
          'x-dead-letter-exchange': this.deadLetterExchange,
          'x-dead-letter-routing-key': name,
          ...expires,
        },
      });
      await channel.assertQueue(deadLetterQueueOf(name), { durable: true, arguments: expires });
      await channel.bindQueue(deadLetterQueueOf(name), this.deadLetterExchange, name);
      await channel.assertQueue(retryQueueOf(name), {
        durable: true,
        arguments: { 'x-queue-type': 'quorum', ...expires },
      });
      await this.startRetryConsumer(model, s, name);
    }
    for (const key of s.routingKeys) await channel.bindQueue(queue, this.exchange, key);
    await channel.consume(queue, (msg) => {
      if (msg) void this.handle(s, channel, msg);
    });
    s.channel = channel;
    // A durable queue kept what arrived meanwhile; an exclusive one went with the old connection.
    if (s.started && s.options.exclusive) s.options.afterGap?.();
    s.started = true;
  }

  /** Holds each waiting retry until it is due, then puts it back in the service's queue. */
  private async startRetryConsumer(model: ChannelModel, s: Subscription, name: string): Promise<void> {
    const channel = await model.createConfirmChannel();
    channel.on('error', (err: Error) => this.logger.warn({ err: describeError(err) }, 'retry channel error'));
    await channel.prefetch(RETRY_PREFETCH);
    const timers = new Set<NodeJS.Timeout>();
    channel.on('close', () => {
      // The broker takes back what was held; it is delivered again to the next retry consumer.
      for (const t of timers) clearTimeout(t);
      timers.clear();
    });
    await channel.consume(retryQueueOf(name), (msg) => {
      if (!msg) return;
      const due = Number(msg.properties.headers?.['x-due-at'] ?? 0);
      const timer = setTimeout(
        () => {
          timers.delete(timer);
          void this.requeue(channel, msg, name);
        },
        Math.max(0, due - Date.now()),
      );
      timers.add(timer);
    });
    s.retryChannel = channel;
  }

  private async requeue(channel: ConfirmChannel, msg: ConsumeMessage, name: string): Promise<void> {
    try {
      const { 'x-due-at': _, ...headers } = msg.properties.headers ?? {};
      await confirm(channel, (cb) =>
        channel.sendToQueue(name, msg.content, { ...msg.properties, headers }, cb),
      );
      channel.ack(msg);
    } catch (err) {
      // Not handed over: it stays unacknowledged, and the broker delivers it again with the channel.
      this.logger.warn({ err: describeError(err), queue: name }, 'could not hand a retry back');
    }
  }

  private async handle(s: Subscription, channel: Channel, msg: ConsumeMessage): Promise<void> {
    this.inFlight++;
    const attempt = Number(msg.properties.headers?.['x-attempt'] ?? 1);
    try {
      try {
        await s.handler(this.open(s, msg), { attempt });
      } catch (err) {
        await this.handleFailure(s, channel, msg, attempt, err);
        return;
      }
      try {
        channel.ack(msg);
      } catch {
        // The channel went while the handler ran: the broker hands the message out again, and the
        // consumer's inbox drops the repeat. (Scheduling a retry here would deliver it twice more.)
      }
    } finally {
      this.inFlight--;
    }
  }

  /** The message's body, unless it is not fit to be handled (then it is dead-lettered). */
  private open(s: Subscription, msg: ConsumeMessage): unknown {
    // How often the broker handed it out before without an answer (a quorum queue counts it).
    const unanswered = Number(msg.properties.headers?.['x-delivery-count'] ?? 0);
    if (!s.options.exclusive && unanswered >= (this.options.maxDeliveries ?? MAX_DELIVERIES)) {
      throw new PoisonMessageError(
        `handed to ${s.queue} ${unanswered} times without an answer: its consumer stopped (crashed, or lost its connection) while handling it each time`,
      );
    }
    try {
      return JSON.parse(msg.content.toString('utf8'));
    } catch (err) {
      throw new PoisonMessageError('message is not JSON', { cause: err });
    }
  }

  private async handleFailure(
    s: Subscription,
    channel: Channel,
    msg: ConsumeMessage,
    attempt: number,
    err: unknown,
  ): Promise<void> {
    try {
      if (s.options.exclusive) {
        this.logger.warn({ err, queue: s.queue }, 'live consumer failed; message dropped');
        channel.ack(msg);
        return;
      }
      const outages = Number(msg.properties.headers?.['x-outages'] ?? 0);
      const outage = err instanceof DependencyUnavailableError;
      const delay = outage ? outageRetryDelayMs(outages) : this.delaysMs[attempt - 1];
      const publisher = this.publisher;
      if (!publisher) throw new Error('rabbitmq is not connected');
      const headers = { ...msg.properties.headers };
      if (err instanceof PoisonMessageError || delay === undefined) {
        this.logger.error({ err, queue: s.queue, attempt }, 'message dead-lettered');
        headers['x-bazaar-reason'] = describeError(err).slice(0, 1000);
        headers['x-bazaar-failed-at'] = new Date().toISOString();
        await confirm(publisher, (cb) =>
          publisher.publish(
            this.deadLetterExchange,
            this.queueName(s.queue),
            msg.content,
            { ...msg.properties, headers },
            cb,
          ),
        );
        s.options.onFailure?.({ type: typeOf(msg), outcome: 'dead_lettered' });
      } else {
        this.logger.warn(
          { err: describeError(err), queue: s.queue, attempt, delay },
          outage ? 'handler met an outage, retrying (no attempt spent)' : 'handler failed, retrying',
        );
        if (outage) headers['x-outages'] = outages + 1;
        else headers['x-attempt'] = attempt + 1;
        headers['x-due-at'] = Date.now() + delay;
        await confirm(publisher, (cb) =>
          publisher.sendToQueue(
            retryQueueOf(this.queueName(s.queue)),
            msg.content,
            { ...msg.properties, headers },
            cb,
          ),
        );
        s.options.onFailure?.({ type: typeOf(msg), outcome: 'retried' });
      }
      channel.ack(msg);
    } catch (publishErr) {
      // Could not park it for later: hand it back to the broker rather than lose it.
      this.logger.warn({ err: describeError(publishErr) }, 'could not schedule retry; requeueing');
      if (!s.options.exclusive) s.options.onFailure?.({ type: typeOf(msg), outcome: 'retried' });
      try {
        channel.nack(msg, false, true);
      } catch {
        // The channel is gone; the broker redelivers unacked messages by itself.
      }
    }
  }

  async listDeadLetters(queue: string, limit = Number.POSITIVE_INFINITY): Promise<DeadLetter[]> {
    const channel = await (await this.currentModel()).createChannel();
    try {
      return (await this.takeDeadLetters(channel, queue, limit)).map(toDeadLetter);
    } finally {
      // Closing the channel without acking puts every message back in the queue.
      await channel.close().catch(() => {});
    }
  }

  /** The dead-letter queue's ready messages, as the broker counts them (none for a queue not declared). */
  async countDeadLetters(queue: string): Promise<number> {
    const channel = await (await this.currentModel()).createChannel();
    // A channel error with no listener would take the connection down with it.
    channel.on('error', () => {});
    try {
      return (await channel.checkQueue(deadLetterQueueOf(this.queueName(queue)))).messageCount;
    } catch (err) {
      if (isQueueNotFound(err)) return 0;
      throw err;
    } finally {
      await channel.close().catch(() => {});
    }
  }

  async replayDeadLetters(queue: string): Promise<number> {
    const channel = await (await this.currentModel()).createConfirmChannel();
    try {
      // Take everything first: a replayed message that fails again must not be picked up twice.
      const taken = await this.takeDeadLetters(channel, queue);
      for (const msg of taken) {
        const headers = { ...msg.properties.headers, 'x-attempt': 1 };
        await confirm(channel, (cb) =>
          channel.sendToQueue(this.queueName(queue), msg.content, { ...msg.properties, headers }, cb),
        );
        channel.ack(msg);
      }
      return taken.length;
    } finally {
      await channel.close().catch(() => {});
    }
  }

  /**
   * Takes up to `limit` of the queue's dead letters, unacknowledged, on `channel`. A queue whose service
   * never started has none (the broker's 404 closes only this channel).
   */
  private async takeDeadLetters(channel: Channel, queue: string, limit = Number.POSITIVE_INFINITY) {
    // A channel error with no listener would take the connection down with it.
    channel.on('error', () => {});
    const taken: Message[] = [];
    try {
      while (taken.length < limit) {
        const msg = await channel.get(deadLetterQueueOf(this.queueName(queue)), { noAck: false });
        if (!msg) break;
        taken.push(msg);
      }
    } catch (err) {
      if (!isQueueNotFound(err)) throw err;
    }
    return taken;
  }

  isConnected(): boolean {
    return this.publisher !== undefined && this.consuming;
  }

  async close(): Promise<void> {
    this.closing = true;
    for (const s of this.subscriptions) {
      for (const channel of [s.channel, s.retryChannel]) {
        try {
          await channel?.close();
        } catch {
          // already closed with its connection
        }
      }
    }
    const deadline = Date.now() + 10_000;
    while (this.inFlight > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    // A close that crosses a lost connection waits for an answer that never comes (amqplib): wait a while
    // for the broker's goodbye, then let it go.
    if (!this.model) return;
    await this.within('closing', this.model.close(), CLOSE_TIMEOUT_MS).catch(() => {
      // already closed, or no goodbye in time
    });
  }
}

/** Resolves when the broker confirms what `send` published on a confirm channel. */
function confirm(_on: ConfirmChannel, send: (cb: (err: unknown) => void) => void): Promise<void> {
  return new Promise((resolve, reject) => send((err) => (err ? reject(err) : resolve())));
}

/** Runs `publish` in the context of the span that emitted the event (none when it names none). */
function publishIn(event: CloudEvent, publish: () => void): void {
  context.with(contextOfTraceparent(event.traceparent), publish);
}

/** The event type the publisher put in the message's properties. */
const typeOf = (msg: Message) => (typeof msg.properties.type === 'string' ? msg.properties.type : 'unknown');

function toDeadLetter(msg: Message): DeadLetter {
  let message: unknown;
  try {
    message = JSON.parse(msg.content.toString('utf8'));
  } catch {
    message = msg.content.toString('utf8');
  }
  const headers = msg.properties.headers ?? {};
  const m = message as { id?: unknown; type?: unknown };
  return {
    id: typeof m?.id === 'string' ? m.id : String(msg.properties.messageId ?? 'unknown'),
    type: typeof m?.type === 'string' ? m.type : String(msg.properties.type ?? 'unknown'),
    reason: String(headers['x-bazaar-reason'] ?? headers['x-first-death-reason'] ?? 'delivery limit'),
    failedAt: String(headers['x-bazaar-failed-at'] ?? ''),
    message,
    attempts: Number(headers['x-attempt'] ?? 1),
    headers: Object.fromEntries(
      Object.entries(headers).map(([name, value]) => [
        name,
        typeof value === 'string' ? value : JSON.stringify(value),
      ]),
    ),
  };
}
