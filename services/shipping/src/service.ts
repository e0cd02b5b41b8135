import {
  createHttpServer,
  createMessaging,
  identityTokenVerifier,
  migrationsBeside,
  registerSagaTrailRoute,
  type ServiceDefinition,
  standardReadiness,
} from '@bazaar/platform';
import { ShippingConfig } from './config';
import { inbox, outbox } from './db/schema';
import { shippingSubscriptions } from './events/subscriptions';
import { registerShipmentRoutes } from './http/shipments.routes';
import { createShippingService } from './services/shipping.service';

export const shippingService: ServiceDefinition<ShippingConfig> = {
  name: 'shipping',
  config: ShippingConfig,
  migrationsFolder: migrationsBeside(import.meta.url),
  async create({ config, logger, metrics, database, bus }) {
    const messaging = createMessaging({ service: 'shipping', database, bus, logger, metrics, outbox, inbox });
    const shipping = createShippingService({
      db: database.db,
      messaging,
      logger,
      deliveryDelayMs: config.SHIPPING_DELIVERY_DELAY_MS,
    });
    const app = await createHttpServer({
      verifier: identityTokenVerifier(config.IDENTITY_URL),
      service: 'shipping',
      title: 'Bazaar shipping',
      description: 'Shipments and tracking',
      logger,
      metrics,
      readiness: standardReadiness(database, bus),
    });
    registerShipmentRoutes(app, shipping);
    registerSagaTrailRoute(app, { service: 'shipping', db: database.db, outbox, inbox });

    let carrier: NodeJS.Timeout | undefined;
    return {
      app,
      async start() {
        await messaging.start(shippingSubscriptions(shipping));
        carrier = setInterval(() => {
          shipping.deliverDue().catch((err) => logger.warn({ err }, 'delivery round failed'));
        }, config.SHIPPING_SWEEP_MS);
      },
      async stop() {
        clearInterval(carrier);
        await messaging.stop();
      },
    };
  },
};
