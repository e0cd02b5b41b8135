import { demoProducts } from '@bazaar/demo';
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
import { InventoryConfig } from './config';
import { inbox, outbox } from './db/schema';
import { inventorySubscriptions } from './events/subscriptions';
import { startInventoryGrpc } from './grpc/inventory.grpc';
import { registerStockRoutes } from './http/stock.routes';
import { createStockService } from './services/stock.service';

export const inventoryService: ServiceDefinition<InventoryConfig> = {
  name: 'inventory',
  config: InventoryConfig,
  migrationsFolder: migrationsBeside(import.meta.url),
  async create({ config, logger, metrics, database, bus }) {
    const messaging = createMessaging({
      service: 'inventory',
      database,
      bus,
      logger,
      metrics,
      outbox,
      inbox,
    });
    const stock = createStockService({
      db: database.db,
      messaging,
      reservationTtlSeconds: config.RESERVATION_TTL_SECONDS,
    });
    if (config.BAZAAR_SEED_DEMO === '1' && (await stock.seedDemoStock(demoProducts))) {
      logger.info({ skus: demoProducts.length }, 'demo stock loaded');
    }

    const app = await createHttpServer({
      verifier: identityTokenVerifier(config.IDENTITY_URL),
      service: 'inventory',
      title: 'Bazaar inventory',
      description: 'Stock levels and reservations',
      logger,
      metrics,
      readiness: standardReadiness(database, bus),
    });
    registerStockRoutes(app, stock);
    registerSagaTrailRoute(app, { service: 'inventory', db: database.db, outbox, inbox });

    let grpc: GrpcServer | undefined;
    let sweeper: NodeJS.Timeout | undefined;
    return {
      app,
      async start() {
        grpc = await startInventoryGrpc(stock, config.HOST, config.GRPC_PORT);
        await messaging.start(inventorySubscriptions(stock));
        sweeper = setInterval(() => {
          stock.expireReservations().catch((err) => logger.warn({ err }, 'reservation sweep failed'));
        }, config.RESERVATION_SWEEP_MS);
      },
      async stop() {
        clearInterval(sweeper);
        await grpc?.close();
        await messaging.stop();
      },
      grpcUrl: () => grpc?.url ?? '',
    };
  },
};
