import { randomUUID } from 'node:crypto';
import type { EventType } from '@bazaar/contracts';
import { openServiceTestbed, type ServiceTestbed, type TestUser } from '@bazaar/identity/testing';
import type { RunningService } from '@bazaar/platform';
import { eventually, testModes } from '@bazaar/platform/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { paymentsService } from './service';

describe.each(testModes())('payments (%s)', (mode) => {
  let bed: ServiceTestbed;
  let payments: RunningService;
  let shopper: TestUser;
  let other: TestUser;
  let admin: TestUser;

  beforeAll(async () => {
    bed = await openServiceTestbed(mode, {
      name: 'payments',
      env: { PROVIDER_TIMEOUT_MS: '200', PROVIDER_SLOW_MS: '400', PAYMENT_POLL_MS: '50' },
      observe: ['payment.#'],
    });
    payments = await bed.start(paymentsService);
    [shopper, other, admin] = await Promise.all([
      bed.identity.customer(),
      bed.identity.customer(),
      bed.identity.admin(),
    ]);
  });
  afterAll(() => bed?.close());

  const send: ServiceTestbed['send'] = (type, data, times) => bed.send(type, data, times);
  const order = async (paymentMethod: string, times = 1) => {
    const orderId = randomUUID();
    await send(
      'OrderCreated',
      { orderId, userId: shopper.id, paymentMethod, paymentKey: `key-${orderId}` },
      times,
    );
    return orderId;
  };
  const paymentOf = async (orderId: string, user: TestUser = shopper) =>
    payments.app.inject({ url: `/api/v1/payments?orderId=${orderId}`, headers: user.headers });
  const settled = (orderId: string) =>
    eventually(
      async () => {
        const res = await paymentOf(orderId);
        const body = res.statusCode === 200 ? res.json() : undefined;
        return body && !['PENDING', 'PROCESSING'].includes(body.status) && body;
      },
      { what: 'a settled payment', timeoutMs: 20_000 },
    );
  const eventsFor = (orderId: string, type: string) => bed.observed(type as EventType, orderId);
  const summary = async () =>
    (await payments.app.inject({ url: '/api/v1/payments/summary', headers: admin.headers })).json();

  it.each([
    ['pm_card_visa', 'SUCCEEDED', 'PaymentSucceeded'],
    ['pm_card_flaky', 'SUCCEEDED', 'PaymentSucceeded'],
    ['pm_card_slow', 'SUCCEEDED', 'PaymentSucceeded'],
    ['pm_card_chargeDeclined', 'FAILED', 'PaymentFailed'],
    ['pm_card_insufficientFunds', 'FAILED', 'PaymentFailed'],
  ])(
    '%s → %s, charged at most once although StockReserved arrives three times',
    async (method, status, event) => {
      const orderId = await order(method, 2);
      await new Promise((r) => setTimeout(r, 50));
      await send('StockReserved', { orderId }, 3);
      const payment = await settled(orderId);
      expect(payment.status).toBe(status);
      expect(payment.last4).toMatch(/^\d{4}$/);
      if (method === 'pm_card_flaky' || method === 'pm_card_slow')
        expect(payment.attempts).toBeGreaterThan(1);
      await eventually(() => eventsFor(orderId, event).length === 1, { what: event });
      await new Promise((r) => setTimeout(r, 300));
      expect(eventsFor(orderId, event)).toHaveLength(1);
      expect((await summary()).ordersChargedTwice).toBe(0);
    },
  );

  it('waits for the order when StockReserved overtakes it', async () => {
    const orderId = randomUUID();
    await send('StockReserved', { orderId });
    await new Promise((r) => setTimeout(r, 150));
    await send('OrderCreated', {
      orderId,
      userId: shopper.id,
      paymentMethod: 'pm_card_visa',
      paymentKey: `k-${orderId}`,
    });
    expect((await settled(orderId)).status).toBe('SUCCEEDED');
  });

  it('refunds a captured payment once when the order is cancelled', async () => {
    const before = await summary();
    const orderId = await order('pm_card_visa');
    await send('StockReserved', { orderId });
    await settled(orderId);
    await send(
      'OrderCancelled',
      { orderId, userId: shopper.id, reason: 'CUSTOMER_REQUEST', previousStatus: 'PAID' },
      2,
    );
    await eventually(() => eventsFor(orderId, 'PaymentRefunded').length === 1, { what: 'refund' });
    await new Promise((r) => setTimeout(r, 200));
    expect(eventsFor(orderId, 'PaymentRefunded')).toHaveLength(1);
    expect((await paymentOf(orderId)).json()).toMatchObject({ status: 'REFUNDED', refunded: true });
    const after = await summary();
    expect(after.refunds - before.refunds).toBe(1);
  });

  it('never charges an order cancelled before its stock was reserved', async () => {
    const orderId = randomUUID();
    await send('OrderCancelled', {
      orderId,
      userId: shopper.id,
      reason: 'TIMEOUT',
      previousStatus: 'PENDING',
    });
    await new Promise((r) => setTimeout(r, 100));
    await send('OrderCreated', {
      orderId,
      userId: shopper.id,
      paymentMethod: 'pm_card_visa',
      paymentKey: `k-${orderId}`,
    });
    await send('StockReserved', { orderId });
    await new Promise((r) => setTimeout(r, 500));
    expect((await paymentOf(orderId)).json().status).toBe('VOIDED');
    expect(eventsFor(orderId, 'PaymentSucceeded')).toHaveLength(0);
  });

  it('keeps a payment to its owner and the summary to administrators', async () => {
    const orderId = await order('pm_card_visa');
    await eventually(async () => (await paymentOf(orderId, admin)).statusCode === 200, {
      what: 'the intent',
    });
    expect((await paymentOf(orderId, other)).statusCode).toBe(404);
    expect((await payments.app.inject({ url: `/api/v1/payments?orderId=${orderId}` })).statusCode).toBe(401);
    expect(
      (await payments.app.inject({ url: '/api/v1/payments?orderId=nope', headers: shopper.headers }))
        .statusCode,
    ).toBe(400);
    expect(
      (await payments.app.inject({ url: '/api/v1/payments/summary', headers: shopper.headers })).statusCode,
    ).toBe(403);
  });
});
