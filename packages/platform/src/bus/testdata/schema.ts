// The tables of the messaging contract test; migrations are generated from this file.
import { pgSchema, text } from 'drizzle-orm/pg-core';
import { defineInboxTable, defineOutboxTable } from '../../db/messaging-tables';

export const bustest = pgSchema('bustest');
export const outbox = defineOutboxTable(bustest);
export const inbox = defineInboxTable(bustest);
export const effects = bustest.table('effects', {
  eventId: text('event_id').notNull(),
  note: text('note').notNull(),
});
