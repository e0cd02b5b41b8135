import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  createLogger,
  type Database,
  dropNamespaceDatabases,
  openDatabase,
  openEmbeddedDatabase,
} from '@bazaar/platform';
import { testEnv, testModes } from '@bazaar/platform/testing';
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { providerCharges } from '../db/schema';
import { ProviderTransientError, SimulatedProvider } from './simulated-provider';

const migrationsFolder = path.join(path.dirname(fileURLToPath(import.meta.url)), '../../migrations');

describe.each(testModes())('the simulated provider (%s)', (mode) => {
  const env = testEnv(mode);
  const logger = createLogger('payments', 'silent');
  /** The provider's storage, and how to take it away (a closed pool, a closed embedded database). */
  const open = async (): Promise<{ db: Database['db']; shut(): Promise<void> }> => {
    if (mode === 'server') {
      const database = await openDatabase({
        service: 'payments',
        migrationsFolder,
        logger,
        postgresUrl: env.POSTGRES_URL,
        namespace: env.BAZAAR_NAMESPACE,
      });
      return { db: database.db, shut: () => database.close() };
    }
    const pglite = await openEmbeddedDatabase();
    const database = await openDatabase({ service: 'payments', migrationsFolder, logger, pglite });
    return { db: database.db, shut: () => pglite.close() };
  };

  it('answers a transient error while its storage is down, and charges the key once when it is back', async () => {
    const request = {
      idempotencyKey: `key-${randomUUID()}`,
      orderId: randomUUID(),
      amount: 1999,
      currency: 'EUR',
      paymentMethod: 'pm_card_visa',
    };
    const gone = await open();
    await gone.shut();
    const failed = await new SimulatedProvider(gone.db, 0).charge(request).catch((err: unknown) => err);
    expect(failed).toBeInstanceOf(ProviderTransientError);
    expect((failed as Error).message).toBe('provider error (500)');

    const back = await open();
    try {
      const provider = new SimulatedProvider(back.db, 0);
      const first = await provider.charge(request);
      const again = await provider.charge(request);
      expect(first.outcome).toBe('succeeded');
      expect(again).toEqual(first);
      const rows = await back.db
        .select()
        .from(providerCharges)
        .where(eq(providerCharges.idempotencyKey, request.idempotencyKey));
      expect(rows).toHaveLength(1);
    } finally {
      await back.shut();
      if (mode === 'server') await dropNamespaceDatabases(env.POSTGRES_URL!, env.BAZAAR_NAMESPACE!);
    }
  });
});
