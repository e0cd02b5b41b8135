/**
 * What one step of a checkout costs on this machine, measured alone: a PostgreSQL statement, a write
 * transaction, one event through RabbitMQ, one HTTP request. Each is run one at a time, so nothing is
 * batched (under load, the services share commits and broker work between events, and a step costs less).
 * Beside the steps per order that the checkout runs count, it shows where an order's CPU goes.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import amqp from 'amqplib';
import pg from 'pg';
import { cpuByProcess } from './cpu';

interface UnitCost {
  step: string;
  /** CPU microseconds per step in this process (the client side). */
  clientUs: number;
  /** CPU microseconds per step in the server's processes. */
  serverUs: number;
  server: string;
}

/** Runs `step` `times` times one after the other and splits the CPU spent between client and server. */
async function measure(
  step: string,
  server: string,
  times: number,
  run: (i: number) => Promise<unknown>,
): Promise<UnitCost> {
  for (let i = 0; i < Math.min(500, times); i++) await run(i); // warm-up: JIT, prepared statements
  const before = cpuByProcess();
  const client = process.cpuUsage();
  for (let i = 0; i < times; i++) await run(i);
  const spent = process.cpuUsage(client);
  const after = cpuByProcess();
  const serverMs = (after.get(server) ?? 0) - (before.get(server) ?? 0);
  return {
    step,
    clientUs: (spent.user + spent.system) / times,
    serverUs: (serverMs * 1000) / times,
    server,
  };
}

async function postgresCosts(url: string, times: number): Promise<UnitCost[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const table = `bench_unit_costs_${process.pid}`;
  try {
    await client.query(`create table ${table} (id int primary key, v text)`);
    await client.query(`insert into ${table} select g, 'x' from generate_series(1, 1000) g`);
    const select = { name: 'unit-select', text: `select id, v from ${table} where id = $1` };
    const update = { name: 'unit-update', text: `update ${table} set v = $2 where id = $1` };
    return [
      await measure('PostgreSQL statement (prepared select by key)', 'postgres', times, (i) =>
        client.query({ ...select, values: [(i % 1000) + 1] }),
      ),
      await measure('PostgreSQL write transaction (begin, update, commit)', 'postgres', times, async (i) => {
        await client.query('begin');
        await client.query({ ...update, values: [(i % 1000) + 1, String(i)] });
        await client.query('commit');
      }),
    ];
  } finally {
    await client.query(`drop table if exists ${table}`);
    await client.end();
  }
}

/**
 * One event as the services move it: published with a confirm, through a durable queue, consumed, acked.
 * The services' queues are quorum queues; a classic queue is measured beside it for comparison.
 */
async function rabbitCost(url: string, times: number, type: 'quorum' | 'classic'): Promise<UnitCost> {
  const connection = await amqp.connect(url);
  const exchange = `bench.units.${process.pid}.${type}`;
  const queue = `bench.units.${process.pid}.${type}`;
  try {
    const publisher = await connection.createConfirmChannel();
    const consumer = await connection.createChannel();
    await publisher.assertExchange(exchange, 'topic', { durable: true });
    await consumer.assertQueue(queue, { durable: true, arguments: { 'x-queue-type': type } });
    await consumer.bindQueue(queue, exchange, 'unit.#');
    await consumer.prefetch(32);
    let arrived: (() => void) | undefined;
    await consumer.consume(queue, (msg) => {
      if (!msg) return;
      consumer.ack(msg);
      arrived?.();
    });
    const body = Buffer.from(JSON.stringify({ id: randomUUID(), type: 'UnitCost', data: { n: 0 } }));
    const hop = () =>
      new Promise<void>((resolve, reject) => {
        let confirmed = false;
        let delivered = false;
        arrived = () => {
          delivered = true;
          if (confirmed) resolve();
        };
        publisher.publish(exchange, 'unit.cost', body, { persistent: true }, (err) => {
          if (err) return reject(err);
          confirmed = true;
          if (delivered) resolve();
        });
      });
    return await measure(
      `RabbitMQ event (publish + confirm, ${type} queue, consume + ack)`,
      'rabbitmq',
      times,
      hop,
    );
  } finally {
    const cleanup = await connection.createChannel();
    await cleanup.deleteQueue(queue).catch(() => {});
    await cleanup.deleteExchange(exchange).catch(() => {});
    await connection.close();
  }
}

async function httpCost(times: number): Promise<UnitCost> {
  const port = 10098;
  const hello = spawn(process.execPath, ['--import', 'tsx', 'bench/hello-server.ts'], {
    env: { ...process.env, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  try {
    await ready(hello);
    const url = `http://127.0.0.1:${port}/`;
    return await measure('HTTP request (keep-alive, bare Fastify hello)', 'hello server', times, async () => {
      const res = await fetch(url);
      await res.text();
    });
  } finally {
    const exited = new Promise((r) => hello.once('exit', r));
    hello.kill('SIGTERM');
    await exited;
  }
}

function ready(child: ChildProcess): Promise<void> {
  return new Promise((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('ready')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`hello server exited (${code})`)));
  });
}

export async function runUnitCosts(options: {
  postgresUrl?: string;
  rabbitmqUrl?: string;
  times: number;
}): Promise<void> {
  const costs: UnitCost[] = [];
  if (options.postgresUrl) costs.push(...(await postgresCosts(options.postgresUrl, options.times)));
  if (options.rabbitmqUrl) {
    costs.push(await rabbitCost(options.rabbitmqUrl, options.times, 'quorum'));
    costs.push(await rabbitCost(options.rabbitmqUrl, options.times, 'classic'));
  }
  costs.push(await httpCost(options.times));
  console.log(`\nOne step at a time, ${options.times} times each: CPU µs per step`);
  console.table(
    costs.map((c) => ({
      step: c.step,
      'client µs': Math.round(c.clientUs),
      'server µs': Math.round(c.serverUs),
      server: c.server,
      'total µs': Math.round(c.clientUs + c.serverUs),
    })),
  );
}
