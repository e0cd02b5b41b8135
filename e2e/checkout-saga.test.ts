import { randomUUID } from 'node:crypto';
import { createEvent, sampleEventData } from '@bazaar/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Platform } from '../launcher/platform';
import { ADMIN, publishRaw, startE2ePlatform, testModes } from './support/platforms';
import { createStockedProduct, ShopClient } from './support/shop-client';

describe.each(testModes())('checkout saga end to end (%s)', (mode) => {
  let platform: Platform;
  let base: string;
  let admin: ShopClient;

  beforeAll(async () => {
    platform = await startE2ePlatform(mode);
    base = platform.gatewayUrl;
    admin = await ShopClient.login(base, ADMIN.email, ADMIN.password);
  });
  afterAll(async () => {
    await platform?.stop();
  });

  const stockOf = async (sku: string) => admin.ok('GET', `/api/v1/inventory/${sku}`);
  const paymentOf = async (shopper: ShopClient, orderId: string) =>
    shopper.request('GET', `/api/v1/payments?orderId=${orderId}`);

  it('completes and delivers a paid order: stock taken once, one charge, an email per step', async () => {
    const a = await createStockedProduct(admin, { price: 1250, stock: 5 });
    const b = await createStockedProduct(admin, { price: 399, stock: 3 });
    const shopper = await ShopClient.register(base);
    await shopper.addToCart(a.sku, 2);
    const cart = await shopper.addToCart(b.sku, 1);
    expect(cart.total).toEqual({ amount: 2 * 1250 + 399, currency: 'EUR' });
    // The shopper ships to an address from their address book (the cart reads it from identity over gRPC).
    const home = await shopper.ok('POST', '/api/v1/me/addresses', {
      name: 'Grace Hopper',
      line1: '1 Harbour Lane',
      city: 'Arlington',
      postalCode: '22201',
      country: 'US',
    });

    const res = await shopper.checkout('pm_card_visa', randomUUID(), home.id);
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ status: 'PENDING' });
    const orderId = res.body.orderId as string;
    expect((await shopper.ok('GET', '/api/v1/cart')).items).toEqual([]);

    const completed = await shopper.waitForOrder(orderId, (o) =>
      ['COMPLETED', 'DELIVERED'].includes(o.status),
    );
    expect(completed.shipment?.trackingNumber).toBeTruthy();
    const delivered = await shopper.waitForOrder(orderId, (o) => o.status === 'DELIVERED');
    expect(delivered.total).toEqual({ amount: 2899, currency: 'EUR' });
    expect(delivered.history.map((h) => h.status)).toEqual([
      'PENDING',
      'STOCK_RESERVED',
      'PAID',
      'COMPLETED',
      'DELIVERED',
    ]);

    // Inventory commits the reservation on ShippingCreated, in its own time.
    await eventuallyEqual(() => stockOf(a.sku), { sku: a.sku, onHand: 3, reserved: 0, available: 3 });
    await eventuallyEqual(() => stockOf(b.sku), { sku: b.sku, onHand: 2, reserved: 0, available: 2 });
    const payment = await paymentOf(shopper, orderId);
    expect(payment.status).toBe(200);
    expect(payment.body).toMatchObject({ status: 'SUCCEEDED', amount: { amount: 2899, currency: 'EUR' } });
    // The parcel goes to the saved address the shopper chose.
    const shipment = await shopper.ok('GET', `/api/v1/shipments?orderId=${orderId}`);
    expect(shipment).toMatchObject({
      status: 'DELIVERED',
      address: { name: 'Grace Hopper', city: 'Arlington' },
    });

    const kinds = await waitForNotifications(shopper, orderId, 4);
    expect(kinds).toEqual(
      expect.arrayContaining(['ORDER_PLACED', 'ORDER_PAID', 'ORDER_SHIPPED', 'ORDER_DELIVERED']),
    );
    // The emails greet the name on the saved address the order went to.
    const placed = (await shopper.ok('GET', '/api/v1/notifications?limit=50')).items.find(
      (n: { orderId: string; kind: string }) => n.orderId === orderId && n.kind === 'ORDER_PLACED',
    );
    expect((await shopper.ok('GET', `/api/v1/notifications/${placed.id}`)).bodyText).toContain(
      'Grace Hopper',
    );
  });

  it('cancels a declined payment and gives the stock back, charging nothing', async () => {
    const p = await createStockedProduct(admin, { stock: 4 });
    const shopper = await ShopClient.register(base);
    await shopper.addToCart(p.sku, 3);
    const { body } = await shopper.checkout('pm_card_chargeDeclined');
    const order = await shopper.waitForOrder(body.orderId);
    expect(order).toMatchObject({ status: 'CANCELLED', cancelReason: 'PAYMENT_DECLINED' });
    await eventuallyEqual(() => stockOf(p.sku), { sku: p.sku, onHand: 4, reserved: 0, available: 4 });
    expect((await paymentOf(shopper, body.orderId)).body).toMatchObject({ status: 'FAILED' });
    const kinds = await waitForNotifications(shopper, body.orderId, 2);
    expect(kinds).toContain('ORDER_CANCELLED');
  });

  it('cancels an order with one line out of stock, reserving and charging nothing', async () => {
    const plenty = await createStockedProduct(admin, { stock: 10 });
    const scarce = await createStockedProduct(admin, { stock: 1 });
    const shopper = await ShopClient.register(base);
    await shopper.addToCart(plenty.sku, 2);
    await shopper.addToCart(scarce.sku, 1);
    // Someone else buys the last unit of the scarce item first.
    await admin.ok('PUT', `/api/v1/inventory/${scarce.sku}`, { onHand: 0 });
    const { body } = await shopper.checkout('pm_card_visa');
    const order = await shopper.waitForOrder(body.orderId);
    expect(order).toMatchObject({ status: 'CANCELLED', cancelReason: 'OUT_OF_STOCK' });
    expect(await stockOf(plenty.sku)).toMatchObject({ onHand: 10, reserved: 0 });
    const payment = await paymentOf(shopper, body.orderId);
    expect(payment.body?.status === 'SUCCEEDED').toBe(false);
  });

  it.each(['pm_card_flaky', 'pm_card_slow'])('completes with %s and charges exactly once', async (method) => {
    const p = await createStockedProduct(admin, { price: 700, stock: 2 });
    const shopper = await ShopClient.register(base);
    await shopper.addToCart(p.sku, 1);
    const { body } = await shopper.checkout(method);
    const order = await shopper.waitForOrder(body.orderId, (o) =>
      ['COMPLETED', 'DELIVERED'].includes(o.status),
    );
    expect(order.status).not.toBe('CANCELLED');
    const payment = (await paymentOf(shopper, body.orderId)).body;
    expect(payment).toMatchObject({ status: 'SUCCEEDED', amount: { amount: 700, currency: 'EUR' } });
    expect(payment.attempts).toBeGreaterThan(1);
    const summary = await admin.ok('GET', '/api/v1/payments/summary');
    expect(summary.ordersChargedTwice).toBe(0);
  });

  it('turns the same checkout sent 5 times at once with one key into one order', async () => {
    const p = await createStockedProduct(admin, { stock: 5 });
    const shopper = await ShopClient.register(base);
    await shopper.addToCart(p.sku, 1);
    const key = randomUUID();
    const answers = await Promise.all(Array.from({ length: 5 }, () => shopper.checkout('pm_card_visa', key)));
    const orderIds = new Set(answers.filter((a) => a.status === 202).map((a) => a.body.orderId));
    expect(orderIds.size).toBe(1);
    for (const a of answers) expect([202, 409]).toContain(a.status);
    const replay = await shopper.checkout('pm_card_visa', key);
    expect(replay.status).toBe(202);
    expect(replay.body.orderId).toBe([...orderIds][0]);
    const reused = await shopper.checkout('pm_card_chargeDeclined', key);
    expect(reused.status).toBe(422);
    await shopper.waitForOrder([...orderIds][0]!);
    const mine = await shopper.ok('GET', '/api/v1/orders');
    expect(mine.items).toHaveLength(1);
  });

  it('sells exactly the stock in a flash sale of 100 buyers for 10 units', async () => {
    const p = await createStockedProduct(admin, { price: 4999, stock: 10, name: 'Flash sale lamp' });
    const buyers: ShopClient[] = [];
    for (let i = 0; i < 100; i += 10) {
      buyers.push(...(await Promise.all(Array.from({ length: 10 }, () => ShopClient.register(base)))));
    }
    // Everyone fills the cart while stock lasts, then all check out at once.
    await Promise.all(buyers.map((b) => b.addToCart(p.sku, 1)));
    const checkouts = await Promise.all(buyers.map((b) => b.checkout('pm_card_visa')));
    expect(checkouts.every((c) => c.status === 202)).toBe(true);
    const orders = await Promise.all(
      buyers.map((b, i) =>
        b.waitForOrder(
          checkouts[i]!.body.orderId,
          (o) => ['COMPLETED', 'DELIVERED', 'CANCELLED'].includes(o.status),
          120_000,
        ),
      ),
    );
    const completed = orders.filter((o) => o.status !== 'CANCELLED');
    const cancelled = orders.filter((o) => o.status === 'CANCELLED');
    expect(completed).toHaveLength(10);
    expect(cancelled).toHaveLength(90);
    expect(cancelled.every((o) => o.cancelReason === 'OUT_OF_STOCK')).toBe(true);
    await eventuallyEqual(() => stockOf(p.sku), { sku: p.sku, onHand: 0, reserved: 0, available: 0 });
    const charged = await Promise.all(
      completed.map(async (o) => {
        const owner = buyers[orders.indexOf(o)]!;
        return (await paymentOf(owner, o.id)).body.amount.amount as number;
      }),
    );
    expect(charged.reduce((s, a) => s + a, 0)).toBe(10 * 4999);
  }, 240_000);

  it('keeps every shopper to their own orders, cart and notifications', async () => {
    const p = await createStockedProduct(admin, { stock: 5 });
    const owner = await ShopClient.register(base);
    const other = await ShopClient.register(base);
    await owner.addToCart(p.sku, 1);
    const { body } = await owner.checkout();
    await owner.waitForOrder(body.orderId);
    expect((await other.request('GET', `/api/v1/orders/${body.orderId}`)).status).toBe(404);
    expect((await other.request('GET', `/api/v1/payments?orderId=${body.orderId}`)).status).toBe(404);
    expect((await other.request('POST', `/api/v1/orders/${body.orderId}/cancel`)).status).toBe(404);
    expect((await other.ok('GET', '/api/v1/orders')).items).toEqual([]);
    const notes = await waitForNotifications(owner, body.orderId, 1);
    expect(notes.length).toBeGreaterThan(0);
    const ownerNote = (await owner.ok('GET', '/api/v1/notifications')).items[0];
    expect((await other.request('GET', `/api/v1/notifications/${ownerNote.id}`)).status).toBe(404);
    // The other shopper reads their own welcome email, nothing about the owner's order.
    await expect
      .poll(async () =>
        (await other.ok('GET', '/api/v1/notifications')).items.map((n: { kind: string }) => n.kind),
      )
      .toEqual(['WELCOME']);
    await other.addToCart(p.sku, 1);
    // A guest cart id that belongs to another user's cart is never readable.
    const peek = await other.request('GET', '/api/v1/cart', undefined, {
      'x-cart-id': owner.session!.user.id,
    });
    expect(peek.status === 404 || (peek.status === 200 && peek.body.id !== owner.session!.user.id)).toBe(
      true,
    );
    const forged = `${owner.session!.accessToken.slice(0, -4)}AAAA`;
    const anon = new ShopClient(base);
    expect(
      (await anon.request('GET', '/api/v1/orders', undefined, { authorization: `Bearer ${forged}` })).status,
    ).toBe(401);
    expect((await anon.request('GET', '/api/v1/orders')).status).toBe(401);
  });

  it('lets a customer cancel before shipping, compensating stock', async () => {
    const p = await createStockedProduct(admin, { stock: 3 });
    const shopper = await ShopClient.register(base);
    await shopper.addToCart(p.sku, 2);
    // pm_card_slow keeps the saga busy in payments long enough to cancel before shipping.
    const { body } = await shopper.checkout('pm_card_slow');
    // The checkout is accepted at once; the order exists as soon as orders has recorded it.
    await shopper.waitForOrder(body.orderId, () => true);
    const cancel = await shopper.request('POST', `/api/v1/orders/${body.orderId}/cancel`);
    if (cancel.status === 202) {
      const order = await shopper.waitForOrder(body.orderId);
      expect(order).toMatchObject({ status: 'CANCELLED', cancelReason: 'CUSTOMER_REQUEST' });
      await eventuallyEqual(() => stockOf(p.sku), { sku: p.sku, onHand: 3, reserved: 0, available: 3 });
    } else {
      // The saga won the race and shipped first: then cancelling is refused.
      expect(cancel.status).toBe(409);
    }
  });

  it("shows an operator a service's dead letters and replays them, to admins only", async () => {
    const path = '/api/v1/admin/dead-letters';
    const shopper = await ShopClient.register(base);
    expect((await new ShopClient(base).request('GET', `${path}/inventory`)).status).toBe(401);
    expect((await shopper.request('GET', `${path}/inventory`)).status).toBe(403);
    expect((await shopper.request('POST', `${path}/inventory/replay`)).status).toBe(403);
    const unknown = await admin.request('GET', `${path}/warehouse`);
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect(unknown.body.code).toBe('dead_letters.unknown_service');

    // An event no consumer can read: every service that takes OrderCancelled dead-letters it at once.
    const poison = {
      ...createEvent('OrderCancelled', sampleEventData('OrderCancelled'), {
        source: '/bazaar/e2e',
        correlationId: 'dead-letter',
      }),
      data: { orderId: 'not-a-uuid' },
    };
    await publishRaw(platform, poison);
    const lettersOf = async (queue: string) =>
      ((await admin.ok('GET', `${path}/${queue}`)).items as { id: string; reason: string }[]).filter(
        (l) => l.id === poison.id,
      );
    await expect.poll(() => lettersOf('inventory'), { timeout: 15_000 }).toHaveLength(1);
    const [letter] = await lettersOf('inventory');
    expect(letter!.reason).toMatch(/orderId/);
    expect(await lettersOf('cart')).toEqual([]);

    // Replayed unchanged, it is dead-lettered again (once).
    const replay = await admin.ok('POST', `${path}/inventory/replay`);
    expect(replay.service).toBe('inventory');
    expect(replay.replayed).toBeGreaterThanOrEqual(1);
    await expect.poll(() => lettersOf('inventory'), { timeout: 15_000 }).toHaveLength(1);

    // A long queue is read a page at a time; `more` says what the page left out.
    await publishRaw(platform, { ...poison, id: randomUUID() });
    await expect
      .poll(async () => (await admin.ok('GET', `${path}/inventory`)).items.length, { timeout: 15_000 })
      .toBeGreaterThanOrEqual(2);
    expect((await admin.ok('GET', `${path}/inventory`)).more).toBe(false);
    const page = await admin.ok('GET', `${path}/inventory?limit=1`);
    expect(page.items).toHaveLength(1);
    expect(page.more).toBe(true);
    expect((await admin.request('GET', `${path}/inventory?limit=0`)).status).toBe(400);
  });
});

async function waitForNotifications(shopper: ShopClient, orderId: string, atLeast: number) {
  const deadline = Date.now() + 20_000;
  let kinds: string[] = [];
  while (Date.now() < deadline) {
    const list = await shopper.ok('GET', '/api/v1/notifications?limit=50');
    kinds = list.items
      .filter((n: { orderId: string }) => n.orderId === orderId)
      .map((n: { kind: string }) => n.kind);
    if (kinds.length >= atLeast) return kinds;
    await new Promise((r) => setTimeout(r, 100));
  }
  return kinds;
}

async function eventuallyEqual(
  probe: () => Promise<Record<string, unknown>>,
  expected: Record<string, unknown>,
  timeoutMs = 15_000,
) {
  const deadline = Date.now() + timeoutMs;
  let last: Record<string, unknown> = {};
  while (Date.now() < deadline) {
    last = await probe();
    if (Object.entries(expected).every(([k, v]) => last[k] === v)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  expect(last).toMatchObject(expected);
}
