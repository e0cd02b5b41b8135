import { defineInboxTable, defineOutboxTable } from '@bazaar/platform/tables';
import { sql } from 'drizzle-orm';
import { boolean, index, integer, pgSchema, text, timestamp, uuid } from 'drizzle-orm/pg-core';

export const paymentsSchema = pgSchema('payments');

export type IntentStatus = 'PENDING' | 'PROCESSING' | 'SUCCEEDED' | 'FAILED' | 'VOIDED' | 'REFUNDED';

/** One per order: what to charge, and how far the charge has got. */
export const paymentIntents = paymentsSchema.table(
  'payment_intents',
  {
    orderId: uuid('order_id').primaryKey(),
    userId: uuid('user_id').notNull(),
    paymentId: uuid('payment_id').notNull(),
    amount: integer('amount').notNull(),
    currency: text('currency').notNull(),
    paymentMethod: text('payment_method').notNull(),
    idempotencyKey: text('idempotency_key').notNull(),
    status: text('status').$type<IntentStatus>().notNull(),
    cancelRequested: boolean('cancel_requested').notNull().default(false),
    // A worker charging this intent holds it until then; a crashed worker's lease simply runs out.
    leaseUntil: timestamp('lease_until', { withTimezone: true }),
    failureReason: text('failure_reason'),
    brand: text('brand'),
    last4: text('last4'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  // The charging worker takes PROCESSING intents oldest first (order ids are time-ordered UUIDv7s).
  (t) => [index('payment_intents_processing_idx').on(t.orderId).where(sql`${t.status} = 'PROCESSING'`)],
);

/** Orders whose stock inventory reserved, remembered in case that news overtakes the order itself. */
export const reservedOrders = paymentsSchema.table('reserved_orders', {
  orderId: uuid('order_id').primaryKey(),
  reservedAt: timestamp('reserved_at', { withTimezone: true }).notNull().defaultNow(),
});

/** Captured charges: card brand and last four digits only, never a card number. */
export const payments = paymentsSchema.table('payments', {
  id: uuid('id').primaryKey(),
  orderId: uuid('order_id').notNull().unique(),
  providerChargeId: text('provider_charge_id').notNull(),
  amount: integer('amount').notNull(),
  currency: text('currency').notNull(),
  brand: text('brand').notNull(),
  last4: text('last4').notNull(),
  status: text('status').$type<'CAPTURED' | 'REFUNDED'>().notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});

export const paymentAttempts = paymentsSchema.table(
  'payment_attempts',
  {
    id: uuid('id').primaryKey(),
    orderId: uuid('order_id').notNull(),
    attemptNo: integer('attempt_no').notNull(),
    outcome: text('outcome').notNull(),
    error: text('error'),
    durationMs: integer('duration_ms').notNull(),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('payment_attempts_order_idx').on(t.orderId)],
);

export const refunds = paymentsSchema.table('refunds', {
  id: uuid('id').primaryKey(),
  paymentId: uuid('payment_id').notNull().unique(),
  orderId: uuid('order_id').notNull(),
  amount: integer('amount').notNull(),
  currency: text('currency').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});

/**
 * The simulated card provider's own ledger. It stands for an external system: it deduplicates charges
 * by idempotency key exactly as a real provider does, and remembers across restarts.
 */
export const providerCharges = paymentsSchema.table(
  'provider_charges',
  {
    idempotencyKey: text('idempotency_key').primaryKey(),
    orderId: uuid('order_id').notNull(),
    amount: integer('amount').notNull(),
    currency: text('currency').notNull(),
    paymentMethod: text('payment_method').notNull(),
    attempts: integer('attempts').notNull().default(0),
    chargeId: text('charge_id'),
    outcome: text('outcome').$type<'succeeded' | 'declined'>(),
    declineReason: text('decline_reason'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('provider_charges_order_idx').on(t.orderId)],
);

export const outbox = defineOutboxTable(paymentsSchema);
export const inbox = defineInboxTable(paymentsSchema);
