import type { AnyEvent, CancelReason, EventData } from '@bazaar/contracts';
import { type Db, type Logger, notFound, type Principal, TransientError, type Tx } from '@bazaar/platform';
import { and, asc, desc, eq, inArray, lt, lte, sql } from 'drizzle-orm';
import { v7 as uuidv7 } from 'uuid';
import { type NotificationKind, notifications, type OrderNotificationKind, recipients } from '../db/schema';
import { type EmailContent, type OrderEmailData, orderEmails, welcomeEmail } from '../templates/order-emails';
import type { Mailer } from './mailer';

type Recipient = Pick<typeof recipients.$inferSelect, 'userId' | 'email' | 'name'>;

/** How many orders' recipients a process keeps in memory. */
const RECIPIENTS_KEPT = 10_000;

export interface RetryPolicy {
  /** Sends an email gets in all; after the last failure it is FAILED. */
  maxAttempts: number;
  /** The wait after the first failure; it doubles after each further one, up to an hour. */
  firstDelayMs: number;
  /**
   * How long a claimed email is left to its sender before another pass may take it: longer than a batch
   * can take to send (the SMTP timeouts bound each email), or it is sent twice.
   */
  leaseMs: number;
}

/** When a send that has failed `attempts` times is tried again, or undefined: never (it has failed). */
export function nextAttemptDelay(
  attempts: number,
  policy: Pick<RetryPolicy, 'maxAttempts' | 'firstDelayMs'>,
): number | undefined {
  if (attempts >= policy.maxAttempts) return undefined;
  return Math.min(policy.firstDelayMs * 2 ** (attempts - 1), 3_600_000);
}

export function createNotificationService(deps: {
  db: Db;
  mailer: Mailer;
  logger: Logger;
  retry: RetryPolicy;
}) {
  const { db, mailer, logger, retry } = deps;
  // A recipient never changes once an order has one (it comes from OrderCreated), so the latest orders'
  // are kept here and each later email of an order costs no lookup; a miss reads the table.
  const knownRecipients = new Map<string, Recipient>();
  const remember = (orderId: string, recipient: Recipient) => {
    if (knownRecipients.size >= RECIPIENTS_KEPT) knownRecipients.delete(knownRecipients.keys().next().value!);
    knownRecipients.set(orderId, recipient);
  };

  async function recipientOf(tx: Tx, orderId: string): Promise<Recipient | undefined> {
    const known = knownRecipients.get(orderId);
    if (known) return known;
    const [row] = await tx
      .select({ userId: recipients.userId, email: recipients.email, name: recipients.name })
      .from(recipients)
      .where(eq(recipients.orderId, orderId));
    if (row) remember(orderId, row);
    return row;
  }

  /** Stores an email, once per event (a redelivery finds its row); it is sent after the commit. */
  async function store(
    tx: Tx,
    event: AnyEvent,
    about: { userId: string; toAddress: string; kind: NotificationKind; orderId?: string },
    content: EmailContent,
  ) {
    await tx
      .insert(notifications)
      .values({
        id: uuidv7(),
        ...about,
        subject: content.subject,
        bodyText: content.text,
        bodyHtml: content.html,
        status: 'PENDING',
        eventId: event.id,
      })
      .onConflictDoNothing({ target: notifications.eventId });
  }

  /** Stores the email in the handler's transaction; it is sent once that has committed. */
  async function compose(
    tx: Tx,
    event: AnyEvent,
    kind: OrderNotificationKind,
    orderId: string,
    data: Partial<OrderEmailData>,
  ) {
    const recipient = await recipientOf(tx, orderId);
    if (!recipient) throw new TransientError(`no recipient for order ${orderId} yet`);
    const content = orderEmails[kind]({ name: recipient.name, orderId, ...data });
    await store(tx, event, { userId: recipient.userId, toAddress: recipient.email, orderId, kind }, content);
  }

  return {
    /** A new account's welcome email; the event names who to write to. */
    async welcome(tx: Tx, event: AnyEvent, user: EventData<'UserRegistered'>) {
      const to = { userId: user.userId, toAddress: user.email, kind: 'WELCOME' as const };
      await store(tx, event, to, welcomeEmail({ name: user.name }));
    },

    async orderPlaced(tx: Tx, event: AnyEvent, order: EventData<'OrderCreated'>) {
      const recipient = { userId: order.userId, email: order.email, name: order.shippingAddress.name };
      await tx
        .insert(recipients)
        .values({ orderId: order.orderId, ...recipient })
        .onConflictDoNothing();
      remember(order.orderId, recipient);
      await compose(tx, event, 'ORDER_PLACED', order.orderId, { lines: order.lines, total: order.total });
    },
    orderPaid: (tx: Tx, event: AnyEvent, paid: EventData<'PaymentSucceeded'>) =>
      compose(tx, event, 'ORDER_PAID', paid.orderId, { total: paid.amount }),
    orderShipped: (tx: Tx, event: AnyEvent, shipped: EventData<'ShippingCreated'>) =>
      compose(tx, event, 'ORDER_SHIPPED', shipped.orderId, { trackingNumber: shipped.trackingNumber }),
    orderDelivered: (tx: Tx, event: AnyEvent, delivered: EventData<'ShipmentDelivered'>) =>
      compose(tx, event, 'ORDER_DELIVERED', delivered.orderId, {}),
    orderCancelled: (tx: Tx, event: AnyEvent, cancelled: EventData<'OrderCancelled'>) =>
      compose(tx, event, 'ORDER_CANCELLED', cancelled.orderId, {
        cancelReason: cancelled.reason as CancelReason,
      }),

    /**
     * Sends stored emails that are due. A batch is claimed in one statement: its rows' next try moves a
     * lease ahead (SKIP LOCKED keeps two replicas apart), so no transaction or pooled connection waits on
     * the mail server. The sent ones are then marked in one more; a failed send waits (longer each time)
     * and is tried again, up to the policy's attempts.
     *
     * Sending is at least once: a process that stops between a send and its mark sends that email again
     * once the lease has run out. Each carries its notification id as Message-ID, so a mail system can
     * tell it is the same one.
     */
    async sendPending(limit = 50): Promise<{ sent: number; more: boolean }> {
      const due = db
        .select({ id: notifications.id })
        .from(notifications)
        .where(and(eq(notifications.status, 'PENDING'), lte(notifications.nextAttemptAt, sql`now()`)))
        .orderBy(asc(notifications.id))
        .limit(limit)
        .for('update', { skipLocked: true });
      const pending = await db
        .update(notifications)
        .set({ nextAttemptAt: sql`now() + make_interval(secs => ${retry.leaseMs / 1000})` })
        .where(inArray(notifications.id, due))
        .returning();
      if (pending.length === 0) return { sent: 0, more: false };
      const unknown = [
        ...new Set(pending.flatMap((n) => (n.orderId && !knownRecipients.has(n.orderId) ? [n.orderId] : []))),
      ];
      if (unknown.length > 0) {
        const rows = await db
          .select({
            orderId: recipients.orderId,
            userId: recipients.userId,
            email: recipients.email,
            name: recipients.name,
          })
          .from(recipients)
          .where(inArray(recipients.orderId, unknown));
        for (const { orderId, ...recipient } of rows) remember(orderId, recipient);
      }
      const failures = await Promise.all(
        pending.map(async (n) => {
          try {
            // An order's email stored before HTML was kept gets a plainer one, rebuilt from what is known.
            const html =
              n.bodyHtml ??
              orderEmails[n.kind as OrderNotificationKind]({
                name: (n.orderId && knownRecipients.get(n.orderId)?.name) || '',
                orderId: n.orderId ?? '',
              }).html;
            await mailer.send(n.toAddress, {
              messageId: n.id,
              subject: n.subject,
              text: n.bodyText,
              html,
              fileHint: `${n.createdAt.toISOString().replace(/[:.]/g, '-')}-${n.kind}-${n.orderId ?? n.userId}`,
            });
            return undefined;
          } catch (err) {
            return err instanceof Error ? err : new Error(String(err));
          }
        }),
      );
      const sent = pending.filter((_, i) => !failures[i]).map((n) => n.id);
      if (sent.length > 0) {
        await db
          .update(notifications)
          .set({ status: 'SENT', attempts: sql`${notifications.attempts} + 1`, sentAt: new Date() })
          .where(inArray(notifications.id, sent));
      }
      // Failures are rare, and each keeps its own error and time for the next try.
      for (const [i, n] of pending.entries()) {
        const err = failures[i];
        if (!err) continue;
        const attempts = n.attempts + 1;
        const delay = nextAttemptDelay(attempts, retry);
        logger.warn(
          { err, notificationId: n.id, attempts, retryInMs: delay },
          delay === undefined ? 'email could not be sent; giving up' : 'email could not be sent; will retry',
        );
        await db
          .update(notifications)
          .set({
            status: delay === undefined ? 'FAILED' : 'PENDING',
            attempts,
            lastError: err.message.slice(0, 500),
            nextAttemptAt: new Date(Date.now() + (delay ?? 0)),
          })
          .where(eq(notifications.id, n.id));
      }
      // A full batch may have left more behind.
      return { sent: sent.length, more: pending.length === limit };
    },

    async list(principal: Principal, limit: number, cursor?: string) {
      const rows = await db
        .select()
        .from(notifications)
        .where(
          and(eq(notifications.userId, principal.userId), cursor ? lt(notifications.id, cursor) : undefined),
        )
        .orderBy(desc(notifications.id))
        .limit(limit + 1);
      const page = rows.slice(0, limit);
      return {
        items: page.map((n) => ({
          id: n.id,
          kind: n.kind,
          orderId: n.orderId,
          subject: n.subject,
          channel: n.channel,
          status: n.status,
          createdAt: n.createdAt.toISOString(),
        })),
        nextCursor: rows.length > limit ? page[page.length - 1]!.id : null,
      };
    },

    async get(id: string, principal: Principal) {
      const [n] = await db.select().from(notifications).where(eq(notifications.id, id));
      if (!n || n.userId !== principal.userId)
        throw notFound('notifications.not_found', `No notification ${id}.`);
      return {
        id: n.id,
        kind: n.kind,
        orderId: n.orderId,
        subject: n.subject,
        channel: n.channel,
        status: n.status,
        createdAt: n.createdAt.toISOString(),
        bodyText: n.bodyText,
      };
    },
  };
}

export type NotificationService = ReturnType<typeof createNotificationService>;
