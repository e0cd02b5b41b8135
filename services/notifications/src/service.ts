import path from 'node:path';
import {
  createHttpServer,
  createMessaging,
  identityTokenVerifier,
  migrationsBeside,
  registerSagaTrailRoute,
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
  migrationsFolder: migrationsBeside(import.meta.url),
  async create({ config, logger, metrics, database, bus }) {
    const mailer = createMailer({
      smtpUrl: config.SMTP_URL,
      from: config.MAIL_FROM,
      mailDir: path.resolve(config.BAZAAR_DATA_DIR, 'mail'),
    });
    const notify = createNotificationService({
      db: database.db,
      logger,
      retry: {
        maxAttempts: config.MAIL_MAX_ATTEMPTS,
        firstDelayMs: config.MAIL_RETRY_MS,
        leaseMs: config.MAIL_SEND_LEASE_MS,
      },
      mailer,
    });
    // One sender at a time, starting a moment after it is asked, so that the emails of events applied
    // meanwhile go out in the same batch; asked while sending, it makes one more round.
    let sending: Promise<void> | undefined;
    let scheduled: NodeJS.Timeout | undefined;
    let sendAgain = false;
    const send = () => {
      scheduled = undefined;
      sending = (async () => {
        do {
          sendAgain = false;
          while ((await notify.sendPending()).more) {}
        } while (sendAgain);
      })()
        .catch((err) => logger.warn({ err }, 'sending emails failed'))
        .finally(() => {
          sending = undefined;
        });
    };
    const sendSoon = () => {
      if (sending) sendAgain = true;
      else scheduled ??= setTimeout(send, config.MAIL_BATCH_DELAY_MS);
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
      verifier: identityTokenVerifier(config.IDENTITY_URL),
      service: 'notifications',
      title: 'Bazaar notifications',
      description: "Emails about a customer's orders",
      logger,
      metrics,
      readiness: standardReadiness(database, bus),
    });
    registerNotificationRoutes(app, notify);
    registerSagaTrailRoute(app, { service: 'notifications', db: database.db, outbox, inbox });

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
        clearTimeout(scheduled);
        await sending;
        await messaging.stop();
        mailer.close();
      },
    };
  },
};
