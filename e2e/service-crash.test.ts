import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProcessPlatform } from '../launcher/processes';
import { ADMIN, e2eEnv } from './support/platforms';
import { createStockedProduct, finalStatuses, ShopClient } from './support/shop-client';

const infra = ['POSTGRES_URL', 'RABBITMQ_URL', 'REDIS_URL'].every((v) => process.env[v]);
if (!infra && process.env.CI)
  throw new Error('the crash test needs POSTGRES_URL, RABBITMQ_URL and REDIS_URL in CI');

// The local-distributed mode: each service its own OS process against PostgreSQL, RabbitMQ and Redis.
// Services are SIGKILLed while checkouts are in flight and started again; nothing may be lost or doubled.
describe.skipIf(!infra)('a service killed mid-saga (multi-process)', () => {
  let platform: ProcessPlatform;
  let admin: ShopClient;

  beforeAll(async () => {
    const env = e2eEnv('server', { LOG_LEVEL: 'warn', ORDER_DEADLINE_SECONDS: '120' });
    platform = new ProcessPlatform({
      env,
      // Offsets avoid 10080, a port fetch refuses to talk to.
      portOffset: 1100 + Math.floor(Math.random() * 50) * 20,
      output: process.env.E2E_VERBOSE ? (name, line) => console.log(`${name} | ${line}`) : undefined,
    });
    await platform.startAll();
    admin = await ShopClient.login(platform.gatewayUrl, ADMIN.email, ADMIN.password);
  }, 180_000);
  afterAll(async () => {
    await platform?.stopAll();
  });

  it.each(['payments', 'orders', 'inventory'] as const)(
    'finishes every order without double charges or lost stock when %s is killed',
    async (victim) => {
      const stock = 40;
      const p = await createStockedProduct(admin, { price: 1000, stock });
      const shoppers = await Promise.all(
        Array.from({ length: 50 }, () => ShopClient.register(platform.gatewayUrl)),
      );
      await Promise.all(shoppers.map((s) => s.addToCart(p.sku, 1)));
      const checkouts = Promise.all(shoppers.map((s) => s.checkout('pm_card_visa', randomUUID())));
      await new Promise((r) => setTimeout(r, 150));
      await platform.kill(victim);
      await new Promise((r) => setTimeout(r, 1_000));
      await platform.start(victim);
      const answers = await checkouts;
      const placed = answers
        .map((a, i) => ({ shopper: shoppers[i]!, answer: a }))
        .filter((x) => x.answer.status === 202);
      expect(placed.length).toBe(50);

      const orders = await Promise.all(
        placed.map(({ shopper, answer }) =>
          shopper.waitForOrder(
            answer.body.orderId,
            (o) => finalStatuses.has(o.status) || o.status === 'COMPLETED',
            150_000,
          ),
        ),
      );
      const sold = orders.filter((o) => o.status !== 'CANCELLED');
      expect(sold.length).toBe(stock);
      expect(
        orders.filter((o) => o.status === 'CANCELLED').every((o) => o.cancelReason === 'OUT_OF_STOCK'),
      ).toBe(true);

      const level = await admin.ok('GET', `/api/v1/inventory/${p.sku}`);
      // Completed orders took their units; nothing is left reserved for a cancelled one, nothing oversold.
      await expect
        .poll(async () => (await admin.ok('GET', `/api/v1/inventory/${p.sku}`)).reserved, { timeout: 30_000 })
        .toBe(0);
      expect(level.onHand).toBeGreaterThanOrEqual(0);
      expect((await admin.ok('GET', `/api/v1/inventory/${p.sku}`)).onHand).toBe(stock - sold.length);
      const summary = await admin.ok('GET', '/api/v1/payments/summary');
      expect(summary.ordersChargedTwice).toBe(0);
      for (const o of sold) {
        const owner = placed[orders.indexOf(o)]!.shopper;
        expect((await owner.ok('GET', `/api/v1/payments?orderId=${o.id}`)).status).toBe('SUCCEEDED');
      }
    },
    300_000,
  );
});
