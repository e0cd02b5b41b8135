import { randomUUID } from 'node:crypto';
import { createLogger, type Database, openDatabase } from '@bazaar/platform';
import {
  type EmbeddedTestInfrastructure,
  openEmbeddedTestInfrastructure,
  testEnv,
  testModes,
} from '@bazaar/platform/testing';
import { sql } from 'drizzle-orm';
import { v7 as uuidv7 } from 'uuid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { paymentIntents } from '../db/schema';
import { claimDueIntents } from './payment.service';

const logger = createLogger('test', process.env.TEST_LOG_LEVEL ?? 'silent');
const migrationsFolder = new URL('../../migrations', import.meta.url).pathname;

describe.each(testModes())('the charging worker takes due intents (%s)', (mode) => {
  let infra: EmbeddedTestInfrastructure | undefined;
  let database: Database;

  beforeAll(async () => {
    const env = testEnv(mode);
    infra = mode === 'embedded' ? await openEmbeddedTestInfrastructure() : undefined;
    database = await openDatabase({
      service: 'payments',
      migrationsFolder,
      logger,
      postgresUrl: env.POSTGRES_URL,
      namespace: env.BAZAAR_NAMESPACE,
      poolMax: 2,
      pglite: infra?.pglite,
    });
  });
  afterAll(async () => {
    await database?.close();
    await infra?.close();
  });

  it('oldest first, however the table holds them, and each once while leased', async () => {
    // Order ids are time-ordered (UUIDv7): the first made is the oldest order.
    const ids = Array.from({ length: 80 }, () => uuidv7());
    const shuffled = [...ids].sort(() => Math.random() - 0.5);
    for (const orderId of shuffled) {
      await database.db.insert(paymentIntents).values({
        orderId,
        userId: randomUUID(),
        paymentId: uuidv7(),
        amount: 1000,
        currency: 'EUR',
        paymentMethod: 'pm_card_visa',
        idempotencyKey: randomUUID(),
        status: 'PROCESSING',
      });
    }
    // Read the table in the order it holds the rows (no index to lean on): the statement must sort.
    const claim = () =>
      database.db.transaction(async (tx) => {
        await tx.execute(sql`set local enable_indexscan = off`);
        await tx.execute(sql`set local enable_bitmapscan = off`);
        return claimDueIntents(tx, 64, 60_000);
      });
    const first = await claim();
    expect(first.map((i) => i.orderId).sort()).toEqual(ids.slice(0, 64));
    const rest = await claim();
    expect(rest.map((i) => i.orderId).sort()).toEqual(ids.slice(64));
    expect(await claim()).toEqual([]);
  });
});
