import { AsyncLocalStorage } from 'node:async_hooks';
import { isSpanContextValid, trace } from '@opentelemetry/api';
import { type Logger, type LoggerOptions, pino } from 'pino';

export type { Logger };

/** Fields every log line written while handling something carries (an event's order id). */
export type LogFields = Record<string, string | undefined>;

const logFields = new AsyncLocalStorage<LogFields>();

/** Runs `work` so that every line logged meanwhile, by any logger, carries `fields`. */
export function withLogFields<T>(fields: LogFields, work: () => T): T {
  const outer = logFields.getStore();
  return logFields.run(outer ? { ...outer, ...fields } : fields, work);
}

/**
 * What each line adds: the active span's trace and span ids (to find the line's trace, and the trace's
 * lines) and the fields of `withLogFields`.
 */
export function logContext(): Record<string, string | undefined> {
  const fields = logFields.getStore();
  const span = trace.getActiveSpan()?.spanContext();
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
