import { randomUUID } from 'node:crypto';
import { catalogService } from '@bazaar/catalog';
import { createEvent } from '@bazaar/contracts';
import {
  openServiceTestbed,
  type ServiceTestbed,
  type TestIdentity,
  type TestUser,
} from '@bazaar/identity/testing';
import type { EventBus, RunningService } from '@bazaar/platform';
import { eventually, testModes } from '@bazaar/platform/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gatewayService } from './service';

describe.each(testModes())('gateway (%s)', (mode) => {
  let bed: ServiceTestbed;
  let identity: TestIdentity;
  let catalog: RunningService;
  let gateway: RunningService;
  let limited: RunningService;
  let bus: EventBus;
  let customer: TestUser;
  let base: string;

  beforeAll(async () => {
    bed = await openServiceTestbed(mode, { name: 'gateway', env: { BAZAAR_SEED_DEMO: '1' } });
    ({ identity, bus } = bed);
    // Long enough that only the gateway's purge on catalog events can explain a fresh page.
    catalog = await bed.start(catalogService, { CATALOG_PUBLIC_MAX_AGE_SECONDS: '300' });
    const upstreams = {
      CATALOG_URL: catalog.url,
      // Nothing listens here: the gateway must say so clearly.
      ORDERS_URL: 'http://127.0.0.1:9',
      BODY_LIMIT_BYTES: '4096',
    };
    gateway = await bed.start(gatewayService, upstreams);
    limited = await bed.start(
      gatewayService,
      { ...upstreams, RATE_LIMIT_MAX: '5', BAZAAR_NAMESPACE: `${bed.env.BAZAAR_NAMESPACE}lim_` },
      { consume: false },
    );
    base = gateway.url;
    customer = await identity.customer();
  });
  afterAll(() => bed?.close());

  const call = async (path: string, init: RequestInit = {}) => {
    const res = await fetch(`${base}${path}`, init);
    const json = res.json.bind(res);
    // biome-ignore lint/suspicious/noExplicitAny: bodies are asserted field by field.
    return Object.assign(res, { json: () => json() }) as Omit<Response, 'json'> & { json(): Promise<any> };
  };
  const json = (body: unknown, headers: Record<string, string> = {}) => ({
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });

  it('routes sign-up, sign-in and the catalog through one address', async () => {
    const email = `${randomUUID()}@example.com`;
    const reg = await call(
      '/api/v1/auth/register',
      json({ email, password: 'a-good-password-1', name: 'Gia' }),
    );
    expect(reg.status).toBe(201);
    const { accessToken } = await reg.json();
    const me = await call('/api/v1/me', { headers: { authorization: `Bearer ${accessToken}` } });
    expect(await me.json()).toMatchObject({ email });
    expect(me.headers.get('x-request-id')).toBeTruthy();
    const products = await (await call('/api/v1/products?limit=20')).json();
    expect(products.items).toHaveLength(20);
  });

  it('keeps public catalog pages briefly and forgets them when the catalog changes', async () => {
    const url = '/api/v1/products?limit=5';
    const first = await call(url);
    const firstText = await first.text();
    expect(first.headers.get('cache-control')).toBe('public, max-age=300');
    const second = await call(url);
    expect(second.headers.get('x-cache')).toBe('HIT');
    expect(await second.text()).toBe(firstText);
    // Signed-in callers and callers asking for a fresh answer always reach the catalog.
    expect((await call(url, { headers: customer.headers })).headers.get('x-cache')).toBeNull();
    expect((await call(url, { headers: { 'cache-control': 'no-cache' } })).headers.get('x-cache')).toBeNull();

    const product = JSON.parse(firstText).items[0];
    const admin = await identity.admin();
    const patched = await call(`/api/v1/products/${product.id}`, {
      method: 'PATCH',
      headers: { ...admin.headers, 'content-type': 'application/json' },
      body: JSON.stringify({ price: { ...product.price, amount: product.price.amount + 100 } }),
    });
    expect(patched.status, await patched.clone().text()).toBe(200);
    await eventually(
      async () => (await (await call(url)).json()).items[0].price.amount === product.price.amount + 100,
      {
        what: 'the new price through the gateway',
      },
    );
  });

  it('refuses forged and expired tokens at the edge with problem+json', async () => {
    const forged = `${customer.token.slice(0, -4)}AAAA`;
    for (const token of [forged, 'eyJhbGciOiJFZERTQSJ9.eyJzdWIiOiJ4In0.c2ln']) {
      const res = await call('/api/v1/products', { headers: { authorization: `Bearer ${token}` } });
      expect(res.status).toBe(401);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
    }
  });

  it('answers bad requests and missing upstreams with problem+json', async () => {
    const big = await call(
      '/api/v1/auth/register',
      json({ email: 'x@example.com', password: 'p', name: 'x'.repeat(10_000) }),
    );
    expect(big.status).toBe(413);
    expect((await big.json()).code).toBe('request.too_large');
    const unknown = await call('/api/v1/nothing-here');
    expect(unknown.status).toBe(404);
    expect((await unknown.json()).code).toBe('route.not_found');
    const down = await call('/api/v1/orders', { headers: customer.headers });
    expect(down.status).toBe(503);
    expect(down.headers.get('content-type')).toContain('application/problem+json');
    expect(down.headers.get('retry-after')).toBe('1');
    const passThrough = await call('/api/v1/products/0190b5c8-4c2a-7a10-8000-00000000ffff');
    expect(passThrough.status).toBe(404);
    expect((await passThrough.json()).code).toBe('catalog.product_not_found');
  });

  it('limits the request rate per caller', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) statuses.push((await fetch(`${limited.url}/api/v1/categories`)).status);
    expect(statuses.slice(0, 5).every((s) => s === 200)).toBe(true);
    expect(statuses.at(-1)).toBe(429);
    const res = await fetch(`${limited.url}/api/v1/categories`);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(((await res.json()) as { code: string }).code).toBe('rate_limited');
    // The web app's files and the docs are not counted: a limited caller still gets its pages.
    for (const path of ['/', '/orders', '/docs/'])
      expect((await fetch(`${limited.url}${path}`)).status).not.toBe(429);
  });

  it('replays an idempotent request byte for byte and refuses a reused key', async () => {
    const key = randomUUID();
    const body = { email: `${randomUUID()}@example.com`, password: 'a-good-password-1', name: 'Ida' };
    const first = await call('/api/v1/auth/register', json(body, { 'idempotency-key': key }));
    const firstText = await first.text();
    expect(first.status).toBe(201);
    const again = await call('/api/v1/auth/register', json(body, { 'idempotency-key': key }));
    expect(again.status).toBe(201);
    expect(await again.text()).toBe(firstText);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    const other = await call(
      '/api/v1/auth/register',
      json({ ...body, name: 'Other' }, { 'idempotency-key': key }),
    );
    expect(other.status).toBe(422);
    expect((await other.json()).code).toBe('idempotency.key_reused');
    const tooLong = await call('/api/v1/auth/register', json(body, { 'idempotency-key': 'k'.repeat(300) }));
    expect(tooLong.status).toBe(400);
  });

  it('answers 409 to a repeat that arrives while the first is still running', async () => {
    const key = randomUUID();
    const body = { email: `${randomUUID()}@example.com`, password: 'a-good-password-1', name: 'Ron' };
    const answers = await Promise.all(
      Array.from({ length: 5 }, () => call('/api/v1/auth/register', json(body, { 'idempotency-key': key }))),
    );
    const statuses = answers.map((a) => a.status).sort();
    expect(statuses.filter((s) => s === 201).length).toBeGreaterThanOrEqual(1);
    expect(statuses.every((s) => s === 201 || s === 409)).toBe(true);
    // A repeat told to wait is told when to come back.
    for (const waiting of answers.filter((a) => a.status === 409)) {
      expect(waiting.headers.get('retry-after')).toBe('1');
      expect((await waiting.json()).code).toBe('idempotency.in_progress');
    }
    // Exactly one account was created: a plain registration now finds the email taken.
    const plain = await call('/api/v1/auth/register', json(body));
    expect(plain.status).toBe(409);
  });

  it('publishes merged OpenAPI, the docs page and the AsyncAPI document', async () => {
    const doc = await (await call('/openapi.json')).json();
    expect(doc.paths).toHaveProperty('/api/v1/auth/register');
    expect(doc.paths).toHaveProperty('/api/v1/products');
    expect(doc.paths).toHaveProperty('/api/v1/events');
    expect(doc.paths).toHaveProperty('/api/v1/admin/dead-letters/{service}');
    const docs = await call('/docs');
    expect(docs.status).toBe(200);
    expect(await docs.text()).toContain('swagger');
    const asyncApi = await (await call('/asyncapi.json')).json();
    expect(asyncApi.asyncapi).toBe('3.0.0');
    expect((await call('/')).headers.get('content-type')).toContain('text/html');
  });

  it("streams a shopper's own order updates and nobody else's", async () => {
    const other = await identity.customer();
    const controller = new AbortController();
    const res = await call(`/api/v1/events?access_token=${customer.token}`, { signal: controller.signal });
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const reader = res.body!.getReader();
    let text = '';
    const reading = (async () => {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        text += new TextDecoder().decode(value);
      }
    })().catch(() => {});
    const status = (userId: string, orderId: string) =>
      createEvent(
        'OrderStatusChanged',
        { orderId, userId, status: 'PAID', at: new Date().toISOString() },
        { source: '/bazaar/orders', correlationId: orderId },
      );
    const mine = randomUUID();
    const theirs = randomUUID();
    await eventually(
      async () => {
        await bus.publish(status(other.id, theirs));
        await bus.publish(status(customer.id, mine));
        return text.includes(mine);
      },
      { what: 'an SSE frame' },
    );
    expect(text).toContain('event: order-status');
    expect(text).not.toContain(theirs);
    controller.abort();
    await reading;
    expect((await call('/api/v1/events')).status).toBe(401);
  });
});
