import { type CancelReason, createEvent, type EventData, type OrderStatus } from '@bazaar/contracts';
import {
  conflict,
  type Db,
  type Emit,
  isAdmin,
  type Logger,
  type Messaging,
  notFound,
  type Principal,
  query,
  TransientError,
  type Tx,
} from '@bazaar/platform';
import { and, asc, desc, eq, inArray, lt, sql } from 'drizzle-orm';
import { v7 as uuidv7 } from 'uuid';
import { orderLines, orderStatusHistory, orders } from '../db/schema';
import { applyFact, cancel } from '../domain/order';
import { cancellable, type Fact } from '../domain/order-status';
import type { OrderMetrics } from './order-metrics';

const source = '/bazaar/orders';
type OrderRow = typeof orders.$inferSelect;
/** What a state change needs of the order it changes. */
type LockedOrder = Pick<OrderRow, 'id' | 'userId' | 'status' | 'totalAmount' | 'currency' | 'createdAt'>;

export interface OrderView {
  id: string;
  status: OrderStatus;
  cancelReason?: CancelReason;
  lines: {
    sku: string;
    productId: string;
    name: string;
    quantity: number;
    unitPrice: { amount: number; currency: string };
    lineTotal: { amount: number; currency: string };
  }[];
  total: { amount: number; currency: string };
  shippingAddress: OrderRow['shippingAddress'];
  history: { status: OrderStatus; at: string; reason?: CancelReason }[];
  shipment?: { trackingNumber: string };
  createdAt: string;
  updatedAt: string;
}

export function createOrderService(deps: {
  db: Db;
  messaging: Messaging;
  logger: Logger;
  deadlineSeconds: number;
  metrics: OrderMetrics;
}) {
  const { db, messaging, logger, metrics } = deps;

  async function lockOrder(tx: Tx, orderId: string): Promise<LockedOrder | undefined> {
    const [row] = await query<{
      user_id: string;
      status: OrderStatus;
      total_amount: number;
      currency: string;
      created_at: string | Date;
    }>(
      tx,
      sql`select user_id, status, total_amount, currency, created_at from ${orders}
          where id = ${orderId} for update`,
    );
    return (
      row && {
        id: orderId,
        userId: row.user_id,
        status: row.status,
        totalAmount: row.total_amount,
        currency: row.currency,
        createdAt: new Date(row.created_at),
      }
    );
  }

  async function moveTo(
    tx: Tx,
    emit: Emit,
    order: LockedOrder,
    status: OrderStatus,
    extra: { cancelReason?: CancelReason; trackingNumber?: string } = {},
  ) {
    const at = new Date();
    // The new status and its line in the history, in one statement.
    await query(
      tx,
      sql`with moved as (
            update ${orders} set status = ${status},
              cancel_reason = coalesce(${extra.cancelReason ?? null}, cancel_reason),
              tracking_number = coalesce(${extra.trackingNumber ?? null}, tracking_number),
              updated_at = ${at}
            where id = ${order.id} returning id)
          insert into ${orderStatusHistory} (id, order_id, status, reason, at)
          select ${uuidv7()}::uuid, id, ${status}, ${extra.cancelReason ?? null}, ${at}::timestamptz from moved`,
    );
    const correlation = { source, correlationId: order.id };
    emit(
      createEvent(
        'OrderStatusChanged',
        {
          orderId: order.id,
          userId: order.userId,
          status,
          cancelReason: extra.cancelReason,
          at: at.toISOString(),
        },
        correlation,
      ),
    );
    const seconds = (at.getTime() - order.createdAt.getTime()) / 1000;
    if (status === 'CANCELLED') {
      const cancelled = createEvent(
        'OrderCancelled',
        {
          orderId: order.id,
          userId: order.userId,
          reason: extra.cancelReason!,
          previousStatus: order.status,
        },
        correlation,
      );
      emit(cancelled);
      metrics.noteEnding(cancelled, { finalState: status, reason: extra.cancelReason, seconds });
    }
    if (status === 'COMPLETED') {
      const completed = createEvent(
        'OrderCompleted',
        {
          orderId: order.id,
          userId: order.userId,
          total: { amount: order.totalAmount, currency: order.currency },
        },
        correlation,
      );
      emit(completed);
      metrics.noteEnding(completed, { finalState: status, seconds });
    }
  }

  async function cancelLocked(tx: Tx, emit: Emit, order: LockedOrder, reason: CancelReason) {
    const outcome = cancel(order.status, reason);
    if (outcome.kind === 'refused') return outcome;
    await moveTo(tx, emit, order, 'CANCELLED', { cancelReason: reason });
    return outcome;
  }

  async function toView(row: OrderRow): Promise<OrderView> {
    const [lines, history] = await Promise.all([
      db.select().from(orderLines).where(eq(orderLines.orderId, row.id)).orderBy(asc(orderLines.lineNo)),
      db
        .select()
        .from(orderStatusHistory)
        .where(eq(orderStatusHistory.orderId, row.id))
        .orderBy(asc(orderStatusHistory.at), asc(orderStatusHistory.id)),
    ]);
    return {
      id: row.id,
      status: row.status,
      ...(row.cancelReason ? { cancelReason: row.cancelReason } : {}),
      lines: lines.map((l) => ({
        sku: l.sku,
        productId: l.productId,
        name: l.name,
        quantity: l.quantity,
        unitPrice: { amount: l.unitAmount, currency: l.currency },
        lineTotal: { amount: l.unitAmount * l.quantity, currency: l.currency },
      })),
      total: { amount: row.totalAmount, currency: row.currency },
      shippingAddress: row.shippingAddress,
      history: history.map((h) => ({
        status: h.status,
        at: h.at.toISOString(),
        ...(h.reason ? { reason: h.reason } : {}),
      })),
      ...(row.trackingNumber ? { shipment: { trackingNumber: row.trackingNumber } } : {}),
      createdAt: row.createdAt.toISOString(),
      updatedAt: row.updatedAt.toISOString(),
    };
  }

  return {
    /** A checkout becomes an order: recorded once per order id, whatever the number of deliveries. */
    async createFromCheckout(tx: Tx, emit: Emit, checkout: EventData<'CartCheckedOut'>) {
      const createdAt = new Date();
      const { lines } = checkout;
      // The order, its lines and the first line of its history in one statement; nothing on a repeat.
      const insertOrder = tx
        .insert(orders)
        .values({
          id: checkout.orderId,
          userId: checkout.userId,
          email: checkout.email,
          status: 'PENDING',
          totalAmount: checkout.total.amount,
          currency: checkout.total.currency,
          shippingAddress: checkout.shippingAddress,
          paymentMethod: checkout.paymentMethod,
          paymentKey: checkout.idempotencyKey,
          deadlineAt: new Date(createdAt.getTime() + deps.deadlineSeconds * 1000),
          createdAt,
          updatedAt: createdAt,
        })
        .onConflictDoNothing()
        .returning({ id: orders.id });
      const inserted = await query(
        tx,
        sql`with created as (${insertOrder.getSQL()}),
            lines as (
              insert into ${orderLines}
                (order_id, line_no, sku, product_id, name, quantity, unit_amount, currency)
              select created.id, l.* from created, unnest(
                ${sql.param(lines.map((_, i) => i + 1))}::int[],
                ${sql.param(lines.map((l) => l.sku))}::text[],
                ${sql.param(lines.map((l) => l.productId))}::uuid[],
                ${sql.param(lines.map((l) => l.name))}::text[],
                ${sql.param(lines.map((l) => l.quantity))}::int[],
                ${sql.param(lines.map((l) => l.unitPrice.amount))}::int[],
                ${sql.param(lines.map((l) => l.unitPrice.currency))}::text[]) as l)
            insert into ${orderStatusHistory} (id, order_id, status, at)
            select ${uuidv7()}::uuid, id, 'PENDING', ${createdAt}::timestamptz from created
            returning order_id`,
      );
      if (inserted.length === 0) return;
      const correlation = { source, correlationId: checkout.orderId };
      emit(
        createEvent(
          'OrderCreated',
          {
            orderId: checkout.orderId,
            userId: checkout.userId,
            email: checkout.email,
            lines: checkout.lines,
            total: checkout.total,
            shippingAddress: checkout.shippingAddress,
            paymentMethod: checkout.paymentMethod,
            paymentKey: checkout.idempotencyKey,
          },
          correlation,
        ),
        createEvent(
          'OrderStatusChanged',
          {
            orderId: checkout.orderId,
            userId: checkout.userId,
            status: 'PENDING',
            at: createdAt.toISOString(),
          },
          correlation,
        ),
      );
    },

    /** A step of the saga happened; the order follows, waits for a missing step, or ignores a repeat. */
    async recordFact(
      tx: Tx,
      emit: Emit,
      orderId: string,
      fact: Fact,
      extra: { trackingNumber?: string } = {},
    ) {
      const order = await lockOrder(tx, orderId);
      if (!order) throw new TransientError(`order ${orderId} is not recorded yet`);
      const outcome = applyFact(order.status, fact);
      if (outcome.kind === 'too_early')
        throw new TransientError(`order ${orderId} is ${order.status}; ${fact} must wait`);
      if (outcome.kind === 'ignored') {
        logger.debug({ orderId, fact, why: outcome.why }, 'fact ignored');
        return;
      }
      await moveTo(tx, emit, order, outcome.to, extra);
    },

    /** A step failed: the saga ends here and OrderCancelled starts the compensation. */
    async recordFailure(tx: Tx, emit: Emit, orderId: string, reason: CancelReason) {
      const order = await lockOrder(tx, orderId);
      if (!order) throw new TransientError(`order ${orderId} is not recorded yet`);
      const outcome = await cancelLocked(tx, emit, order, reason);
      if (outcome.kind === 'refused')
        logger.warn({ orderId, reason, why: outcome.why }, 'failure after the fact');
    },

    async cancelByCustomer(orderId: string, principal: Principal) {
      return messaging.transact(async (tx, emit) => {
        const order = await lockOrder(tx, orderId);
        if (!order || (order.userId !== principal.userId && !isAdmin(principal))) {
          throw notFound('orders.order_not_found', `No order ${orderId}.`);
        }
        const outcome = await cancelLocked(tx, emit, order, 'CUSTOMER_REQUEST');
        if (outcome.kind === 'refused')
          throw conflict('orders.not_cancellable', `The order cannot be cancelled: ${outcome.why}.`);
        return { id: orderId, status: 'CANCELLED' as const };
      });
    },

    /**
     * An operator ends a saga from the saga console, through the cancellation the deadline and the
     * customer use; `audit` records who did it and why, in the same transaction.
     */
    async cancelByOperator(orderId: string, audit: (tx: Tx) => Promise<void>) {
      return messaging.transact(async (tx, emit) => {
        const order = await lockOrder(tx, orderId);
        if (!order) throw notFound('orders.order_not_found', `No order ${orderId}.`);
        const outcome = await cancelLocked(tx, emit, order, 'OPERATOR_REQUEST');
        if (outcome.kind === 'refused')
          throw conflict('orders.not_cancellable', `The order cannot be cancelled: ${outcome.why}.`);
        await audit(tx);
        return { orderId, status: 'CANCELLED' as const, previousStatus: order.status };
      });
    },

    /** Cancels sagas that stalled past their deadline; SKIP LOCKED lets replicas share the sweep. */
    async cancelOverdue(limit = 100): Promise<number> {
      return messaging.transact(async (tx, emit) => {
        const due = await tx
          .select()
          .from(orders)
          .where(
            and(
              inArray(orders.status, ['PENDING', 'STOCK_RESERVED', 'PAID']),
              lt(orders.deadlineAt, sql`now()`),
            ),
          )
          .orderBy(asc(orders.deadlineAt)) // longest overdue first
          .limit(limit)
          .for('update', { skipLocked: true });
        for (const order of due) await cancelLocked(tx, emit, order, 'TIMEOUT');
        return due.length;
      });
    },

    /** Sagas past their deadline and not final: the sweep cancels them, so more than a few say it is not. */
    async countStuck(): Promise<number> {
      // The statuses as literals, not parameters: the planner then uses the partial index of open orders.
      const open = sql.raw(cancellable.map((status) => `'${status}'`).join(', '));
      const [row] = await query<{ stuck: number }>(
        db,
        sql`select count(*)::int as stuck from ${orders} where status in (${open}) and deadline_at < now()`,
      );
      return Number(row?.stuck ?? 0);
    },

    async getOrder(orderId: string, principal: Principal): Promise<OrderView> {
      const [row] = await db.select().from(orders).where(eq(orders.id, orderId)).limit(1);
      // Another customer's order does not exist, as far as this customer can tell.
      if (!row || (row.userId !== principal.userId && !isAdmin(principal))) {
        throw notFound('orders.order_not_found', `No order ${orderId}.`);
      }
      return toView(row);
    },

    async listOrders(
      principal: Principal,
      limit: number,
      cursor?: string,
      only: { statuses?: OrderStatus[]; mine?: boolean } = {},
    ) {
      const filters = [];
      if (only.mine || !isAdmin(principal)) filters.push(eq(orders.userId, principal.userId));
      if (only.statuses?.length) filters.push(inArray(orders.status, only.statuses));
      if (cursor) filters.push(lt(orders.id, cursor));
      const rows = await db
        .select()
        .from(orders)
        .where(and(...filters))
        .orderBy(desc(orders.id))
        .limit(limit + 1);
      const page = rows.slice(0, limit);
      return {
        items: await Promise.all(page.map(toView)),
        nextCursor: rows.length > limit ? page[page.length - 1]!.id : null,
      };
    },
  };
}

export type OrderService = ReturnType<typeof createOrderService>;
