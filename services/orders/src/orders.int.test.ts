import { randomUUID } from 'node:crypto';
import { type EventData, type EventType, sampleEventData } from '@bazaar/contracts';
import { openServiceTestbed, type ServiceTestbed, type TestUser } from '@bazaar/identity/testing';
import type { RunningService } from '@bazaar/platform';
import { eventually, testModes } from '@bazaar/platform/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ordersService } from './service';

describe.each(testModes())('orders (%s)', (mode) => {
  let bed: ServiceTestbed;
  let orders: RunningService;
  let shopper: TestUser;
  let other: TestUser;
  let admin: TestUser;

  beforeAll(async () => {
    bed = await openServiceTestbed(mode, {
      name: 'orders',
      env: { ORDER_DEADLINE_SECONDS: '3', ORDER_SWEEP_MS: '200' },
      observe: ['order.#'],
    });
    orders = await bed.start(ordersService);
    [shopper, other, admin] = await Promise.all([
      bed.identity.customer(),
      bed.identity.customer(),
      bed.identity.admin(),
    ]);
  });
  afterAll(() => bed?.close());

  const send: ServiceTestbed['send'] = (type, data, times) => bed.send(type, data, times);
  const checkout = (user: TestUser, times = 1) => {
    const orderId = randomUUID();
    return send('CartCheckedOut', { orderId, userId: user.id, email: user.email }, times).then(() => orderId);
  };
  const view = async (orderId: string, user: TestUser = shopper) =>
    orders.app.inject({ url: `/api/v1/orders/${orderId}`, headers: user.headers });
  const statusOf = async (orderId: string, user: TestUser = shopper) => {
    const res = await view(orderId, user);
    return res.statusCode === 200 ? (res.json().status as string) : undefined;
  };
  const waitFor = (orderId: string, status: string) =>
    eventually(async () => (await statusOf(orderId)) === status, { what: `order ${status}` });

  it('follows the saga to DELIVERED, each event applied once however often it arrives', async () => {
    const orderId = await checkout(shopper, 2);
    await waitFor(orderId, 'PENDING');
    await send('StockReserved', { orderId }, 2);
    await waitFor(orderId, 'STOCK_RESERVED');
    await send('PaymentSucceeded', { orderId }, 2);
    await waitFor(orderId, 'PAID');
    await send('ShippingCreated', { orderId, trackingNumber: 'BZTRACK123' }, 2);
    await waitFor(orderId, 'COMPLETED');
    await send('ShipmentDelivered', { orderId }, 2);
    await waitFor(orderId, 'DELIVERED');
    const order = (await view(orderId)).json();
    expect(order.history.map((h: { status: string }) => h.status)).toEqual([
      'PENDING',
      'STOCK_RESERVED',
      'PAID',
      'COMPLETED',
      'DELIVERED',
    ]);
    expect(order.shipment).toEqual({ trackingNumber: 'BZTRACK123' });
    expect(order.total).toEqual(sampleEventData('CartCheckedOut').total);
    const mine = (type: EventType) => bed.observed(type, orderId);
    await eventually(() => mine('OrderCompleted').length === 1, { what: 'OrderCompleted' });
    expect(mine('OrderCreated')).toHaveLength(1);
    expect((mine('OrderCreated')[0]!.data as EventData<'OrderCreated'>).paymentKey).toBe('checkout-key-1');
  });

  it('waits for a step that arrives late instead of skipping it', async () => {
    const orderId = await checkout(shopper);
    await waitFor(orderId, 'PENDING');
    await send('PaymentSucceeded', { orderId });
    await new Promise((r) => setTimeout(r, 150));
    expect(await statusOf(orderId)).toBe('PENDING');
    await send('StockReserved', { orderId });
    await waitFor(orderId, 'PAID');
  });

  it('cancels on a failed step and announces the compensation', async () => {
    const outOfStock = await checkout(shopper);
    await send('StockReservationFailed', { orderId: outOfStock }, 2);
    await waitFor(outOfStock, 'CANCELLED');
    expect((await view(outOfStock)).json().cancelReason).toBe('OUT_OF_STOCK');
    const declined = await checkout(shopper);
    await waitFor(declined, 'PENDING');
    await send('StockReserved', { orderId: declined });
    // Events of one order may be applied in any order; wait so that this checks the paid-side cancel.
    await waitFor(declined, 'STOCK_RESERVED');
    await send('PaymentFailed', { orderId: declined });
    await waitFor(declined, 'CANCELLED');
    expect((await view(declined)).json().cancelReason).toBe('PAYMENT_DECLINED');
    const [cancelled] = await eventually(
      () => bed.observed('OrderCancelled', declined).length === 1 && bed.observed('OrderCancelled', declined),
      { what: 'OrderCancelled' },
    );
    expect(cancelled?.data).toMatchObject({ reason: 'PAYMENT_DECLINED', previousStatus: 'STOCK_RESERVED' });
  });

  it('lets the owner cancel before shipping, and refuses after', async () => {
    const open = await checkout(shopper);
    await waitFor(open, 'PENDING');
    const cancel = (id: string, user: TestUser) =>
      orders.app.inject({ method: 'POST', url: `/api/v1/orders/${id}/cancel`, headers: user.headers });
    expect((await cancel(open, other)).statusCode).toBe(404);
    const res = await cancel(open, shopper);
    expect(res.statusCode).toBe(202);
    expect((await view(open)).json()).toMatchObject({
      status: 'CANCELLED',
      cancelReason: 'CUSTOMER_REQUEST',
    });
    expect((await cancel(open, shopper)).json().code).toBe('orders.not_cancellable');

    const shipped = await checkout(shopper);
    await send('StockReserved', { orderId: shipped });
    await send('PaymentSucceeded', { orderId: shipped });
    await send('ShippingCreated', { orderId: shipped });
    await waitFor(shipped, 'COMPLETED');
    expect((await cancel(shipped, shopper)).statusCode).toBe(409);
  });

  it('cancels a saga that stalls past its deadline', async () => {
    const orderId = await checkout(shopper);
    await waitFor(orderId, 'PENDING');
    await send('StockReserved', { orderId });
    await eventually(async () => (await statusOf(orderId)) === 'CANCELLED', {
      what: 'timeout',
      timeoutMs: 10_000,
    });
    expect((await view(orderId)).json().cancelReason).toBe('TIMEOUT');
  });

  it('shows an order to its owner and administrators only', async () => {
    const orderId = await checkout(shopper);
    await waitFor(orderId, 'PENDING');
    expect((await view(orderId, other)).statusCode).toBe(404);
    expect((await view(orderId, admin)).statusCode).toBe(200);
    expect((await orders.app.inject({ url: `/api/v1/orders/${orderId}` })).statusCode).toBe(401);
    expect(
      (await orders.app.inject({ url: '/api/v1/orders/not-a-uuid', headers: shopper.headers })).statusCode,
    ).toBe(400);
    const mine = (
      await orders.app.inject({ url: '/api/v1/orders?limit=100', headers: shopper.headers })
    ).json().items;
    expect(mine.length).toBeGreaterThan(1);
    const theirs = (await orders.app.inject({ url: '/api/v1/orders', headers: other.headers })).json().items;
    expect(theirs).toEqual([]);
    const all = (await orders.app.inject({ url: '/api/v1/orders?limit=100', headers: admin.headers })).json()
      .items;
    expect(all.length).toBeGreaterThanOrEqual(mine.length);
  });

  it("lists orders by status, and an administrator's own with mine=true", async () => {
    const pending = await checkout(shopper);
    const cancelled = await checkout(shopper);
    await waitFor(pending, 'PENDING');
    await waitFor(cancelled, 'PENDING');
    await send('StockReservationFailed', { orderId: cancelled });
    await waitFor(cancelled, 'CANCELLED');
    const list = async (query: string, user: TestUser = admin) =>
      orders.app.inject({ url: `/api/v1/orders?limit=100&${query}`, headers: user.headers });

    const onlyCancelled = (await list('status=CANCELLED')).json().items as { id: string; status: string }[];
    expect(onlyCancelled.map((o) => o.id)).toContain(cancelled);
    expect(onlyCancelled.map((o) => o.id)).not.toContain(pending);
    expect(onlyCancelled.every((o) => o.status === 'CANCELLED')).toBe(true);
    const either = (await list('status=PENDING,CANCELLED')).json().items as { id: string }[];
    expect(either.map((o) => o.id)).toEqual(expect.arrayContaining([pending, cancelled]));
    expect((await list('status=PENDING', other)).json().items).toEqual([]);

    const bad = await list('status=LOST');
    expect(bad.statusCode).toBe(400);
    expect(bad.headers['content-type']).toContain('application/problem+json');

    expect((await list('mine=true')).json().items).toEqual([]);
    expect((await list('mine=true', shopper)).json().items.map((o: { id: string }) => o.id)).toContain(
      pending,
    );
  });
});
