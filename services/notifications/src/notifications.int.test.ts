import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createEvent, type EventData, type EventType, sampleEventData } from '@bazaar/contracts';
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
import { notificationsService } from './service';

describe.each(testModes())('notifications (%s)', (mode) => {
  let infra: EmbeddedTestInfrastructure | undefined;
  let identity: Awaited<ReturnType<typeof startTestIdentity>>;
  let service: RunningService;
  let bus: EventBus;
  let shopper: TestUser;
  let other: TestUser;
  const dataDir = mkdtempSync(path.join(tmpdir(), 'bazaar-mail-'));

  beforeAll(async () => {
    infra = mode === 'embedded' ? await openEmbeddedTestInfrastructure() : undefined;
    const env = testEnv(mode, { BAZAAR_DATA_DIR: dataDir, MAIL_POLL_MS: '100' });
    identity = await startTestIdentity(mode, infra, env.BAZAAR_NAMESPACE);
    service = await startService(notificationsService, {
      env: { ...env, IDENTITY_URL: identity.url },
      shared: infra,
    });
    bus =
      infra?.bus ??
      (await RabbitMqBus.connect(env.RABBITMQ_URL!, createLogger('test', 'silent'), {
        namespace: env.BAZAAR_NAMESPACE,
      }));
    [shopper, other] = await Promise.all([identity.customer(), identity.customer()]);
  });
  afterAll(async () => {
    await service?.stop();
    await identity?.stop();
    if (!infra) await bus?.close();
    await infra?.close();
  });

  const send = async <T extends EventType>(type: T, data: Partial<EventData<T>>, times = 1) => {
    const event = createEvent(type, { ...sampleEventData(type), ...data } as EventData<T>, {
      source: '/bazaar/test',
      correlationId: 't',
    });
    for (let i = 0; i < times; i++) await bus.publish(event);
  };
  const list = async (user: TestUser) =>
    (await service.app.inject({ url: '/api/v1/notifications?limit=100', headers: user.headers })).json()
      .items as {
      id: string;
      kind: string;
      orderId: string;
      status: string;
    }[];

  it('emails every customer-facing step once, as .eml files', async () => {
    const orderId = randomUUID();
    await send('OrderCreated', { orderId, userId: shopper.id, email: shopper.email }, 2);
    await send('PaymentSucceeded', { orderId }, 2);
    await send('ShippingCreated', { orderId, trackingNumber: 'BZ7KQ2M9XR4T' }, 2);
    await send('ShipmentDelivered', { orderId }, 2);
    const mine = await eventually(
      async () => {
        const items = (await list(shopper)).filter((n) => n.orderId === orderId);
        return items.length === 4 && items.every((n) => n.status === 'SENT') && items;
      },
      { what: 'four sent emails' },
    );
    expect(mine.map((n) => n.kind).sort()).toEqual([
      'ORDER_DELIVERED',
      'ORDER_PAID',
      'ORDER_PLACED',
      'ORDER_SHIPPED',
    ]);
    const files = readdirSync(path.join(dataDir, 'mail')).filter((f) => f.includes(orderId));
    expect(files).toHaveLength(4);
    const shipped = readFileSync(
      path.join(dataDir, 'mail', files.find((f) => f.includes('ORDER_SHIPPED'))!),
      'utf8',
    );
    expect(shipped).toContain(`To: ${shopper.email}`);
    expect(shipped).toContain('BZ7KQ2M9XR4T');
    const detail = await service.app.inject({
      url: `/api/v1/notifications/${mine[0]!.id}`,
      headers: shopper.headers,
    });
    expect(detail.json().bodyText).toContain(orderId);
  });

  it('waits for the order before telling about a cancellation that overtook it', async () => {
    const orderId = randomUUID();
    await send('OrderCancelled', { orderId, userId: shopper.id, reason: 'OUT_OF_STOCK' });
    await new Promise((r) => setTimeout(r, 150));
    await send('OrderCreated', { orderId, userId: shopper.id, email: shopper.email });
    await eventually(async () => (await list(shopper)).filter((n) => n.orderId === orderId).length === 2, {
      what: 'placed and cancelled',
    });
  });

  it('shows notifications to their owner only', async () => {
    const items = await list(shopper);
    expect(items.length).toBeGreaterThan(0);
    expect(await list(other)).toEqual([]);
    const res = await service.app.inject({
      url: `/api/v1/notifications/${items[0]!.id}`,
      headers: other.headers,
    });
    expect(res.statusCode).toBe(404);
    expect((await service.app.inject({ url: '/api/v1/notifications' })).statusCode).toBe(401);
  });
});
