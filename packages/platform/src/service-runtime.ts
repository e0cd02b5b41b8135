import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PGlite } from '@electric-sql/pglite';
import type { z } from 'zod';
import { type EventBus, withDuplicateDelivery } from './bus/event-bus';
import { InProcessBus } from './bus/in-process-bus';
import { RabbitMqBus } from './bus/rabbitmq-bus';
import { loadConfig, type PlatformEnv } from './config';
import { type Database, openDatabase, openEmbeddedDatabase } from './db/database';
import type { HttpServer } from './http/http-server';
import { type KeyValueStore, openKeyValueStore } from './kv/key-value-store';
import { createLogger, type Logger } from './logger';
import { createMetrics, type Metrics } from './metrics';
import { watchStartup } from './startup-watch';
import { flushTraces } from './telemetry/trace-context';

export interface ServiceContext<C> {
  config: C;
  logger: Logger;
  metrics: Metrics;
  database: Database;
  bus: EventBus;
  kv: KeyValueStore;
}

export interface ServiceInstance {
  app: HttpServer;
  /** Starts background work (consumers, relay, gRPC); called once HTTP listens. */
  start?(): Promise<void>;
  /** Stops background work after HTTP has drained. */
  stop?(): Promise<void>;
  /** The gRPC address, for services that serve gRPC (known once started). */
  grpcUrl?(): string;
}

/** A service's committed migrations, in `migrations/` beside its `src/`: pass the service's `import.meta.url`. */
export const migrationsBeside = (moduleUrl: string) =>
  path.join(path.dirname(fileURLToPath(moduleUrl)), '../migrations');

export interface ServiceDefinition<C extends PlatformEnv & { PORT: number }> {
  name: string;
  config: z.ZodType<C>;
  /** Folder with the service's committed migrations; services without a database leave it out. */
  migrationsFolder?: string;
  create(ctx: ServiceContext<C>): Promise<ServiceInstance>;
}

/** Infrastructure shared by every service of the embedded, single-process platform. */
export interface SharedInfrastructure {
  pglite: PGlite;
  bus: EventBus;
  kv: KeyValueStore;
}

export interface RunningService {
  name: string;
  app: HttpServer;
  url: string;
  grpcUrl?: string;
  stop(): Promise<void>;
}

async function openBus(service: string, env: PlatformEnv, logger: Logger): Promise<EventBus> {
  return env.RABBITMQ_URL
    ? RabbitMqBus.connect(env.RABBITMQ_URL, logger, {
        namespace: env.BAZAAR_NAMESPACE,
        queueExpiresMs: env.BAZAAR_QUEUE_EXPIRES_MS,
        connectionName: `${env.BAZAAR_NAMESPACE || 'bazaar_'}${service}`,
      })
    : new InProcessBus(logger);
}

/** Opens what a service needs (or borrows it from the embedded platform), builds it and starts it. */
export async function startService<C extends PlatformEnv & { PORT: number }>(
  definition: ServiceDefinition<C>,
  options: {
    env?: NodeJS.ProcessEnv;
    shared?: SharedInfrastructure;
    listen?: boolean;
    /** Called when the start has taken `STARTUP_TIMEOUT_MS`, with the step it is waiting on. */
    onStartupTimeout?: (step: string) => void;
  } = {},
): Promise<RunningService> {
  const config = loadConfig(definition.name, definition.config, options.env ?? process.env);
  const logger = createLogger(definition.name, config.LOG_LEVEL);
  const metrics = createMetrics(definition.name);
  const shared = options.shared;
  const watch = watchStartup(logger, {
    giveUpAfterMs: config.STARTUP_TIMEOUT_MS,
    onGiveUp: options.onStartupTimeout,
  });
  try {
    watch.step('database');
    const ownPglite =
      !shared && !config.POSTGRES_URL && definition.migrationsFolder
        ? await openEmbeddedDatabase(path.join(config.BAZAAR_DATA_DIR, `pglite-${definition.name}`))
        : undefined;
    const database: Database = definition.migrationsFolder
      ? await openDatabase({
          service: definition.name,
          migrationsFolder: definition.migrationsFolder,
          logger,
          postgresUrl: config.POSTGRES_URL,
          namespace: config.BAZAAR_NAMESPACE,
          poolMax: config.PG_POOL_MAX,
          statementTimeoutMs: config.PG_STATEMENT_TIMEOUT_MS,
          idleInTransactionTimeoutMs: config.PG_IDLE_IN_TRANSACTION_TIMEOUT_MS,
          pglite: shared?.pglite ?? ownPglite,
        })
      : noDatabase(definition.name);
    watch.step('event bus');
    const ownBus = shared ? undefined : await openBus(definition.name, config, logger);
    const bus =
      shared?.bus ?? (config.BAZAAR_DUPLICATE_DELIVERY === '1' ? withDuplicateDelivery(ownBus!) : ownBus!);
    const kv =
      shared?.kv ??
      openKeyValueStore(
        config.REDIS_URL,
        config.BAZAAR_NAMESPACE,
        `${config.BAZAAR_NAMESPACE || 'bazaar_'}${definition.name}`,
      );

    watch.step('building the service');
    const instance = await definition.create({ config, logger, metrics, database, bus, kv });
    watch.step('HTTP listener');
    let url = '';
    if (options.listen ?? true) {
      url = await instance.app.listen({ port: config.PORT, host: config.HOST });
    } else {
      await instance.app.ready();
    }
    watch.step('consumers and background work');
    await instance.start?.();
    logger.info({ url }, `${definition.name} started`);

    let stopped = false;
    return {
      name: definition.name,
      app: instance.app,
      url,
      grpcUrl: instance.grpcUrl?.(),
      async stop() {
        if (stopped) return;
        stopped = true;
        // HTTP first (drains in-flight requests), then consumers and relays, then connections.
        await instance.app.close();
        await instance.stop?.();
        if (!shared) {
          await bus.close();
          await kv.close();
        }
        await database.close();
        await ownPglite?.close();
      },
    };
  } finally {
    watch.done();
  }
}

/** The readiness checks every service with a database and a bus reports. */
export function standardReadiness(database: Database, bus: EventBus) {
  return {
    database: () => database.ping(),
    bus: () => {
      if (!bus.isConnected()) throw new Error('event bus disconnected');
    },
  };
}

function noDatabase(service: string): Database {
  return new Proxy({} as Database, {
    get(_target, prop) {
      if (prop === 'ping' || prop === 'close') return async () => {};
      throw new Error(`${service} has no database`);
    },
  });
}

/** Runs one service as its own process, stopping cleanly on SIGTERM/SIGINT. */
export async function runServiceProcess<C extends PlatformEnv & { PORT: number }>(
  definition: ServiceDefinition<C>,
): Promise<void> {
  let running: RunningService;
  try {
    // A start that hangs (a server that accepts and never answers) ends the process, to be started again.
    running = await startService(definition, { onStartupTimeout: () => process.exit(1) });
  } catch (err) {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  }
  const shutdown = async (signal: string) => {
    running.app.log.info({ signal }, 'shutting down');
    const timer = setTimeout(() => process.exit(1), 15_000);
    timer.unref();
    await running.stop();
    await flushTraces();
    process.exit(0);
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));
}
