import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createEvent, sampleEventData } from '@bazaar/contracts';
import { eq, isNull, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { type Database, openDatabase, openEmbeddedDatabase } from '../db/database';
import { TransientError } from '../errors';
import { createLogger } from '../logger';
import { createMetrics } from '../metrics';
import {
  eventually,
  openEmbeddedTestInfrastructure,
  testEnv,
  testModes,
} from '../testing/test-infrastructure';
import { EmbeddedDeadLetters } from './dead-letter-store';
import { type DeadLetter, type EventBus, PoisonMessageError } from './event-bus';
import { on, type Subscription } from './event-consumer';
import { InProcessBus } from './in-process-bus';
import { createMessaging } from './messaging';
import { OutboxRelay } from './outbox';
import { RabbitMqBus } from './rabbitmq-bus';
import { effects, inbox, outbox } from './testdata/schema';

const logger = createLogger('test', process.env.TEST_LOG_LEVEL ?? 'silent');
const migrationsFolder = new URL('./testdata/migrations', import.meta.url).pathname;

const orderCreated = (overrides: Record<string, unknown> = {}) =>
  createEvent(
    'OrderCreated',
    { ...sampleEventData('OrderCreated'), ...overrides },
    { source: '/bazaar/test', correlationId: 'test' },
  );

describe.each(testModes())('messaging contract (%s)', (mode) => {
  let database: Database;
  let bus: EventBus;
  let closeAll: () => Promise<void>;
  const env = testEnv(mode);
  const delays = [50, 100];

  beforeAll(async () => {
    if (mode === 'embedded') {
      const infra = await openEmbeddedTestInfrastructure();
      database = await openDatabase({ service: 'bustest', migrationsFolder, logger, pglite: infra.pglite });
      bus = new InProcessBus(logger, { delaysMs: delays });
      closeAll = async () => {
        await bus.close();
        await infra.close();
      };
    } else {
      database = await openDatabase({
        service: 'bustest',
        migrationsFolder,
        logger,
        postgresUrl: env.POSTGRES_URL,
        namespace: env.BAZAAR_NAMESPACE,
        poolMax: 4,
      });
      bus = await RabbitMqBus.connect(env.RABBITMQ_URL!, logger, {
        namespace: env.BAZAAR_NAMESPACE,
        delaysMs: delays,
        queueExpiresMs: 600_000,
      });
      closeAll = async () => {
        await bus.close();
        await database.close();
      };
    }
  });
  afterAll(async () => closeAll?.());

  /** Messaging for a consumer of the test's own, started with `subscriptions` and stopped after the test. */
  async function startConsumer(service: string, subscriptions: Subscription[]) {
    const metrics = createMetrics(service);
    const messaging = createMessaging({ service, database, bus, logger, metrics, outbox, inbox });
    onTestFinished(() => messaging.stop());
    await messaging.start(subscriptions);
    return { messaging, metrics };
  }

  it('publishes outbox rows, applies each event once however often it is delivered, and dead-letters bad ones', async () => {
    let failuresLeft = 2;
    const { messaging } = await startConsumer('bustest', [
      on('OrderCreated', async (event, tx) => {
        if (event.data.paymentMethod === 'flaky' && failuresLeft-- > 0) throw new Error('transient trouble');
        await tx.insert(effects).values({ eventId: event.id, note: event.data.paymentMethod });
      }),
    ]);

    const event = orderCreated({ paymentMethod: 'once' });
    await messaging.transact(async (_tx, emit) => emit(event));
    // The same event again, straight on the bus: a redelivery.
    await bus.publish(event);
    await bus.publish(event);
    const flaky = orderCreated({ paymentMethod: 'flaky' });
    await bus.publish(flaky);
    await bus.publish({ ...orderCreated(), data: { orderId: 'not-a-uuid' } } as never);

    await eventually(
      async () => {
        const rows = await database.db.select().from(effects);
        return rows.length === 2 && rows;
      },
      { what: 'two effects' },
    );
    const dead = await eventually(
      async () => {
        const letters = await bus.listDeadLetters('bustest');
        return letters.length === 1 && letters;
      },
      { what: 'a dead letter' },
    );
    expect(dead[0]!.reason).toMatch(/orderId/);
    await new Promise((r) => setTimeout(r, 300));
    const rows = await database.db.select().from(effects);
    expect(rows.filter((r) => r.eventId === event.id)).toHaveLength(1);
    expect(rows.filter((r) => r.eventId === flaky.id)).toHaveLength(1);
    await eventually(
      async () => (await database.db.select().from(outbox).where(isNull(outbox.publishedAt))).length === 0,
      { what: 'every emitted event published' },
    );

    // The operator fixes nothing and replays: the poison message comes back to the dead-letter queue.
    expect(await bus.replayDeadLetters('bustest')).toBe(1);
    await eventually(async () => (await bus.listDeadLetters('bustest')).length === 1, { what: 'dead again' });
    // A queue nobody declared yet (its service never started) has no dead letters, rather than an error.
    expect(await bus.listDeadLetters('never-declared')).toEqual([]);
    expect(await bus.replayDeadLetters('never-declared')).toBe(0);
    expect(bus.isConnected()).toBe(true);
  });

  it('handles a burst in shared transactions, each event once, a failing one on its own', async () => {
    let failuresLeft = 1;
    const { metrics } = await startConsumer('bustest-burst', [
      // Another event type than the test above, whose consumer shares this inbox table.
      on('PaymentSucceeded', async (event, tx) => {
        if (event.data.brand === 'fails-once' && failuresLeft-- > 0) throw new Error('not yet');
        await tx.insert(effects).values({ eventId: event.id, note: event.data.brand });
      }),
    ]);
    const paid = (brand: string) =>
      createEvent(
        'PaymentSucceeded',
        { ...sampleEventData('PaymentSucceeded'), brand },
        { source: '/bazaar/test', correlationId: 'test' },
      );
    const burst = Array.from({ length: 60 }, () => paid('burst'));
    const failing = paid('fails-once');
    // Five of them twice: a redelivery that may land in the same batch as the original.
    await Promise.all([...burst, ...burst.slice(0, 5), failing].map((e) => bus.publish(e)));

    const ids = new Set([...burst, failing].map((e) => e.id));
    const rows = await eventually(
      async () => {
        const found = (await database.db.select().from(effects)).filter((r) => ids.has(r.eventId));
        return found.length >= ids.size && found;
      },
      { what: 'every effect of the burst' },
    );
    await new Promise((r) => setTimeout(r, 200));
    const again = (await database.db.select().from(effects)).filter((r) => ids.has(r.eventId));
    expect(again).toHaveLength(rows.length);
    expect(new Set(again.map((r) => r.eventId)).size).toBe(ids.size);
    expect(failuresLeft).toBeLessThan(0);

    // Group commit happened: fewer transactions than events.
    const values = (await metrics.consumerBatchSize.get()).values;
    const count = values.find((v) => v.metricName === 'events_consumed_per_transaction_count')!.value;
    const sum = values.find((v) => v.metricName === 'events_consumed_per_transaction_sum')!.value;
    expect(sum).toBeGreaterThanOrEqual(ids.size);
    expect(count).toBeLessThan(sum);
  });

  it("applies one order's events in the order they arrived, however many orders share the consumer", async () => {
    let overtaken = 0;
    await startConsumer('bustest-order', [
      on('StockReserved', async (event, tx) => {
        await tx.insert(effects).values({ eventId: event.id, note: `reserved ${event.data.orderId}` });
      }),
      // The next step of an order needs the one before it, as in the saga. (Other event types than the
      // tests above: their consumers share this inbox table.)
      on('ShippingCreated', async (event, tx) => {
        const before = await tx
          .select()
          .from(effects)
          .where(eq(effects.note, `reserved ${event.data.orderId}`));
        if (before.length === 0) {
          overtaken++;
          throw new TransientError('the reservation has not been applied yet');
        }
        await tx.insert(effects).values({ eventId: event.id, note: `shipped ${event.data.orderId}` });
      }),
    ]);
    const orderIds = Array.from({ length: 40 }, () => randomUUID());
    const steps = orderIds.flatMap((orderId) => [
      createEvent(
        'StockReserved',
        { ...sampleEventData('StockReserved'), orderId },
        { source: '/bazaar/test', correlationId: orderId },
      ),
      createEvent(
        'ShippingCreated',
        { ...sampleEventData('ShippingCreated'), orderId },
        { source: '/bazaar/test', correlationId: orderId },
      ),
    ]);
    for (const step of steps) await bus.publish(step);

    await eventually(
      async () => {
        const notes = new Set((await database.db.select().from(effects)).map((r) => r.note));
        return orderIds.every((id) => notes.has(`shipped ${id}`));
      },
      { what: 'every order shipped' },
    );
    expect(overtaken).toBe(0);
  });

  it('leaves rows just committed to the direct publish and picks up what it missed', async () => {
    await database.db.delete(outbox);
    const missed = orderCreated();
    const fresh = orderCreated();
    await database.db.insert(outbox).values([
      {
        id: missed.id,
        type: missed.type,
        routingKey: 'order.created',
        envelope: missed,
        createdAt: new Date(Date.now() - 60_000),
      },
      { id: fresh.id, type: fresh.type, routingKey: 'order.created', envelope: fresh },
    ]);
    const published: string[] = [];
    const countingBus = {
      ...bus,
      publish: async (e: { id: string }) => void published.push(e.id),
    } as EventBus;
    const relay = new OutboxRelay({
      db: database.db,
      table: outbox,
      bus: countingBus,
      logger,
      graceMs: 5_000,
    });
    expect(await relay.drainOnce()).toBe(1);
    expect(published).toEqual([missed.id]);
    expect(await relay.drainOnce()).toBe(0);
  });

  it('lets several relays drain one outbox without publishing a row twice', async () => {
    await database.db.delete(outbox);
    const events = Array.from({ length: 300 }, () => orderCreated());
    await database.db.transaction(async (tx) => {
      for (const e of events) {
        await tx.insert(outbox).values({ id: e.id, type: e.type, routingKey: 'order.created', envelope: e });
      }
    });
    const published: string[] = [];
    const countingBus = {
      ...bus,
      publish: async (e: { id: string }) => void published.push(e.id),
    } as EventBus;
    const relays = Array.from(
      { length: 3 },
      () => new OutboxRelay({ db: database.db, table: outbox, bus: countingBus, logger, batchSize: 25 }),
    );
    await Promise.all(
      relays.map(async (r) => {
        while ((await r.drainOnce()) !== 0) {}
      }),
    );
    expect(published).toHaveLength(300);
    expect(new Set(published).size).toBe(300);
    const [{ left }] = (await database.db
      .select({ left: sql<number>`count(*)::int` })
      .from(outbox)
      .where(isNull(outbox.publishedAt))) as [{ left: number }];
    expect(left).toBe(0);
  });

  it('retries an event while its database is unavailable without spending its attempts', async () => {
    // A type no other consumer of this file takes: they share one inbox table here.
    const event = createEvent('ShipmentDelivered', sampleEventData('ShipmentDelivered'), {
      source: '/bazaar/test',
      correlationId: 'outage',
    });
    let tries = 0;
    const applied: string[] = [];
    await startConsumer('outage-probe', [
      on('ShipmentDelivered', async (e) => {
        // More refusals than the retry schedule (two delays here) has attempts, as a restart would give.
        if (++tries <= 3) {
          throw Object.assign(new Error('the database system is shutting down'), { code: '57P03' });
        }
        applied.push(e.id);
      }),
    ]);
    await bus.publish(event);
    await eventually(() => applied.length > 0, {
      what: 'the event applied after the outage',
      timeoutMs: 20_000,
    });
    expect(applied).toEqual([event.id]);
    expect(tries).toBe(4);
    expect(await bus.listDeadLetters('outage-probe')).toEqual([]);
  });

  if (mode === 'embedded')
    it('hands durable consumers again what the outbox published lately, once each, and live ones nothing', async () => {
      // A type no other consumer of this file takes: they share one inbox table here.
      const cancelled = () =>
        createEvent('OrderCancelled', sampleEventData('OrderCancelled'), {
          source: '/bazaar/test',
          correlationId: 'redelivery',
        });
      const applied: string[] = [];
      const { messaging } = await startConsumer('redelivery-probe', [
        on('OrderCancelled', async (event, tx) => {
          await tx.insert(effects).values({ eventId: event.id, note: 'redelivered' });
          applied.push(event.id);
        }),
      ]);
      const live: string[] = [];
      await bus.subscribe(
        `redelivery-live-${randomUUID().slice(0, 8)}`,
        ['order.cancelled'],
        async (raw) => {
          live.push((raw as { id: string }).id);
        },
        { exclusive: true },
      );
      await database.db.delete(outbox);
      const [stale, applyAgain, lost] = [cancelled(), cancelled(), cancelled()];
      const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000);
      // One applied before the "restart" (its inbox row is there), one the bus lost, one too old to matter.
      await messaging.transact(async (_tx, emit) => emit(applyAgain));
      await eventually(() => applied.includes(applyAgain.id), { what: 'the first delivery' });
      await database.db.insert(outbox).values(
        [stale, lost].map((e, i) => ({
          id: e.id,
          type: e.type,
          routingKey: 'order.cancelled',
          envelope: e,
          publishedAt: minutesAgo(i === 0 ? 10 : 1),
        })),
      );
      live.length = 0;

      const handed = await (bus as InProcessBus).redeliverRecent(5 * 60_000);
      expect(handed).toBe(2);
      await eventually(() => applied.includes(lost.id), { what: 'the lost event applied' });
      await new Promise((r) => setTimeout(r, 200));
      expect(applied.sort()).toEqual([applyAgain.id, lost.id].sort());
      expect(live).toEqual([]);
      // What is published from now on reaches the live consumer as before.
      const fresh = cancelled();
      await bus.publish(fresh);
      await eventually(() => live.includes(fresh.id), { what: 'a new event, live' });
    });

  if (mode === 'embedded')
    it('keeps dead letters in the embedded database across a restart until their replay is handled', async () => {
      const dataDir = mkdtempSync(path.join(tmpdir(), 'bazaar-dead-letters-'));
      onTestFinished(() => rmSync(dataDir, { recursive: true, force: true }));
      const [healed, poison] = [orderCreated(), orderCreated()];
      const reasonOf = (letters: DeadLetter[], id: string) => letters.find((l) => l.id === id)?.reason;

      // The first process: a consumer that fails everything, until every message is a dead letter.
      let pglite = await openEmbeddedDatabase(dataDir);
      let first: InProcessBus | undefined = new InProcessBus(logger, {
        delaysMs: [10],
        deadLetters: await EmbeddedDeadLetters.open(pglite),
      });
      await first.subscribe('kept-letters', ['order.created'], async () => {
        throw new Error('the warehouse is on fire');
      });
      // The same event dead-lettered twice is kept once.
      for (const e of [healed, poison, healed]) await first.publish(e);
      await first.idle();
      await first.close();
      first = undefined;
      await pglite.close();

      // The next process finds them, and replays them to a consumer that handles one and rejects the other.
      pglite = await openEmbeddedDatabase(dataDir);
      onTestFinished(() => pglite.close());
      const handled: string[] = [];
      const next = new InProcessBus(logger, {
        delaysMs: [10],
        deadLetters: await EmbeddedDeadLetters.open(pglite),
      });
      onTestFinished(() => next.close());
      await next.subscribe('kept-letters', ['order.created'], async (raw) => {
        const { id } = raw as { id: string };
        if (id === poison.id) throw new PoisonMessageError('still unreadable');
        handled.push(id);
      });
      const kept = await next.listDeadLetters('kept-letters');
      expect(kept.map((l) => l.id).sort()).toEqual([healed.id, poison.id].sort());
      expect(await next.listDeadLetters('kept-letters', 1)).toEqual(kept.slice(0, 1));
      expect(reasonOf(kept, healed.id)).toMatch(/on fire/);
      expect(kept.find((l) => l.id === healed.id)?.message).toEqual(healed);

      expect(await next.replayDeadLetters('kept-letters')).toBe(2);
      await next.idle();
      expect(handled).toEqual([healed.id]);
      const left = await next.listDeadLetters('kept-letters');
      expect(left.map((l) => l.id)).toEqual([poison.id]);
      expect(reasonOf(left, poison.id)).toMatch(/still unreadable/);
    });

  // Only a real broker can be cut off; the embedded bus lives in the same process.
  if (mode === 'server')
    it('publishes events written while the broker is unreachable once it is back', async () => {
      // A TCP proxy in front of RabbitMQ lets the test cut the connection as a network failure would.
      const proxy = await brokerProxy(env.RABBITMQ_URL!);
      onTestFinished(() => proxy.close());
      const proxiedUrl = proxy.url;
      const cutBus = await RabbitMqBus.connect(proxiedUrl, logger, {
        namespace: env.BAZAAR_NAMESPACE,
        delaysMs: delays,
        queueExpiresMs: 600_000,
      });

      const received: string[] = [];
      await bus.subscribe('outage-observer', ['order.created'], async (raw) => {
        received.push((raw as { id: string }).id);
      });
      // A private queue on the cut connection loses what is published during the cut, and says so.
      let gaps = 0;
      await cutBus.subscribe('outage-live', ['order.created'], async () => {}, {
        exclusive: true,
        afterGap: () => gaps++,
      });
      await database.db.delete(outbox);
      const relay = new OutboxRelay({
        db: database.db,
        table: outbox,
        bus: cutBus,
        logger,
        pollIntervalMs: 50,
      });
      relay.start();

      proxy.accepting = false;
      proxy.cut();
      await eventually(() => !cutBus.isConnected(), { what: 'the cut' });

      const written = Array.from({ length: 5 }, () => orderCreated());
      await database.db.transaction(async (tx) => {
        for (const e of written) {
          await tx
            .insert(outbox)
            .values({ id: e.id, type: e.type, routingKey: 'order.created', envelope: e });
        }
      });
      await new Promise((r) => setTimeout(r, 500));
      const stillWaiting = await database.db.select().from(outbox).where(isNull(outbox.publishedAt));
      expect(stillWaiting).toHaveLength(5);

      expect(gaps).toBe(0);
      proxy.accepting = true;
      await eventually(() => cutBus.isConnected(), { what: 'reconnection', timeoutMs: 30_000 });
      await eventually(() => gaps === 1, { what: 'the gap reported' });
      await eventually(() => written.every((e) => received.includes(e.id)), {
        what: 'late publication',
        timeoutMs: 30_000,
      });
      // The relay marks rows after the broker confirmed them, so a consumer may see an event first.
      const row = await eventually(
        async () => {
          const [r] = await database.db.select().from(outbox).where(eq(outbox.id, written[0]!.id));
          return r?.publishedAt ? r : undefined;
        },
        { what: 'the row marked published' },
      );
      expect(row.attempts).toBeGreaterThan(0);

      await relay.stop();
      await cutBus.close();
    });

  if (mode === 'server')
    it('gives up a subscription or a reconnection the broker stops answering, and connects again', async () => {
      const queue = `stall-probe-${randomUUID().slice(0, 8)}`;
      const proxy = await brokerProxy(env.RABBITMQ_URL!);
      onTestFinished(() => proxy.close());
      const { url } = proxy;
      const stall = (on: boolean) => {
        proxy.stallOn = on ? queue : undefined;
      };
      const options = {
        namespace: env.BAZAAR_NAMESPACE,
        delaysMs: delays,
        setupTimeoutMs: 1_000,
        queueExpiresMs: 600_000,
      };

      // At start-up: the subscription fails (the service's start fails and it is started again).
      stall(true);
      const starting = await RabbitMqBus.connect(url, logger, options);
      await expect(starting.subscribe(queue, ['order.created'], async () => {})).rejects.toThrow(
        /did not answer within 1000 ms subscribing .*stall-probe/,
      );
      proxy.cut();
      await eventually(() => !starting.isConnected(), { what: 'the cut' });
      await starting.close();

      // On reconnection: the stalled attempt is dropped and the next one brings the consumer back.
      stall(false);
      const received: string[] = [];
      const recovering = await RabbitMqBus.connect(url, logger, options);
      onTestFinished(() => recovering.close());
      await recovering.subscribe(queue, ['order.created'], async (raw) => {
        received.push((raw as { id: string }).id);
      });
      stall(true);
      proxy.cut();
      await eventually(() => !recovering.isConnected(), { what: 'the cut' });
      await new Promise((r) => setTimeout(r, 1_500)); // a reconnection is stuck on the declaration
      expect(recovering.isConnected()).toBe(false);
      stall(false);
      await eventually(() => recovering.isConnected(), { what: 'reconnection', timeoutMs: 15_000 });
      const event = orderCreated();
      await bus.publish(event);
      await eventually(() => received.includes(event.id), { what: 'delivery after reconnecting' });
    });

  if (mode === 'server')
    it('fails a publish the broker never confirms after its time-out, for the outbox to send again', async () => {
      const marker = randomUUID(); // the order id of the event the broker will not confirm
      const proxy = await brokerProxy(env.RABBITMQ_URL!);
      onTestFinished(() => proxy.close());
      const publisher = await RabbitMqBus.connect(proxy.url, logger, {
        namespace: env.BAZAAR_NAMESPACE,
        publishTimeoutMs: 500,
      });
      onTestFinished(() => publisher.close());
      await publisher.publish(orderCreated()); // an ordinary one is confirmed
      proxy.stallOn = marker;
      const started = Date.now();
      await expect(publisher.publish(orderCreated({ orderId: marker }))).rejects.toThrow(
        /did not answer within 500 ms confirming OrderCreated/,
      );
      expect(Date.now() - started).toBeLessThan(5_000);
      proxy.cut();
      await eventually(() => !publisher.isConnected(), { what: 'the cut' });
    });

  if (mode === 'server')
    it('keeps a retry that is waiting for its time when its consumer goes away, and applies it once', async () => {
      const options = { namespace: env.BAZAAR_NAMESPACE, delaysMs: [1_500], queueExpiresMs: 600_000 };
      const first = await RabbitMqBus.connect(env.RABBITMQ_URL!, logger, options);
      let triedAt = 0;
      await first.subscribe('held-retry', ['order.created'], async () => {
        triedAt = Date.now();
        throw new Error('transient trouble');
      });
      const event = orderCreated();
      await bus.publish(event);
      await eventually(() => triedAt > 0, { what: 'the first try' });
      // close() lets the failed try finish parking its retry; the retry is then held by this bus's retry
      // consumer until it is due, and that consumer goes away with the bus.
      await new Promise((r) => setTimeout(r, 200));
      await first.close();

      const applied: { id: string; attempt: number; at: number }[] = [];
      const second = await RabbitMqBus.connect(env.RABBITMQ_URL!, logger, options);
      onTestFinished(() => second.close());
      await second.subscribe('held-retry', ['order.created'], async (raw, { attempt }) => {
        applied.push({ id: (raw as { id: string }).id, attempt, at: Date.now() });
      });
      await eventually(() => applied.length > 0, { what: 'the retry, handed back', timeoutMs: 10_000 });
      await new Promise((r) => setTimeout(r, 1_000));
      // Once, as the second attempt, not before it was due.
      expect(applied.map(({ id, attempt }) => ({ id, attempt }))).toEqual([{ id: event.id, attempt: 2 }]);
      expect(applied[0]!.at - triedAt).toBeGreaterThanOrEqual(1_400);
    });

  if (mode === 'server')
    it('dead-letters, unopened, a message whose consumer stopped each time it was handling it', async () => {
      const queue = `crash-probe-${randomUUID().slice(0, 8)}`;
      const proxy = await brokerProxy(env.RABBITMQ_URL!);
      onTestFinished(() => proxy.close());
      const crashing = await RabbitMqBus.connect(proxy.url, logger, {
        namespace: env.BAZAAR_NAMESPACE,
        delaysMs: delays,
        maxDeliveries: 3,
        queueExpiresMs: 600_000,
      });
      onTestFinished(() => crashing.close());
      const poison = orderCreated();
      let handed = 0;
      const unanswered: (() => void)[] = [];
      await crashing.subscribe(queue, ['order.created'], async (raw) => {
        if ((raw as { id: string }).id !== poison.id) return;
        handed++;
        // Never answered while the connection lasts, as in a process that dies handling the message.
        await new Promise<void>((resolve) => unanswered.push(resolve));
      });
      await bus.publish(poison);
      for (let n = 1; n <= 3; n++) {
        await eventually(() => handed === n, { what: `delivery ${n}`, timeoutMs: 15_000 });
        proxy.cut(); // the consumer "crashes": the broker takes the message back and counts it
      }
      const dead = await eventually(
        async () => {
          const letters = await bus.listDeadLetters(queue);
          return letters.length > 0 ? letters : undefined;
        },
        { what: 'the dead letter', timeoutMs: 15_000 },
      );
      expect(dead.map((d) => d.id)).toEqual([poison.id]);
      expect(dead[0]!.reason).toMatch(/3 times without an answer/);
      // The fourth delivery was not handed to the handler.
      expect(handed).toBe(3);
      // The three stuck handlers end now, on channels long gone: nothing is acknowledged or retried, and
      // the message is not handled again.
      for (const answer of unanswered) answer();
      await new Promise((r) => setTimeout(r, 1_000));
      expect(handed).toBe(3);
    });
});

/**
 * A TCP proxy in front of RabbitMQ, to fail the network between a bus and the broker: `cut()` ends every
 * connection, `accepting = false` refuses new ones, and while `stallOn` is set, a connection on which the
 * client sends bytes containing it (a queue's name, an event's content) goes unanswered both ways from
 * then on, as with a broker that accepted the connection and stopped answering.
 */
async function brokerProxy(brokerUrl: string) {
  const target = new URL(brokerUrl);
  const sockets = new Set<net.Socket>();
  const proxy = {
    url: '',
    accepting: true,
    stallOn: undefined as string | undefined,
    cut() {
      for (const s of sockets) s.destroy();
    },
    close() {
      proxy.cut();
      server.close();
    },
  };
  const server = net.createServer((client) => {
    if (!proxy.accepting) return client.destroy();
    const upstream = net.connect(Number(target.port || 5672), target.hostname);
    sockets.add(client).add(upstream);
    let stalled = false;
    client.on('data', (chunk) => {
      if (proxy.stallOn && chunk.includes(proxy.stallOn)) stalled = true;
      if (!stalled) upstream.write(chunk);
    });
    upstream.on('data', (chunk) => {
      if (!stalled) client.write(chunk);
    });
    const drop = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as net.AddressInfo;
  proxy.url = `amqp://${target.username}:${target.password}@127.0.0.1:${port}`;
  return proxy;
}
