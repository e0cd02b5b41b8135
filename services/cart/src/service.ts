import {
  catalogV1,
  createGrpcClient,
  createHttpServer,
  createMessaging,
  identityTokenVerifier,
  identityV1,
  inventoryV1,
  migrationsBeside,
  registerSagaTrailRoute,
  type ServiceDefinition,
  standardReadiness,
} from '@bazaar/platform';
import { CartConfig } from './config';
import { inbox, outbox } from './db/schema';
import { cartSubscriptions } from './events/subscriptions';
import { registerCartRoutes } from './http/cart.routes';
import { createCartService } from './services/cart.service';
import { RedisCartStore, SqlCartStore } from './services/cart-store';
import { ProductCache } from './services/product-cache';

export const cartService: ServiceDefinition<CartConfig> = {
  name: 'cart',
  config: CartConfig,
  migrationsFolder: migrationsBeside(import.meta.url),
  async create({ config, logger, metrics, database, bus, kv }) {
    const messaging = createMessaging({ service: 'cart', database, bus, logger, metrics, outbox, inbox });
    const products = new ProductCache<catalogV1.Product>(
      config.PRODUCT_CACHE_MS,
      undefined,
      metrics.countCache('products'),
    );
    const carts = createCartService({
      products,
      db: database.db,
      logger,
      messaging,
      store: kv.redis ? new RedisCartStore(kv.redis) : new SqlCartStore(database.db),
      catalog: createGrpcClient(catalogV1.CatalogService, {
        baseUrl: config.CATALOG_GRPC_URL,
        timeoutMs: config.GRPC_TIMEOUT_MS,
      }),
      inventory: createGrpcClient(inventoryV1.InventoryService, {
        baseUrl: config.INVENTORY_GRPC_URL,
        timeoutMs: config.GRPC_TIMEOUT_MS,
      }),
      identity: createGrpcClient(identityV1.IdentityService, {
        baseUrl: config.IDENTITY_GRPC_URL,
        timeoutMs: config.GRPC_TIMEOUT_MS,
      }),
    });
    const app = await createHttpServer({
      verifier: identityTokenVerifier(config.IDENTITY_URL),
      service: 'cart',
      title: 'Bazaar cart',
      description: 'Carts and checkout',
      logger,
      metrics,
      readiness: standardReadiness(database, bus),
    });
    registerCartRoutes(app, carts);
    registerSagaTrailRoute(app, { service: 'cart', db: database.db, outbox, inbox });
    return {
      app,
      async start() {
        await messaging.start(cartSubscriptions(carts));
        // Each replica keeps its own products, so each hears of changes on a queue of its own.
        await bus.subscribe('cart-products', ['product.#', 'price.changed'], async () => products.clear(), {
          exclusive: true,
          prefetch: 64,
          afterGap: () => products.clear(),
        });
      },
      stop: () => messaging.stop(),
    };
  },
};
