/**
 * The saga's floor: how many orders a second PostgreSQL and RabbitMQ alone allow on this machine when an
 * order is nothing but its messaging, done the way ARCHITECTURE.md asks and with nothing else. An order
 * publishes as many events as the checkout does (14): a chain of 6 from checkout to COMPLETED (cart →
 * orders → inventory → payments → shipping → orders), each handled by the next stage, and 8 more on the
 * side (stock changes, status changes, deliveries) that cost work but hold no one up; three of the chain's
 * events are also consumed by a watcher, as notifications does, for 17 consumed in all. Every event is
 * written to an outbox in a transaction, published with a confirm to a topic exchange, routed to a durable
 * quorum queue, and consumed by a stage that writes its inbox row and the outbox rows of what it emits in
 * one transaction (events that arrive together share it, as the services' consumers do); then the relay
 * marks the rows published. No HTTP, no gRPC, no schemas, no business rules, one Node.js process for every
 * stage: the services' real checkout cannot do better than this.
 */
import { randomUUID } from 'node:crypto';
import amqp, { type ConsumeMessage } from 'amqplib';
import pg from 'pg';
import { cpuByProcess, machineCpu } from './cpu';

export interface FloorOptions {
  postgresUrl: string;
  rabbitmqUrl: string;
  /** Events in a row from checkout to COMPLETED (6). */
  chain: number;
  /** Events an order publishes besides its chain (8, for 14 in all). */
  side: number;
  /** Events of the chain a watcher consumes too (notifications: 3). */
  watched: readonly number[];
  /** Consuming queues (the services that consume: 7); more than the chain's events. */
  stages: number;
  /** Orders in flight at once (shoppers). */
  concurrency: number;
  warmupSeconds: number;
  durationSeconds: number;
}

interface Envelope {
  specversion: '1.0';
  id: string;
  source: string;
  type: string;
  time: string;
  correlationid: string;
  data: {
    orderId: string;
    /** The event's place in the chain, or -1 for one on the side. */
    hop: number;
    startedAt: number;
    lines: { sku: string; quantity: number }[];
  };
}

/** The largest batch a stage takes into one transaction, and how many batches it runs at once. */
const BATCH = 32;
const BATCHES_AT_ONCE = 4;

export async function runSagaFloor(options: FloorOptions) {
  const run = `bench_floor_${process.pid}`;
  const pool = new pg.Pool({ connectionString: options.postgresUrl, max: options.stages + 2 });
  const connection = await amqp.connect(options.rabbitmqUrl);
  const publisher = await connection.createConfirmChannel();
  const exchange = `${run}.events`;
  const queues = Array.from({ length: options.stages }, (_, k) => `${run}.stage${k}`);
  const latencies: number[] = [];
  let measuring = false;
  let stopping = false;
  let completed = 0;

  // The side events, spread over the chain's events as evenly as they go.
  const sideTypes = Array.from({ length: options.side }, (_, j) => `side.${j}`);
  const sideOf = Array.from({ length: options.chain }, (_, h) =>
    sideTypes.filter((_, j) => j % options.chain === h),
  );
  if (options.stages <= options.chain) throw new Error('the watcher needs a stage of its own');

  await pool.query(`create schema ${run}`);
  await pool.query(`create table ${run}.inbox (event_id uuid primary key, type text not null,
    processed_at timestamptz not null default now())`);
  await pool.query(`create table ${run}.outbox (id uuid primary key, type text not null,
    routing_key text not null, envelope jsonb not null, created_at timestamptz not null default now(),
    published_at timestamptz)`);
  await publisher.assertExchange(exchange, 'topic', { durable: true });

  const routingKeyOf = (e: Envelope) => (e.data.hop >= 0 ? `chain.${e.data.hop}` : e.type);
  const eventFor = (orderId: string, hop: number, startedAt: number, type = `Chain${hop}`): Envelope => ({
    specversion: '1.0',
    id: randomUUID(),
    source: '/bazaar/bench',
    type,
    time: new Date().toISOString(),
    correlationid: orderId,
    data: { orderId, hop, startedAt, lines: [{ sku: 'SKU-FLOOR-1', quantity: 1 }] },
  });

  /** The relay: publish with confirms, then mark the rows published (one statement for the batch). */
  async function relay(events: Envelope[]) {
    if (events.length === 0) return;
    await Promise.all(
      events.map(
        (e) =>
          new Promise<void>((resolve, reject) =>
            publisher.publish(
              exchange,
              routingKeyOf(e),
              Buffer.from(JSON.stringify(e)),
              { persistent: true, messageId: e.id, contentType: 'application/cloudevents+json' },
              (err) => (err ? reject(err) : resolve()),
            ),
          ),
      ),
    );
    await pool.query({
      name: 'floor-mark',
      text: `update ${run}.outbox set published_at = now() where id = any($1::uuid[])`,
      values: [events.map((e) => e.id)],
    });
  }

  const insertOutbox = {
    name: 'floor-outbox',
    text: `insert into ${run}.outbox (id, type, routing_key, envelope)
      select * from unnest($1::uuid[], $2::text[], $3::text[], $4::jsonb[])`,
  };
  const outboxValues = (events: Envelope[]) => [
    events.map((e) => e.id),
    events.map((e) => e.type),
    events.map(routingKeyOf),
    events.map((e) => JSON.stringify(e)),
  ];

  /** The checkout: an order's first event, written to the outbox and relayed (no state rows here). */
  async function startOrder() {
    if (stopping) return;
    const first = eventFor(randomUUID(), 0, performance.now());
    await pool.query({ ...insertOutbox, values: outboxValues([first]) });
    await relay([first]);
  }

  /** A consuming service: takes what has arrived, applies it in one transaction, relays what it emits. */
  async function stage(queue: string, index: number) {
    const channel = await connection.createChannel();
    await channel.assertQueue(queue, { durable: true, arguments: { 'x-queue-type': 'quorum' } });
    // Stage k carries the chain's event k on; the last stage watches; side events go round the stages.
    const watcher = index === options.stages - 1;
    const keys = [
      ...(index < options.chain ? [`chain.${index}`] : []),
      ...(watcher ? options.watched.map((h) => `chain.${h}`) : []),
      ...sideTypes.filter((_, j) => j % options.stages === index),
    ];
    for (const key of keys) await channel.bindQueue(queue, exchange, key);
    await channel.prefetch(BATCH * BATCHES_AT_ONCE);
    const pending: ConsumeMessage[] = [];
    let running = 0;
    const drain = async () => {
      if (running === BATCHES_AT_ONCE || pending.length === 0) return;
      running++;
      const batch = pending.splice(0, BATCH);
      const events = batch.map((m) => JSON.parse(m.content.toString()) as Envelope);
      // Only the stage that carries an event on emits; the watcher and side consumers just record it.
      const carried = events.filter((e) => e.data.hop === index);
      const next = carried.flatMap((e) => [
        ...(e.data.hop + 1 < options.chain
          ? [eventFor(e.data.orderId, e.data.hop + 1, e.data.startedAt)]
          : []),
        ...sideOf[e.data.hop]!.map((type) => eventFor(e.data.orderId, -1, e.data.startedAt, type)),
      ]);
      const client = await pool.connect();
      try {
        await client.query('begin');
        await client.query({
          name: 'floor-inbox',
          text: `insert into ${run}.inbox (event_id, type)
            select * from unnest($1::uuid[], $2::text[]) on conflict do nothing`,
          values: [events.map((e) => e.id), events.map((e) => e.type)],
        });
        if (next.length > 0) await client.query({ ...insertOutbox, values: outboxValues(next) });
        await client.query('commit');
      } finally {
        client.release();
      }
      await relay(next);
      for (const m of batch) channel.ack(m);
      for (const e of carried) {
        if (e.data.hop + 1 < options.chain) continue;
        if (measuring) {
          completed++;
          latencies.push(performance.now() - e.data.startedAt);
        }
        void startOrder().catch((err: unknown) => {
          if (!stopping) throw err;
        });
      }
      running--;
      void kick();
    };
    // When the run stops, channels close under batches still in flight: their failures do not matter.
    const kick = () =>
      drain().catch((err: unknown) => {
        if (!stopping) throw err;
      });
    await channel.consume(queue, (msg) => {
      if (!msg) return;
      pending.push(msg);
      void kick();
    });
    return channel;
  }

  try {
    const channels = await Promise.all(queues.map((q, k) => stage(q, k)));
    for (let i = 0; i < options.concurrency; i++) void startOrder();
    await sleep(options.warmupSeconds * 1000);
    const cpuBefore = machineCpu();
    const byProcessBefore = cpuByProcess();
    measuring = true;
    const started = performance.now();
    await sleep(options.durationSeconds * 1000);
    measuring = false;
    const seconds = (performance.now() - started) / 1000;
    const cpuAfter = machineCpu();
    const byProcessAfter = cpuByProcess();
    stopping = true;
    await sleep(1000);
    for (const c of channels) await c.close().catch(() => {});

    const busyMs = cpuBefore && cpuAfter ? cpuAfter.busyMs - cpuBefore.busyMs : Number.NaN;
    const totalMs = cpuBefore && cpuAfter ? cpuAfter.totalMs - cpuBefore.totalMs : Number.NaN;
    const perOrder = (name: string) =>
      (((byProcessAfter.get(name) ?? 0) - (byProcessBefore.get(name) ?? 0)) / completed).toFixed(1);
    latencies.sort((a, b) => a - b);
    const pct = (p: number) => Math.round(latencies[Math.floor((latencies.length - 1) * p)] ?? Number.NaN);
    return {
      events: options.chain + options.side,
      'in flight': options.concurrency,
      'orders/s': (completed / seconds).toFixed(1),
      'p50 ms': pct(0.5),
      'p99 ms': pct(0.99),
      'CPU ms/order': (busyMs / completed).toFixed(1),
      'CPU busy': `${Math.round((busyMs / totalMs) * 100)} %`,
      postgres: perOrder('postgres'),
      rabbitmq: perOrder('rabbitmq'),
      'stages (Node)': perOrder('load generator'),
    };
  } finally {
    const cleanup = await connection.createChannel().catch(() => undefined);
    for (const q of queues) await cleanup?.deleteQueue(q).catch(() => {});
    await cleanup?.deleteExchange(exchange).catch(() => {});
    await connection.close().catch(() => {});
    await pool.query(`drop schema if exists ${run} cascade`).catch(() => {});
    await pool.end();
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
