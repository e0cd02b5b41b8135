import { MemoryStore } from '@bazaar/platform';
import { describe, expect, it } from 'vitest';
import { AnswerCache } from './answer-cache';

describe('AnswerCache', () => {
  it('serves a kept answer until invalidated, and many changes close together cost one invalidation', async () => {
    const cache = new AnswerCache(new MemoryStore(), 60, 0);
    let loads = 0;
    const read = async () => (await cache.read('page', async () => `v${++loads}`)).toString();
    expect(await read()).toBe('v1');
    expect(await read()).toBe('v1');

    for (let i = 0; i < 20; i++) cache.invalidateSoon(50);
    expect(await read()).toBe('v1'); // not yet: the refresh is due within 50 ms
    await new Promise((r) => setTimeout(r, 80));
    expect(await read()).toBe('v2');
    expect(await read()).toBe('v2');

    cache.invalidateSoon(0); // at once
    await new Promise((r) => setTimeout(r, 5));
    expect(await read()).toBe('v3');
  });

  it('counts a hit from its memory or from the shared store, and a miss when the answer is loaded', async () => {
    const shared = new MemoryStore();
    const looked: string[] = [];
    const count = (result: string) => looked.push(result);
    const replica = (onLookup: (result: 'hit' | 'miss') => void) => new AnswerCache(shared, 60, 0, onLookup);
    const first = replica(count);
    await first.read('page', async () => 'v1');
    await first.read('page', async () => 'v2');
    // Another replica finds what the first one loaded in the shared store.
    const second = replica(count);
    expect((await second.read('page', async () => 'v3')).toString()).toBe('v1');
    expect(looked).toEqual(['miss', 'hit', 'hit']);
  });
});
