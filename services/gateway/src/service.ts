import { parseEvent } from '@bazaar/contracts';
import {
  AppError,
  createHttpServer,
  identityTokenVerifier,
  registerAuthentication,
  type ServiceDefinition,
} from '@bazaar/platform';
import rateLimit from '@fastify/rate-limit';
import { GatewayConfig, routingTable } from './config';
import { registerAdminRoutes } from './http/admin.routes';
import { registerDocsRoutes } from './http/docs.routes';
import { registerEventRoutes } from './http/events.routes';
import { registerOperationsRoutes } from './http/operations.routes';
import { registerProxyRoutes } from './http/proxy.routes';
import { registerWebRoutes } from './http/web.routes';
import { IdempotencyStore } from './services/idempotency';
import { LiveUpdates } from './services/live-updates';
import { OpenApiAggregator } from './services/openapi-merge';
import { OperationsClient, upstreamUrls } from './services/operations-client';
import { ResponseCache } from './services/response-cache';
import { rateLimitStore, SharedRateCounters } from './services/shared-rate-counters';

const unlimited = new Set(['/healthz', '/readyz', '/metrics']);

export const gatewayService: ServiceDefinition<GatewayConfig> = {
  name: 'gateway',
  config: GatewayConfig,
  async create({ config, logger, metrics, bus, kv }) {
    const app = await createHttpServer({
      service: 'gateway',
      title: 'Bazaar gateway',
      logger,
      metrics,
      bodyLimit: config.BODY_LIMIT_BYTES,
      openApiRoute: false,
      readiness: {
        bus: () => {
          if (!bus.isConnected()) throw new Error('event bus disconnected');
        },
        store: () => kv.ping(),
      },
    });
    const verifier = identityTokenVerifier(config.IDENTITY_URL);
    // Forged or expired tokens stop here; the services verify again, trusting no header.
    registerAuthentication(app, verifier);

    const rateCounters = new SharedRateCounters(kv, logger);
    app.addHook('onClose', () => rateCounters.flush());
    await app.register(rateLimit, {
      global: true,
      max: config.RATE_LIMIT_MAX,
      timeWindow: '1 minute',
      store: rateLimitStore(rateCounters, `${config.BAZAAR_NAMESPACE}gateway:rate:`),
      keyGenerator: (request) => request.principal?.userId ?? request.ip,
      // The API is what costs; the web app's files and the docs are static (one page is a dozen files).
      allowList: (request) => unlimited.has(request.url) || !request.url.startsWith('/api/'),
      errorResponseBuilder: (_request, context) =>
        new AppError(
          'too_many_requests',
          'rate_limited',
          `Too many requests; try again in ${context.after}.`,
        ),
    });

    const live = new LiveUpdates();
    // Open streams would keep the server from closing: end them first.
    app.addHook('preClose', async () => live.closeAll());
    registerEventRoutes(app, live, verifier);
    const docs = new OpenApiAggregator(
      routingTable(config).map((r) => r.upstream),
      () => app.swagger() as never,
    );
    await registerDocsRoutes(app, docs);
    const responseCache = new ResponseCache(undefined, undefined, metrics.countCache('responses'));
    await registerProxyRoutes(
      app,
      config,
      new IdempotencyStore(
        kv,
        config.IDEMPOTENCY_TTL_SECONDS,
        Math.ceil(config.UPSTREAM_TIMEOUT_MS / 1000) + 5,
        logger,
      ),
      responseCache,
    );
    registerAdminRoutes(app, bus);
    registerOperationsRoutes(app, new OperationsClient(upstreamUrls(config), config.UPSTREAM_TIMEOUT_MS));
    await registerWebRoutes(app, config.WEB_DIST_DIR);

    return {
      app,
      async start() {
        await bus.subscribe(
          'gateway',
          ['order.status.changed'],
          async (raw) => {
            const event = parseEvent(raw);
            if (event.type !== 'OrderStatusChanged') return;
            const { orderId, status, cancelReason, at, userId } = event.data;
            live.publish(userId, { orderId, status, cancelReason, at });
          },
          { exclusive: true, prefetch: 256, afterGap: () => live.resync() },
        );
        // A product or a price changed: forget every kept answer. Stock figures are left to age out with
        // the catalog's max-age (any HTTP cache may keep them that long): during a sale every order moves
        // them, and clearing on each would leave nothing cached when browsing peaks.
        await bus.subscribe(
          'gateway-cache',
          ['product.#', 'price.changed'],
          async () => responseCache.clear(),
          { exclusive: true, prefetch: 256, afterGap: () => responseCache.clear() },
        );
        void docs.refresh(true).catch(() => {});
      },
    };
  },
};
