import { createServer, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpServer, type HttpServer } from '../http/http-server';
import { createLogger } from '../logger';
import { createMetrics } from '../metrics';
import { isStoreUnavailable, RedisStore } from './key-value-store';

/** A port on this machine with nothing listening: what a restarting Redis looks like to its clients. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('a Redis that cannot be reached', () => {
  let store: RedisStore;
  let app: HttpServer;

  beforeAll(async () => {
    store = new RedisStore(`redis://127.0.0.1:${await closedPort()}`);
    app = await createHttpServer({
      service: 'kv-test',
      title: 'kv test',
      logger: createLogger('kv-test', 'silent'),
      metrics: createMetrics('kv_test'),
    });
    app.get('/value', async () => ({ value: await store.get('k') }));
    await app.ready();
  });
  afterAll(async () => {
    await app?.close();
    await store?.close();
  });

  it('fails its commands in a way callers can tell from a fault', async () => {
    const err = await store.get('k').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect(isStoreUnavailable(err)).toBe(true);
    expect(isStoreUnavailable(new Error('WRONGTYPE Operation against a key'))).toBe(false);
  });

  it('answers 503 store.unavailable with Retry-After, not 500', async () => {
    const res = await app.inject({ url: '/value' });
    expect(res.statusCode).toBe(503);
    expect(res.headers['retry-after']).toBe('1');
    expect(res.json()).toMatchObject({ code: 'store.unavailable' });
  });
});

describe('a Redis that takes commands and never answers', () => {
  const sockets: Socket[] = [];
  const silent = createServer((socket) => sockets.push(socket));
  let store: RedisStore;

  beforeAll(async () => {
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as { port: number };
    store = new RedisStore(`redis://127.0.0.1:${port}`, '', undefined, 300);
  });
  afterAll(async () => {
    store?.redis.disconnect();
    for (const s of sockets) s.destroy();
    silent.close();
  });

  it('gives a command up after its time-out, as unavailable (503), instead of holding the caller', async () => {
    const started = Date.now();
    const err = await store.get('k').catch((e: unknown) => e);
    expect(isStoreUnavailable(err)).toBe(true);
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});
