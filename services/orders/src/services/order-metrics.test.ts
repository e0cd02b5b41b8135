import { createEvent, sampleEventData } from '@bazaar/contracts';
import { metricValue } from '@bazaar/platform/testing';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { createOrderMetrics } from './order-metrics';

const completedEvent = () =>
  createEvent('OrderCompleted', sampleEventData('OrderCompleted'), { source: '/test', correlationId: 'o1' });

describe('order metrics', () => {
  const setUp = () => {
    const registry = new Registry();
    return { registry, metrics: createOrderMetrics(registry, async () => 0) };
  };
  const finished = async (registry: Registry) =>
    metricValue(await registry.metrics(), 'orders_finished_total', { final_state: 'COMPLETED' }) ?? 0;

  it('counts an ending only once its transaction has committed, once', async () => {
    const { registry, metrics } = setUp();
    const rolledBack = completedEvent();
    metrics.noteEnding(rolledBack, { finalState: 'COMPLETED', seconds: 1.5 });
    // The transaction was rolled back and handled again: a new event for the same ending.
    const committed = completedEvent();
    metrics.noteEnding(committed, { finalState: 'COMPLETED', seconds: 1.6 });
    expect(await finished(registry)).toBe(0);

    // The outbox may carry a copy of the event (with the trace added); it is still recognised.
    metrics.countCommitted([
      { ...committed, traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' },
    ]);
    metrics.countCommitted([committed]);
    expect(await finished(registry)).toBe(1);
    const text = await registry.metrics();
    expect(metricValue(text, 'saga_duration_seconds_sum', { final_state: 'COMPLETED' })).toBe(1.6);
  });

  it('counts orders created from the committed OrderCreated events', async () => {
    const { registry, metrics } = setUp();
    const created = createEvent('OrderCreated', sampleEventData('OrderCreated'), {
      source: '/test',
      correlationId: 'o1',
    });
    metrics.countCommitted([created, completedEvent()]);
    const text = await registry.metrics();
    expect(metricValue(text, 'orders_created_total')).toBe(1);
    expect(metricValue(text, 'orders_finished_total')).toBeUndefined();
  });
});
