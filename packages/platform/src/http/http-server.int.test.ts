import { connect, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
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

describe('closing the HTTP server kit', () => {
  const drainTimeoutMs = 500;

  async function serverWithSlowRoute() {
    const app = await createHttpServer({
      service: 'http-test',
      title: 'http test',
      logger: createLogger('http-test', 'silent'),
      metrics: createMetrics('http_test'),
      drainTimeoutMs,
    });
    app.get('/slow', async () => {
      await sleep(300);
      return { done: true };
    });
    const url = new URL(await app.listen({ port: 0, host: '127.0.0.1' }));
    const open = async () => {
      const socket = connect(Number(url.port), url.hostname);
      await new Promise((resolve) => socket.once('connect', resolve));
      return socket;
    };
    return { app, open };
  }
  const received = (socket: Socket) => {
    let text = '';
    socket.on('data', (chunk) => {
      text += chunk;
    });
    return { text: () => text, closed: new Promise((resolve) => socket.once('close', resolve)) };
  };

  it('lets a request in flight finish, then closes its keep-alive connection instead of keeping it idle', async () => {
    const { app, open } = await serverWithSlowRoute();
    const socket = await open();
    const answer = received(socket);
    socket.write('GET /slow HTTP/1.1\r\nHost: test\r\nConnection: keep-alive\r\n\r\n');
    await sleep(100);
    const started = Date.now();
    await app.close();
    // Without the drain limit the keep-alive (72 s) would hold it: done well before the limit too.
    expect(Date.now() - started).toBeLessThan(drainTimeoutMs);
    await answer.closed;
    expect(answer.text()).toMatch(/^HTTP\/1\.1 200/);
    expect(answer.text()).toMatch(/connection: close/i);
    expect(answer.text()).toContain('"done":true');
  });

  it('waits no longer than its drain limit for connections that send nothing or never finish a request', async () => {
    const { app, open } = await serverWithSlowRoute();
    // A connection opened and never used (as clients open spares), and a request whose headers never end.
    const silent = received(await open());
    const stuck = await open();
    const stuckAnswer = received(stuck);
    stuck.write('GET /slow HTTP/1.1\r\nHost: test\r\n');
    const started = Date.now();
    await app.close();
    expect(Date.now() - started).toBeGreaterThanOrEqual(drainTimeoutMs - 50);
    expect(Date.now() - started).toBeLessThan(drainTimeoutMs + 1_000);
    await Promise.all([silent.closed, stuckAnswer.closed]);
  });
});
