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
import { NotificationsConfig } from './config';
import { inbox, outbox } from './db/schema';
import { notificationSubscriptions } from './events/subscriptions';
import { registerNotificationRoutes } from './http/notifications.routes';
import { createMailer } from './services/mailer';
import { createNotificationService } from './services/notification.service';

export const notificationsService: ServiceDefinition<NotificationsConfig> = {
  name: 'notifications',
  config: NotificationsConfig,
  migrationsFolder: path.join(path.dirname(fileURLToPath(import.meta.url)), '../migrations'),
  async create({ config, logger, metrics, database, bus }) {
    const notify = createNotificationService({
      db: database.db,
      logger,
      mailer: createMailer({
        smtpUrl: config.SMTP_URL,
        from: config.MAIL_FROM,
        mailDir: path.resolve(config.BAZAAR_DATA_DIR, 'mail'),
      }),
    });
    let sending = Promise.resolve();
    const sendSoon = () => {
      sending = sending
        .then(async () => {
          while ((await notify.sendPending()) > 0) {}
        })
        .catch((err) => logger.warn({ err }, 'sending emails failed'));
    };
    const messaging = createMessaging({
      service: 'notifications',
      database,
      bus,
      logger,
      metrics,
      outbox,
      inbox,
      onEventApplied: sendSoon,
    });
    const app = await createHttpServer({
      service: 'notifications',
      title: 'Bazaar notifications',
      description: "Emails about a customer's orders",
      logger,
      metrics,
      readiness: standardReadiness(database, bus),
    });
    registerAuthentication(
      app,
      createTokenVerifier({ jwksUrl: `${config.IDENTITY_URL}/.well-known/jwks.json` }),
    );
    registerNotificationRoutes(app, notify);

    let poller: NodeJS.Timeout | undefined;
    return {
      app,
      async start() {
        await messaging.start(notificationSubscriptions(notify));
        // Catches emails stored by a process that stopped before sending them.
        poller = setInterval(sendSoon, config.MAIL_POLL_MS);
      },
      async stop() {
        clearInterval(poller);
        await sending;
        await messaging.stop();
      },
    };
  },
};
