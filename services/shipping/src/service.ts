import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  createHttpServer,
  createMessaging,
  createTokenVerifier,
  registerAuthentication,
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
  migrationsFolder: path.join(path.dirname(fileURLToPath(import.meta.url)), '../migrations'),
  async create({ config, logger, metrics, database, bus }) {
    const messaging = createMessaging({ service: 'shipping', database, bus, logger, metrics, outbox, inbox });
    const shipping = createShippingService({
      db: database.db,
      messaging,
      logger,
      deliveryDelayMs: config.SHIPPING_DELIVERY_DELAY_MS,
    });
    const app = await createHttpServer({
      service: 'shipping',
      title: 'Bazaar shipping',
      description: 'Shipments and tracking',
      logger,
      metrics,
      readiness: standardReadiness(database, bus),
    });
    registerAuthentication(
      app,
      createTokenVerifier({ jwksUrl: `${config.IDENTITY_URL}/.well-known/jwks.json` }),
    );
    registerShipmentRoutes(app, shipping);

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
