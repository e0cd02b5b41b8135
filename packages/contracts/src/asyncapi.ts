import { z } from 'zod';
import { Envelope } from './envelope';
import { eventCatalog, eventTypes, routingKeyOf } from './events';

type JsonSchema = Record<string, unknown>;

function toJsonSchema(schema: z.ZodType): JsonSchema {
  const { $schema: _drop, ...rest } = z.toJSONSchema(schema, {
    io: 'input',
    unrepresentable: 'any',
  }) as JsonSchema;
  return rest;
}

/** The AsyncAPI 3.0 description of every event, generated from the same schemas the code validates with. */
export function buildAsyncApiDocument() {
  const envelope = toJsonSchema(Envelope.omit({ data: true }));
  const channels: Record<string, unknown> = {};
  const operations: Record<string, unknown> = {};
  const messages: Record<string, unknown> = {};
  for (const type of eventTypes) {
    const { schema, description, producer, version } = eventCatalog[type];
    const properties = (envelope.properties ?? {}) as Record<string, unknown>;
    messages[type] = {
      name: type,
      title: type,
      summary: description,
      contentType: 'application/cloudevents+json',
      correlationId: { location: '$message.payload#/correlationid' },
      payload: {
        ...envelope,
        properties: {
          ...properties,
          type: { const: type },
          dataschema: { const: `urn:bazaar:event:${type}:v${version}` },
          data: toJsonSchema(schema),
        },
        required: [...((envelope.required as string[]) ?? []), 'data'],
      },
    };
    channels[type] = {
      address: routingKeyOf(type),
      description: `Routing key ${routingKeyOf(type)} on the bazaar.events topic exchange.`,
      messages: { [type]: { $ref: `#/components/messages/${type}` } },
    };
    operations[`publish${type}`] = {
      action: 'send',
      channel: { $ref: `#/channels/${type}` },
      summary: `${producer} publishes ${type}`,
      tags: [{ name: producer }],
      messages: [{ $ref: `#/channels/${type}/messages/${type}` }],
    };
  }
  return {
    asyncapi: '3.0.0',
    info: {
      title: 'Bazaar domain events',
      version: '1.0.0',
      description:
        'Every event the Bazaar services publish, in CloudEvents 1.0 JSON envelopes, through a transactional outbox to one RabbitMQ topic exchange. Delivery is at least once; consumers are idempotent.',
    },
    defaultContentType: 'application/cloudevents+json',
    servers: { rabbitmq: { host: 'localhost:5672', protocol: 'amqp', description: 'RABBITMQ_URL' } },
    channels,
    operations,
    components: { messages },
  };
}
