import { describe, expect, it } from 'vitest';
import { ResponseCache } from './response-cache';

const get = (url: string, headers: Record<string, string> = {}) => ({ method: 'GET', url, headers });
const publicAnswer = { 'cache-control': 'public, max-age=2', 'content-type': 'application/json' };
const entry = (body = '{}') => ({
  status: 200,
  contentType: 'application/json',
  cacheControl: 'public, max-age=2',
  body: Buffer.from(body),
});

describe('response cache', () => {
  it('keeps only public, successful answers to anonymous GETs', () => {
    const cache = new ResponseCache();
    expect(cache.cacheableFor(get('/p'), 200, publicAnswer)).toBe(2);
    expect(cache.cacheableFor(get('/p'), 404, publicAnswer)).toBeUndefined();
    expect(cache.cacheableFor(get('/p', { authorization: 'Bearer x' }), 200, publicAnswer)).toBeUndefined();
    expect(cache.cacheableFor({ ...get('/p'), method: 'POST' }, 200, publicAnswer)).toBeUndefined();
    expect(cache.cacheableFor(get('/p'), 200, { 'cache-control': 'private, max-age=9' })).toBeUndefined();
    expect(cache.cacheableFor(get('/p'), 200, { 'cache-control': 'no-cache' })).toBeUndefined();
    expect(cache.cacheableFor(get('/p'), 200, { 'cache-control': 'public' })).toBeUndefined();
    expect(
      cache.cacheableFor(get('/p'), 200, { ...publicAnswer, 'set-cookie': 'a=b' } as never),
    ).toBeUndefined();
  });

  it('answers until max-age, per full URL, unless the caller asks for a fresh answer', () => {
    const cache = new ResponseCache();
    cache.store('/p?limit=20', entry('a'), 2);
    expect(cache.lookup(get('/p?limit=20'))?.body.toString()).toBe('a');
    expect(cache.lookup(get('/p?limit=10'))).toBeUndefined();
    expect(cache.lookup(get('/p?limit=20', { 'cache-control': 'no-cache' }))).toBeUndefined();
    expect(cache.lookup(get('/p?limit=20'), Date.now() + 2_001)).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('stays within its bounds and can be emptied', () => {
    const cache = new ResponseCache(2, 8);
    cache.store('/a', entry(), 60);
    cache.store('/b', entry(), 60);
    cache.store('/c', entry(), 60);
    expect(cache.lookup(get('/a'))).toBeUndefined();
    expect(cache.lookup(get('/c'))).toBeDefined();
    cache.store('/big', entry('x'.repeat(9)), 60);
    expect(cache.lookup(get('/big'))).toBeUndefined();
    cache.clear();
    expect(cache.size).toBe(0);
  });

  it('counts a look-up as a hit or a miss, and leaves out requests it does not apply to', () => {
    const looked: string[] = [];
    const cache = new ResponseCache(10, 1024, (result) => looked.push(result));
    expect(cache.lookup(get('/p'))).toBeUndefined();
    cache.store('/p', entry('a'), 2);
    expect(cache.lookup(get('/p'))?.body.toString()).toBe('a');
    expect(cache.lookup(get('/p', { authorization: 'Bearer x' }))).toBeUndefined();
    expect(cache.lookup(get('/p'), Date.now() + 3_000)).toBeUndefined();
    expect(looked).toEqual(['miss', 'hit', 'miss']);
  });
});
