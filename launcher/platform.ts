import path from 'node:path';
import {
  createLogger,
  EmbeddedDeadLetters,
  InProcessBus,
  MemoryStore,
  openEmbeddedDatabase,
  type RunningService,
  type ServiceName,
  type SharedInfrastructure,
  serviceDirectory,
  startService,
  withDuplicateDelivery,
} from '@bazaar/platform';
import { services } from './services';

export interface StartPlatformOptions {
  /** Environment shared by every service; infrastructure URLs decide embedded or server mode. */
  env: NodeJS.ProcessEnv;
  /** Fixed ports of the service directory, or 0 everywhere (tests). */
  ports?: 'fixed' | 'random';
  /** Embedded database folder; omitted means in memory. */
  dataDir?: string;
  only?: readonly ServiceName[];
  /** Added to every fixed port, so a second platform can run beside a developer's. */
  portOffset?: number;
}

export interface Platform {
  services: Partial<Record<ServiceName, RunningService>>;
  gatewayUrl: string;
  /** The embedded bus, when running embedded. */
  bus?: InProcessBus;
  env: NodeJS.ProcessEnv;
  stop(): Promise<void>;
}

/**
 * How far back an embedded platform, when it starts, hands its consumers again what the services
 * published: past the order deadline (2 min) and the longest retry wait (15 s), so a saga the last
 * process left half-way goes on. Older events belong to sagas the deadline has ended.
 */
const REDELIVERY_WINDOW_MS = 5 * 60_000;

/** Runs every service in this process: on shared embedded stand-ins, or against real servers. */
export async function startPlatform(options: StartPlatformOptions): Promise<Platform> {
  const env: NodeJS.ProcessEnv = { ...options.env };
  const embedded = !env.POSTGRES_URL;
  let shared: (SharedInfrastructure & { close(): Promise<void> }) | undefined;
  let bus: InProcessBus | undefined;
  const busLogger = createLogger('bus', env.LOG_LEVEL ?? 'info');
  if (embedded) {
    const pglite = await openEmbeddedDatabase(options.dataDir ? path.resolve(options.dataDir) : undefined);
    // Dead letters are kept in the embedded database: they outlive the process, as RabbitMQ's do.
    bus = new InProcessBus(busLogger, { deadLetters: await EmbeddedDeadLetters.open(pglite) });
    const kv = new MemoryStore();
    shared = {
      pglite,
      bus: env.BAZAAR_DUPLICATE_DELIVERY === '1' ? withDuplicateDelivery(bus) : bus,
      kv,
      async close() {
        await bus?.close();
        await pglite.close();
      },
    };
  }

  const running: RunningService[] = [];
  const byName: Partial<Record<ServiceName, RunningService>> = {};
  try {
    for (const [name, definition] of services) {
      if (options.only && !options.only.includes(name)) continue;
      const directory = serviceDirectory[name];
      const fixed = options.ports !== 'random';
      const offset = options.portOffset ?? 0;
      const port = name === 'gateway' && env.PORT ? Number(env.PORT) : directory.port + offset;
      const serviceEnv: NodeJS.ProcessEnv = {
        ...env,
        PORT: fixed ? String(port) : '0',
        GRPC_PORT: fixed && 'grpcPort' in directory ? String(directory.grpcPort + offset) : '0',
      };
      const service = await startService(definition, { env: serviceEnv, shared });
      running.push(service);
      byName[name] = service;
      // Later services find earlier ones at the addresses they actually got.
      env[`${name.toUpperCase()}_URL`] = service.url;
      if (service.grpcUrl) env[`${name.toUpperCase()}_GRPC_URL`] = service.grpcUrl;
    }
    if (bus) {
      const handed = await bus.redeliverRecent(REDELIVERY_WINDOW_MS);
      if (handed > 0) {
        busLogger.info(
          { events: handed },
          'events of the last minutes handed to their consumers again (the inboxes drop those applied)',
        );
      }
    }
  } catch (err) {
    for (const s of running.reverse()) await s.stop().catch(() => {});
    await shared?.close();
    throw err;
  }

  return {
    services: byName,
    gatewayUrl: byName.gateway?.url ?? '',
    bus,
    env,
    async stop() {
      for (const s of [...running].reverse()) await s.stop();
      await shared?.close();
    },
  };
}
