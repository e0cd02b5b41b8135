import type { Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  createHttpServer,
  createLogger,
  createMetrics,
  type HttpServer,
  type RunningService,
  startService,
} from '@bazaar/platform';
import { eventually, testEnv } from '@bazaar/platform/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { gatewayService } from '../service';

/** Long enough that a request is surely in flight when the test gives up on it or stops the service. */
const ANSWER_AFTER_MS = 1_500;

/** A service made with the platform's HTTP kit whose order page answers slowly, keeping the connections it came on. */
async function startSlowOrders() {
  const app: HttpServer = await createHttpServer({
    service: 'orders',
    title: 'slow orders',
    logger: createLogger('orders', 'silent'),
    metrics: createMetrics('orders'),
  });
  const handled = { started: 0, finished: 0 };
  const sockets = new Set<Socket>();
  app.get('/api/v1/orders/:id', async (request) => {
    handled.started++;
    sockets.add(request.raw.socket);
    await sleep(ANSWER_AFTER_MS);
    handled.finished++;
    return { id: (request.params as { id: string }).id };
  });
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  /** The connections order requests came on that are still open. */
  const openConnections = () => [...sockets].filter((s) => !s.destroyed).length;
  return { app, url, handled, openConnections };
}

/** How long `close` takes, or a failure once it has taken longer than `limitMs`. */
async function timedClose(app: HttpServer, limitMs: number): Promise<number> {
  const started = Date.now();
  const tooLong = sleep(limitMs, 'too long', { ref: false });
  const outcome = await Promise.race([app.close().then(() => 'closed'), tooLong]);
  expect(outcome, `close() still waiting after ${limitMs} ms`).toBe('closed');
  return Date.now() - started;
}

describe('requests their callers give up on', () => {
  let orders: Awaited<ReturnType<typeof startSlowOrders>>;
  let gateway: RunningService;
  const orderPage = () => `${gateway.url}/api/v1/orders/0190f0e0-0000-7000-8000-000000000001`;

  async function startBoth() {
    orders = await startSlowOrders();
    // Its own in-process bus and memory store: what happens here is HTTP only.
    gateway = await startService(gatewayService, { env: testEnv('embedded', { ORDERS_URL: orders.url }) });
  }
  afterEach(async () => {
    // The test's own fetch leaves spare connections to the gateway it never uses; the gateway's close
    // would wait (up to its drain limit) for them.
    gateway?.app.server.closeAllConnections();
    await gateway?.stop();
    // A close that failed its test must not hold the next one up.
    orders?.app.server.closeAllConnections();
    await orders?.app.close();
  });

  /** Sends `count` order requests through the gateway and gives up on them while the service works. */
  async function abortMidFlight(count: number) {
    const callers = Array.from({ length: count }, () => new AbortController());
    const answers = callers.map((c) => fetch(orderPage(), { signal: c.signal }).catch((err: Error) => err));
    await eventually(() => orders.handled.started === count, { what: 'the service working on them all' });
    for (const caller of callers) caller.abort();
    for (const answer of await Promise.all(answers)) expect(answer).toBeInstanceOf(Error);
  }

  it('frees their connections to the service at once, while the service is still working', async () => {
    await startBoth();
    await abortMidFlight(10);
    const givenUpAt = Date.now();
    await eventually(() => orders.openConnections() === 0, {
      timeoutMs: ANSWER_AFTER_MS / 2,
      what: `the connections of the requests closed (${orders.openConnections()} open)`,
    });
    expect(Date.now() - givenUpAt).toBeLessThan(ANSWER_AFTER_MS);
    expect(orders.handled.finished).toBe(0);
  });

  it('lets the service stop right after, within seconds', async () => {
    await startBoth();
    await abortMidFlight(10);
    expect(await timedClose(orders.app, 5_000)).toBeLessThan(ANSWER_AFTER_MS + 1_000);
  });

  it('lets requests in flight when a service stops finish, then closes their connections', async () => {
    await startBoth();
    const answers = Array.from({ length: 3 }, () => fetch(orderPage()));
    await eventually(() => orders.handled.started === 3, { what: 'the service working on them all' });
    const closed = timedClose(orders.app, 5_000);
    for (const answer of await Promise.all(answers)) expect(answer.status).toBe(200);
    expect(orders.handled.finished).toBe(3);
    expect(await closed).toBeLessThan(ANSWER_AFTER_MS + 1_000);
  });
});
