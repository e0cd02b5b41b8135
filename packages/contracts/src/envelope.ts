import { v7 as uuidv7 } from 'uuid';
import { z } from 'zod';
import { type EventData, type EventType, eventCatalog, isEventType } from './events';

/** The CloudEvents 1.0 JSON envelope every event travels in, plus our two extensions. */
export interface CloudEvent<T extends EventType = EventType> {
  specversion: '1.0';
  id: string;
  source: string;
  type: T;
  time: string;
  datacontenttype: 'application/json';
  dataschema: string;
  /** The saga's order id, or the aggregate's id outside a saga. */
  correlationid: string;
  /** W3C trace context of the request that caused the event. */
  traceparent?: string;
  data: EventData<T>;
}

/** A parsed event: `type` narrows `data`. */
export type AnyEvent = { [T in EventType]: CloudEvent<T> }[EventType];

export const Envelope = z.object({
  specversion: z.literal('1.0'),
  id: z.uuid(),
  source: z.string().min(1),
  type: z.string().min(1),
  time: z.iso.datetime({ offset: true }),
  datacontenttype: z.literal('application/json'),
  dataschema: z.string().min(1),
  correlationid: z.string().min(1),
  traceparent: z.string().optional(),
  data: z.unknown(),
});

export class EventValidationError extends Error {
  constructor(
    message: string,
    readonly issues: string[],
  ) {
    super(`${message}: ${issues.join('; ')}`);
    this.name = 'EventValidationError';
  }
}

const describeIssues = (error: z.ZodError, prefix: string) =>
  error.issues.map((i) => `${[prefix, ...i.path].join('.')}: ${i.message}`);

export const dataSchemaOf = (type: EventType) => `urn:bazaar:event:${type}:v${eventCatalog[type].version}`;

export function createEvent<T extends EventType>(
  type: T,
  data: EventData<T>,
  options: { source: string; correlationId: string; traceparent?: string; id?: string; time?: string },
): CloudEvent<T> {
  const result = eventCatalog[type].schema.safeParse(data);
  if (!result.success)
    throw new EventValidationError(`invalid ${type}`, describeIssues(result.error, 'data'));
  return {
    specversion: '1.0',
    id: options.id ?? uuidv7(),
    source: options.source,
    type,
    time: options.time ?? new Date().toISOString(),
    datacontenttype: 'application/json',
    dataschema: dataSchemaOf(type),
    correlationid: options.correlationId,
    ...(options.traceparent ? { traceparent: options.traceparent } : {}),
    data: result.data as EventData<T>,
  };
}

/** Validates an incoming message, envelope and payload; anything else is an EventValidationError. */
export function parseEvent(raw: unknown): AnyEvent {
  const envelope = Envelope.safeParse(raw);
  if (!envelope.success)
    throw new EventValidationError('invalid envelope', describeIssues(envelope.error, ''));
  const { type } = envelope.data;
  if (!isEventType(type))
    throw new EventValidationError('unknown event', [`type: ${type} is not a Bazaar event`]);
  const data = eventCatalog[type].schema.safeParse(envelope.data.data);
  if (!data.success) throw new EventValidationError(`invalid ${type}`, describeIssues(data.error, 'data'));
  return { ...envelope.data, type, data: data.data } as AnyEvent;
}
