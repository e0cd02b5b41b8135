import { defineInboxTable, defineOutboxTable } from '@bazaar/platform/tables';
import { sql } from 'drizzle-orm';
import { index, integer, pgSchema, text, timestamp, uuid } from 'drizzle-orm/pg-core';

export const notificationsSchema = pgSchema('notifications');

export type OrderNotificationKind =
  | 'ORDER_PLACED'
  | 'ORDER_PAID'
  | 'ORDER_SHIPPED'
  | 'ORDER_DELIVERED'
  | 'ORDER_CANCELLED';
/** WELCOME greets a new account; the others follow an order. */
export type NotificationKind = 'WELCOME' | OrderNotificationKind;

/** Who to tell about an order, learnt from OrderCreated. */
export const recipients = notificationsSchema.table('recipients', {
  orderId: uuid('order_id').primaryKey(),
  userId: uuid('user_id').notNull(),
  email: text('email').notNull(),
  name: text('name').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});

export const notifications = notificationsSchema.table(
  'notifications',
  {
    id: uuid('id').primaryKey(),
    userId: uuid('user_id').notNull(),
    // The order it is about; none for an email about the account (WELCOME).
    orderId: uuid('order_id'),
    kind: text('kind').$type<NotificationKind>().notNull(),
    channel: text('channel').notNull().default('email'),
    toAddress: text('to_address').notNull(),
    subject: text('subject').notNull(),
    bodyText: text('body_text').notNull(),
    // Rendered with the event's data, as the text is; rows written before this column have none.
    bodyHtml: text('body_html'),
    // PENDING until sent; a failed send is tried again later, and after MAIL_MAX_ATTEMPTS it is FAILED.
    status: text('status').$type<'PENDING' | 'SENT' | 'FAILED'>().notNull(),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: timestamp('next_attempt_at', { withTimezone: true }).notNull().defaultNow(),
    lastError: text('last_error'),
    // The event that caused it: a redelivered event never sends a second email.
    eventId: uuid('event_id').notNull().unique(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    sentAt: timestamp('sent_at', { withTimezone: true }),
  },
  (t) => [
    index('notifications_user_idx').on(t.userId, t.id),
    // The sender's queue: only unsent rows, so a pass never scans what was already sent.
    index('notifications_pending_idx').on(t.id).where(sql`${t.status} = 'PENDING'`),
  ],
);

export const outbox = defineOutboxTable(notificationsSchema);
export const inbox = defineInboxTable(notificationsSchema);
