import { randomUUID } from 'node:crypto';
import {
  type CloudEvent,
  createEvent,
  type EventData,
  type EventType,
  sampleEventData,
} from '@bazaar/contracts';
import { startTestIdentity, type TestUser } from '@bazaar/identity/testing';
import {
  createLogger,
  type EventBus,
  RabbitMqBus,
  type RunningService,
  startService,
} from '@bazaar/platform';
import {
  type EmbeddedTestInfrastructure,
  eventually,
  openEmbeddedTestInfrastructure,
  testEnv,
  testModes,
} from '@bazaar/platform/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shippingService } from './service';

describe.each(testModes())('shipping (%s)', (mode) => {
  let infra: EmbeddedTestInfrastructure | undefined;
  let identity: Awaited<ReturnType<typeof startTestIdentity>>;
  let shipping: RunningService;
  let bus: EventBus;
  let shopper: TestUser;
  let other: TestUser;
  const seen: CloudEvent[] = [];

  beforeAll(async () => {
    infra = mode === 'embedded' ? await openEmbeddedTestInfrastructure() : undefined;
    const env = testEnv(mode, { SHIPPING_DELIVERY_DELAY_MS: '300', SHIPPING_SWEEP_MS: '100' });
    identity = await startTestIdentity(mode, infra, env.BAZAAR_NAMESPACE);
    shipping = await startService(shippingService, {
      env: { ...env, IDENTITY_URL: identity.url },
      shared: infra,
    });
    bus =
      infra?.bus ??
      (await RabbitMqBus.connect(env.RABBITMQ_URL!, createLogger('test', 'silent'), {
        namespace: env.BAZAAR_NAMESPACE,
        queueExpiresMs: 600_000,
      }));
    await bus.subscribe('shipping-test-observer', ['shipping.#', 'shipment.#'], async (raw) => {
      seen.push(raw as CloudEvent);
    });
    [shopper, other] = await Promise.all([identity.customer(), identity.customer()]);
  });
  afterAll(async () => {
    await shipping?.stop();
    await identity?.stop();
    if (!infra) await bus?.close();
    await infra?.close();
  });

  const send = async <T extends EventType>(type: T, data: Partial<EventData<T>>, times = 1) => {
    const event = createEvent(type, { ...sampleEventData(type), ...data } as EventData<T>, {
      source: '/bazaar/test',
      correlationId: 't',
    });
    await Promise.all(Array.from({ length: times }, () => bus.publish(event)));
  };
  const eventsFor = (orderId: string, type: string) =>
    seen.filter((e) => e.type === type && (e.data as { orderId: string }).orderId === orderId);

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
    expect(
      (await shipping.app.inject({ url: `/api/v1/shipments?orderId=${orderId}`, headers: shopper.headers }))
        .statusCode,
    ).toBe(200);
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
