import type { ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { serviceDirectory } from '@bazaar/platform';
import { eventually } from '@bazaar/platform/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ProcessPlatformRun, startProcessPlatform } from './support/outages';
import { ADMIN, embeddedScriptEnv, startEmbeddedScript } from './support/platforms';
import { createStockedProduct, ShopClient } from './support/shop-client';

const infra = ['POSTGRES_URL', 'RABBITMQ_URL', 'REDIS_URL'].every((v) => process.env[v]);
if (!infra && process.env.CI)
  throw new Error('the tracing test needs POSTGRES_URL, RABBITMQ_URL and REDIS_URL in CI');

/** A span as the test reads it from an OTLP/HTTP JSON export. */
interface ReceivedSpan {
  service: string;
  traceId: string;
  spanId: string;
  parentSpanId: string;
  name: string;
  kind: number;
  start: bigint;
  attributes: Record<string, unknown>;
}

const SPAN_KIND_CONSUMER = 5;

/** An OTLP/HTTP collector in the test: keeps every span the services export (JSON). */
async function startTraceReceiver() {
  const spans: ReceivedSpan[] = [];
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      if (request.method !== 'POST' || request.url !== '/v1/traces') {
        response.writeHead(404).end();
        return;
      }
      spans.push(...readExport(JSON.parse(Buffer.concat(chunks).toString('utf8'))));
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    spans,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

type TraceReceiver = Awaited<ReturnType<typeof startTraceReceiver>>;

interface OtlpValue {
  stringValue?: string;
  intValue?: string | number;
  boolValue?: boolean;
}
interface OtlpExport {
  resourceSpans: {
    resource: { attributes: { key: string; value: OtlpValue }[] };
    scopeSpans: {
      spans: {
        traceId: string;
        spanId: string;
        parentSpanId?: string;
        name: string;
        kind: number;
        startTimeUnixNano: string | number;
        attributes?: { key: string; value: OtlpValue }[];
      }[];
    }[];
  }[];
}

function readExport(body: OtlpExport): ReceivedSpan[] {
  const plainValue = (v: OtlpValue) => v.stringValue ?? v.intValue ?? v.boolValue;
  return body.resourceSpans.flatMap((rs) => {
    const process = String(
      plainValue(rs.resource.attributes.find((a) => a.key === 'service.name')?.value ?? {}),
    );
    return rs.scopeSpans.flatMap((ss) =>
      ss.spans.map((s) => {
        const attributes = Object.fromEntries((s.attributes ?? []).map((a) => [a.key, plainValue(a.value)]));
        // The embedded platform is one process (`bazaar`): there each span names its service itself.
        const service = process === 'bazaar' ? String(attributes['bazaar.service'] ?? process) : process;
        return {
          service,
          traceId: s.traceId,
          spanId: s.spanId,
          parentSpanId: s.parentSpanId ?? '',
          name: s.name,
          kind: s.kind,
          start: BigInt(s.startTimeUnixNano),
          attributes,
        };
      }),
    );
  });
}

/**
 * Places one order through `gatewayUrl` as the caller of a trace of the test's own, waits for its
 * delivery, and checks the trace the services exported: one trace across every service of the saga, each
 * span's parent in it and started first, the saga's steps each inside the step before.
 */
async function checkoutIsOneTrace(gatewayUrl: string, receiver: TraceReceiver) {
  const admin = await ShopClient.login(gatewayUrl, ADMIN.email, ADMIN.password);
  const product = await createStockedProduct(admin, { price: 1250, stock: 3 });
  const shopper = await ShopClient.register(gatewayUrl);
  await shopper.addToCart(product.sku, 1);

  // The test is the trace's caller: its id is known before anything is exported.
  const traceId = randomBytes(16).toString('hex');
  const callerSpanId = randomBytes(8).toString('hex');
  const checkout = await shopper.request(
    'POST',
    '/api/v1/checkout',
    {
      shippingAddress: { name: 'Ada', line1: '1 Row', city: 'London', postalCode: 'N1', country: 'GB' },
      paymentMethod: 'pm_card_visa',
    },
    { 'idempotency-key': randomUUID(), traceparent: `00-${traceId}-${callerSpanId}-01` },
  );
  expect(checkout.status).toBe(202);
  const orderId: string = checkout.body.orderId;
  await shopper.waitForOrder(orderId, (o) => o.status === 'DELIVERED', 60_000);

  // The saga's steps, each handled by a service in the trace of the step before it.
  const chain: [service: string, event: string][] = [
    ['orders', 'CartCheckedOut'],
    ['inventory', 'OrderCreated'],
    ['payments', 'StockReserved'],
    ['shipping', 'PaymentSucceeded'],
    ['orders', 'ShippingCreated'],
  ];
  const told: [string, string] = ['notifications', 'ShippingCreated'];
  const consumerSpan = (spans: ReceivedSpan[], [service, event]: [string, string]) =>
    spans.find(
      (s) => s.service === service && s.name === `process ${event}` && s.kind === SPAN_KIND_CONSUMER,
    );
  await eventually(
    () => {
      const spans = receiver.spans.filter((s) => s.traceId === traceId);
      return [...chain, told].every((step) => consumerSpan(spans, step));
    },
    { what: `the saga's consumer spans in trace ${traceId}`, timeoutMs: 30_000, intervalMs: 200 },
  );
  // Exports trail the spans' ends by a batch delay: what ends last (a parent) may come a little later.
  await new Promise((r) => setTimeout(r, 1_000));
  const spans = receiver.spans.filter((s) => s.traceId === traceId);

  const services = new Set(spans.map((s) => s.service));
  for (const service of [
    'gateway',
    'cart',
    'catalog',
    'orders',
    'inventory',
    'payments',
    'shipping',
    'notifications',
  ])
    expect(services, `a span of ${service}`).toContain(service);

  // Causal order: every span's parent is in the trace (the test's call is the root) and began first.
  const byId = new Map(spans.map((s) => [s.spanId, s]));
  const orphans = spans.filter((s) => s.parentSpanId !== callerSpanId && !byId.has(s.parentSpanId));
  expect(orphans.map((s) => `${s.service}: ${s.name}`)).toEqual([]);
  const early = spans.filter((s) => (byId.get(s.parentSpanId)?.start ?? 0n) > s.start);
  expect(early.map((s) => `${s.service}: ${s.name}`)).toEqual([]);

  const ancestorsOf = (span: ReceivedSpan) => {
    const ancestors: ReceivedSpan[] = [];
    for (let p = byId.get(span.parentSpanId); p; p = byId.get(p.parentSpanId)) ancestors.push(p);
    return ancestors;
  };
  // The gateway's request span starts it; the cart's checkout asks the catalog over gRPC inside it.
  const request = spans.find((s) => s.service === 'gateway' && s.parentSpanId === callerSpanId);
  expect(request?.name).toBe('POST /api/v1/checkout');
  const pricing = spans.find((s) => s.service === 'catalog' && s.name.endsWith('/GetProducts'));
  expect(pricing && ancestorsOf(pricing).map((s) => s.service)).toContain('cart');
  // Each step of the saga is handled inside the trace of the step before it.
  let previous = request!;
  for (const step of chain) {
    const span = consumerSpan(spans, step)!;
    expect(ancestorsOf(span), `${step[1]} handled by ${step[0]} follows the step before`).toContain(previous);
    expect(span.attributes['bazaar.order_id']).toBe(orderId);
    previous = span;
  }
  const shipped = consumerSpan(spans, ['shipping', 'PaymentSucceeded'])!;
  expect(ancestorsOf(consumerSpan(spans, told)!)).toContain(shipped);
  return { spans, traceId, orderId };
}

// The local-distributed mode with tracing on: each service its own process, exporting to the receiver.
describe.skipIf(!infra)('one checkout is one trace (multi-process)', () => {
  let receiver: TraceReceiver;
  let run: ProcessPlatformRun | undefined;
  let logDirectory: string;

  beforeAll(async () => {
    receiver = await startTraceReceiver();
    logDirectory = mkdtempSync(path.join(tmpdir(), 'bazaar-logs-'));
    run = await startProcessPlatform(
      { LOG_LEVEL: 'debug', OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_BSP_SCHEDULE_DELAY: '100' },
      { logDirectory },
    );
  }, 180_000);
  afterAll(async () => {
    await run?.platform.stopAll();
    await receiver?.close();
    for (const directory of [logDirectory, run?.dataDir])
      if (directory) rmSync(directory, { recursive: true, force: true });
  });

  it('follows the checkout from the gateway through every service, parents before children', async () => {
    const { spans, traceId, orderId } = await checkoutIsOneTrace(run!.platform.gatewayUrl, receiver);
    // Real work is in it: PostgreSQL statements, Redis commands and RabbitMQ publishes.
    const systems = spans.map(
      (s) => `${s.service} ${s.attributes['db.system.name'] ?? s.attributes['messaging.system']}`,
    );
    expect(systems).toContain('orders postgresql');
    expect(systems).toContain('cart redis');
    expect(systems).toContain('payments rabbitmq');

    // The logs of that order carry its trace: the orders service's lines name both.
    const ordersLog = readFileSync(path.join(logDirectory, 'orders.log'), 'utf8')
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(ordersLog.some((l) => l.orderId === orderId && l.trace_id === traceId)).toBe(true);
  }, 120_000);
});

// `npm start`'s platform, one process with one SDK: the spans name their services themselves.
describe('one checkout is one trace (embedded)', () => {
  const portOffset = 3700;
  let receiver: TraceReceiver;
  let platform: ChildProcess | undefined;
  let dataDirectory: string | undefined;

  beforeAll(async () => {
    receiver = await startTraceReceiver();
    const env = embeddedScriptEnv(portOffset, {
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      OTEL_BSP_SCHEDULE_DELAY: '100',
    });
    dataDirectory = env.BAZAAR_DATA_DIR;
    platform = await startEmbeddedScript(env, ['./packages/platform/src/telemetry/register.ts']);
  }, 180_000);
  afterAll(async () => {
    if (platform && platform.exitCode === null) {
      const exited = new Promise((resolve) => platform!.once('exit', resolve));
      platform.kill('SIGTERM');
      await exited;
    }
    await receiver?.close();
    if (dataDirectory) rmSync(dataDirectory, { recursive: true, force: true });
  });

  it('follows the checkout through every service, each span naming its own', async () => {
    await checkoutIsOneTrace(`http://127.0.0.1:${serviceDirectory.gateway.port + portOffset}`, receiver);
  }, 120_000);
});
