import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Platform } from '../launcher/platform';
import { ADMIN, startE2ePlatform, testModes } from './support/platforms';
import { createStockedProduct, ShopClient } from './support/shop-client';

// Every event of the platform is published twice here, so every consumer receives each of its events
// twice; the inbox must keep every effect single.
describe.each(testModes())('every event delivered twice (%s)', (mode) => {
  let platform: Platform;
  let admin: ShopClient;

  beforeAll(async () => {
    platform = await startE2ePlatform(mode, { BAZAAR_DUPLICATE_DELIVERY: '1' });
    admin = await ShopClient.login(platform.gatewayUrl, ADMIN.email, ADMIN.password);
  });
  afterAll(async () => {
    await platform?.stop();
  });

  it('doubles no effect of a delivered order', async () => {
    const p = await createStockedProduct(admin, { price: 1500, stock: 6 });
    const shopper = await ShopClient.register(platform.gatewayUrl);
    await shopper.addToCart(p.sku, 2);
    const { body } = await shopper.checkout('pm_card_visa');
    const order = await shopper.waitForOrder(body.orderId, (o) => o.status === 'DELIVERED');
    expect(order.history.map((h) => h.status)).toEqual([
      'PENDING',
      'STOCK_RESERVED',
      'PAID',
      'COMPLETED',
      'DELIVERED',
    ]);
    // Let any straggling duplicates arrive before counting.
    await new Promise((r) => setTimeout(r, 1_000));
    expect(await admin.ok('GET', `/api/v1/inventory/${p.sku}`)).toMatchObject({ onHand: 4, reserved: 0 });
    const payment = await shopper.ok('GET', `/api/v1/payments?orderId=${body.orderId}`);
    expect(payment).toMatchObject({
      status: 'SUCCEEDED',
      amount: { amount: 3000, currency: 'EUR' },
      refunded: false,
    });
    expect((await admin.ok('GET', '/api/v1/payments/summary')).ordersChargedTwice).toBe(0);
    const notes = (await shopper.ok('GET', '/api/v1/notifications?limit=50')).items as { kind: string }[];
    expect(notes.map((n) => n.kind).sort()).toEqual([
      'ORDER_DELIVERED',
      'ORDER_PAID',
      'ORDER_PLACED',
      'ORDER_SHIPPED',
      'WELCOME',
    ]);
  });

  it('compensates a declined order once', async () => {
    const p = await createStockedProduct(admin, { stock: 5 });
    const shopper = await ShopClient.register(platform.gatewayUrl);
    await shopper.addToCart(p.sku, 2);
    const { body } = await shopper.checkout('pm_card_insufficientFunds');
    const order = await shopper.waitForOrder(body.orderId);
    expect(order).toMatchObject({ status: 'CANCELLED', cancelReason: 'PAYMENT_DECLINED' });
    await new Promise((r) => setTimeout(r, 1_000));
    expect(await admin.ok('GET', `/api/v1/inventory/${p.sku}`)).toMatchObject({ onHand: 5, reserved: 0 });
    expect(order.history.filter((h) => h.status === 'CANCELLED')).toHaveLength(1);
  });
});
