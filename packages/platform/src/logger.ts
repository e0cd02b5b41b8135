import { context, createContextKey, isSpanContextValid, trace } from '@opentelemetry/api';
import { type Logger, type LoggerOptions, pino } from 'pino';

export type { Logger };

/** Fields every log line written while handling something carries (an event's order id). */
export type LogFields = Record<string, string | undefined>;

const LOG_FIELDS = createContextKey('bazaar.log_fields');

/**
 * Runs `work` so that every line logged meanwhile, by any logger, carries `fields`. The fields ride on
 * OpenTelemetry's context, so they are there when tracing is on and cost nothing when it is off (an
 * AsyncLocalStorage of our own would slow every promise of the process on Node 20, traced or not).
 */
export function withLogFields<T>(fields: LogFields, work: () => T): T {
  const active = context.active();
  const outer = active.getValue(LOG_FIELDS) as LogFields | undefined;
  return context.with(active.setValue(LOG_FIELDS, outer ? { ...outer, ...fields } : fields), work);
}

/**
 * What each line adds: the active span's trace and span ids (to find the line's trace, and the trace's
 * lines) and the fields of `withLogFields`.
 */
export function logContext(): Record<string, string | undefined> {
  const active = context.active();
  const fields = active.getValue(LOG_FIELDS) as LogFields | undefined;
  const span = trace.getSpanContext(active);
  if (!span || !isSpanContextValid(span)) return fields ?? {};
  return { ...fields, trace_id: span.traceId, span_id: span.spanId };
}

/** A service's JSON-lines logger (to stdout unless a destination is given). */
export function createLogger(
  service: string,
  level = process.env.LOG_LEVEL ?? 'info',
  destination?: pino.DestinationStream,
): Logger {
  const options: LoggerOptions = {
    level,
    base: { service },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    mixin: logContext,
    redact: {
      paths: ['req.headers.authorization', 'req.headers.cookie', '*.password', '*.refreshToken'],
      censor: '[redacted]',
    },
  };
  return destination ? pino(options, destination) : pino(options);
}
