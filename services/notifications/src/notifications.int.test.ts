import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { openServiceTestbed, type ServiceTestbed, type TestUser } from '@bazaar/identity/testing';
import type { RunningService } from '@bazaar/platform';
import { eventually, testModes } from '@bazaar/platform/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { notificationsService } from './service';

describe.each(testModes())('notifications (%s)', (mode) => {
  let bed: ServiceTestbed;
  let service: RunningService;
  let shopper: TestUser;
  let other: TestUser;
  const dataDir = mkdtempSync(path.join(tmpdir(), 'bazaar-mail-'));

  beforeAll(async () => {
    bed = await openServiceTestbed(mode, {
      name: 'notifications',
      env: { BAZAAR_DATA_DIR: dataDir, MAIL_POLL_MS: '100' },
    });
    service = await bed.start(notificationsService);
    [shopper, other] = await Promise.all([bed.identity.customer(), bed.identity.customer()]);
  });
  afterAll(() => bed?.close());

  const send: ServiceTestbed['send'] = (type, data, times) => bed.send(type, data, times);
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
    // Both parts carry what the event said: the HTML part too (quoted-printable, soft breaks joined).
    const htmlPart = (eml: string) =>
      eml.slice(eml.indexOf('Content-Type: text/html')).replace(/=\r?\n/g, '');
    expect(shipped).toContain('BZ7KQ2M9XR4T');
    expect(htmlPart(shipped)).toContain('BZ7KQ2M9XR4T');
    const placed = readFileSync(
      path.join(dataDir, 'mail', files.find((f) => f.includes('ORDER_PLACED'))!),
      'utf8',
    );
    expect(htmlPart(placed)).toMatch(/Total: /);
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
