import { defineInboxTable, defineOutboxTable } from '@bazaar/platform/tables';
import { sql } from 'drizzle-orm';
import { check, index, integer, pgSchema, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core';

export const inventory = pgSchema('inventory');

// The checks are the last line of defence: no code path can take stock below zero.
export const stockItems = inventory.table(
  'stock_items',
  {
    sku: text('sku').primaryKey(),
    onHand: integer('on_hand').notNull(),
    reserved: integer('reserved').notNull().default(0),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    check('stock_on_hand_non_negative', sql`${t.onHand} >= 0`),
    check('stock_reserved_non_negative', sql`${t.reserved} >= 0`),
    check('stock_reserved_within_on_hand', sql`${t.reserved} <= ${t.onHand}`),
  ],
);

export const reservations = inventory.table(
  'reservations',
  {
    id: uuid('id').primaryKey(),
    orderId: uuid('order_id').notNull().unique(),
    status: text('status')
      .$type<'HELD' | 'COMMITTED' | 'RELEASED' | 'EXPIRED' | 'REJECTED' | 'RETURNED'>()
      .notNull(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('reservations_held_expiry_idx').on(t.expiresAt).where(sql`${t.status} = 'HELD'`)],
);

export const reservationLines = inventory.table(
  'reservation_lines',
  {
    reservationId: uuid('reservation_id')
      .notNull()
      .references(() => reservations.id, { onDelete: 'cascade' }),
    sku: text('sku').notNull(),
    quantity: integer('quantity').notNull(),
  },
  (t) => [primaryKey({ columns: [t.reservationId, t.sku] })],
);

export const outbox = defineOutboxTable(inventory);
export const inbox = defineInboxTable(inventory);
