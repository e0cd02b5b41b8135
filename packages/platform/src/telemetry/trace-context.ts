import type { CloudEvent } from '@bazaar/contracts';
import {
  type Attributes,
  type Context,
  context,
  isSpanContextValid,
  ROOT_CONTEXT,
  type Span,
  type SpanContext,
  SpanKind,
  SpanStatusCode,
  TraceFlags,
  trace,
} from '@opentelemetry/api';

/** Names a span's service: one process may run them all (the embedded platform). */
export const SERVICE_ATTRIBUTE = 'bazaar.service';
export const ORDER_ATTRIBUTE = 'bazaar.order_id';

export const tracer = trace.getTracer('@bazaar/platform');

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

/** The W3C `traceparent` of a span context. */
export function formatTraceparent(span: SpanContext): string {
  const flags = (span.traceFlags & TraceFlags.SAMPLED).toString(16).padStart(2, '0');
  return `00-${span.traceId}-${span.spanId}-${flags}`;
}

/** A span context from a W3C `traceparent`; undefined when it is missing or malformed. */
export function parseTraceparent(traceparent: string | undefined): SpanContext | undefined {
  const match = traceparent ? TRACEPARENT.exec(traceparent) : null;
  if (!match) return undefined;
  const span: SpanContext = {
    traceId: match[1]!,
    spanId: match[2]!,
    traceFlags: Number.parseInt(match[3]!, 16),
    isRemote: true,
  };
  return isSpanContextValid(span) ? span : undefined;
}

/** The trace id a W3C `traceparent` names; undefined when it is missing or malformed. */
export function traceIdOf(traceparent: string | undefined): string | undefined {
  return parseTraceparent(traceparent)?.traceId;
}

/** The `traceparent` of the active span, when there is one (no tracing set up: never). */
export function currentTraceparent(active: Context = context.active()): string | undefined {
  const span = trace.getSpanContext(active);
  return span && isSpanContextValid(span) ? formatTraceparent(span) : undefined;
}

/**
 * Stamps events with the active span's `traceparent` as they are emitted. The outbox relay publishes
 * them later, outside the request, so the trace has to travel inside the envelope. An event that
 * already names its cause keeps it.
 */
export function withTraceparent<E extends CloudEvent>(events: E[], active: Context = context.active()): E[] {
  const traceparent = currentTraceparent(active);
  if (!traceparent) return events;
  return events.map((e) => (e.traceparent ? e : { ...e, traceparent }));
}

/** A context whose parent is the span a `traceparent` names (the root context when it names none). */
export function contextOfTraceparent(traceparent: string | undefined): Context {
  const parent = parseTraceparent(traceparent);
  return parent ? trace.setSpanContext(ROOT_CONTEXT, parent) : ROOT_CONTEXT;
}

/**
 * Handles an event inside a consumer span whose parent is the span that emitted it, so that whatever
 * the handler does (queries, events it emits) continues the checkout's trace. Each event gets its own
 * span, also when several share a transaction.
 */
export function withEventSpan<T>(
  service: string,
  event: CloudEvent,
  handle: (span: Span) => Promise<T>,
): Promise<T> {
  return tracer.startActiveSpan(
    `process ${event.type}`,
    {
      kind: SpanKind.CONSUMER,
      attributes: {
        [SERVICE_ATTRIBUTE]: service,
        [ORDER_ATTRIBUTE]: event.correlationid,
        'messaging.operation.type': 'process',
        'messaging.destination.name': service,
        'messaging.message.id': event.id,
        'cloudevents.event_type': event.type,
      },
    },
    contextOfTraceparent(event.traceparent),
    (span) => endWith(span, handle),
  );
}

/**
 * Runs work done later for an earlier cause (a worker's charge for a handled event) in a span of the
 * cause's trace.
 */
export function withSpanAfter<T>(
  traceparent: string | undefined,
  name: string,
  attributes: Attributes,
  work: (span: Span) => Promise<T>,
): Promise<T> {
  return tracer.startActiveSpan(name, { attributes }, contextOfTraceparent(traceparent), (span) =>
    endWith(span, work),
  );
}

/** Runs `work`, records a failure on the span, and ends it either way. */
export async function endWith<T>(span: Span, work: (span: Span) => Promise<T>): Promise<T> {
  try {
    return await work(span);
  } catch (err) {
    span.recordException(err instanceof Error ? err : String(err));
    span.setStatus({ code: SpanStatusCode.ERROR, message: err instanceof Error ? err.message : undefined });
    throw err;
  } finally {
    span.end();
  }
}

/**
 * Sends the spans the process still holds. A service ends with `process.exit` after its shutdown, which
 * would drop the last batch. Without tracing set up there is nothing to send.
 */
export async function flushTraces(): Promise<void> {
  const provider = trace.getTracerProvider() as { getDelegate?(): unknown };
  const delegate = (provider.getDelegate?.() ?? provider) as { forceFlush?(): Promise<void> };
  await delegate.forceFlush?.().catch(() => {});
}
