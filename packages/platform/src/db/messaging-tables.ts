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
    (t) => [index('outbox_unpublished_idx').on(t.createdAt).where(sql`${t.publishedAt} is null`)],
  );
}

/** The inbox: one row per consumed event id, written in the handler's transaction. */
export function defineInboxTable(schema: PgSchema) {
  return schema.table('inbox', {
    eventId: uuid('event_id').primaryKey(),
    type: text('type').notNull(),
    processedAt: timestamp('processed_at', { withTimezone: true }).notNull().defaultNow(),
  });
}

export type OutboxTable = ReturnType<typeof defineOutboxTable>;
export type InboxTable = ReturnType<typeof defineInboxTable>;
