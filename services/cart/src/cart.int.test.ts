import { randomUUID } from 'node:crypto';
import { catalogService } from '@bazaar/catalog';
import { type CloudEvent, createEvent } from '@bazaar/contracts';
import {
  openServiceTestbed,
  type ServiceTestbed,
  type TestIdentity,
  type TestUser,
} from '@bazaar/identity/testing';
import { inventoryService } from '@bazaar/inventory';
import type { EventBus, RunningService } from '@bazaar/platform';
import { eventually, testModes } from '@bazaar/platform/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cartService } from './service';

describe.each(testModes())('cart and checkout (%s)', (mode) => {
  let bed: ServiceTestbed;
  let identity: TestIdentity;
  let catalog: RunningService;
  let inventory: RunningService;
  let cart: RunningService;
  let bus: EventBus;
  let shopper: TestUser;
  let checkedOut: CloudEvent[];
  const address = {
    name: 'Ada Lovelace',
    line1: '12 Analytical Row',
    city: 'London',
    postalCode: 'N1 9GU',
    country: 'GB',
  };

  beforeAll(async () => {
    bed = await openServiceTestbed(mode, {
      name: 'cart',
      env: { BAZAAR_SEED_DEMO: '1' },
      observe: ['cart.checked.out'],
    });
    ({ bus, identity, seen: checkedOut } = bed);
    catalog = await bed.start(catalogService);
    inventory = await bed.start(inventoryService);
    cart = await bed.start(cartService, {
      CATALOG_GRPC_URL: catalog.grpcUrl!,
      INVENTORY_GRPC_URL: inventory.grpcUrl!,
      // Products are kept longer than any test here runs: only a catalog event can make them fresh.
      PRODUCT_CACHE_MS: '600000',
    });
    shopper = await identity.customer();
  });
  afterAll(() => bed?.close());

  const call = (
    method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
    url: string,
    payload?: object,
    headers: Record<string, string> = {},
  ) => cart.app.inject({ method, url, payload, headers });
  const as = (user: TestUser, extra: Record<string, string> = {}) => ({ ...user.headers, ...extra });

  it('adds, changes and removes lines with the catalog price, refusing what cannot be sold', async () => {
    const user = await identity.customer();
    const added = await call('POST', '/api/v1/cart/items', { sku: 'KIT-MUG-STONE', quantity: 2 }, as(user));
    expect(added.statusCode).toBe(200);
    expect(added.json().items[0]).toMatchObject({
      sku: 'KIT-MUG-STONE',
      quantity: 2,
      unitPrice: { amount: 1250, currency: 'EUR' },
    });
    expect(added.json().total).toEqual({ amount: 2500, currency: 'EUR' });
    expect(
      (await call('POST', '/api/v1/cart/items', { sku: 'NO-SUCH-SKU', quantity: 1 }, as(user))).statusCode,
    ).toBe(404);
    expect(
      (await call('POST', '/api/v1/cart/items', { sku: 'KIT-TEA-TIN', quantity: 1 }, as(user))).json().code,
    ).toBe('cart.insufficient_stock');
    expect(
      (await call('POST', '/api/v1/cart/items', { sku: 'KIT-MUG-STONE', quantity: 0 }, as(user))).statusCode,
    ).toBe(400);
    expect((await call('POST', '/api/v1/cart/items', { sku: 'KIT-MUG-STONE' }, as(user))).statusCode).toBe(
      400,
    );
    expect(
      (await call('PATCH', '/api/v1/cart/items/KIT-MUG-STONE', { quantity: 5 }, as(user))).json().items[0]
        .quantity,
    ).toBe(5);
    await call('POST', '/api/v1/cart/items', { sku: 'KIT-DUTCH-OVEN', quantity: 1 }, as(user));
    const over = await call('PATCH', '/api/v1/cart/items/KIT-DUTCH-OVEN', { quantity: 4 }, as(user));
    expect(over.json().code).toBe('cart.insufficient_stock');
    const tooMany = await call('PATCH', '/api/v1/cart/items/KIT-DUTCH-OVEN', { quantity: 100 }, as(user));
    expect(tooMany.statusCode).toBe(400);
    await call('DELETE', '/api/v1/cart/items/KIT-DUTCH-OVEN', undefined, as(user));
    expect(
      (await call('PATCH', '/api/v1/cart/items/OUT-COMPASS', { quantity: 1 }, as(user))).statusCode,
    ).toBe(404);
    expect(
      (await call('DELETE', '/api/v1/cart/items/KIT-MUG-STONE', undefined, as(user))).json().items,
    ).toEqual([]);
    expect((await call('DELETE', '/api/v1/cart/items/KIT-MUG-STONE', undefined, as(user))).statusCode).toBe(
      404,
    );
  });

  it('takes items when the inventory cannot answer, but never without the catalog price', async () => {
    const nowhere = 'http://127.0.0.1:9';
    const blind = await bed.start(
      cartService,
      {
        CATALOG_GRPC_URL: catalog.grpcUrl!,
        INVENTORY_GRPC_URL: nowhere,
        GRPC_TIMEOUT_MS: '300',
      },
      { consume: false },
    );
    const unpriced = await bed.start(
      cartService,
      {
        CATALOG_GRPC_URL: nowhere,
        INVENTORY_GRPC_URL: inventory.grpcUrl!,
        GRPC_TIMEOUT_MS: '300',
      },
      { consume: false },
    );
    const user = await identity.customer();
    const add = (service: RunningService) =>
      service.app.inject({
        method: 'POST',
        url: '/api/v1/cart/items',
        payload: { sku: 'KIT-MUG-STONE', quantity: 1 },
        headers: user.headers,
      });
    // The reservation after checkout decides on stock anyway.
    const added = await add(blind);
    expect(added.statusCode).toBe(200);
    expect(added.json().items[0]).toMatchObject({ sku: 'KIT-MUG-STONE', quantity: 1 });
    const refused = await add(unpriced);
    expect(refused.statusCode).toBe(503);
    expect(refused.json().code).toBe('cart.dependency_unavailable');
    await blind.stop();
    await unpriced.stop();
  });

  it('keeps a guest cart by id and merges it at sign-in', async () => {
    const guest = (await call('POST', '/api/v1/cart/items', { sku: 'BOO-KNOTS', quantity: 1 })).json();
    expect(guest.items).toHaveLength(1);
    const again = await call(
      'POST',
      '/api/v1/cart/items',
      { sku: 'BOO-KNOTS', quantity: 1 },
      { 'x-cart-id': guest.id },
    );
    expect(again.json().items[0].quantity).toBe(2);
    const user = await identity.customer();
    await call('POST', '/api/v1/cart/items', { sku: 'BOO-FERMENT', quantity: 1 }, as(user));
    const merged = (await call('GET', '/api/v1/cart', undefined, as(user, { 'x-cart-id': guest.id }))).json();
    expect(merged.items.map((i: { sku: string; quantity: number }) => [i.sku, i.quantity])).toEqual([
      ['BOO-FERMENT', 1],
      ['BOO-KNOTS', 2],
    ]);
    expect((await call('GET', '/api/v1/cart', undefined, { 'x-cart-id': guest.id })).json().items).toEqual(
      [],
    );
    // A user's id is not a guest cart id: nobody reads another user's cart through X-Cart-Id.
    const peek = (await call('GET', '/api/v1/cart', undefined, { 'x-cart-id': user.id })).json();
    expect(peek.items).toEqual([]);
    expect((await call('GET', '/api/v1/cart', undefined, { 'x-cart-id': 'not-a-uuid' })).statusCode).toBe(
      400,
    );
  });

  it('keeps carts current when a price changes', async () => {
    const user = await identity.customer();
    await call('POST', '/api/v1/cart/items', { sku: 'HOM-NOTEBOOK-A5', quantity: 2 }, as(user));
    const event = createEvent(
      'PriceChanged',
      {
        productId: randomUUID(),
        sku: 'HOM-NOTEBOOK-A5',
        oldPrice: { amount: 1490, currency: 'EUR' },
        newPrice: { amount: 990, currency: 'EUR' },
      },
      { source: '/bazaar/catalog', correlationId: 'p' },
    );
    await bus.publish(event);
    await bus.publish(event);
    await eventually(
      async () => (await call('GET', '/api/v1/cart', undefined, as(user))).json().total.amount === 1980,
      { what: 'repriced cart' },
    );
  });

  it('adds at the price the catalog has just set, though it keeps what it learnt of a product', async () => {
    const admin = await identity.admin();
    const sku = `CACHE-${randomUUID().slice(0, 8).toUpperCase()}`;
    const asAdmin = (method: 'POST' | 'PUT' | 'PATCH', url: string, payload: object) => ({
      method,
      url,
      payload,
      headers: admin.headers,
    });
    const created = await catalog.app.inject(
      asAdmin('POST', '/api/v1/products', {
        sku,
        name: 'Oak coaster',
        description: 'A coaster turned from oak.',
        category: 'kitchen',
        price: { amount: 800, currency: 'EUR' },
      }),
    );
    expect(created.statusCode).toBe(201);
    await inventory.app.inject(asAdmin('PUT', `/api/v1/inventory/${sku}`, { onHand: 50 }));
    const user = await identity.customer();
    const addOne = async () => {
      const res = await call('POST', '/api/v1/cart/items', { sku, quantity: 1 }, as(user));
      return res.json().items.find((i: { sku: string }) => i.sku === sku).unitPrice.amount as number;
    };
    expect(await addOne()).toBe(800);
    expect(await addOne()).toBe(800);
    const patched = await catalog.app.inject(
      asAdmin('PATCH', `/api/v1/products/${created.json().id}`, { price: { amount: 650, currency: 'EUR' } }),
    );
    expect(patched.statusCode).toBe(200);
    await eventually(async () => (await addOne()) === 650, { what: 'the new price on an add' });
    // Withdrawn from sale: the next add is refused, not answered from what was kept.
    await catalog.app.inject({
      method: 'DELETE',
      url: `/api/v1/products/${created.json().id}`,
      headers: admin.headers,
    });
    await eventually(
      async () =>
        (await call('POST', '/api/v1/cart/items', { sku, quantity: 1 }, as(user))).json().code ===
        'cart.unknown_sku',
      { what: 'a withdrawn product refused' },
    );
  });

  it('keeps a cart in one currency, and refuses to check out one whose prices moved apart', async () => {
    const admin = await identity.admin();
    const product = async (currency: string) => {
      const sku = `CUR-${randomUUID().slice(0, 8).toUpperCase()}`;
      const created = await catalog.app.inject({
        method: 'POST',
        url: '/api/v1/products',
        headers: admin.headers,
        payload: {
          sku,
          name: `Tea towel in ${currency}`,
          description: 'Linen.',
          category: 'kitchen',
          price: { amount: 900, currency },
        },
      });
      expect(created.statusCode).toBe(201);
      await inventory.app.inject({
        method: 'PUT',
        url: `/api/v1/inventory/${sku}`,
        headers: admin.headers,
        payload: { onHand: 5 },
      });
      return { sku, id: created.json().id as string };
    };
    const [euro, dollar] = [await product('EUR'), await product('USD')];
    const user = await identity.customer();
    const add = (sku: string) => call('POST', '/api/v1/cart/items', { sku, quantity: 1 }, as(user));
    expect((await add(euro.sku)).statusCode).toBe(200);
    const refused = await add(dollar.sku);
    expect(refused.statusCode).toBe(409);
    expect(refused.json()).toMatchObject({ code: 'cart.currency_mismatch', cartCurrency: 'EUR' });
    expect(refused.json().detail).toContain('USD');

    // The line is in; then the catalog prices it in another currency than the rest of the cart.
    expect((await add('ELE-CHARGER-65W')).statusCode).toBe(200);
    await catalog.app.inject({
      method: 'PATCH',
      url: `/api/v1/products/${euro.id}`,
      headers: admin.headers,
      payload: { price: { amount: 1000, currency: 'USD' } },
    });
    const body = { shippingAddress: address, paymentMethod: 'pm_card_visa' };
    const checkout = await call('POST', '/api/v1/checkout', body, as(user, { 'idempotency-key': 'cur-1' }));
    expect(checkout.statusCode).toBe(409);
    expect(checkout.json().code).toBe('checkout.mixed_currencies');
    expect((await call('GET', '/api/v1/cart', undefined, as(user))).json().items).toHaveLength(2);
  });

  it("ships to a saved address named by its id, and only to one of the shopper's own", async () => {
    const [user, other] = await Promise.all([identity.customer(), identity.customer()]);
    const save = async (owner: TestUser, saved: object) =>
      (
        await identity.service.app.inject({
          method: 'POST',
          url: '/api/v1/me/addresses',
          headers: owner.headers,
          payload: saved,
        })
      ).json().id as string;
    const home = { ...address, name: 'Grace Hopper', line2: 'Flat 3' };
    const [mine, theirs] = await Promise.all([save(user, home), save(other, address)]);
    await call('POST', '/api/v1/cart/items', { sku: 'ELE-CHARGER-65W', quantity: 1 }, as(user));
    const checkout = (body: object, key: string) =>
      call('POST', '/api/v1/checkout', body, as(user, { 'idempotency-key': key }));

    const foreign = await checkout({ addressId: theirs, paymentMethod: 'pm_card_visa' }, 'addr-1');
    expect(foreign.statusCode).toBe(422);
    expect(foreign.json()).toMatchObject({ code: 'checkout.unknown_address' });
    const both = await checkout(
      { addressId: mine, shippingAddress: address, paymentMethod: 'pm_card_visa' },
      'addr-2',
    );
    expect(both.statusCode).toBe(400);
    expect(both.json().detail).toContain('either shippingAddress or addressId');
    expect((await checkout({ paymentMethod: 'pm_card_visa' }, 'addr-3')).statusCode).toBe(400);
    expect((await call('GET', '/api/v1/cart', undefined, as(user))).json().items).toHaveLength(1);

    const placed = await checkout({ addressId: mine, paymentMethod: 'pm_card_visa' }, 'addr-4');
    expect(placed.statusCode).toBe(202);
    const { orderId } = placed.json();
    const [event] = await eventually(
      () => {
        const found = checkedOut.filter((e) => (e.data as { orderId: string }).orderId === orderId);
        return found.length > 0 && found;
      },
      { what: 'CartCheckedOut' },
    );
    // The order carries the address as it was saved; deleting it later changes nothing about the order.
    expect((event!.data as { shippingAddress: object }).shippingAddress).toEqual(home);
  });

  it('checks out once per key, announcing CartCheckedOut and emptying the cart', async () => {
    const body = { shippingAddress: address, paymentMethod: 'pm_card_visa' };
    expect(
      (await call('POST', '/api/v1/checkout', body, as(shopper, { 'idempotency-key': 'k0' }))).json().code,
    ).toBe('cart.empty');
    await call('POST', '/api/v1/cart/items', { sku: 'ELE-CHARGER-65W', quantity: 1 }, as(shopper));
    expect((await call('POST', '/api/v1/checkout', body, as(shopper))).json().code).toBe(
      'checkout.idempotency_key_required',
    );
    expect((await call('POST', '/api/v1/checkout', body, { 'idempotency-key': 'k1' })).statusCode).toBe(401);
    expect(
      (
        await call(
          'POST',
          '/api/v1/checkout',
          { ...body, shippingAddress: { ...address, country: 'Britain' } },
          as(shopper, { 'idempotency-key': 'k1' }),
        )
      ).statusCode,
    ).toBe(400);

    const key = randomUUID();
    const answers = await Promise.all(
      Array.from({ length: 5 }, () =>
        call('POST', '/api/v1/checkout', body, as(shopper, { 'idempotency-key': key })),
      ),
    );
    expect(answers.map((a) => a.statusCode)).toEqual([202, 202, 202, 202, 202]);
    const orderIds = new Set(answers.map((a) => a.json().orderId));
    expect(orderIds.size).toBe(1);
    const [orderId] = [...orderIds];
    const events = await eventually(
      () => {
        const mine = checkedOut.filter((e) => (e.data as { orderId: string }).orderId === orderId);
        return mine.length > 0 && mine;
      },
      { what: 'CartCheckedOut' },
    );
    await new Promise((r) => setTimeout(r, 200));
    expect(checkedOut.filter((e) => (e.data as { userId: string }).userId === shopper.id)).toHaveLength(1);
    expect(events[0]!.data).toMatchObject({
      userId: shopper.id,
      email: shopper.email,
      idempotencyKey: key,
      total: { amount: 3900, currency: 'EUR' },
      lines: [{ sku: 'ELE-CHARGER-65W', quantity: 1, unitPrice: { amount: 3900, currency: 'EUR' } }],
    });
    expect((await call('GET', '/api/v1/cart', undefined, as(shopper))).json().items).toEqual([]);
    const replay = await call('POST', '/api/v1/checkout', body, as(shopper, { 'idempotency-key': key }));
    expect(replay.json().orderId).toBe(orderId);
    const reused = await call(
      'POST',
      '/api/v1/checkout',
      { ...body, paymentMethod: 'pm_card_flaky' },
      as(shopper, { 'idempotency-key': key }),
    );
    expect(reused.statusCode).toBe(422);
  });
});
