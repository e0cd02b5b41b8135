import { createEvent } from '@bazaar/contracts';
import { context, SpanKind, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { v7 as uuidv7 } from 'uuid';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  contextOfTraceparent,
  currentTraceparent,
  formatTraceparent,
  parseTraceparent,
  withEventSpan,
  withSpanAfter,
  withTraceparent,
} from './trace-context';

const exporter = new InMemorySpanExporter();
const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
const contextManager = new AsyncLocalStorageContextManager();

beforeAll(() => {
  context.setGlobalContextManager(contextManager.enable());
  trace.setGlobalTracerProvider(provider);
});
afterAll(async () => {
  await provider.shutdown();
  contextManager.disable();
  trace.disable();
  context.disable();
});
beforeEach(() => exporter.reset());

const testTracer = () => trace.getTracer('test');
const orderId = uuidv7();
const delivered = (traceparent?: string) =>
  createEvent(
    'ShipmentDelivered',
    { orderId, shipmentId: uuidv7(), trackingNumber: 'BZ123456789', deliveredAt: new Date().toISOString() },
    { source: '/test', correlationId: orderId, traceparent },
  );

describe('traceparent', () => {
  const traceparent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';

  it('reads and writes the W3C form', () => {
    const span = parseTraceparent(traceparent);
    expect(span).toMatchObject({
      traceId: '0af7651916cd43dd8448eb211c80319c',
      spanId: 'b7ad6b7169203331',
      traceFlags: 1,
      isRemote: true,
    });
    expect(formatTraceparent(span!)).toBe(traceparent);
  });

  it('refuses what is not one', () => {
    for (const bad of [
      undefined,
      '',
      'garbage',
      '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331', // no flags
      '00-00000000000000000000000000000000-b7ad6b7169203331-01', // all-zero trace id
      '00-0af7651916cd43dd8448eb211c80319c-0000000000000000-01', // all-zero span id
      '00-0AF7651916CD43DD8448EB211C80319C-b7ad6b7169203331-01', // upper case
      `${traceparent}, ${traceparent}`, // two of them joined by a proxy
    ]) {
      expect(parseTraceparent(bad), String(bad)).toBeUndefined();
    }
    expect(trace.getSpanContext(contextOfTraceparent('garbage'))).toBeUndefined();
  });

  it('is the active span, and none outside a span', () => {
    expect(currentTraceparent()).toBeUndefined();
    testTracer().startActiveSpan('request', (span) => {
      expect(currentTraceparent()).toBe(formatTraceparent(span.spanContext()));
      span.end();
    });
  });
});

describe('events emitted in a span', () => {
  it('carry its traceparent; an event that names its cause keeps it; none outside a span', () => {
    const earlier = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    expect(withTraceparent([delivered()])[0]!.traceparent).toBeUndefined();
    testTracer().startActiveSpan('checkout', (span) => {
      const [fresh, named] = withTraceparent([delivered(), delivered(earlier)]);
      expect(fresh!.traceparent).toBe(formatTraceparent(span.spanContext()));
      expect(named!.traceparent).toBe(earlier);
      span.end();
    });
  });
});

describe('a handled event', () => {
  it("runs in a consumer span whose parent is the emitter's, and what it emits continues that trace", async () => {
    let emitterContext = '';
    const event = testTracer().startActiveSpan('checkout', (span) => {
      emitterContext = formatTraceparent(span.spanContext());
      span.end();
      return withTraceparent([delivered()])[0]!;
    });
    const emitted = await withEventSpan('orders', event, async () => withTraceparent([delivered()])[0]!);

    const consumer = exporter.getFinishedSpans().find((s) => s.name === 'process ShipmentDelivered')!;
    const emitter = parseTraceparent(emitterContext)!;
    expect(consumer.kind).toBe(SpanKind.CONSUMER);
    expect(consumer.spanContext().traceId).toBe(emitter.traceId);
    expect(consumer.parentSpanContext?.spanId).toBe(emitter.spanId);
    expect(consumer.attributes).toMatchObject({ 'bazaar.service': 'orders', 'bazaar.order_id': orderId });
    expect(emitted.traceparent).toBe(formatTraceparent(consumer.spanContext()));
  });

  it('gets a span of its own when several share a transaction, each in its own trace', async () => {
    const traces = ['0af7651916cd43dd8448eb211c80319c', '1bf7651916cd43dd8448eb211c80319d'];
    const events = traces.map((t) => delivered(`00-${t}-b7ad6b7169203331-01`));
    for (const event of events) await withEventSpan('orders', event, async () => {});
    expect(exporter.getFinishedSpans().map((s) => s.spanContext().traceId)).toEqual(traces);
  });

  it('starts a trace of its own when it carries none, and records a failure', async () => {
    await expect(
      withEventSpan('orders', delivered(), async () => {
        throw new Error('no such order');
      }),
    ).rejects.toThrow('no such order');
    const [span] = exporter.getFinishedSpans();
    expect(span!.parentSpanContext).toBeUndefined();
    expect(span!.status).toMatchObject({ code: 2, message: 'no such order' });
    expect(span!.events.map((e) => e.name)).toEqual(['exception']);
  });

  it('continues in later work (a worker) through the traceparent it left', async () => {
    const cause = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    await withSpanAfter(cause, 'charge', { 'bazaar.service': 'payments' }, async () => {});
    const [span] = exporter.getFinishedSpans();
    expect(span!.spanContext().traceId).toBe('0af7651916cd43dd8448eb211c80319c');
    expect(span!.parentSpanContext?.spanId).toBe('b7ad6b7169203331');
  });
});
