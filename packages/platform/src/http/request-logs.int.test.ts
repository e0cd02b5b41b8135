import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createLogger } from '../logger';
import { createMetrics } from '../metrics';
import { createHttpServer, type HttpServer } from './http-server';

describe('request logs', () => {
  let app: HttpServer;
  const lines: Record<string, unknown>[] = [];

  beforeAll(async () => {
    const sink = new Writable({
      write(chunk, _encoding, done) {
        lines.push(JSON.parse(String(chunk)));
        done();
      },
    });
    app = await createHttpServer({
      service: 'orders',
      title: 'request logs test',
      logger: createLogger('orders', 'info', sink),
      metrics: createMetrics('request_logs_test'),
    });
    const logged = async (request: { log: { info(msg: string): void } }) => {
      request.log.info('working on it');
      return {};
    };
    app.get('/api/v1/orders/:id', { schema: { params: z.object({ id: z.string() }) } }, logged);
    app.get('/api/v1/payments', logged);
    app.get('/api/v1/products/:id', logged);
    await app.ready();
  });
  afterAll(async () => app?.close());

  const lastLine = () => lines.at(-1)!;

  it('carry the request id, the one the caller sent when it sent one', async () => {
    const res = await app.inject({
      url: '/api/v1/products/p1',
      headers: { 'x-request-id': 'req-from-gateway' },
    });
    expect(res.headers['x-request-id']).toBe('req-from-gateway');
    expect(lastLine()).toMatchObject({ service: 'orders', reqId: 'req-from-gateway', msg: 'working on it' });
    expect(lastLine()).not.toHaveProperty('orderId');
  });

  it("carry the order's id on requests about an order", async () => {
    await app.inject({ url: '/api/v1/orders/0193a7c2-0000-7000-8000-000000000001' });
    expect(lastLine()).toMatchObject({ orderId: '0193a7c2-0000-7000-8000-000000000001' });
    await app.inject({ url: '/api/v1/payments?orderId=0193a7c2-0000-7000-8000-000000000002' });
    expect(lastLine()).toMatchObject({ orderId: '0193a7c2-0000-7000-8000-000000000002' });
  });
});
