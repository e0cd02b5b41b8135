import { eventually } from '@bazaar/platform/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProcessPlatform } from '../launcher/processes';
import {
  brokerConnectionsOf,
  checkoutsSurvive,
  closeBrokerConnections,
  dropDatabaseConnections,
  dropRedisConnections,
  type ProcessPlatformRun,
  startProcessPlatform,
} from './support/outages';

const infra = ['POSTGRES_URL', 'RABBITMQ_URL', 'REDIS_URL'].every((v) => process.env[v]);
if (!infra && process.env.CI)
  throw new Error('the crash test needs POSTGRES_URL, RABBITMQ_URL and REDIS_URL in CI');

// The local-distributed mode: each service its own OS process against PostgreSQL, RabbitMQ and Redis.
// Services are SIGKILLed while checkouts are in flight and started again, or lose their database and broker
// connections; nothing may be lost or doubled. (`npm run test:restarts` restarts the servers themselves.)
describe.skipIf(!infra)('failures mid-saga (multi-process)', () => {
  let run: ProcessPlatformRun;
  let platform: ProcessPlatform;
  let namespace: string;

  beforeAll(async () => {
    // The launcher starts a service that dies by itself again, as a restart policy would; kill() is no crash.
    run = await startProcessPlatform({ PG_IDLE_IN_TRANSACTION_TIMEOUT_MS: '3000' }, { restartExited: true });
    ({ platform, namespace } = run);
  }, 180_000);
  afterAll(async () => {
    await platform?.stopAll();
  });

  it.each([
    'payments',
    'orders',
    'inventory',
    'cart',
    'gateway',
    'catalog',
    'identity',
    'shipping',
    'notifications',
  ] as const)(
    'finishes every order without double charges or lost stock when %s is killed',
    (victim) =>
      checkoutsSurvive(run, async () => {
        await platform.kill(victim);
        await new Promise((r) => setTimeout(r, 1_000));
        await platform.start(victim);
      }),
    300_000,
  );

  it(
    'finishes every order when payments crashes by itself and the launcher starts it again',
    () =>
      checkoutsSurvive(run, async () => {
        const crashed = platform.processes.get('payments')!.child;
        crashed.kill('SIGKILL'); // not through platform.kill(): the launcher sees a crash
        await eventually(
          async () => {
            const now = platform.processes.get('payments');
            if (!now || now.child === crashed) return false;
            const res = await fetch(`${now.url}/readyz`).catch(() => undefined);
            return res?.ok === true;
          },
          { what: 'payments started again by the launcher', timeoutMs: 30_000 },
        );
      }),
    300_000,
  );

  it(
    'finishes every order when the saga services freeze mid-checkout (SIGSTOP, 8 s) and carry on',
    () =>
      // PostgreSQL ends the frozen services' open transactions after PG_IDLE_IN_TRANSACTION_TIMEOUT_MS (set
      // to 3 s here), so their row locks do not outlive the freeze; the cart's gRPC calls to a frozen
      // catalog or inventory run into their deadlines.
      checkoutsSurvive(run, () => platform.freeze(['orders', 'inventory', 'payments', 'catalog'], 8_000)),
    300_000,
  );

  it('finishes every order when the database, Redis and the broker drop every connection mid-saga', async () => {
    // Listed before the load: a busy broker may leave a connection out of a listing.
    const connections = await brokerConnectionsOf(namespace);
    expect(connections).toHaveLength(platform.processes.size);
    await checkoutsSurvive(run, async () => {
      // What a restart of PostgreSQL, Redis and RabbitMQ does to the services, limited to this run's own
      // databases and connections so that nothing else on the servers is disturbed.
      const [backends, redisClients] = await Promise.all([
        dropDatabaseConnections(process.env.POSTGRES_URL!, namespace),
        dropRedisConnections(process.env.REDIS_URL!, namespace),
        closeBrokerConnections(connections),
      ]);
      expect(backends).toBeGreaterThan(0);
      expect(redisClients).toBeGreaterThanOrEqual(platform.processes.size);
    });
    // Every service is back on the broker, on a new connection.
    const now = await brokerConnectionsOf(namespace);
    expect(now).toHaveLength(platform.processes.size);
    expect(now.filter((pid) => connections.includes(pid))).toEqual([]);
  }, 300_000);
});
