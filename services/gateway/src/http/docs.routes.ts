import { buildAsyncApiDocument } from '@bazaar/contracts';
import type { HttpServer } from '@bazaar/platform';
import swaggerUi from '@fastify/swagger-ui';
import type { OpenApiAggregator } from '../services/openapi-merge';

const landing = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Bazaar</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:42rem;margin:4rem auto;padding:0 1rem;color:#222}a{color:#3a5a9b}code{background:#f3f3f3;padding:.1rem .3rem;border-radius:3px}</style>
</head><body>
<h1>Bazaar</h1>
<p>An event-driven e-commerce platform. The API lives under <code>/api/v1</code>.</p>
<ul>
<li><a href="/docs">API documentation</a> (one merged OpenAPI document: <a href="/openapi.json">/openapi.json</a>)</li>
<li><a href="/asyncapi.json">Domain events</a> (AsyncAPI 3.0)</li>
<li><a href="/api/v1/products">Products</a></li>
</ul>
</body></html>`;

export async function registerDocsRoutes(app: HttpServer, docs: OpenApiAggregator): Promise<void> {
  const asyncApi = buildAsyncApiDocument();
  // The kit's own /openapi.json describes one service; the gateway's describes them all.
  app.get('/openapi.json', { schema: { hide: true } }, async () => docs.refresh());
  app.get('/asyncapi.json', { schema: { hide: true } }, async () => asyncApi);
  app.get('/', { schema: { hide: true } }, async (_request, reply) => reply.type('text/html').send(landing));
  await app.register(swaggerUi, {
    routePrefix: '/docs',
    uiConfig: { docExpansion: 'list', deepLinking: true },
    transformSpecification: () => docs.current(),
    transformSpecificationClone: false,
  });
  app.addHook('onRequest', async (request) => {
    if (request.url === '/docs' || request.url.startsWith('/docs/')) await docs.refresh();
  });
}
