import {
  createHttpServer,
  createMessaging,
  identityTokenVerifier,
  migrationsBeside,
  registerSagaTrailRoute,
  type ServiceDefinition,
  standardReadiness,
} from '@bazaar/platform';
import { Counter } from 'prom-client';
import { PaymentsConfig } from './config';
import { inbox, outbox } from './db/schema';
import { paymentSubscriptions } from './events/subscriptions';
import { registerPaymentRoutes } from './http/payments.routes';
import { SimulatedProvider } from './provider/simulated-provider';
import { createPaymentService } from './services/payment.service';
import { Worker } from './services/worker';

const paymentOutcomes: Partial<Record<string, 'succeeded' | 'failed' | 'refunded'>> = {
  PaymentSucceeded: 'succeeded',
  PaymentFailed: 'failed',
  PaymentRefunded: 'refunded',
};

export const paymentsService: ServiceDefinition<PaymentsConfig> = {
  name: 'payments',
  config: PaymentsConfig,
  migrationsFolder: migrationsBeside(import.meta.url),
  async create({ config, logger, metrics, database, bus }) {
    let worker: Worker | undefined;
    const paymentsByOutcome = new Counter({
      name: 'payments_total',
      help: 'Payments by outcome: succeeded, failed (declined or given up), refunded',
      labelNames: ['outcome'],
      registers: [metrics.registry],
    });
    const messaging = createMessaging({
      service: 'payments',
      database,
      bus,
      logger,
      metrics,
      outbox,
      inbox,
      onEventApplied: (event) => {
        if (event.type === 'StockReserved' || event.type === 'OrderCreated') worker?.poke();
      },
      // Counted once committed: a charge's transaction tried again would otherwise count twice.
      onCommitted: (events) => {
        for (const event of events) {
          const outcome = paymentOutcomes[event.type];
          if (outcome) paymentsByOutcome.inc({ outcome });
        }
      },
    });
    const payments = createPaymentService({
      db: database.db,
      messaging,
      provider: new SimulatedProvider(database.db, config.PROVIDER_SLOW_MS),
      logger,
      settings: {
        providerTimeoutMs: config.PROVIDER_TIMEOUT_MS,
        maxAttempts: config.PROVIDER_MAX_ATTEMPTS,
        backoffBaseMs: config.PROVIDER_BACKOFF_MS,
        leaseMs: config.PAYMENT_LEASE_MS,
      },
      onSettled: () => worker?.poke(),
      metrics: {
        attempts: new Counter({
          name: 'payment_attempts_total',
          help: 'Calls to the card provider by outcome',
          labelNames: ['outcome'],
          registers: [metrics.registry],
        }),
      },
    });

    const app = await createHttpServer({
      verifier: identityTokenVerifier(config.IDENTITY_URL),
      service: 'payments',
      title: 'Bazaar payments',
      description: 'Charges and refunds through a simulated card provider',
      logger,
      metrics,
      readiness: standardReadiness(database, bus),
    });
    registerPaymentRoutes(app, payments);
    registerSagaTrailRoute(app, { service: 'payments', db: database.db, outbox, inbox });

    return {
      app,
      async start() {
        worker = new Worker(
          async () => (await payments.processCharges()).more,
          config.PAYMENT_POLL_MS,
          logger,
        );
        worker.start();
        await messaging.start(paymentSubscriptions(payments));
      },
      async stop() {
        await worker?.stop();
        await payments.drain();
        await messaging.stop();
      },
    };
  },
};
