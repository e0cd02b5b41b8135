import { createLogger, type KeyValueStore, openKeyValueStore } from '@bazaar/platform';
import { testEnv, testModes } from '@bazaar/platform/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SharedRateCounters } from './shared-rate-counters';

const logger = createLogger('test', 'silent');
const minute = 60_000;

describe.each(testModes())('shared rate-limit counters (%s)', (mode) => {
  let kv: KeyValueStore;
  beforeAll(() => {
    const env = testEnv(mode);
    kv = openKeyValueStore(env.REDIS_URL, env.BAZAAR_NAMESPACE);
  });
  afterAll(() => kv.close());

  const count = (counters: SharedRateCounters, key: string) =>
    new Promise<{ current: number; ttl: number }>((resolve, reject) =>
      counters.count(key, minute, (err, result) => (err ? reject(err) : resolve(result!))),
    );

  it('counts every request of one replica, with the time left in the window', async () => {
    const counters = new SharedRateCounters(kv, logger, 20);
    const results = await Promise.all(Array.from({ length: 30 }, () => count(counters, 'one')));
    expect(Math.max(...results.map((r) => r.current))).toBe(30);
    expect(new Set(results.map((r) => r.current)).size).toBe(30);
    for (const r of results) {
      expect(r.ttl).toBeGreaterThan(0);
      expect(r.ttl).toBeLessThanOrEqual(minute);
    }
    await counters.flush();
  });

  it('adds up the requests of several replicas through the store', async () => {
    const a = new SharedRateCounters(kv, logger, 20);
    const b = new SharedRateCounters(kv, logger, 20);
    await Promise.all(Array.from({ length: 25 }, () => count(a, 'shared')));
    await Promise.all(Array.from({ length: 15 }, () => count(b, 'shared')));
    await Promise.all([a.flush(), b.flush()]);
    // A replica that has not served this client yet asks the store first.
    const c = new SharedRateCounters(kv, logger, 20);
    expect((await count(c, 'shared')).current).toBe(41);
    // The others learn the total at their next sync.
    await count(a, 'shared');
    await a.flush();
    expect((await count(a, 'shared')).current).toBeGreaterThanOrEqual(43);
    await Promise.all([a.flush(), c.flush()]);
  });

  it('keeps keys apart', async () => {
    const counters = new SharedRateCounters(kv, logger, 20);
    await count(counters, 'left');
    await count(counters, 'left');
    expect((await count(counters, 'right')).current).toBe(1);
    expect((await count(counters, 'left')).current).toBe(3);
    await counters.flush();
  });
});
