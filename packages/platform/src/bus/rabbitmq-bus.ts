import type { CloudEvent } from '@bazaar/contracts';
import { routingKeyOf } from '@bazaar/contracts';
import amqp, {
  type Channel,
  type ChannelModel,
  type ConfirmChannel,
  type ConsumeMessage,
  type Message,
} from 'amqplib';
import type { Logger } from '../logger';
import {
  type DeadLetter,
  describeError,
  type EventBus,
  type MessageHandler,
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
}

type RecoveringModel = Awaited<ReturnType<typeof connectRecovering>>;

interface Subscription {
  queue: string;
  routingKeys: readonly string[];
  handler: MessageHandler;
  options: SubscribeOptions;
  channel?: Channel;
  /** A consumer ran before: the next start is a restart after a lost connection. */
  started?: boolean;
}

const deadLetterQueueOf = (queue: string) => `${queue}.dead-letter`;
const retryQueueOf = (queue: string, delayMs: number) => `${queue}.retry.${delayMs}ms`;
const expiry = (ms?: number) => (ms ? { 'x-expires': ms } : {});

function connectRecovering(
  url: string,
  setup: (model: ChannelModel) => Promise<void>,
  connectionName?: string,
) {
  return amqp.connect(url, {
    recovery: { initialDelay: 200, maxDelay: 5_000, initialMaxRetries: 5, setup },
    ...(connectionName ? { clientProperties: { connection_name: connectionName } } : {}),
  });
}

/**
 * RabbitMQ adapter: one topic exchange, a durable quorum queue per consuming service, delayed retries
 * through TTL queues that dead-letter back into the service's queue, and a dead-letter queue per
 * service. The connection recovers by itself; topology and consumers are re-declared on reconnect.
 */
export class RabbitMqBus implements EventBus {
  readonly kind = 'rabbitmq' as const;
  private model?: RecoveringModel;
  private publisher: ConfirmChannel | undefined;
  private readonly subscriptions: Subscription[] = [];
  private inFlight = 0;
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
    bus.model = await connectRecovering(url, (model) => bus.setup(model), options.connectionName);
    bus.model.on('disconnect', (err: Error) => {
      bus.publisher = undefined;
      for (const s of bus.subscriptions) s.channel = undefined;
      if (!bus.closing) logger.warn({ err: describeError(err) }, 'rabbitmq connection lost, recovering');
    });
    bus.model.on('connect', () => logger.info('rabbitmq connected'));
    bus.model.on('error', (err: Error) => logger.warn({ err: describeError(err) }, 'rabbitmq error'));
    return bus;
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
  }

  async publish(event: CloudEvent): Promise<void> {
    const channel = this.publisher;
    if (!channel) throw new Error('rabbitmq is not connected');
    await new Promise<void>((resolve, reject) => {
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
      );
    });
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
    await this.startConsumer(model, subscription);
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
      for (const delay of new Set(this.delaysMs)) {
        await channel.assertQueue(retryQueueOf(name, delay), {
          durable: true,
          arguments: {
            'x-message-ttl': delay,
            'x-dead-letter-exchange': '',
            'x-dead-letter-routing-key': name,
            ...expires,
          },
        });
      }
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

  private async handle(s: Subscription, channel: Channel, msg: ConsumeMessage): Promise<void> {
    this.inFlight++;
    const attempt = Number(msg.properties.headers?.['x-attempt'] ?? 1);
    try {
      let body: unknown;
      try {
        body = JSON.parse(msg.content.toString('utf8'));
      } catch (err) {
        throw new PoisonMessageError('message is not JSON', { cause: err });
      }
      await s.handler(body, { attempt });
      channel.ack(msg);
    } catch (err) {
      await this.handleFailure(s, channel, msg, attempt, err);
    } finally {
      this.inFlight--;
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
      const delay = this.delaysMs[attempt - 1];
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
      } else {
        this.logger.warn(
          { err: describeError(err), queue: s.queue, attempt, delay },
          'handler failed, retrying',
        );
        headers['x-attempt'] = attempt + 1;
        await confirm(publisher, (cb) =>
          publisher.sendToQueue(
            retryQueueOf(this.queueName(s.queue), delay),
            msg.content,
            { ...msg.properties, headers },
            cb,
          ),
        );
      }
      channel.ack(msg);
    } catch (publishErr) {
      // Could not park it for later: hand it back to the broker rather than lose it.
      this.logger.warn({ err: describeError(publishErr) }, 'could not schedule retry; requeueing');
      try {
        channel.nack(msg, false, true);
      } catch {
        // The channel is gone; the broker redelivers unacked messages by itself.
      }
    }
  }

  async listDeadLetters(queue: string): Promise<DeadLetter[]> {
    const channel = await (await this.currentModel()).createChannel();
    const letters: DeadLetter[] = [];
    try {
      for (;;) {
        const msg = await channel.get(deadLetterQueueOf(this.queueName(queue)), { noAck: false });
        if (!msg) break;
        letters.push(toDeadLetter(msg));
      }
    } finally {
      // Closing the channel without acking puts every message back in the queue.
      await channel.close();
    }
    return letters;
  }

  async replayDeadLetters(queue: string): Promise<number> {
    const channel = await (await this.currentModel()).createConfirmChannel();
    try {
      // Take everything first: a replayed message that fails again must not be picked up twice.
      const taken: Message[] = [];
      for (;;) {
        const msg = await channel.get(deadLetterQueueOf(this.queueName(queue)), { noAck: false });
        if (!msg) break;
        taken.push(msg);
      }
      for (const msg of taken) {
        const headers = { ...msg.properties.headers, 'x-attempt': 1 };
        await confirm(channel, (cb) =>
          channel.sendToQueue(this.queueName(queue), msg.content, { ...msg.properties, headers }, cb),
        );
        channel.ack(msg);
      }
      return taken.length;
    } finally {
      await channel.close();
    }
  }

  isConnected(): boolean {
    return this.publisher !== undefined;
  }

  async close(): Promise<void> {
    this.closing = true;
    for (const s of this.subscriptions) {
      try {
        await s.channel?.close();
      } catch {
        // already closed with its connection
      }
    }
    const deadline = Date.now() + 10_000;
    while (this.inFlight > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    try {
      await this.model?.close();
    } catch {
      // already closed
    }
  }
}

/** Resolves when the broker confirms what `send` published on a confirm channel. */
function confirm(_on: ConfirmChannel, send: (cb: (err: unknown) => void) => void): Promise<void> {
  return new Promise((resolve, reject) => send((err) => (err ? reject(err) : resolve())));
}

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
  };
}
