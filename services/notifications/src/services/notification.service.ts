import type { AnyEvent, CancelReason, EventData } from '@bazaar/contracts';
import { type Db, type Logger, notFound, type Principal, TransientError, type Tx } from '@bazaar/platform';
import { and, asc, desc, eq, inArray, lt } from 'drizzle-orm';
import { v7 as uuidv7 } from 'uuid';
import { type NotificationKind, notifications, recipients } from '../db/schema';
import { type OrderEmailData, orderEmails } from '../templates/order-emails';
import type { Mailer } from './mailer';

export function createNotificationService(deps: { db: Db; mailer: Mailer; logger: Logger }) {
  const { db, mailer, logger } = deps;

  /** Stores the email in the handler's transaction; it is sent once that has committed. */
  async function compose(
    tx: Tx,
    event: AnyEvent,
    kind: NotificationKind,
    orderId: string,
    data: Partial<OrderEmailData>,
  ) {
    const [recipient] = await tx.select().from(recipients).where(eq(recipients.orderId, orderId));
    if (!recipient) throw new TransientError(`no recipient for order ${orderId} yet`);
    const content = orderEmails[kind]({ name: recipient.name, orderId, ...data });
    await tx
      .insert(notifications)
      .values({
        id: uuidv7(),
        userId: recipient.userId,
        orderId,
        kind,
        toAddress: recipient.email,
        subject: content.subject,
        bodyText: content.text,
        status: 'PENDING',
        eventId: event.id,
      })
      .onConflictDoNothing({ target: notifications.eventId });
  }

  return {
    async orderPlaced(tx: Tx, event: AnyEvent, order: EventData<'OrderCreated'>) {
      await tx
        .insert(recipients)
        .values({
          orderId: order.orderId,
          userId: order.userId,
          email: order.email,
          name: order.shippingAddress.name,
        })
        .onConflictDoNothing();
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
     * Sends stored emails; SKIP LOCKED keeps two replicas from sending the same one. A batch costs the same
     * few statements however many emails it holds: they are written out side by side, then marked.
     */
    async sendPending(limit = 50): Promise<number> {
      return db.transaction(async (tx) => {
        const pending = await tx
          .select()
          .from(notifications)
          .where(eq(notifications.status, 'PENDING'))
          .orderBy(asc(notifications.id))
          .limit(limit)
          .for('update', { skipLocked: true });
        if (pending.length === 0) return 0;
        const orderIds = [...new Set(pending.map((n) => n.orderId))];
        const names = new Map(
          (
            await tx
              .select({ orderId: recipients.orderId, name: recipients.name })
              .from(recipients)
              .where(inArray(recipients.orderId, orderIds))
          ).map((r) => [r.orderId, r.name]),
        );
        const outcomes = await Promise.all(
          pending.map(async (n) => {
            try {
              const html = orderEmails[n.kind]({ name: names.get(n.orderId) ?? '', orderId: n.orderId }).html;
              await mailer.send(
                n.toAddress,
                { subject: n.subject, text: n.bodyText, html },
                `${n.createdAt.toISOString().replace(/[:.]/g, '-')}-${n.kind}-${n.orderId}`,
              );
              return 'SENT' as const;
            } catch (err) {
              logger.warn({ err, notificationId: n.id }, 'email could not be sent');
              return 'FAILED' as const;
            }
          }),
        );
        for (const status of ['SENT', 'FAILED'] as const) {
          const ids = pending.filter((_, i) => outcomes[i] === status).map((n) => n.id);
          if (ids.length === 0) continue;
          await tx
            .update(notifications)
            .set({ status, sentAt: new Date() })
            .where(inArray(notifications.id, ids));
        }
        return pending.length;
      });
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
