/** For other services' integration tests: a running identity service and signed-in users. */
import { randomUUID } from 'node:crypto';
import {
  type CloudEvent,
  createEvent,
  type EventData,
  type EventType,
  sampleEventData,
} from '@bazaar/contracts';
import {
  createLogger,
  type EventBus,
  type PlatformEnv,
  RabbitMqBus,
  type RunningService,
  type ServiceDefinition,
  type SharedInfrastructure,
  startService,
} from '@bazaar/platform';
import { openEmbeddedTestInfrastructure, type TestMode, testEnv } from '@bazaar/platform/testing';
import { identityService } from './service';

export const TEST_ADMIN = { email: 'admin@bazaar.test', password: 'correct-horse-battery-9' };

export interface TestUser {
  id: string;
  email: string;
  token: string;
  headers: { authorization: string };
}

export async function startTestIdentity(mode: TestMode, shared?: SharedInfrastructure, namespace?: string) {
  const env = testEnv(mode, {
    BAZAAR_ADMIN_EMAIL: TEST_ADMIN.email,
    BAZAAR_ADMIN_PASSWORD: TEST_ADMIN.password,
    ...(namespace ? { BAZAAR_NAMESPACE: namespace } : {}),
  });
  const service: RunningService = await startService(identityService, { env, shared });
  const session = async (url: string, payload: object): Promise<TestUser> => {
    const res = await service.app.inject({ method: 'POST', url, payload });
    if (res.statusCode >= 300) throw new Error(`${url} → ${res.statusCode} ${res.body}`);
    const body = res.json();
    return {
      id: body.user.id,
      email: body.user.email,
      token: body.accessToken,
      headers: { authorization: `Bearer ${body.accessToken}` },
    };
  };
  return {
    service,
    url: service.url,
    grpcUrl: service.grpcUrl!,
    jwksUrl: `${service.url}/.well-known/jwks.json`,
    customer: (name = 'Test Shopper') =>
      session('/api/v1/auth/register', {
        email: `${randomUUID()}@example.com`,
        password: 'a-good-password-1',
        name,
      }),
    admin: () => session('/api/v1/auth/login', TEST_ADMIN),
    stop: () => service.stop(),
  };
}

export type TestIdentity = Awaited<ReturnType<typeof startTestIdentity>>;

export interface ServiceTestbedOptions {
  /** Names the observer queue. */
  name: string;
  /** Variables for every service the testbed starts. */
  env?: Record<string, string>;
  /** Routing keys whose events are collected in `seen`. */
  observe?: readonly string[];
}

/**
 * The small world a service's integration test runs in: the infrastructure of the mode (embedded, or
 * the real servers in a fresh namespace), a running identity service with signed-in users, and a bus to
 * send the service its events and watch what it publishes. `close` stops everything it started.
 */
export async function openServiceTestbed(mode: TestMode, options: ServiceTestbedOptions) {
  const infra = mode === 'embedded' ? await openEmbeddedTestInfrastructure() : undefined;
  const env = testEnv(mode, options.env);
  const identity = await startTestIdentity(mode, infra, env.BAZAAR_NAMESPACE);
  const bus: EventBus =
    infra?.bus ??
    (await RabbitMqBus.connect(env.RABBITMQ_URL!, createLogger('test', 'silent'), {
      namespace: env.BAZAAR_NAMESPACE,
      queueExpiresMs: 600_000,
    }));
  const seen: CloudEvent[] = [];
  if (options.observe?.length) {
    await bus.subscribe(`${options.name}-test-observer`, options.observe, async (raw) => {
      seen.push(raw as CloudEvent);
    });
  }
  const started: RunningService[] = [];

  return {
    mode,
    env,
    infra,
    identity,
    bus,
    seen,

    /**
     * Starts a service against the testbed. A second replica in embedded mode passes `consume: false`:
     * the in-process bus takes one consumer per queue (RabbitMQ simply shares the queue between them).
     */
    async start<C extends PlatformEnv & { PORT: number }>(
      definition: ServiceDefinition<C>,
      extra: Record<string, string> = {},
      { consume = true }: { consume?: boolean } = {},
    ) {
      const shared =
        infra && !consume
          ? { ...infra, bus: Object.assign(Object.create(infra.bus), { subscribe: async () => {} }) }
          : infra;
      const service = await startService(definition, {
        env: { ...env, IDENTITY_URL: identity.url, IDENTITY_GRPC_URL: identity.grpcUrl, ...extra },
        shared,
      });
      started.push(service);
      return service;
    },

    /** Publishes an event built on the contract's sample, `times` times at once (a redelivery storm). */
    async send<T extends EventType>(type: T, data: Partial<EventData<T>>, times = 1) {
      const event = createEvent(type, { ...sampleEventData(type), ...data } as EventData<T>, {
        source: '/bazaar/test',
        correlationId: String((data as { orderId?: string }).orderId ?? 'test'),
      });
      await Promise.all(Array.from({ length: times }, () => bus.publish(event)));
      return event;
    },

    /** Observed events of one type about one order. */
    observed(type: EventType, orderId: string) {
      return seen.filter((e) => e.type === type && (e.data as { orderId?: string }).orderId === orderId);
    },

    async close() {
      for (const service of started.reverse()) await service.stop();
      await identity.stop();
      if (!infra) await bus.close();
      await infra?.close();
    },
  };
}

export type ServiceTestbed = Awaited<ReturnType<typeof openServiceTestbed>>;
