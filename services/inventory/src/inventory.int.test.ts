import { randomUUID } from 'node:crypto';
import { type CloudEvent, createEvent, sampleEventData } from '@bazaar/contracts';
import { openServiceTestbed, type ServiceTestbed, type TestUser } from '@bazaar/identity/testing';
import { createGrpcClient, type EventBus, inventoryV1, type RunningService } from '@bazaar/platform';
import { eventually, testModes } from '@bazaar/platform/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inventoryService } from './service';

describe.each(testModes())('inventory (%s)', (mode) => {
  let bed: ServiceTestbed;
  let inventory: RunningService;
  let bus: EventBus;
  let seen: CloudEvent[];
  let admin: TestUser;
  let customer: TestUser;

  beforeAll(async () => {
    bed = await openServiceTestbed(mode, {
      name: 'inventory',
      env: { RESERVATION_TTL_SECONDS: '3600', RESERVATION_SWEEP_MS: '100' },
      observe: ['stock.#'],
    });
    ({ bus, seen } = bed);
    inventory = await bed.start(inventoryService);
    [admin, customer] = await Promise.all([bed.identity.admin(), bed.identity.customer()]);
  });
  afterAll(() => bed?.close());

  const put = (sku: string, payload: unknown, user: TestUser | null = admin) =>
    inventory.app.inject({
      method: 'PUT',
      url: `/api/v1/inventory/${sku}`,
      payload: payload as object,
      headers: user?.headers,
    });
  const level = async (sku: string) =>
    (await inventory.app.inject({ url: `/api/v1/inventory/${sku}` })).json();
  const newSku = () => `SKU-${randomUUID().slice(0, 8).toUpperCase()}`;
  const orderCreated = (orderId: string, lines: { sku: string; quantity: number }[]) => {
    const sample = sampleEventData('OrderCreated');
    const template = sample.lines[0]!;
    return createEvent(
      'OrderCreated',
      { ...sample, orderId, lines: lines.map((l) => ({ ...template, ...l })) },
      { source: '/bazaar/orders', correlationId: orderId },
    );
  };
  const outcomesFor = (orderIds: Set<string>) =>
    seen.filter(
      (e) =>
        (e.type === 'StockReserved' || e.type === 'StockReservationFailed') &&
        orderIds.has((e.data as { orderId: string }).orderId),
    );

  it('sets stock as an admin only, and never below what is reserved', async () => {
    const sku = newSku();
    expect((await put(sku, { onHand: 5 }, customer)).statusCode).toBe(403);
    expect((await put(sku, { onHand: 5 }, null)).statusCode).toBe(401);
    expect((await inventory.app.inject({ url: `/api/v1/inventory/${sku}` })).statusCode).toBe(404);
    for (const bad of [{ onHand: -1 }, { onHand: 1.5 }, { onHand: 'ten' }, {}]) {
      const res = await put(sku, bad);
      expect(res.statusCode).toBe(400);
      expect(res.headers['content-type']).toContain('application/problem+json');
    }
    expect((await put(sku, { onHand: 5 })).json()).toEqual({ sku, onHand: 5, reserved: 0, available: 5 });
    const orderId = randomUUID();
    await bus.publish(orderCreated(orderId, [{ sku, quantity: 3 }]));
    await eventually(async () => (await level(sku)).reserved === 3, { what: 'reservation' });
    const refused = await put(sku, { onHand: 2 });
    expect(refused.statusCode).toBe(409);
    expect(refused.json().code).toBe('inventory.below_reserved');
    expect(await level(sku)).toEqual({ sku, onHand: 5, reserved: 3, available: 2 });
  });

  it('lists stock levels to an admin, a page at a time or by SKU', async () => {
    const prefix = `LST-${randomUUID().slice(0, 6).toUpperCase()}`;
    const skus = [`${prefix}-A`, `${prefix}-B`, `${prefix}-C`];
    for (const [i, sku] of skus.entries()) expect((await put(sku, { onHand: 10 + i })).statusCode).toBe(200);
    const list = (query: string, user: TestUser | null = admin) =>
      inventory.app.inject({ url: `/api/v1/inventory?${query}`, headers: user?.headers });

    expect((await list(`skus=${skus.join(',')}`, customer)).statusCode).toBe(403);
    expect((await list(`skus=${skus.join(',')}`, null)).statusCode).toBe(401);
    const chosen = (await list(`skus=${skus[2]},${skus[0]},NOT-KEPT`)).json();
    expect(chosen).toEqual({
      items: [
        { sku: skus[0], onHand: 10, reserved: 0, available: 10 },
        { sku: skus[2], onHand: 12, reserved: 0, available: 12 },
      ],
      nextCursor: null,
    });

    const first = (await list(`limit=2&cursor=${prefix}`)).json();
    expect(first.items.map((i: { sku: string }) => i.sku)).toEqual(skus.slice(0, 2));
    expect(first.nextCursor).toBe(skus[1]);
    const second = (await list(`limit=2&cursor=${first.nextCursor}`)).json();
    expect(second.items[0].sku).toBe(skus[2]);
    expect((await list('limit=0')).statusCode).toBe(400);
  });

  it('reserves exactly the stock when 200 orders race for 50 units', async () => {
    const sku = newSku();
    await put(sku, { onHand: 50 });
    const orderIds = new Set(Array.from({ length: 200 }, () => randomUUID()));
    await Promise.all([...orderIds].map((id) => bus.publish(orderCreated(id, [{ sku, quantity: 1 }]))));
    const outcomes = await eventually(
      () => {
        const o = outcomesFor(orderIds);
        return o.length >= 200 && o;
      },
      { what: '200 outcomes', timeoutMs: 60_000 },
    );
    expect(outcomes.filter((e) => e.type === 'StockReserved')).toHaveLength(50);
    expect(outcomes.filter((e) => e.type === 'StockReservationFailed')).toHaveLength(150);
    expect(await level(sku)).toEqual({ sku, onHand: 50, reserved: 50, available: 0 });
    const levels = seen.filter((e) => e.type === 'StockChanged' && (e.data as { sku: string }).sku === sku);
    expect(levels.every((e) => (e.data as { available: number }).available >= 0)).toBe(true);
  });

  it('reserves nothing for an order with one line out of stock', async () => {
    const plenty = newSku();
    const scarce = newSku();
    await put(plenty, { onHand: 10 });
    await put(scarce, { onHand: 1 });
    const orderId = randomUUID();
    await bus.publish(
      orderCreated(orderId, [
        { sku: plenty, quantity: 4 },
        { sku: scarce, quantity: 2 },
      ]),
    );
    const [failed] = await eventually(
      () => {
        const o = outcomesFor(new Set([orderId]));
        return o.length > 0 && o;
      },
      { what: 'outcome' },
    );
    expect(failed!.type).toBe('StockReservationFailed');
    expect(failed!.data).toMatchObject({ unavailable: [{ sku: scarce, requested: 2, available: 1 }] });
    expect(await level(plenty)).toMatchObject({ reserved: 0, available: 10 });
    expect(await level(scarce)).toMatchObject({ reserved: 0, available: 1 });
  });

  it('applies a redelivered order once, releases on cancel and commits on shipping', async () => {
    const sku = newSku();
    await put(sku, { onHand: 10 });
    const [kept, cancelled] = [randomUUID(), randomUUID()];
    const first = orderCreated(kept, [{ sku, quantity: 2 }]);
    await bus.publish(first);
    await bus.publish(first);
    // The same order in a new envelope (a replayed saga) is still reserved once.
    await bus.publish(orderCreated(kept, [{ sku, quantity: 2 }]));
    await bus.publish(orderCreated(cancelled, [{ sku, quantity: 3 }]));
    await eventually(async () => (await level(sku)).reserved === 5, { what: 'two reservations' });
    await new Promise((r) => setTimeout(r, 300));
    expect((await level(sku)).reserved).toBe(5);

    const cancel = createEvent(
      'OrderCancelled',
      { ...sampleEventData('OrderCancelled'), orderId: cancelled },
      { source: '/bazaar/orders', correlationId: cancelled },
    );
    await bus.publish(cancel);
    await bus.publish(cancel);
    const shipped = createEvent(
      'ShippingCreated',
      { ...sampleEventData('ShippingCreated'), orderId: kept },
      { source: '/bazaar/shipping', correlationId: kept },
    );
    await bus.publish(shipped);
    await bus.publish(shipped);
    await eventually(
      async () => {
        const l = await level(sku);
        return l.onHand === 8 && l.reserved === 0 && l;
      },
      { what: 'release and commit' },
    );
    await new Promise((r) => setTimeout(r, 300));
    expect(await level(sku)).toEqual({ sku, onHand: 8, reserved: 0, available: 8 });
    expect(
      seen.filter((e) => e.type === 'StockReleased' && (e.data as { orderId: string }).orderId === cancelled),
    ).toHaveLength(1);
  });

  it('puts back the units of a shipment stopped after its order was cancelled, once', async () => {
    const sku = newSku();
    await put(sku, { onHand: 10 });
    const orderId = randomUUID();
    const from = { source: '/bazaar/shipping', correlationId: orderId };
    await bus.publish(orderCreated(orderId, [{ sku, quantity: 4 }]));
    await eventually(async () => (await level(sku)).reserved === 4, { what: 'the reservation' });
    await bus.publish(
      createEvent('ShippingCreated', { ...sampleEventData('ShippingCreated'), orderId }, from),
    );
    await eventually(async () => (await level(sku)).onHand === 6, { what: 'the commit' });
    // The order was cancelled while its shipment was being made: shipping stopped it.
    const stopped = createEvent(
      'ShipmentCancelled',
      { ...sampleEventData('ShipmentCancelled'), orderId },
      from,
    );
    await bus.publish(stopped);
    await bus.publish(stopped);
    await bus.publish(
      createEvent('ShipmentCancelled', { ...sampleEventData('ShipmentCancelled'), orderId }, from),
    );
    await eventually(async () => (await level(sku)).onHand === 10, { what: 'the units back' });
    await new Promise((r) => setTimeout(r, 300));
    expect(await level(sku)).toEqual({ sku, onHand: 10, reserved: 0, available: 10 });
    const levels = seen.filter((e) => e.type === 'StockChanged' && (e.data as { sku: string }).sku === sku);
    expect(levels.at(-1)?.data).toMatchObject({ onHand: 10, available: 10 });
  });

  it('dead-letters an order event that breaks its schema', async () => {
    const bad = { ...orderCreated(randomUUID(), [{ sku: 'X', quantity: 1 }]), data: { orderId: 'nope' } };
    await bus.publish(bad as never);
    const letters = await eventually(
      async () => {
        const l = (await bus.listDeadLetters('inventory')).filter((d) => d.id === bad.id);
        return l.length > 0 && l;
      },
      { what: 'dead letter' },
    );
    expect(letters[0]!.reason).toContain('invalid OrderCreated');
  });

  it('answers GetAvailability over gRPC', async () => {
    const sku = newSku();
    await put(sku, { onHand: 7 });
    const client = createGrpcClient(inventoryV1.InventoryService, { baseUrl: inventory.grpcUrl! });
    const res = await client.getAvailability({ skus: [sku, 'UNKNOWN-SKU'] });
    expect(res.items).toEqual([
      expect.objectContaining({ sku, onHand: 7, reserved: 0, available: 7 }),
      expect.objectContaining({ sku: 'UNKNOWN-SKU', available: 0 }),
    ]);
  });
});

describe('inventory reservation expiry (embedded)', () => {
  it('releases a reservation nobody committed in time', async () => {
    const bed = await openServiceTestbed('embedded', {
      name: 'inventory-expiry',
      env: { RESERVATION_TTL_SECONDS: '1', RESERVATION_SWEEP_MS: '100' },
    });
    try {
      const inventory = await bed.start(inventoryService);
      const admin = await bed.identity.admin();
      await inventory.app.inject({
        method: 'PUT',
        url: '/api/v1/inventory/EXP-1',
        payload: { onHand: 3 },
        headers: admin.headers,
      });
      const orderId = randomUUID();
      const sample = sampleEventData('OrderCreated');
      await bed.bus.publish(
        createEvent(
          'OrderCreated',
          { ...sample, orderId, lines: [{ ...sample.lines[0]!, sku: 'EXP-1', quantity: 2 }] },
          { source: '/bazaar/orders', correlationId: orderId },
        ),
      );
      const level = async () => (await inventory.app.inject({ url: '/api/v1/inventory/EXP-1' })).json();
      await eventually(async () => (await level()).reserved === 2, { what: 'reservation' });
      await eventually(async () => (await level()).reserved === 0, { what: 'expiry', timeoutMs: 10_000 });
      expect(await level()).toMatchObject({ onHand: 3, available: 3 });
    } finally {
      await bed.close();
    }
  });
});
