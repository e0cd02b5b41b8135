import { Writable } from 'node:stream';
import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, withLogFields } from './logger';

const provider = new BasicTracerProvider();
const contextManager = new AsyncLocalStorageContextManager();
beforeAll(() => {
  context.setGlobalContextManager(contextManager.enable());
  trace.setGlobalTracerProvider(provider);
});
afterAll(() => {
  contextManager.disable();
  trace.disable();
  context.disable();
});

/** A logger whose lines the test reads back, parsed. */
function capturedLogger() {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      lines.push(JSON.parse(String(chunk)));
      done();
    },
  });
  return { logger: createLogger('orders', 'info', sink), lines };
}

describe('log lines', () => {
  it('carry the service and nothing else outside a span or an event', () => {
    const { logger, lines } = capturedLogger();
    logger.info('started');
    expect(lines[0]).toMatchObject({ service: 'orders', level: 'info', msg: 'started' });
    expect(lines[0]).not.toHaveProperty('trace_id');
    expect(lines[0]).not.toHaveProperty('orderId');
  });

  it("carry the active span's trace and span ids", () => {
    const { logger, lines } = capturedLogger();
    trace.getTracer('test').startActiveSpan('request', (span) => {
      logger.info('inside');
      const { traceId, spanId } = span.spanContext();
      expect(lines[0]).toMatchObject({ trace_id: traceId, span_id: spanId });
      span.end();
    });
    logger.info('after');
    expect(lines[1]).not.toHaveProperty('trace_id');
  });

  it("carry an event's order id while it is handled, across awaits, nested fields merged", async () => {
    const { logger, lines } = capturedLogger();
    await withLogFields({ orderId: 'order-1' }, async () => {
      await new Promise((r) => setTimeout(r, 1));
      await withLogFields({ eventId: 'event-1' }, async () => logger.info('handled'));
      logger.child({ step: 'charge' }).warn('child logger too');
    });
    logger.info('done');
    expect(lines[0]).toMatchObject({ orderId: 'order-1', eventId: 'event-1', msg: 'handled' });
    expect(lines[1]).toMatchObject({ orderId: 'order-1', step: 'charge' });
    expect(lines[1]).not.toHaveProperty('eventId');
    expect(lines[2]).not.toHaveProperty('orderId');
  });
});
