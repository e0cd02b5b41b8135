import { describe, expect, it } from 'vitest';
import { cachedReading, createMetrics } from './metrics';
import { metricValue } from './testing/metrics-text';

describe('metrics', () => {
  it('serves no gauge named like a counter (promtool refuses prom-client’s *_total gauges)', async () => {
    const metrics = createMetrics('first-in-process');
    const text = await metrics.registry.metrics();
    expect(text).toContain('nodejs_active_handles{');
    expect(text).not.toMatch(/^nodejs_active_(handles|requests|resources)_total/m);
    for (const [, name] of text.matchAll(/^# TYPE (\S+) gauge$/gm)) expect(name).not.toMatch(/_total$/);
  });

  it('counts cache look-ups by cache and result, both results shown from the start', async () => {
    const metrics = createMetrics('cart');
    const count = metrics.countCache('products');
    let text = await metrics.registry.metrics();
    expect(metricValue(text, 'cache_requests_total', { cache: 'products', result: 'hit' })).toBe(0);
    count('miss');
    count('hit');
    count('hit');
    text = await metrics.registry.metrics();
    expect(metricValue(text, 'cache_requests_total', { service: 'cart', result: 'hit' })).toBe(2);
    expect(metricValue(text, 'cache_requests_total', { service: 'cart', result: 'miss' })).toBe(1);
  });

  it('reads dead letters at scrape time, through a short cache', async () => {
    const metrics = createMetrics('inventory');
    let waiting = 3;
    let reads = 0;
    metrics.watchDeadLetters(async () => {
      reads++;
      return waiting;
    });
    expect(metricValue(await metrics.registry.metrics(), 'dead_letters')).toBe(3);
    waiting = 4;
    expect(metricValue(await metrics.registry.metrics(), 'dead_letters')).toBe(3);
    expect(reads).toBe(1);
  });
});

describe('cachedReading', () => {
  const later = (ms: number) => new Promise((r) => setTimeout(r, ms));

  it('never holds a scrape longer than its patience for a slow source, and keeps the last value', async () => {
    let value = 1;
    let delayMs = 0;
    const read = cachedReading(
      async () => {
        await later(delayMs);
        return value;
      },
      { maxAgeMs: 0, waitMs: 30 },
    );
    expect(await read()).toBe(1);
    value = 2;
    delayMs = 300;
    const started = Date.now();
    expect(await read()).toBe(1);
    expect(Date.now() - started).toBeLessThan(200);
    await later(350);
    expect(await read()).toBe(2);
  });

  it('asks the source again once the reading is older than its age, and keeps the last after a failure', async () => {
    let calls = 0;
    const read = cachedReading(
      async () => {
        calls++;
        if (calls === 2) throw new Error('broker away');
        return calls;
      },
      { maxAgeMs: 50 },
    );
    expect(await read()).toBe(1);
    expect(await read()).toBe(1);
    await later(60);
    expect(await read()).toBe(1); // the failed reading
    expect(await read()).toBe(3);
    expect(calls).toBe(3);
  });

  it('gives up a reading that never answers, and asks again', async () => {
    let calls = 0;
    const read = cachedReading(
      async () => {
        calls++;
        if (calls === 1) return new Promise<number>(() => {}); // a lost connection: no answer, ever
        return 7;
      },
      { maxAgeMs: 0, waitMs: 10, timeoutMs: 50 },
    );
    expect(await read()).toBeUndefined();
    await later(80);
    expect(await read()).toBe(7);
  });
});
