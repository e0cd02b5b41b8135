import { randomUUID } from 'node:crypto';
import { openServiceTestbed, type ServiceTestbed, type TestUser } from '@bazaar/identity/testing';
import type { RunningService } from '@bazaar/platform';
import { eventually, metricValue, testModes } from '@bazaar/platform/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ordersService } from './service';

// Every event of these sagas arrives three times at once: the figures must count each order once.
describe.each(testModes())('orders metrics (%s)', (mode) => {
  let bed: ServiceTestbed;
  let orders: RunningService;
  let shopper: TestUser;

  beforeAll(async () => {
    bed = await openServiceTestbed(mode, {
      name: 'orders-metrics',
      // No sweep: an order past its deadline stays where it is, a stuck saga.
      env: { ORDER_DEADLINE_SECONDS: '4', ORDER_SWEEP_MS: '3600000' },
    });
    orders = await bed.start(ordersService);
    shopper = await bed.identity.customer();
  });
  afterAll(() => bed?.close());

  const scrape = async () => (await orders.app.inject({ url: '/metrics' })).body;
  const statusOf = async (orderId: string) => {
    const res = await orders.app.inject({ url: `/api/v1/orders/${orderId}`, headers: shopper.headers });
    return res.statusCode === 200 ? (res.json().status as string) : undefined;
  };
  const waitFor = (orderId: string, status: string) =>
    eventually(async () => (await statusOf(orderId)) === status, { what: `order ${status}` });
  const checkout = async (times: number) => {
    const orderId = randomUUID();
    await bed.send('CartCheckedOut', { orderId, userId: shopper.id, email: shopper.email }, times);
    await waitFor(orderId, 'PENDING');
    return orderId;
  };

  it('counts an order created and completed once, however often its events arrive', async () => {
    const orderId = await checkout(3);
    await bed.send('StockReserved', { orderId }, 3);
    await waitFor(orderId, 'STOCK_RESERVED');
    await bed.send('PaymentSucceeded', { orderId }, 3);
    await waitFor(orderId, 'PAID');
    await bed.send('ShippingCreated', { orderId, trackingNumber: 'BZMETRICS1' }, 3);
    await waitFor(orderId, 'COMPLETED');
    // The repeats reach the consumer too (counted as duplicates) before the figures are read.
    await eventually(
      async () => metricValue(await scrape(), 'events_consumed_total', { type: 'ShippingCreated' }) === 3,
      { what: 'every ShippingCreated delivery consumed' },
    );

    const text = await scrape();
    expect(metricValue(text, 'orders_created_total')).toBe(1);
    expect(metricValue(text, 'orders_finished_total', { final_state: 'COMPLETED' })).toBe(1);
    expect(metricValue(text, 'saga_duration_seconds_count', { final_state: 'COMPLETED' })).toBe(1);
    expect(metricValue(text, 'events_consumed_total', { type: 'ShippingCreated', outcome: 'applied' })).toBe(
      1,
    );
    expect(
      metricValue(text, 'events_consumed_total', { type: 'ShippingCreated', outcome: 'duplicate' }),
    ).toBe(2);
    expect(metricValue(text, 'event_handling_duration_seconds_count', { type: 'ShippingCreated' })).toBe(3);
  });

  it('counts a cancelled order once, with its reason', async () => {
    const orderId = await checkout(1);
    await bed.send('StockReservationFailed', { orderId }, 3);
    await waitFor(orderId, 'CANCELLED');
    await eventually(
      async () =>
        metricValue(await scrape(), 'events_consumed_total', { type: 'StockReservationFailed' }) === 3,
      { what: 'every StockReservationFailed delivery consumed' },
    );
    const text = await scrape();
    expect(metricValue(text, 'orders_finished_total', { final_state: 'CANCELLED' })).toBe(1);
    expect(
      metricValue(text, 'orders_finished_total', { final_state: 'CANCELLED', reason: 'OUT_OF_STOCK' }),
    ).toBe(1);
    expect(metricValue(text, 'saga_duration_seconds_count', { final_state: 'CANCELLED' })).toBe(1);
  });

  it('counts a failed delivery that will be tried again as a retry, not a dead letter', async () => {
    // A step of an order not recorded yet: the handler fails and the bus tries it again later.
    await bed.send('StockReserved', { orderId: randomUUID() });
    const text = await eventually(
      async () => {
        const text = await scrape();
        return (metricValue(text, 'event_retries_total', { type: 'StockReserved' }) ?? 0) >= 1
          ? text
          : undefined;
      },
      { what: 'a retry counted' },
    );
    expect(
      metricValue(text, 'events_consumed_total', { type: 'StockReserved', outcome: 'failed' }),
    ).toBeGreaterThanOrEqual(1);
    expect(metricValue(text, 'events_dead_lettered_total')).toBeUndefined();
  });

  it('reports a saga past its deadline as stuck', async () => {
    await checkout(1);
    // Past the 4 s deadline, and past the 5 s the gauge keeps a reading.
    const stuck = await eventually(
      async () => {
        const value = metricValue(await scrape(), 'sagas_stuck') ?? 0;
        return value >= 1 ? value : undefined;
      },
      { what: 'a stuck saga', timeoutMs: 20_000, intervalMs: 500 },
    );
    expect(stuck).toBeGreaterThanOrEqual(1);
  }, 30_000);
});
