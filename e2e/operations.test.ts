import { randomUUID } from 'node:crypto';
import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Platform } from '../launcher/platform';
import { ADMIN, checkOutToCompleted, startE2ePlatform, testModes } from './support/platforms';
import { createStockedProduct, ShopClient } from './support/shop-client';

// Tracing on in this process (spans kept nowhere): events then carry the traceparent of the consumer
// span that emitted them, as they do when OTEL_EXPORTER_OTLP_ENDPOINT is set.
context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
trace.setGlobalTracerProvider(new BasicTracerProvider());

interface Step {
  at: string;
  event: string;
  eventId: string;
  service: string;
  action: 'published' | 'handled';
  traceId?: string;
}

/** A saga's deadline short enough to pass within a test; the sweep that would cancel it is off. */
const DEADLINE_SECONDS = 3;

describe.each(testModes())('operations console API (%s)', (mode) => {
  let platform: Platform;
  let admin: ShopClient;
  let customer: ShopClient;

  beforeAll(async () => {
    platform = await startE2ePlatform(mode, {
      ORDER_DEADLINE_SECONDS: String(DEADLINE_SECONDS),
      ORDER_SWEEP_MS: '3600000',
    });
    admin = await ShopClient.login(platform.gatewayUrl, ADMIN.email, ADMIN.password);
    customer = await ShopClient.register(platform.gatewayUrl);
  });
  afterAll(async () => {
    await platform?.stop();
  });

  const timelineOf = async (orderId: string) => admin.ok('GET', `/api/v1/admin/sagas/${orderId}`);
  const stockOf = (sku: string) => admin.ok('GET', `/api/v1/inventory/${sku}`);

  it("reports every service's readiness", async () => {
    const health = await admin.ok('GET', '/api/v1/admin/health');
    expect(health.status).toBe('ok');
    const names = health.services.map((s: { name: string }) => s.name).sort();
    expect(names).toEqual(
      [
        'cart',
        'catalog',
        'gateway',
        'identity',
        'inventory',
        'notifications',
        'orders',
        'payments',
        'shipping',
      ].sort(),
    );
    for (const service of health.services) {
      expect(service).toMatchObject({ status: 'up' });
      expect(service.latencyMs).toBeGreaterThanOrEqual(0);
    }
    expect(health.services.find((s: { name: string }) => s.name === 'orders').checks).toMatchObject({
      database: 'ok',
      bus: 'ok',
    });
  });

  it("shows a completed order's saga across the services, in order, with trace ids", async () => {
    const { orderId } = await checkOutToCompleted(admin, customer);

    // The last handlers may still be committing: wait for the completion and what shipping did before.
    const timeline = await vi.waitFor(
      async () => {
        const t = await timelineOf(orderId);
        const done = (event: string, action: string) =>
          t.steps.some((s: Step) => s.event === event && s.action === action);
        if (!done('OrderCompleted', 'published') || !done('ShippingCreated', 'handled')) {
          throw new Error('the saga is not complete yet');
        }
        return t;
      },
      { timeout: 20_000, interval: 200 },
    );
    expect(timeline).toMatchObject({ orderId, stuck: false, unavailable: [] });
    const steps = timeline.steps as Step[];
    const times = steps.map((s) => s.at);
    expect(times).toEqual([...times].sort());

    const position = (service: string, action: Step['action'], event: string) => {
      const i = steps.findIndex((s) => s.service === service && s.action === action && s.event === event);
      expect(i, `${service} ${action} ${event}`).toBeGreaterThanOrEqual(0);
      return i;
    };
    const saga = [
      position('cart', 'published', 'CartCheckedOut'),
      position('orders', 'handled', 'CartCheckedOut'),
      position('orders', 'published', 'OrderCreated'),
      position('inventory', 'handled', 'OrderCreated'),
      position('inventory', 'published', 'StockReserved'),
      position('payments', 'handled', 'StockReserved'),
      position('payments', 'published', 'PaymentSucceeded'),
      position('shipping', 'handled', 'PaymentSucceeded'),
      position('shipping', 'published', 'ShippingCreated'),
      position('orders', 'handled', 'ShippingCreated'),
      position('orders', 'published', 'OrderCompleted'),
    ];
    expect(saga).toEqual([...saga].sort((a, b) => a - b));
    // Each handled event is one that some service published, under the same id.
    const publishedIds = new Set(steps.filter((s) => s.action === 'published').map((s) => s.eventId));
    for (const s of steps.filter((x) => x.action === 'handled')) expect(publishedIds).toContain(s.eventId);

    // Trace ids: a handled event carries the trace of its publication, and a handler's events continue
    // the trace of the event it handled (OrderCreated → StockReserved).
    const traceOf = (service: string, action: Step['action'], event: string) =>
      steps[position(service, action, event)]!.traceId;
    expect(traceOf('orders', 'published', 'OrderCreated')).toMatch(/^[0-9a-f]{32}$/);
    expect(traceOf('inventory', 'published', 'StockReserved')).toBe(
      traceOf('orders', 'published', 'OrderCreated'),
    );
    const publishedTrace = new Map(
      steps.filter((s) => s.action === 'published').map((s) => [s.eventId, s.traceId]),
    );
    for (const s of steps.filter((x) => x.action === 'handled')) {
      expect(s.traceId, `${s.service} handled ${s.event}`).toBe(publishedTrace.get(s.eventId));
    }
  });

  it('lists a stalled saga as stuck past its deadline, retries its step once, and compensates it', async () => {
    const p = await createStockedProduct(admin, { stock: 4 });
    // With payments down the saga stops after the reservation.
    await platform.services.payments!.stop();
    const health = await admin.ok('GET', '/api/v1/admin/health');
    expect(health.status).toBe('degraded');
    expect(health.services.find((s: { name: string }) => s.name === 'payments')).toMatchObject({
      status: 'down',
    });

    await customer.addToCart(p.sku, 2);
    const { body } = await customer.checkout('pm_card_visa');
    const orderId = body.orderId as string;
    await customer.waitForOrder(orderId, (o) => o.status === 'STOCK_RESERVED');
    expect(await stockOf(p.sku)).toMatchObject({ onHand: 4, reserved: 2, available: 2 });

    const early = await timelineOf(orderId);
    expect(early).toMatchObject({ status: 'STOCK_RESERVED', stuck: false });
    await new Promise((r) => setTimeout(r, DEADLINE_SECONDS * 1000 + 200));
    const stuck = await admin.ok('GET', '/api/v1/admin/sagas?stuck=true&limit=500');
    expect(stuck.items).toContainEqual(
      expect.objectContaining({ orderId, stuck: true, status: 'STOCK_RESERVED' }),
    );
    expect((await timelineOf(orderId)).stuck).toBe(true);
    const reserved = await admin.ok('GET', '/api/v1/admin/sagas?status=STOCK_RESERVED');
    expect(reserved.items.map((s: { orderId: string }) => s.orderId)).toContain(orderId);

    // Retry: the last events orders published for it go out again, same ids; nobody applies them twice.
    const before = (await timelineOf(orderId)).steps as Step[];
    const lastOrdersStep = before.filter((s) => s.service === 'orders' && s.action === 'published').at(-1)!;
    const retried = await admin.request('POST', `/api/v1/admin/sagas/${orderId}/retry`);
    expect(retried.status).toBe(202);
    expect(retried.body.orderId).toBe(orderId);
    expect(retried.body.republished).toContain(lastOrdersStep.eventId);
    await new Promise((r) => setTimeout(r, 1500));
    const after = await timelineOf(orderId);
    expect(after.status).toBe('STOCK_RESERVED');
    const handledTwice = (after.steps as Step[]).filter(
      (s, i, all) =>
        s.action === 'handled' &&
        all.findIndex((o) => o.action === 'handled' && o.service === s.service && o.eventId === s.eventId) !==
          i,
    );
    expect(handledTwice).toEqual([]);
    expect(await stockOf(p.sku)).toMatchObject({ reserved: 2, available: 2 });
    expect(after.operatorActions).toContainEqual(
      expect.objectContaining({
        action: 'retry',
        actor: admin.session!.user.id,
        eventIds: retried.body.republished,
      }),
    );

    // Compensate: cancelled as the deadline would, the stock released.
    const compensated = await admin.request('POST', `/api/v1/admin/sagas/${orderId}/compensate`, {
      reason: 'payments outage',
    });
    expect(compensated.status).toBe(202);
    expect(compensated.body).toEqual({ orderId, status: 'CANCELLED', previousStatus: 'STOCK_RESERVED' });
    await vi.waitFor(async () => expect(await stockOf(p.sku)).toMatchObject({ reserved: 0, available: 4 }), {
      timeout: 15_000,
      interval: 200,
    });
    const order = await customer.order(orderId);
    expect(order).toMatchObject({ status: 'CANCELLED', cancelReason: 'OPERATOR_REQUEST' });
    const ended = await timelineOf(orderId);
    expect(ended).toMatchObject({ status: 'CANCELLED', stuck: false });
    expect(ended.operatorActions).toContainEqual(
      expect.objectContaining({ action: 'compensate', reason: 'payments outage' }),
    );
    expect((await admin.ok('GET', '/api/v1/admin/sagas?stuck=true&limit=500')).items).not.toContainEqual(
      expect.objectContaining({ orderId }),
    );

    // A final order refuses both actions.
    for (const action of ['compensate', 'retry']) {
      const again = await admin.request('POST', `/api/v1/admin/sagas/${orderId}/${action}`);
      expect(again.status).toBe(409);
      expect(again.headers.get('content-type')).toContain('application/problem+json');
    }
  });

  it('counts ended orders per minute and their checkout latency', async () => {
    const figures = await admin.ok('GET', '/api/v1/admin/figures?minutes=10');
    expect(figures.ordersPerMinute.length).toBeGreaterThanOrEqual(10);
    const total = (state: 'COMPLETED' | 'CANCELLED') =>
      figures.ordersPerMinute.reduce((sum: number, m: Record<string, number>) => sum + m[state]!, 0);
    // The completed order above, and the compensated one.
    expect(total('COMPLETED')).toBeGreaterThanOrEqual(1);
    expect(total('CANCELLED')).toBeGreaterThanOrEqual(1);
    const latency = figures.checkoutLatencyMs;
    expect(latency.count).toBe(total('COMPLETED') + total('CANCELLED'));
    expect(latency.p50).toBeGreaterThan(0);
    expect(latency.p99).toBeGreaterThanOrEqual(latency.p95);
    expect(latency.p95).toBeGreaterThanOrEqual(latency.p50);
    expect((await admin.request('GET', '/api/v1/admin/figures?minutes=0')).status).toBe(400);
  });

  it('answers customers 403 and unknown orders 404, as problem+json', async () => {
    const unknown = randomUUID();
    for (const [method, path] of [
      ['GET', '/api/v1/admin/health'],
      ['GET', '/api/v1/admin/sagas'],
      ['GET', `/api/v1/admin/sagas/${unknown}`],
      ['POST', `/api/v1/admin/sagas/${unknown}/compensate`],
      ['POST', `/api/v1/admin/sagas/${unknown}/retry`],
      ['GET', '/api/v1/admin/figures'],
    ] as const) {
      const res = await customer.request(method, path);
      expect(res.status, `${method} ${path}`).toBe(403);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
    }
    for (const [method, path] of [
      ['GET', `/api/v1/admin/sagas/${unknown}`],
      ['POST', `/api/v1/admin/sagas/${unknown}/compensate`],
      ['POST', `/api/v1/admin/sagas/${unknown}/retry`],
    ] as const) {
      const res = await admin.request(method, path);
      expect(res.status, `${method} ${path}`).toBe(404);
      expect(res.body).toMatchObject({ code: 'orders.order_not_found' });
    }
    // The API document lists the console's routes, and none of the services' internal ones.
    const doc = await admin.ok('GET', '/openapi.json');
    for (const route of [
      '/api/v1/admin/health',
      '/api/v1/admin/sagas/{orderId}/retry',
      '/api/v1/admin/figures',
    ]) {
      expect(doc.paths).toHaveProperty([route]);
    }
    expect(Object.keys(doc.paths).filter((p) => p.startsWith('/internal'))).toEqual([]);
    // The services' internal routes check the token themselves: a customer's is refused there too.
    const orders = platform.services.orders!.url;
    const direct = await fetch(`${orders}/internal/saga/${unknown}`, {
      headers: { authorization: `Bearer ${customer.session!.accessToken}` },
    });
    expect(direct.status).toBe(403);
    expect((await fetch(`${orders}/internal/sagas`)).status).toBe(401);
    // And the gateway has no way to them (at most the web app's page).
    expect((await admin.request('GET', `/internal/saga/${unknown}`)).body?.steps).toBeUndefined();
  });
});
