import {
  createHttpServer,
  createMessaging,
  identityTokenVerifier,
  migrationsBeside,
  registerSagaTrailRoute,
  type ServiceDefinition,
  standardReadiness,
} from '@bazaar/platform';
import { OrdersConfig } from './config';
import { inbox, outbox } from './db/schema';
import { orderSubscriptions } from './events/subscriptions';
import { registerOrderRoutes } from './http/orders.routes';
import { registerSagaConsoleRoutes } from './http/saga-console.routes';
import { createOrderService } from './services/order.service';
import { createOrderMetrics } from './services/order-metrics';
import { createSagaConsole } from './services/saga-console.service';

export const ordersService: ServiceDefinition<OrdersConfig> = {
  name: 'orders',
  config: OrdersConfig,
  migrationsFolder: migrationsBeside(import.meta.url),
  async create({ config, logger, metrics, database, bus }) {
    const orderMetrics = createOrderMetrics(metrics.registry, () => orders.countStuck());
    const messaging = createMessaging({
      service: 'orders',
      database,
      bus,
      logger,
      metrics,
      outbox,
      inbox,
      onCommitted: (events) => orderMetrics.countCommitted(events),
    });
    const orders = createOrderService({
      db: database.db,
      messaging,
      logger,
      deadlineSeconds: config.ORDER_DEADLINE_SECONDS,
      metrics: orderMetrics,
    });

    const app = await createHttpServer({
      verifier: identityTokenVerifier(config.IDENTITY_URL),
      service: 'orders',
      title: 'Bazaar orders',
      description: 'Orders and the state of their checkout saga',
      logger,
      metrics,
      readiness: standardReadiness(database, bus),
    });
    registerOrderRoutes(app, orders);
    registerSagaTrailRoute(app, { service: 'orders', db: database.db, outbox, inbox });
    registerSagaConsoleRoutes(app, createSagaConsole({ db: database.db, messaging, logger, orders }));

    let sweeper: NodeJS.Timeout | undefined;
    return {
      app,
      async start() {
        await messaging.start(orderSubscriptions(orders));
        sweeper = setInterval(() => {
          orders.cancelOverdue().catch((err) => logger.warn({ err }, 'deadline sweep failed'));
        }, config.ORDER_SWEEP_MS);
      },
      async stop() {
        clearInterval(sweeper);
        await messaging.stop();
      },
    };
  },
};
