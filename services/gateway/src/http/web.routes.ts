import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { HttpServer } from '@bazaar/platform';
import fastifyStatic from '@fastify/static';
import type { FastifyReply, FastifyRequest } from 'fastify';

/** Paths the gateway answers itself or forwards: never the web app, whatever is not found there. */
const serverPaths = ['/api/', '/docs', '/openapi.json', '/asyncapi.json', '/healthz', '/readyz', '/metrics'];

const isServerPath = (pathname: string) =>
  pathname === '/api' || serverPaths.some((prefix) => pathname.startsWith(prefix));

const missingBuildPage = (webDir: string) => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Bazaar: the web app is not built</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:42rem;margin:4rem auto;padding:0 1rem;color:#1b1f24}a{color:#1f4fd1}code{background:#eef0f3;padding:.1rem .3rem;border-radius:3px}</style>
</head><body>
<h1>The web app is not built</h1>
<p>The gateway found no <code>index.html</code> in <code>${webDir}</code>. Build it with
<code>npm run build -w @bazaar/web</code> (<code>npm start</code> does it for you), or point
<code>WEB_DIST_DIR</code> at a build.</p>
<p>The API runs meanwhile: <a href="/docs">API documentation</a>, <a href="/api/v1/products">products</a>.</p>
</body></html>`;

/**
 * Serves the storefront's build (web/dist) at `/`: a file when one matches the path, otherwise index.html
 * so that the browser router can open any page of the app from its address (the SPA fallback). Hashed
 * assets never change, so browsers keep them; index.html is asked again every time.
 */
export async function registerWebRoutes(app: HttpServer, webDir: string): Promise<void> {
  const root = path.resolve(webDir);
  await app.register(fastifyStatic, { root, serve: false });

  let built = await isFile(path.join(root, 'index.html'));
  if (!built) app.log.warn({ webDir: root }, 'no web build: / explains how to make one');

  app.get('/*', { schema: { hide: true } }, async (request, reply) => {
    const pathname = pathOf(request.url);
    if (pathname === undefined || isServerPath(pathname)) return reply.callNotFound();
    // The build can appear after the gateway started (a build run beside it).
    built ||= await isFile(path.join(root, 'index.html'));
    if (!built) return reply.status(503).type('text/html').send(missingBuildPage(root));

    const file = path.resolve(root, `.${pathname}`);
    if (file.startsWith(root + path.sep) && (await isFile(file))) return sendAsset(reply, root, file);
    // A missing script or image is a 404, not the app's page (a stale tab asking for an old bundle).
    if (pathname.startsWith('/assets/') || !acceptsHtml(request)) return reply.callNotFound();
    return reply.header('cache-control', 'no-cache').sendFile('index.html', root, { cacheControl: false });
  });
}

function sendAsset(reply: FastifyReply, root: string, file: string) {
  const relative = path.relative(root, file);
  const immutable = relative.startsWith(`assets${path.sep}`);
  return reply
    .header('cache-control', immutable ? 'public, max-age=31536000, immutable' : 'no-cache')
    .sendFile(relative, root, { cacheControl: false });
}

function pathOf(url: string): string | undefined {
  try {
    return decodeURIComponent(new URL(url, 'http://gateway').pathname);
  } catch {
    return undefined;
  }
}

function acceptsHtml(request: FastifyRequest): boolean {
  const accept = request.headers.accept;
  return !accept || accept.includes('text/html') || accept.includes('*/*');
}

async function isFile(file: string): Promise<boolean> {
  try {
    return (await stat(file)).isFile();
  } catch {
    return false;
  }
}
