import { type CloudEvent, createEvent } from '@bazaar/contracts';
import { openServiceTestbed, type ServiceTestbed, type TestUser } from '@bazaar/identity/testing';
import { catalogV1, createGrpcClient, type EventBus, type RunningService } from '@bazaar/platform';
import { eventually, testModes } from '@bazaar/platform/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { catalogService } from './service';

describe.each(testModes())('catalog (%s)', (mode) => {
  let bed: ServiceTestbed;
  let catalog: RunningService;
  let bus: EventBus;
  let seen: CloudEvent[];
  let admin: TestUser;
  let customer: TestUser;

  beforeAll(async () => {
    bed = await openServiceTestbed(mode, {
      name: 'catalog',
      env: { BAZAAR_SEED_DEMO: '1' },
      observe: ['product.#', 'price.changed'],
    });
    ({ bus, seen } = bed);
    catalog = await bed.start(catalogService);
    [admin, customer] = await Promise.all([bed.identity.admin(), bed.identity.customer()]);
  });
  afterAll(() => bed?.close());

  const inject = (
    method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
    url: string,
    payload?: object,
    user?: TestUser,
  ) => catalog.app.inject({ method, url, payload, headers: user?.headers });
  const newProduct = (overrides: Record<string, unknown> = {}) => ({
    sku: `T-${Math.random().toString(36).slice(2, 10).toUpperCase()}`,
    name: 'Walnut serving tray',
    description: 'A walnut tray finished with beeswax.',
    category: 'kitchen',
    price: { amount: 3450, currency: 'EUR' },
    ...overrides,
  });

  it('serves the demo catalog in pages without duplicates', async () => {
    const ids: string[] = [];
    let cursor: string | null = null;
    do {
      const res = await inject('GET', `/api/v1/products?limit=7${cursor ? `&cursor=${cursor}` : ''}`);
      expect(res.statusCode).toBe(200);
      const page = res.json();
      ids.push(...page.items.map((p: { id: string }) => p.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(ids.length).toBeGreaterThanOrEqual(60);
    expect(new Set(ids).size).toBe(ids.length);
    const first = (await inject('GET', '/api/v1/products?limit=1')).json().items[0];
    expect(first).toMatchObject({
      price: { currency: 'EUR' },
      imageUrl: `/api/v1/products/${first.id}/image.svg`,
    });
    const image = await inject('GET', first.imageUrl);
    expect(image.headers['content-type']).toContain('image/svg+xml');
  });

  it('searches full text and filters by category', async () => {
    const stainless = (await inject('GET', '/api/v1/products?q=stainless&limit=50')).json().items;
    expect(stainless.length).toBeGreaterThan(2);
    for (const p of stainless) expect(`${p.name} ${p.description}`.toLowerCase()).toContain('stainless');
    const waterproofOutdoors = (await inject('GET', '/api/v1/products?q=waterproof&category=outdoors')).json()
      .items;
    expect(waterproofOutdoors.length).toBeGreaterThan(0);
    expect(waterproofOutdoors.every((p: { category: string }) => p.category === 'outdoors')).toBe(true);
    const books = (await inject('GET', '/api/v1/products?category=books&limit=100')).json().items;
    expect(books).toHaveLength(10);
    expect((await inject('GET', '/api/v1/products?cursor=garbage')).json()).toMatchObject({
      status: 400,
      code: 'catalog.invalid_cursor',
    });
  });

  it('lets an admin create, change and withdraw products, publishing each change', async () => {
    const body = newProduct();
    const created = await inject('POST', '/api/v1/products', body, admin);
    expect(created.statusCode).toBe(201);
    const id = created.json().id;
    expect((await inject('GET', `/api/v1/products/${id}`)).json()).toMatchObject({
      sku: body.sku,
      available: 0,
    });

    const patched = await inject(
      'PATCH',
      `/api/v1/products/${id}`,
      { price: { amount: 2999, currency: 'EUR' } },
      admin,
    );
    expect(patched.statusCode).toBe(200);
    // The cached detail and list pages reflect the change at once.
    expect((await inject('GET', `/api/v1/products/${id}`)).json().price.amount).toBe(2999);
    const found = (await inject('GET', '/api/v1/products?q=walnut')).json().items;
    expect(found.find((p: { id: string }) => p.id === id)?.price.amount).toBe(2999);

    expect((await inject('DELETE', `/api/v1/products/${id}`, undefined, admin)).statusCode).toBe(204);
    expect((await inject('GET', `/api/v1/products/${id}`)).statusCode).toBe(404);
    await eventually(
      () => {
        const mine = seen
          .filter((e) => (e.data as { productId?: string }).productId === id)
          .map((e) => e.type);
        return mine.length >= 4 && mine;
      },
      { what: 'product events' },
    ).then((types) =>
      expect(types).toEqual(['ProductCreated', 'ProductUpdated', 'PriceChanged', 'ProductUpdated']),
    );
    expect((await inject('POST', '/api/v1/products', { ...body }, admin)).json().code).toBe(
      'catalog.sku_taken',
    );
  });

  it.each([
    ['a missing name', { name: undefined }],
    ['a float price', { price: { amount: 12.5, currency: 'EUR' } }],
    ['a negative price', { price: { amount: -1, currency: 'EUR' } }],
    ['a bad currency', { price: { amount: 100, currency: 'euro' } }],
    ['an unknown category', { category: 'spaceships' }],
    ['an oversized description', { description: 'x'.repeat(6000) }],
    ['a lower-case sku', { sku: 'abc' }],
  ])('refuses %s with 400 and stores nothing', async (_what, overrides) => {
    const body = newProduct(overrides);
    const res = await inject('POST', '/api/v1/products', body, admin);
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toContain('application/problem+json');
    const search = (await inject('GET', `/api/v1/products?q=${encodeURIComponent(String(body.sku))}`)).json()
      .items;
    expect(search).toEqual([]);
  });

  it('keeps admin routes from customers and strangers, and answers unknown ids with 404', async () => {
    expect((await inject('POST', '/api/v1/products', newProduct(), customer)).statusCode).toBe(403);
    expect((await inject('POST', '/api/v1/products', newProduct())).statusCode).toBe(401);
    const forged = { authorization: `Bearer ${customer.token.slice(0, -3)}abc` };
    expect(
      (await catalog.app.inject({ method: 'GET', url: '/api/v1/products', headers: forged })).statusCode,
    ).toBe(401);
    expect(
      (await inject('GET', '/api/v1/products/0190b5c8-4c2a-7a10-8000-00000000ffff')).json(),
    ).toMatchObject({
      status: 404,
      code: 'catalog.product_not_found',
    });
    expect((await inject('GET', '/api/v1/products/not-a-uuid')).statusCode).toBe(400);
    expect(
      (await inject('PATCH', '/api/v1/products/0190b5c8-4c2a-7a10-8000-00000000ffff', { name: 'x' }, admin))
        .statusCode,
    ).toBe(404);
  });

  it('shows availability from StockChanged, once however often it arrives', async () => {
    const { id, sku } = (await inject('POST', '/api/v1/products', newProduct(), admin)).json();
    const event = createEvent(
      'StockChanged',
      { sku, onHand: 9, reserved: 2, available: 7 },
      { source: '/bazaar/inventory', correlationId: sku },
    );
    await bus.publish(event);
    await bus.publish(event);
    await eventually(async () => (await inject('GET', `/api/v1/products/${id}`)).json().available === 7, {
      what: 'availability',
    });

    // A level reported earlier that arrives late does not overwrite the newer one.
    const stale = createEvent(
      'StockChanged',
      { sku, onHand: 9, reserved: 0, available: 9 },
      { source: '/bazaar/inventory', correlationId: sku },
    );
    const newer = createEvent(
      'StockChanged',
      { sku, onHand: 9, reserved: 4, available: 5 },
      { source: '/bazaar/inventory', correlationId: sku },
    );
    await bus.publish(newer);
    await eventually(async () => (await inject('GET', `/api/v1/products/${id}`)).json().available === 5, {
      what: 'the newer level',
    });
    const applied = async () => {
      const metrics = (await inject('GET', '/metrics')).body;
      const line = metrics.match(
        /events_consumed_total\{[^}]*type="StockChanged"[^}]*outcome="applied"[^}]*\} (\d+)/,
      );
      return Number(line?.[1] ?? 0);
    };
    const before = await applied();
    await bus.publish({ ...stale, time: new Date(Date.parse(newer.time) - 1_000).toISOString() });
    await eventually(async () => (await applied()) > before, { what: 'the stale level consumed' });
    expect((await inject('GET', `/api/v1/products/${id}`)).json().available).toBe(5);
  });

  it('answers GetProducts over gRPC with authoritative prices', async () => {
    const client = createGrpcClient(catalogV1.CatalogService, { baseUrl: catalog.grpcUrl! });
    const res = await client.getProducts({ skus: ['KIT-CHEF-KNIFE-20', 'NO-SUCH-SKU'] });
    expect(res.products).toHaveLength(1);
    expect(res.products[0]).toMatchObject({
      sku: 'KIT-CHEF-KNIFE-20',
      priceAmount: 8900n,
      currency: 'EUR',
      active: true,
    });
  });
});
