import type { Address } from '@bazaar/contracts';
import { defineInboxTable, defineOutboxTable } from '@bazaar/platform/tables';
import { sql } from 'drizzle-orm';
import { index, jsonb, pgSchema, text, timestamp, uuid } from 'drizzle-orm/pg-core';

export const shippingSchema = pgSchema('shipping');

/**
 * Where an order will go, learnt from OrderCreated before it is paid for. A cancellation may arrive
 * first; then the row exists without an address but with `cancelled` set.
 */
export const pendingShipments = shippingSchema.table('pending_shipments', {
  orderId: uuid('order_id').primaryKey(),
  userId: uuid('user_id').notNull(),
  address: jsonb('address').$type<Address>(),
  cancelled: text('cancelled'),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});

export const shipments = shippingSchema.table(
  'shipments',
  {
    id: uuid('id').primaryKey(),
    orderId: uuid('order_id').notNull().unique(),
    userId: uuid('user_id').notNull(),
    trackingNumber: text('tracking_number').notNull().unique(),
    carrier: text('carrier').notNull(),
    /** Where it goes, copied from the pending shipment; null only on shipments made before it was kept. */
    address: jsonb('address').$type<Address>(),
    status: text('status').$type<'CREATED' | 'DELIVERED' | 'CANCELLED'>().notNull(),
    deliverAfter: timestamp('deliver_after', { withTimezone: true }).notNull(),
    deliveredAt: timestamp('delivered_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('shipments_due_idx').on(t.deliverAfter).where(sql`${t.status} = 'CREATED'`)],
);

export const trackingEvents = shippingSchema.table(
  'tracking_events',
  {
    id: uuid('id').primaryKey(),
    shipmentId: uuid('shipment_id')
      .notNull()
      .references(() => shipments.id, { onDelete: 'cascade' }),
    status: text('status').notNull(),
    description: text('description').notNull(),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('tracking_events_shipment_idx').on(t.shipmentId, t.at)],
);

export const outbox = defineOutboxTable(shippingSchema);
export const inbox = defineInboxTable(shippingSchema);
