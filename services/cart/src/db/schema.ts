import { defineInboxTable, defineOutboxTable } from '@bazaar/platform/tables';
import {
  index,
  integer,
  jsonb,
  pgSchema,
  primaryKey,
  text,
  timestamp,
  unique,
  uuid,
} from 'drizzle-orm/pg-core';

export const cartSchema = pgSchema('cart');

/** Cart lines when there is no Redis (embedded mode); with Redis, carts live there. */
export const cartItems = cartSchema.table(
  'cart_items',
  {
    cartKey: text('cart_key').notNull(),
    sku: text('sku').notNull(),
    productId: uuid('product_id').notNull(),
    name: text('name').notNull(),
    quantity: integer('quantity').notNull(),
    unitAmount: integer('unit_amount').notNull(),
    currency: text('currency').notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.cartKey, t.sku] }), index('cart_items_sku_idx').on(t.sku)],
);

/** One row per (user, Idempotency-Key): the answer a repeated checkout gets. */
export const checkouts = cartSchema.table(
  'checkouts',
  {
    orderId: uuid('order_id').primaryKey(),
    userId: uuid('user_id').notNull(),
    idempotencyKey: text('idempotency_key').notNull(),
    bodyHash: text('body_hash').notNull(),
    response: jsonb('response').$type<{ orderId: string; status: 'PENDING' }>().notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [unique('checkouts_user_key_unique').on(t.userId, t.idempotencyKey)],
);

export const outbox = defineOutboxTable(cartSchema);
export const inbox = defineInboxTable(cartSchema);
