import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createHttpServer, createLogger, createMetrics, type HttpServer } from '@bazaar/platform';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerWebRoutes } from './web.routes';

async function gatewayServing(webDir: string): Promise<HttpServer> {
  const app = await createHttpServer({
    service: 'gateway',
    title: 'web routes test',
    logger: createLogger('gateway', 'silent'),
    metrics: createMetrics('gateway'),
  });
  app.get('/api/v1/known', async () => ({ ok: true }));
  await registerWebRoutes(app, webDir);
  await app.ready();
  return app;
}

describe('the gateway serves the web build', () => {
  let dir: string;
  let app: HttpServer;
  let missing: HttpServer;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'bazaar-web-'));
    mkdirSync(path.join(dir, 'dist/assets'), { recursive: true });
    writeFileSync(
      path.join(dir, 'dist/index.html'),
      '<!doctype html><title>app</title><div id="root"></div>',
    );
    writeFileSync(path.join(dir, 'dist/assets/main-abc123.js'), 'console.log(1)');
    writeFileSync(path.join(dir, 'secret.txt'), 'outside the build');
    app = await gatewayServing(path.join(dir, 'dist'));
    missing = await gatewayServing(path.join(dir, 'nowhere'));
  });
  afterAll(async () => {
    await app?.close();
    await missing?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const html = { accept: 'text/html,application/xhtml+xml' };

  it('answers / and any page of the app with index.html, asked again each time', async () => {
    for (const url of ['/', '/orders/0190f0e0-0000-7000-8000-000000000000', '/admin/stock?x=1']) {
      const res = await app.inject({ url, headers: html });
      expect(res.statusCode, url).toBe(200);
      expect(res.headers['content-type']).toMatch(/text\/html/);
      expect(res.headers['cache-control']).toBe('no-cache');
      expect(res.body).toContain('<div id="root">');
    }
  });

  it('serves hashed assets for a year and answers a missing one 404', async () => {
    const asset = await app.inject({ url: '/assets/main-abc123.js' });
    expect(asset.statusCode).toBe(200);
    expect(asset.headers['cache-control']).toContain('immutable');
    expect(asset.body).toBe('console.log(1)');
    const gone = await app.inject({ url: '/assets/main-old.js', headers: html });
    expect(gone.statusCode).toBe(404);
    expect(gone.headers['content-type']).toMatch(/problem\+json/);
  });

  it('leaves the API, docs and probes to the server: unknown ones are problem+json 404s', async () => {
    expect((await app.inject({ url: '/api/v1/known' })).json()).toEqual({ ok: true });
    for (const url of ['/api/v1/nothing-here', '/api', '/docs/nothing', '/metricsx']) {
      const res = await app.inject({ url, headers: html });
      expect(res.statusCode, url).toBe(404);
      expect(res.headers['content-type'], url).toMatch(/application\/problem\+json/);
    }
    expect((await app.inject({ url: '/healthz' })).json()).toMatchObject({ status: 'ok' });
  });

  it('never serves a file from outside the build', async () => {
    const res = await app.inject({ url: '/..%2fsecret.txt', headers: html });
    expect(res.body).not.toContain('outside the build');
    const dotted = await app.inject({ url: '/../secret.txt', headers: html });
    expect(dotted.body).not.toContain('outside the build');
  });

  it('explains a missing build instead of failing', async () => {
    const res = await missing.inject({ url: '/', headers: html });
    expect(res.statusCode).toBe(503);
    expect(res.body).toContain('The web app is not built');
    expect(res.body).toContain('npm run build -w @bazaar/web');
    expect((await missing.inject({ url: '/healthz' })).statusCode).toBe(200);
  });
});
