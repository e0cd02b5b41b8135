import { readdirSync } from 'node:fs';
import { eventually } from '@bazaar/platform/testing';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProcessPlatform } from '../../launcher/processes';
import {
  brokerConnectionsOf,
  checkoutsSurvive,
  run as exec,
  type ProcessPlatformRun,
  startProcessPlatform,
} from '../support/outages';

// On demand only (`npm run test:restarts`): this stops and starts the PostgreSQL, RabbitMQ and Redis
// servers of this machine, which would disturb anything else using them (other test suites included).
// The default suite does what a restart does to the services' connections, to this run's alone.
for (const v of ['POSTGRES_URL', 'RABBITMQ_URL', 'REDIS_URL']) {
  const url = process.env[v];
  if (!url) throw new Error(`the restart tests need ${v}`);
  if (!/@?(127\.0\.0\.1|localhost)[:/]/.test(url)) throw new Error(`${v} is not a server on this machine`);
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

const cluster = () => readdirSync('/etc/postgresql')[0]!;

/** The servers, stopped for `downMs` and started again; each call returns once it answers again. */
const servers = {
  async postgres(downMs: number) {
    await exec('pg_ctlcluster', '--skip-systemctl-redirect', cluster(), 'main', 'stop', '-m', 'fast');
    await pause(downMs);
    await exec('pg_ctlcluster', '--skip-systemctl-redirect', cluster(), 'main', 'start');
    await eventually(() => exec('pg_isready', '-q', '-h', '127.0.0.1', '-p', '5432'), {
      what: 'PostgreSQL back',
      timeoutMs: 60_000,
      intervalMs: 500,
    });
  },
  async rabbitmq(downMs: number) {
    await exec('rabbitmqctl', 'stop_app', '--quiet');
    await pause(downMs);
    await exec('rabbitmqctl', 'start_app', '--quiet');
    await eventually(() => exec('rabbitmq-diagnostics', '-q', 'check_running'), {
      what: 'RabbitMQ back',
      timeoutMs: 60_000,
      intervalMs: 500,
    });
  },
  /** Saved on the way down and loaded on the way up, as a Redis with persistence keeps its data. */
  async redis(downMs: number) {
    const admin = new Redis(process.env.REDIS_URL!, { maxRetriesPerRequest: 0, retryStrategy: () => null });
    admin.on('error', () => {}); // the server goes away under it
    const [, dir] = (await admin.config('GET', 'dir')) as [string, string];
    await admin.call('SHUTDOWN', 'SAVE').catch(() => {}); // the connection ends with the server
    admin.disconnect();
    await pause(downMs);
    const flags = ['--bind', '127.0.0.1', '--port', '6379', '--save', '', '--appendonly', 'no'];
    await exec('redis-server', '--daemonize', 'yes', '--dir', dir, ...flags);
    await eventually(() => exec('redis-cli', '-h', '127.0.0.1', 'ping'), {
      what: 'Redis back',
      timeoutMs: 60_000,
      intervalMs: 500,
    });
  },
};

describe('server restarts mid-saga (multi-process, real servers)', () => {
  let run: ProcessPlatformRun;
  let platform: ProcessPlatform;
  let namespace: string;

  beforeAll(async () => {
    run = await startProcessPlatform();
    ({ platform, namespace } = run);
  }, 180_000);
  afterAll(async () => {
    await platform?.stopAll();
  });

  it('finishes every order when RabbitMQ restarts (down 5 s)', async () => {
    const before = await brokerConnectionsOf(namespace);
    await checkoutsSurvive(run, () => servers.rabbitmq(5_000));
    // Every service is back on the broker, on a new connection.
    await expect
      .poll(() => brokerConnectionsOf(namespace), { timeout: 30_000 })
      .toHaveLength(platform.processes.size);
    expect((await brokerConnectionsOf(namespace)).filter((pid) => before.includes(pid))).toEqual([]);
  }, 300_000);

  it('finishes every order when PostgreSQL restarts (down 3 s)', async () => {
    await checkoutsSurvive(run, () => servers.postgres(3_000));
  }, 300_000);

  it('finishes every order when Redis restarts (down 2 s, its data saved)', async () => {
    await checkoutsSurvive(run, () => servers.redis(2_000));
  }, 300_000);

  it('finishes every order when all three restart at once', async () => {
    await checkoutsSurvive(run, async () => {
      await Promise.all([servers.rabbitmq(5_000), servers.postgres(3_000), servers.redis(2_000)]);
    });
  }, 300_000);
});
