import type { CloudEvent } from '@bazaar/contracts';
import { sql } from 'drizzle-orm';
import { index, integer, jsonb, type PgSchema, text, timestamp, uuid } from 'drizzle-orm/pg-core';

/**
 * The transactional outbox: a service writes its events here in the same transaction as its state
 * change, and the relay publishes them. Every service's schema.ts exports one.
 */
export function defineOutboxTable(schema: PgSchema) {
  return schema.table(
    'outbox',
    {
      id: uuid('id').primaryKey(),
      type: text('type').notNull(),
      routingKey: text('routing_key').notNull(),
      envelope: jsonb('envelope').$type<CloudEvent>().notNull(),
      createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
      publishedAt: timestamp('published_at', { withTimezone: true }),
      attempts: integer('attempts').notNull().default(0),
      lastError: text('last_error'),
    },
    (t) => [
      index('outbox_unpublished_idx').on(t.createdAt).where(sql`${t.publishedAt} is null`),
      // The saga console asks for one order's events (see saga-trail.ts).
      index('outbox_correlation_idx').on(sql`(${t.envelope}->>'correlationid')`),
    ],
  );
}

/**
 * The inbox: one row per consumed event id, written in the handler's transaction. The order (correlation
 * id) and trace it belonged to are kept so that an operator can follow a saga through every service.
 */
export function defineInboxTable(schema: PgSchema) {
  return schema.table(
    'inbox',
    {
      eventId: uuid('event_id').primaryKey(),
      type: text('type').notNull(),
      processedAt: timestamp('processed_at', { withTimezone: true }).notNull().defaultNow(),
      correlationId: text('correlation_id'),
      traceId: text('trace_id'),
    },
    (t) => [index('inbox_correlation_idx').on(t.correlationId)],
  );
}

export type OutboxTable = ReturnType<typeof defineOutboxTable>;
export type InboxTable = ReturnType<typeof defineInboxTable>;
