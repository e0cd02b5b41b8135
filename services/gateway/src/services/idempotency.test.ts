import { MemoryStore } from '@bazaar/platform';
import { describe, expect, it } from 'vitest';
import { IdempotencyStore } from './idempotency';

/** The in-memory store; `failNext(n)` makes its next n writes fail as a restarting Redis would. */
function flakyStore() {
  const store = new MemoryStore();
  let left = 0;
  const fail = () => Promise.reject(new Error('Connection is closed.'));
  const set = store.set.bind(store);
  const del = store.del.bind(store);
  store.set = (...args) => (left-- > 0 ? fail() : set(...args));
  store.del = (...args) => (left-- > 0 ? fail() : del(...args));
  return Object.assign(store, {
    failNext: (n: number) => {
      left = n;
    },
  });
}

const answer = {
  state: 'done' as const,
  fingerprint: 'f',
  status: 202,
  contentType: 'application/json',
  body: 'e30=',
};

describe('IdempotencyStore', () => {
  it('keeps an answer the store refused at first, so a retry is replayed rather than told to wait', async () => {
    const store = flakyStore();
    const keys = new IdempotencyStore(store, 60, 15);
    expect(await keys.begin('u1', 'k', 'f')).toEqual({ kind: 'proceed' });
    store.failNext(2);
    await expect(keys.finish('u1', 'k', answer)).resolves.toBeUndefined(); // never throws
    expect(await keys.begin('u1', 'k', 'f')).toEqual({ kind: 'in_progress' });
    await expect
      .poll(() => keys.begin('u1', 'k', 'f'), { timeout: 5_000, interval: 200 })
      .toEqual({
        kind: 'replay',
        record: answer,
      });
  });

  it("frees a failed request's key once the store answers again", async () => {
    const store = flakyStore();
    const keys = new IdempotencyStore(store, 60, 15);
    await keys.begin('u1', 'k', 'f');
    store.failNext(1);
    await keys.release('u1', 'k');
    await expect
      .poll(() => keys.begin('u1', 'k', 'f'), { timeout: 5_000, interval: 200 })
      .toEqual({
        kind: 'proceed',
      });
  });

  it('gives up after its time and leaves the key to expire', async () => {
    const store = flakyStore();
    const keys = new IdempotencyStore(store, 60, 15, undefined, 1_500);
    await keys.begin('u1', 'k', 'f');
    store.failNext(100);
    await keys.finish('u1', 'k', answer);
    await new Promise((r) => setTimeout(r, 2_500));
    expect(await keys.begin('u1', 'k', 'f')).toEqual({ kind: 'in_progress' });
  });

  it('frees the key of a request that never finished (its gateway died) after the running lifetime', async () => {
    const keys = new IdempotencyStore(new MemoryStore(), 60, 1);
    expect(await keys.begin('u1', 'k', 'f')).toEqual({ kind: 'proceed' });
    expect(await keys.begin('u1', 'k', 'f')).toEqual({ kind: 'in_progress' });
    await new Promise((r) => setTimeout(r, 1_100));
    expect(await keys.begin('u1', 'k', 'f')).toEqual({ kind: 'proceed' });
  });
});
