import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { consumingServices, createLogger, RabbitMqBus } from '@bazaar/platform';
import { eventually } from '@bazaar/platform/testing';
import { Redis } from 'ioredis';
import pg from 'pg';
import { expect } from 'vitest';
import { ProcessPlatform, type ProcessPlatformOptions } from '../../launcher/processes';
import { ADMIN, e2eEnv } from './platforms';
import { createStockedProduct, finalStatuses, ShopClient } from './shop-client';

/** The local-distributed mode (each service its own OS process) against the real servers, for outage tests. */
export async function startProcessPlatform(
  extra: Record<string, string> = {},
  options: Pick<ProcessPlatformOptions, 'restartExited' | 'logDirectory'> = {},
) {
  const env = e2eEnv('server', { LOG_LEVEL: 'warn', ORDER_DEADLINE_SECONDS: '120', ...extra });
  const platform = new ProcessPlatform({
    env,
    // Ports 9180–10068 for HTTP: below 10080, a port fetch refuses to talk to (an offset of 2000 put
    // the gateway there once in 50 runs).
    portOffset: 1100 + Math.floor(Math.random() * 45) * 20,
    output: process.env.E2E_VERBOSE ? (name, line) => console.log(`${name} | ${line}`) : undefined,
    ...options,
  });
  await platform.startAll();
  const admin = await ShopClient.login(platform.gatewayUrl, ADMIN.email, ADMIN.password);
  return { platform, admin, namespace: env.BAZAAR_NAMESPACE!, dataDir: env.BAZAAR_DATA_DIR! };
}

export type ProcessPlatformRun = Awaited<ReturnType<typeof startProcessPlatform>>;

/**
 * 50 shoppers check out the last 40 units while `disrupt` runs: every order must reach a final state,
 * exactly 40 sold, the rest cancelled for stock, nothing left reserved, nothing charged twice, and each
 * shopper placed exactly one order however often they had to ask, and has an empty cart; no event ended in
 * a dead-letter queue.
 */
export async function checkoutsSurvive(
  { platform, admin, namespace }: ProcessPlatformRun,
  disrupt: () => Promise<void>,
) {
  const stock = 40;
  const p = await createStockedProduct(admin, { price: 1000, stock });
  const shoppers = await Promise.all(
    Array.from({ length: 50 }, () => ShopClient.register(platform.gatewayUrl)),
  );
  await Promise.all(shoppers.map((s) => s.addToCart(p.sku, 1)));
  // Each shopper retries a 503 with the same key, as the API asks (a database restart may answer one).
  const checkouts = Promise.all(shoppers.map((s) => s.checkoutRetrying('pm_card_visa', randomUUID())));
  await new Promise((r) => setTimeout(r, 150));
  await disrupt();
  const answers = await checkouts;
  // Any refusal is listed by its status and problem code.
  expect(answers.filter((a) => a.status !== 202).map((a) => `${a.status} ${a.body?.code ?? ''}`)).toEqual([]);
  const placed = answers.map((a, i) => ({ shopper: shoppers[i]!, answer: a }));

  const orders = await Promise.all(
    placed.map(({ shopper, answer }) =>
      shopper.waitForOrder(
        answer.body.orderId,
        (o) => finalStatuses.has(o.status) || o.status === 'COMPLETED',
        150_000,
      ),
    ),
  );
  // Counted as "sold" or the reason of a cancellation, so that a failure shows what happened instead.
  const outcomes: Record<string, number> = {};
  for (const o of orders) {
    const outcome = o.status === 'CANCELLED' ? `CANCELLED ${o.cancelReason}` : 'sold';
    outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
  }
  expect(outcomes).toEqual({ sold: stock, 'CANCELLED OUT_OF_STOCK': 50 - stock });
  const sold = orders.filter((o) => o.status !== 'CANCELLED');

  // Completed orders took their units; nothing is left reserved for a cancelled one, nothing oversold.
  await expect
    .poll(async () => (await admin.ok('GET', `/api/v1/inventory/${p.sku}`)).reserved, { timeout: 30_000 })
    .toBe(0);
  expect((await admin.ok('GET', `/api/v1/inventory/${p.sku}`)).onHand).toBe(stock - sold.length);
  const summary = await admin.ok('GET', '/api/v1/payments/summary');
  expect(summary.ordersChargedTwice).toBe(0);
  for (const o of sold) {
    const owner = placed[orders.indexOf(o)]!.shopper;
    expect((await owner.ok('GET', `/api/v1/payments?orderId=${o.id}`)).status).toBe('SUCCEEDED');
  }
  for (const { shopper } of placed) {
    expect((await shopper.ok('GET', '/api/v1/orders')).items).toHaveLength(1);
    // And their cart no longer offers what they bought.
    await expect
      .poll(async () => (await shopper.ok('GET', '/api/v1/cart')).items, { timeout: 30_000 })
      .toEqual([]);
  }
  // No event gave up on its way: every service's dead-letter queue is empty.
  const bus = await RabbitMqBus.connect(process.env.RABBITMQ_URL!, createLogger('test', 'silent'), {
    namespace,
  });
  try {
    for (const queue of consumingServices) {
      // Just after a broker restart a listing channel may be closed under it: ask again.
      const letters = await eventually(() => bus.listDeadLetters(queue), {
        what: `the dead letters of ${queue}`,
        timeoutMs: 5_000,
        intervalMs: 1_000,
      });
      expect(letters.map((l) => `${queue}: ${l.type} ${l.reason}`)).toEqual([]);
    }
  } finally {
    await bus.close();
  }
}

/** Ends every session on this run's databases (`bazaar_<namespace>…`), as a server restart would. */
export async function dropDatabaseConnections(serverUrl: string, namespace: string): Promise<number> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    const { rows } = await client.query(
      `select pg_terminate_backend(pid) as ended from pg_stat_activity
        where starts_with(datname, $1) and pid <> pg_backend_pid()`,
      [`bazaar_${namespace}`],
    );
    return rows.filter((r) => r.ended).length;
  } finally {
    await client.end();
  }
}

/** Kills this run's Redis clients (their names start with the namespace); the data stays. */
export async function dropRedisConnections(url: string, namespace: string): Promise<number> {
  const redis = new Redis(url);
  try {
    // One line per client: `id=7 addr=… name=… …`.
    const clients = String(await redis.client('LIST'))
      .split('\n')
      .map((line) => Object.fromEntries(line.split(' ').map((field) => field.split('=', 2))));
    const ours = clients.filter((c) => c.name?.startsWith(namespace)).map((c) => String(c.id));
    for (const id of ours) await redis.client('KILL', 'ID', id);
    return ours.length;
  } finally {
    redis.disconnect();
  }
}

export const run = (command: string, ...args: string[]) => promisify(execFile)(command, args);
const rabbitmqctl = (...args: string[]) => run('rabbitmqctl', ...args, '--quiet');

/** This run's broker connections (their connection_name starts with the namespace), by Erlang pid. */
export async function brokerConnectionsOf(namespace: string): Promise<string[]> {
  // One line per connection: its pid, a tab, its client properties.
  const { stdout } = await rabbitmqctl('list_connections', 'pid', 'client_properties', '--no-table-headers');
  return stdout
    .split('\n')
    .filter((line) => line.includes(`{"connection_name","${namespace}`))
    .map((line) => line.split('\t')[0]!);
}

export async function closeBrokerConnections(pids: readonly string[]): Promise<void> {
  await Promise.all(pids.map((pid) => rabbitmqctl('close_connection', pid, 'a broker restart, simulated')));
}
