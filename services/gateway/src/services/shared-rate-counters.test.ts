import { createLogger, type KeyValueStore, MemoryStore } from '@bazaar/platform';
import { describe, expect, it } from 'vitest';
import { SharedRateCounters } from './shared-rate-counters';

/** The in-memory store, with its first answer held back as a busy Redis would. */
function slowFirstAnswer(delayMs: number): KeyValueStore {
  const store = new MemoryStore();
  let calls = 0;
  const addToCounters: KeyValueStore['addToCounters'] = async (counts) => {
    const answer = await store.addToCounters(counts);
    if (calls++ === 0) await new Promise((r) => setTimeout(r, delayMs));
    return answer;
  };
  return Object.assign(Object.create(store), { addToCounters });
}

describe('shared rate-limit counters', () => {
  it('numbers requests by arrival when a sync is answered before the first request of the window', async () => {
    const counters = new SharedRateCounters(slowFirstAnswer(80), createLogger('test', 'silent'), 5);
    const results = await Promise.all(
      Array.from(
        { length: 30 },
        () =>
          new Promise<number>((resolve, reject) =>
            counters.count('k', 60_000, (err, r) => (err ? reject(err) : resolve(r!.current))),
          ),
      ),
    );
    expect(Math.max(...results)).toBe(30);
    expect(new Set(results).size).toBe(30);
  });
});
