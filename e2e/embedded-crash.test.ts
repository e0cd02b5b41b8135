import type { ChildProcess } from 'node:child_process';
import { serviceDirectory } from '@bazaar/platform';
import { afterAll, describe, expect, it } from 'vitest';
import { ADMIN, embeddedScriptEnv, startEmbeddedScript } from './support/platforms';
import { createStockedProduct, ShopClient } from './support/shop-client';

type OrderView = { id: string; status: string; lines: { sku: string; quantity: number }[] };

// The embedded bus keeps its messages in memory: what it held when the process died (delivered but not
// yet handled, or waiting for a retry) died with it, and those sagas stood still until their deadline
// cancelled them. Started again on the same data, the platform hands its consumers again what was
// published in the last minutes, and their inboxes drop what they had applied.
describe('the embedded platform killed in the middle of checkouts', () => {
  const portOffset = 3300;
  const env = embeddedScriptEnv(portOffset);
  const gatewayUrl = `http://127.0.0.1:${serviceDirectory.gateway.port + portOffset}`;
  let platform: ChildProcess | undefined;
  afterAll(() => {
    platform?.kill('SIGKILL');
  });

  /** `npm start`'s own script, on the suite's data folder. */
  const start = () => startEmbeddedScript(env);

  it('carries every order through once it is started again', async () => {
    platform = await start();
    let admin = await ShopClient.login(gatewayUrl, ADMIN.email, ADMIN.password);
    const product = await createStockedProduct(admin, { price: 700, stock: 100 });
    const shoppers = await Promise.all(Array.from({ length: 20 }, () => ShopClient.register(gatewayUrl)));
    await Promise.all(shoppers.map((s) => s.addToCart(product.sku, 1)));

    // SIGKILL once five checkouts are answered: the rest are in flight, the first five's events on their
    // way through the bus.
    const answered: string[] = [];
    const killed = platform;
    await new Promise<void>((resolve) => {
      for (const shopper of shoppers) {
        shopper.checkout('pm_card_visa').then(
          (res) => {
            if (res.status !== 202 || answered.length >= 5) return;
            answered.push(res.body.orderId);
            if (answered.length === 5) {
              killed.kill('SIGKILL');
              resolve();
            }
          },
          () => {}, // cut off by the kill
        );
      }
    });
    await new Promise((resolve) => killed.once('exit', resolve));

    platform = await start();
    admin = await ShopClient.login(gatewayUrl, ADMIN.email, ADMIN.password);
    const ours = async () => {
      const { items } = (await admin.ok('GET', '/api/v1/orders?limit=100')) as { items: OrderView[] };
      return items.filter((o) => o.lines.some((l) => l.sku === product.sku));
    };
    const done = (o: OrderView) => ['COMPLETED', 'DELIVERED'].includes(o.status);
    // Well inside the order deadline (120 s), after which a stalled saga would be cancelled instead.
    const giveUpAt = Date.now() + 30_000;
    let orders = await ours();
    while (!orders.every(done) && Date.now() < giveUpAt) {
      await new Promise((r) => setTimeout(r, 500));
      orders = await ours();
    }
    // Every checkout answered before the kill has its order; those cut off may have one too.
    expect(answered.filter((id) => !orders.some((o) => o.id === id))).toEqual([]);
    expect(orders.filter((o) => !done(o)).map((o) => o.status)).toEqual([]);
    expect(await admin.ok('GET', `/api/v1/inventory/${product.sku}`)).toMatchObject({
      onHand: 100 - orders.length,
      reserved: 0,
    });
    expect((await admin.ok('GET', '/api/v1/payments/summary')).ordersChargedTwice).toBe(0);
  });
});
