import { buildAsyncApiDocument } from '@bazaar/contracts';
import type { HttpServer } from '@bazaar/platform';
import swaggerUi from '@fastify/swagger-ui';
import type { OpenApiAggregator } from '../services/openapi-merge';

export async function registerDocsRoutes(app: HttpServer, docs: OpenApiAggregator): Promise<void> {
  const asyncApi = buildAsyncApiDocument();
  // The kit's own /openapi.json describes one service; the gateway's describes them all.
  app.get('/openapi.json', { schema: { hide: true } }, async () => docs.refresh());
  app.get('/asyncapi.json', { schema: { hide: true } }, async () => asyncApi);
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
