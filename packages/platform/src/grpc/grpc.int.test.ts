import http2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import { Code, ConnectError, createClient } from '@connectrpc/connect';
import { createGrpcTransport } from '@connectrpc/connect-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CircuitOpenError } from './circuit-breaker';
import { CatalogService } from './gen/bazaar/catalog/v1/catalog_pb';
import { Health, HealthCheckResponse_ServingStatus } from './gen/grpc/health/v1/health_pb';
import { createGrpcClient, isNotFound, isUnavailable } from './grpc-client';
import { type GrpcServer, startGrpcServer } from './grpc-server';

describe('gRPC kit', () => {
  let server: GrpcServer;
  let failuresLeft = 0;
  let lostConnectionsLeft = 0;
  let delayMs = 0;
  let calls = 0;

  beforeAll(async () => {
    server = await startGrpcServer({
      port: 0,
      register: (router) =>
        router.service(CatalogService, {
          async getProducts(req) {
            calls++;
            if (req.skus.includes('NO-SUCH-SKU')) throw new ConnectError('no such product', Code.NotFound);
            if (delayMs) await new Promise((r) => setTimeout(r, delayMs));
            if (failuresLeft > 0) {
              failuresLeft--;
              throw new ConnectError('try later', Code.Unavailable);
            }
            if (lostConnectionsLeft > 0) {
              lostConnectionsLeft--;
              // What the query builder throws when PostgreSQL ends the session under a query.
              const ended = Object.assign(new Error('terminating connection due to administrator command'), {
                code: '57P01',
              });
              throw new Error('Failed query: select …', { cause: ended });
            }
            return {
              products: req.skus.map((sku) => ({
                productId: 'p',
                sku,
                name: sku,
                priceAmount: 1999n,
                currency: 'EUR',
                active: true,
              })),
            };
          },
        }),
    });
  });
  afterAll(async () => server?.close());

  it('answers, retrying transient failures of a call without side effects', async () => {
    const client = createGrpcClient(CatalogService, { baseUrl: server.url, retries: 2 });
    failuresLeft = 2;
    calls = 0;
    const res = await client.getProducts({ skus: ['A', 'B'] });
    expect(res.products.map((p) => p.sku)).toEqual(['A', 'B']);
    expect(res.products[0]!.priceAmount).toBe(1999n);
    expect(calls).toBe(3);
  });

  it('answers UNAVAILABLE for a lost database connection, so the call is retried', async () => {
    const client = createGrpcClient(CatalogService, { baseUrl: server.url, retries: 2 });
    lostConnectionsLeft = 1;
    calls = 0;
    expect((await client.getProducts({ skus: ['A'] })).products).toHaveLength(1);
    expect(calls).toBe(2);
    lostConnectionsLeft = 1;
    const once = createGrpcClient(CatalogService, { baseUrl: server.url, retries: 0 });
    await expect(once.getProducts({ skus: ['A'] })).rejects.toMatchObject({ code: Code.Unavailable });
  });

  it('gives up at the deadline', async () => {
    const client = createGrpcClient(CatalogService, { baseUrl: server.url, timeoutMs: 100, retries: 0 });
    delayMs = 400;
    const started = Date.now();
    try {
      await client.getProducts({ skus: ['A'] });
      expect.unreachable();
    } catch (err) {
      expect(ConnectError.from(err).code).toBe(Code.DeadlineExceeded);
      expect(Date.now() - started).toBeLessThan(350);
    } finally {
      delayMs = 0;
    }
  });

  it('opens the circuit after repeated failures and fails fast', async () => {
    const client = createGrpcClient(CatalogService, {
      baseUrl: server.url,
      retries: 0,
      failureThreshold: 2,
      cooldownMs: 60_000,
    });
    failuresLeft = 100;
    await expect(client.getProducts({ skus: ['A'] })).rejects.toThrow();
    await expect(client.getProducts({ skus: ['A'] })).rejects.toThrow();
    calls = 0;
    await expect(client.getProducts({ skus: ['A'] })).rejects.toBeInstanceOf(CircuitOpenError);
    expect(calls).toBe(0);
    failuresLeft = 0;
  });

  it('keeps calling a peer that answers NOT_FOUND: an answer is not a failure', async () => {
    const client = createGrpcClient(CatalogService, {
      baseUrl: server.url,
      retries: 2,
      failureThreshold: 2,
      cooldownMs: 60_000,
    });
    calls = 0;
    for (let i = 0; i < 5; i++) {
      const err = await client.getProducts({ skus: ['NO-SUCH-SKU'] }).catch((e: unknown) => e);
      expect(isNotFound(err)).toBe(true);
    }
    expect(calls).toBe(5); // each asked once: NOT_FOUND is not retried either
    expect((await client.getProducts({ skus: ['A'] })).products).toHaveLength(1);
  });

  it('answers standard health checks', async () => {
    const health = createClient(
      Health,
      createGrpcTransport({ baseUrl: server.url, idleConnectionTimeoutMs: 1000 }),
    );
    expect((await health.check({ service: 'bazaar.catalog.v1.CatalogService' })).status).toBe(
      HealthCheckResponse_ServingStatus.SERVING,
    );
    expect((await health.check({ service: '' })).status).toBe(HealthCheckResponse_ServingStatus.SERVING);
    expect((await health.check({ service: 'nope.Service' })).status).toBe(
      HealthCheckResponse_ServingStatus.SERVICE_UNKNOWN,
    );
  });

  it('takes a call whose stream the peer reset (its process died) for the peer being unavailable', async () => {
    // A peer that takes each call and resets its stream, as the connection of a killed process does.
    let streams = 0;
    const dying = http2.createServer();
    dying.on('stream', (stream) => {
      streams++;
      stream.close(http2.constants.NGHTTP2_CANCEL);
    });
    await new Promise<void>((resolve) => dying.listen(0, '127.0.0.1', resolve));
    const { port } = dying.address() as AddressInfo;
    try {
      const client = createGrpcClient(CatalogService, { baseUrl: `http://127.0.0.1:${port}`, retries: 2 });
      const err = await client.getProducts({ skus: ['A'] }).catch((e: unknown) => e);
      expect(ConnectError.from(err).code).toBe(Code.Unavailable);
      expect(isUnavailable(err)).toBe(true);
      expect(streams).toBe(3); // retried, as for any unavailable peer

      // A call its own caller cancels stays cancelled, and is not retried.
      streams = 0;
      const gone = await client
        .getProducts({ skus: ['A'] }, { signal: AbortSignal.abort() })
        .catch((e: unknown) => e);
      expect(ConnectError.from(gone).code).toBe(Code.Canceled);
      expect(streams).toBeLessThanOrEqual(1);
    } finally {
      dying.close();
    }
  });
});
