import { randomUUID } from 'node:crypto';
import { type EventData, type EventType, sampleEventData } from '@bazaar/contracts';
import { openServiceTestbed, type ServiceTestbed, type TestUser } from '@bazaar/identity/testing';
import type { RunningService } from '@bazaar/platform';
import { eventually, testModes } from '@bazaar/platform/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shippingService } from './service';

describe.each(testModes())('shipping (%s)', (mode) => {
  let bed: ServiceTestbed;
  let shipping: RunningService;
  let shopper: TestUser;
  let other: TestUser;

  beforeAll(async () => {
    bed = await openServiceTestbed(mode, {
      name: 'shipping',
      env: { SHIPPING_DELIVERY_DELAY_MS: '300', SHIPPING_SWEEP_MS: '100' },
      observe: ['shipping.#', 'shipment.#'],
    });
    shipping = await bed.start(shippingService);
    [shopper, other] = await Promise.all([bed.identity.customer(), bed.identity.customer()]);
  });
  afterAll(() => bed?.close());

  const send: ServiceTestbed['send'] = (type, data, times) => bed.send(type, data, times);
  const eventsFor = (orderId: string, type: string) => bed.observed(type as EventType, orderId);

  it('ships a paid order once and delivers it later', async () => {
    const orderId = randomUUID();
    await send('OrderCreated', { orderId, userId: shopper.id }, 2);
    await send('PaymentSucceeded', { orderId }, 3);
    const [created] = await eventually(
      () => eventsFor(orderId, 'ShippingCreated').length > 0 && eventsFor(orderId, 'ShippingCreated'),
      {
        what: 'ShippingCreated',
      },
    );
    const { trackingNumber } = created!.data as EventData<'ShippingCreated'>;
    expect(trackingNumber).toMatch(/^BZ[A-Z0-9]{10}$/);
    await eventually(() => eventsFor(orderId, 'ShipmentDelivered').length > 0, { what: 'delivery' });
    await new Promise((r) => setTimeout(r, 300));
    expect(eventsFor(orderId, 'ShippingCreated')).toHaveLength(1);
    expect(eventsFor(orderId, 'ShipmentDelivered')).toHaveLength(1);
    const tracked = await shipping.app.inject({ url: `/api/v1/shipments/${trackingNumber}` });
    expect(tracked.json()).toMatchObject({ orderId, status: 'DELIVERED', carrier: 'Bazaar Post' });
    expect(tracked.json().events.map((e: { status: string }) => e.status)).toEqual(['CREATED', 'DELIVERED']);
    // Anyone with the tracking number follows the parcel; only its owner sees where it goes.
    expect(tracked.json()).not.toHaveProperty('address');
    const own = await shipping.app.inject({
      url: `/api/v1/shipments?orderId=${orderId}`,
      headers: shopper.headers,
    });
    expect(own.statusCode).toBe(200);
    expect(own.json().address).toEqual(sampleEventData('OrderCreated').shippingAddress);
    expect(
      (await shipping.app.inject({ url: `/api/v1/shipments?orderId=${orderId}`, headers: other.headers }))
        .statusCode,
    ).toBe(404);
    expect((await shipping.app.inject({ url: `/api/v1/shipments?orderId=${orderId}` })).statusCode).toBe(401);
  });

  it('waits for the address when the payment overtakes the order', async () => {
    const orderId = randomUUID();
    await send('PaymentSucceeded', { orderId });
    await new Promise((r) => setTimeout(r, 150));
    expect(eventsFor(orderId, 'ShippingCreated')).toHaveLength(0);
    await send('OrderCreated', { orderId, userId: shopper.id });
    await eventually(() => eventsFor(orderId, 'ShippingCreated').length === 1, { what: 'late shipment' });
  });

  it('stops a shipment whose order is cancelled before delivery, and says so once', async () => {
    const orderId = randomUUID();
    // The customer cancelled just after paying: the shipment is made from the payment, then stopped by
    // the cancellation, before the carrier's delivery time.
    await send('OrderCreated', { orderId, userId: shopper.id });
    await send('PaymentSucceeded', { orderId });
    await send('OrderCancelled', { orderId, userId: shopper.id, reason: 'CUSTOMER_REQUEST' }, 2);
    const [stopped] = await eventually(
      () => eventsFor(orderId, 'ShipmentCancelled').length > 0 && eventsFor(orderId, 'ShipmentCancelled'),
      { what: 'ShipmentCancelled' },
    );
    expect(stopped!.data).toMatchObject({ orderId, reason: 'CUSTOMER_REQUEST' });
    await new Promise((r) => setTimeout(r, 600));
    expect(eventsFor(orderId, 'ShipmentCancelled')).toHaveLength(1);
    expect(eventsFor(orderId, 'ShipmentDelivered')).toHaveLength(0);
    const { trackingNumber } = eventsFor(orderId, 'ShippingCreated')[0]!.data as EventData<'ShippingCreated'>;
    const tracked = await shipping.app.inject({ url: `/api/v1/shipments/${trackingNumber}` });
    expect(tracked.json()).toMatchObject({ orderId, status: 'CANCELLED' });
  });

  it('does not ship a cancelled order, and answers unknown tracking numbers with 404', async () => {
    const consumed = async (type: string) => {
      const metrics = (await shipping.app.inject({ url: '/metrics' })).body;
      const line = metrics
        .split('\n')
        .find(
          (l) =>
            l.startsWith('events_consumed_total') && l.includes(`type="${type}"`) && l.includes('applied'),
        );
      return Number(line?.split(' ').at(-1) ?? 0);
    };
    const before = await consumed('OrderCancelled');
    const orderId = randomUUID();
    // The cancellation overtakes the order itself: the shipment must still never happen.
    await send('OrderCancelled', { orderId, userId: shopper.id });
    await eventually(async () => (await consumed('OrderCancelled')) > before, { what: 'the cancellation' });
    await send('OrderCreated', { orderId, userId: shopper.id });
    await send('PaymentSucceeded', { orderId });
    await new Promise((r) => setTimeout(r, 400));
    expect(eventsFor(orderId, 'ShippingCreated')).toHaveLength(0);
    expect((await shipping.app.inject({ url: '/api/v1/shipments/BZAAAAAAAAAA' })).statusCode).toBe(404);
    expect((await shipping.app.inject({ url: '/api/v1/shipments/nonsense' })).statusCode).toBe(400);
  });
});
