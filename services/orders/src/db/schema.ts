import type { Address, CancelReason, OrderStatus } from '@bazaar/contracts';
import { defineInboxTable, defineOutboxTable } from '@bazaar/platform/tables';
import { sql } from 'drizzle-orm';
import { index, integer, jsonb, pgSchema, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core';

export const ordersSchema = pgSchema('orders');

export const orders = ordersSchema.table(
  'orders',
  {
    id: uuid('id').primaryKey(),
    userId: uuid('user_id').notNull(),
    email: text('email').notNull(),
    status: text('status').$type<OrderStatus>().notNull(),
    cancelReason: text('cancel_reason').$type<CancelReason>(),
    totalAmount: integer('total_amount').notNull(),
    currency: text('currency').notNull(),
    shippingAddress: jsonb('shipping_address').$type<Address>().notNull(),
    paymentMethod: text('payment_method').notNull(),
    paymentKey: text('payment_key').notNull(),
    trackingNumber: text('tracking_number'),
    deadlineAt: timestamp('deadline_at', { withTimezone: true }).notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('orders_user_idx').on(t.userId, t.id),
    index('orders_open_deadline_idx')
      .on(t.deadlineAt)
      .where(sql`${t.status} in ('PENDING', 'STOCK_RESERVED', 'PAID')`),
  ],
);

export const orderLines = ordersSchema.table(
  'order_lines',
  {
    orderId: uuid('order_id')
      .notNull()
      .references(() => orders.id, { onDelete: 'cascade' }),
    lineNo: integer('line_no').notNull(),
    sku: text('sku').notNull(),
    productId: uuid('product_id').notNull(),
    name: text('name').notNull(),
    quantity: integer('quantity').notNull(),
    unitAmount: integer('unit_amount').notNull(),
    currency: text('currency').notNull(),
  },
  (t) => [primaryKey({ columns: [t.orderId, t.lineNo] })],
);

export const orderStatusHistory = ordersSchema.table(
  'order_status_history',
  {
    id: uuid('id').primaryKey(),
    orderId: uuid('order_id')
      .notNull()
      .references(() => orders.id, { onDelete: 'cascade' }),
    status: text('status').$type<OrderStatus>().notNull(),
    reason: text('reason').$type<CancelReason>(),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('order_status_history_order_idx').on(t.orderId, t.id),
    // The operations figures count orders that reached a final state in the last minutes.
    index('order_status_history_final_idx').on(t.at).where(sql`${t.status} in ('COMPLETED', 'CANCELLED')`),
  ],
);

/** What operators did to an order through the saga console (compensate, retry), and why. */
export const orderOperatorActions = ordersSchema.table(
  'order_operator_actions',
  {
    id: uuid('id').primaryKey(),
    orderId: uuid('order_id')
      .notNull()
      .references(() => orders.id, { onDelete: 'cascade' }),
    action: text('action').$type<'compensate' | 'retry'>().notNull(),
    actor: uuid('actor').notNull(),
    reason: text('reason'),
    eventIds: jsonb('event_ids').$type<string[]>().notNull().default([]),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('order_operator_actions_order_idx').on(t.orderId, t.id)],
);

export const outbox = defineOutboxTable(ordersSchema);
export const inbox = defineInboxTable(ordersSchema);
