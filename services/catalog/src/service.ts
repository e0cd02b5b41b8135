import { demoCategories, demoProducts } from '@bazaar/demo';
import {
  createHttpServer,
  createMessaging,
  type GrpcServer,
  identityTokenVerifier,
  migrationsBeside,
  registerSagaTrailRoute,
  type ServiceDefinition,
  standardReadiness,
} from '@bazaar/platform';
import { CatalogConfig } from './config';
import { categories, inbox, outbox } from './db/schema';
import { catalogSubscriptions } from './events/subscriptions';
import { startCatalogGrpc } from './grpc/catalog.grpc';
import { registerProductRoutes } from './http/products.routes';
import { AnswerCache } from './services/answer-cache';
import { createCatalogService } from './services/catalog.service';

export const catalogService: ServiceDefinition<CatalogConfig> = {
  name: 'catalog',
  config: CatalogConfig,
  migrationsFolder: migrationsBeside(import.meta.url),
  async create({ config, logger, metrics, database, bus, kv }) {
    const cache = new AnswerCache(
      kv,
      config.CATALOG_CACHE_TTL_SECONDS,
      undefined,
      metrics.countCache('answers'),
    );
    const messaging = createMessaging({
      service: 'catalog',
      database,
      bus,
      logger,
      metrics,
      outbox,
      inbox,
      // New availability shows once it has committed, within CATALOG_STOCK_REFRESH_MS: stock moves with every
      // order, and dropping every cached page on each would leave none cached while orders flow.
      onEventApplied: () => cache.invalidateSoon(config.CATALOG_STOCK_REFRESH_MS),
    });
    const catalog = createCatalogService({ db: database.db, messaging, cache });
    // Categories are reference data: always present, whether or not the demo products are loaded.
    await database.db
      .insert(categories)
      .values([...demoCategories])
      .onConflictDoNothing();
    if (config.BAZAAR_SEED_DEMO === '1' && (await catalog.seedDemoCatalog(demoProducts, demoCategories))) {
      logger.info({ products: demoProducts.length }, 'demo catalog loaded');
    }

    const app = await createHttpServer({
      verifier: identityTokenVerifier(config.IDENTITY_URL),
      service: 'catalog',
      title: 'Bazaar catalog',
      description: 'Products, categories, search',
      logger,
      metrics,
      readiness: standardReadiness(database, bus),
    });
    registerProductRoutes(app, catalog, { publicMaxAgeSeconds: config.CATALOG_PUBLIC_MAX_AGE_SECONDS });
    registerSagaTrailRoute(app, { service: 'catalog', db: database.db, outbox, inbox });

    let grpc: GrpcServer | undefined;
    return {
      app,
      async start() {
        grpc = await startCatalogGrpc(database.db, config.HOST, config.GRPC_PORT);
        await messaging.start(catalogSubscriptions(catalog));
      },
      async stop() {
        await grpc?.close();
        await messaging.stop();
      },
      grpcUrl: () => grpc?.url ?? '',
    };
  },
};
