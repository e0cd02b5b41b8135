import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../logger';
import { testEnv, testModes } from '../testing/test-infrastructure';
import { type Database, openDatabase } from './database';
import { isDatabaseBusy, isDatabaseConnectionLost } from './database-errors';

const logger = createLogger('test', process.env.TEST_LOG_LEVEL ?? 'silent');
const migrationsFolder = new URL('../bus/testdata/migrations', import.meta.url).pathname;

// The time limits are the server's (PostgreSQL session settings); the embedded database is one process.
// Without a server (and outside CI, where testModes() insists on one) there is nothing to test.
describe.skipIf(!testModes().includes('server'))('database time limits (server)', () => {
  let database: Database;

  beforeAll(async () => {
    const env = testEnv('server');
    database = await openDatabase({
      service: 'dblimits',
      migrationsFolder,
      logger,
      postgresUrl: env.POSTGRES_URL,
      namespace: env.BAZAAR_NAMESPACE,
      poolMax: 3,
      statementTimeoutMs: 3_000,
      idleInTransactionTimeoutMs: 500,
    });
  });
  afterAll(() => database?.close());

  it('cancels a statement that runs too long, as a busy database (503, come back)', async () => {
    const err = await database.db.execute(sql`select pg_sleep(5)`).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect(isDatabaseBusy(err)).toBe(true);
  });

  it('ends a transaction left open and idle, freeing its locks for the others', async () => {
    const lock = sql`select pg_advisory_xact_lock(4242)`;
    let lockedAt = 0;
    // A holds the lock and then stalls (a frozen process, a lost network) without committing.
    const stalled = database.db
      .transaction(async (tx) => {
        await tx.execute(lock);
        lockedAt = Date.now();
        await new Promise((r) => setTimeout(r, 1_500));
        await tx.execute(sql`select 1`);
      })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    while (!lockedAt) await new Promise((r) => setTimeout(r, 10));
    // B waits for the lock; the server ends A's session after 500 ms idle, and B gets it.
    await database.db.transaction((tx) => tx.execute(lock));
    const waited = Date.now() - lockedAt;
    expect(waited).toBeGreaterThanOrEqual(450);
    expect(waited).toBeLessThan(1_500);
    const err = await stalled;
    expect(isDatabaseConnectionLost(err)).toBe(true);
    // The pool replaced A's connection.
    await expect(database.ping()).resolves.toBeUndefined();
  });
});
