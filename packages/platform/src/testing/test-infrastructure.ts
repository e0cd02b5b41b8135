import { randomBytes } from 'node:crypto';
import type { PGlite } from '@electric-sql/pglite';
import { InProcessBus } from '../bus/in-process-bus';
import { openEmbeddedDatabase } from '../db/database';
import { MemoryStore } from '../kv/key-value-store';
import { createLogger } from '../logger';
import type { SharedInfrastructure } from '../service-runtime';

export { freePort } from './free-port';
export { type MetricSample, metricValue, parseMetrics } from './metrics-text';

export type TestMode = 'embedded' | 'server';

const infraVariables = ['POSTGRES_URL', 'RABBITMQ_URL', 'REDIS_URL'] as const;

/**
 * The modes a suite runs in: always embedded, and against the real servers when their URLs are set.
 * In CI the servers are required: a missing URL fails the run instead of quietly skipping half of it.
 */
export function testModes(): TestMode[] {
  const missing = infraVariables.filter((v) => !process.env[v]);
  if (missing.length === 0) return ['embedded', 'server'];
  if (process.env.CI) throw new Error(`CI needs the real infrastructure; unset: ${missing.join(', ')}`);
  return ['embedded'];
}

/** Environment for services under test: a fresh namespace so parallel suites never share state. */
export function testEnv(mode: TestMode, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const base: NodeJS.ProcessEnv = {
    NODE_ENV: 'test',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    PORT: '0',
    GRPC_PORT: '0',
    BAZAAR_NAMESPACE: `t${randomBytes(5).toString('hex')}_`,
  };
  if (mode === 'server') {
    for (const v of infraVariables) base[v] = process.env[v];
    base.BAZAAR_QUEUE_EXPIRES_MS = '600000';
    base.PG_POOL_MAX = '3';
  }
  return { ...base, ...extra };
}

export interface EmbeddedTestInfrastructure extends SharedInfrastructure {
  pglite: PGlite;
  bus: InProcessBus;
  close(): Promise<void>;
}

/** An in-memory PGlite, an in-process bus and an in-memory store, shared by the services of one suite. */
export async function openEmbeddedTestInfrastructure(): Promise<EmbeddedTestInfrastructure> {
  const pglite = await openEmbeddedDatabase();
  const bus = new InProcessBus(createLogger('bus', process.env.TEST_LOG_LEVEL ?? 'silent'));
  const kv = new MemoryStore();
  return {
    pglite,
    bus,
    kv,
    async close() {
      await bus.close();
      await pglite.close();
    },
  };
}

/** Polls until `probe` returns a value that is not undefined/false, or fails after `timeoutMs`. */
export async function eventually<T>(
  probe: () => Promise<T | undefined | false> | T | undefined | false,
  { timeoutMs = 15_000, intervalMs = 50, what = 'condition' } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value as T;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
