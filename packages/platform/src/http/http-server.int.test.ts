import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../logger';
import { createMetrics } from '../metrics';
import { createHttpServer, type HttpServer } from './http-server';

describe('the HTTP server kit', () => {
  let app: HttpServer;
  let url: string;

  beforeAll(async () => {
    app = await createHttpServer({
      service: 'http-test',
      title: 'http test',
      logger: createLogger('http-test', 'silent'),
      metrics: createMetrics('http_test'),
    });
    app.get('/hello', async () => ({ hello: 'world' }));
    url = await app.listen({ port: 0, host: '127.0.0.1' });
  });
  afterAll(async () => app?.close());

  it('keeps an idle connection open for as long as it tells clients it will', async () => {
    const res = await fetch(`${url}/hello`);
    await res.text();
    // Clients (and the gateway's pools, and load balancers) reuse a connection for the advertised time; a
    // server that drops idle sockets sooner makes a request sent on one at that moment fail.
    const advertised = Number(/timeout=(\d+)/.exec(res.headers.get('keep-alive') ?? '')?.[1]);
    expect(advertised).toBeGreaterThan(0);
    expect(app.server.keepAliveTimeout).toBe(advertised * 1000);
    // The socket inactivity limit (Fastify's connectionTimeout) closes idle keep-alive sockets too.
    expect(app.server.timeout).toBeGreaterThan(advertised * 1000);
  });
});
