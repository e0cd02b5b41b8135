/**
 * Starts OpenTelemetry tracing for the process when OTEL_EXPORTER_OTLP_ENDPOINT is set, and does nothing
 * otherwise. Load it before the application's code, after tsx:
 *
 *   node --import tsx --import ./packages/platform/src/telemetry/register.ts services/orders/src/main.ts
 *
 * Spans go to `$OTEL_EXPORTER_OTLP_ENDPOINT/v1/traces` as OTLP/HTTP JSON, batched (OTEL_BSP_SCHEDULE_DELAY),
 * named after OTEL_SERVICE_NAME. HTTP servers and clients (http, undici), PostgreSQL (pg), Redis (ioredis)
 * and RabbitMQ (amqplib) are instrumented; gRPC and event handling have spans of their own (see
 * trace-context.ts). The file imports nothing of the repository, so that it can be bundled on its own.
 */
import type { Context } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace-base';

/** Our spans name their service; children without it take their parent's (one process, many services). */
const SERVICE_ATTRIBUTE = 'bazaar.service';

const unobserved = new Set(['/healthz', '/readyz', '/metrics']);

const endpoint = process.env.OTEL_EXPORTER_OTLP_ENDPOINT;
if (endpoint) await startTracing();

async function startTracing(): Promise<void> {
  // Traces only: Prometheus has the metrics and pino the logs.
  process.env.OTEL_METRICS_EXPORTER ??= 'none';
  process.env.OTEL_LOGS_EXPORTER ??= 'none';
  process.env.OTEL_NODE_ENABLED_INSTRUMENTATIONS ??= 'http,undici,pg,ioredis,amqplib';
  const { register } = await import('node:module');
  const { createAddHookMessageChannel } = await import('import-in-the-middle');
  // The ESM loader wraps only the modules an instrumentation asked for, not every import of the process.
  const { registerOptions, waitForAllMessagesAcknowledged } = createAddHookMessageChannel();
  register('import-in-the-middle/hook.mjs', import.meta.url, registerOptions);

  const [{ NodeSDK }, { getNodeAutoInstrumentations }, { OTLPTraceExporter }, { BatchSpanProcessor }, api] =
    await Promise.all([
      import('@opentelemetry/sdk-node'),
      import('@opentelemetry/auto-instrumentations-node'),
      import('@opentelemetry/exporter-trace-otlp-http'),
      import('@opentelemetry/sdk-trace-base'),
      import('@opentelemetry/api'),
    ]);

  const inheritService: SpanProcessor = {
    onStart(span: Span, parentContext: Context) {
      if (span.attributes[SERVICE_ATTRIBUTE] !== undefined) return;
      const parent = api.trace.getSpan(parentContext) as Partial<ReadableSpan> | undefined;
      const service = parent?.attributes?.[SERVICE_ATTRIBUTE];
      if (service !== undefined) span.setAttribute(SERVICE_ATTRIBUTE, service);
    },
    onEnd() {},
    forceFlush: async () => {},
    shutdown: async () => {},
  };

  const sdk = new NodeSDK({
    serviceName: process.env.OTEL_SERVICE_NAME ?? 'bazaar',
    // The HTTP exporter (not the proto one) sends JSON.
    spanProcessors: [inheritService, new BatchSpanProcessor(new OTLPTraceExporter())],
    logRecordProcessors: [],
    instrumentations: getNodeAutoInstrumentations({
      '@opentelemetry/instrumentation-http': {
        // Probes and scrapes would each be a trace of their own.
        ignoreIncomingRequestHook: (request) => unobserved.has(request.url?.split('?')[0] ?? ''),
      },
      // The relay's polling pass and timers query outside any request: no trace of their own.
      '@opentelemetry/instrumentation-pg': { requireParentSpan: true },
      '@opentelemetry/instrumentation-ioredis': { requireParentSpan: true },
    }),
  });
  sdk.start();
  await waitForAllMessagesAcknowledged();
  // A process that ends by itself (a script) sends what the batch still holds. A service ends with
  // process.exit, which skips this: its shutdown flushes first (flushTraces of trace-context.ts).
  process.once('beforeExit', () => void sdk.shutdown().catch(() => {}));
}
