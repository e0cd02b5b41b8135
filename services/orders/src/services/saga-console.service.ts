import type { CloudEvent, OperatorAction, SagaFigures, SagaSummary } from '@bazaar/contracts';
import {
  conflict,
  type Db,
  type Logger,
  type Messaging,
  notFound,
  type Principal,
  query,
  type Tx,
} from '@bazaar/platform';
import { and, asc, desc, eq, inArray, lt, sql } from 'drizzle-orm';
import { v7 as uuidv7 } from 'uuid';
import { orderOperatorActions, orderStatusHistory, orders, outbox } from '../db/schema';
import { cancellable, finalStatuses, type OrderStatus } from '../domain/order-status';
import type { OrderService } from './order.service';

export interface SagaState extends SagaSummary {
  cancelReason?: string;
  updatedAt: string;
  operatorActions: OperatorAction[];
}

type OrderRow = typeof orders.$inferSelect;

const isStuck = (row: Pick<OrderRow, 'status' | 'deadlineAt'>, now: Date) =>
  cancellable.includes(row.status) && row.deadlineAt.getTime() < now.getTime();

function toSummary(row: OrderRow, now: Date): SagaSummary {
  return {
    orderId: row.id,
    userId: row.userId,
    status: row.status,
    total: { amount: row.totalAmount, currency: row.currency },
    createdAt: row.createdAt.toISOString(),
    deadlineAt: row.deadlineAt.toISOString(),
    stuck: isStuck(row, now),
  };
}

/**
 * The orders service's side of the operations console: the sagas in flight (orders is where their
 * state lives), an operator's compensation and retry, and the figures of the sagas that ended.
 */
export function createSagaConsole(deps: {
  db: Db;
  messaging: Messaging;
  logger: Logger;
  orders: OrderService;
}) {
  const { db, messaging, logger } = deps;

  async function recordAction(
    tx: Tx,
    action: { orderId: string; action: 'compensate' | 'retry'; operator: Principal; reason?: string },
    eventIds: string[] = [],
  ) {
    await tx.insert(orderOperatorActions).values({
      id: uuidv7(),
      orderId: action.orderId,
      action: action.action,
      actor: action.operator.userId,
      reason: action.reason ?? null,
      eventIds,
    });
    logger.info(
      {
        orderId: action.orderId,
        action: action.action,
        operator: action.operator.userId,
        reason: action.reason,
        eventIds,
      },
      'operator action on a saga',
    );
  }

  return {
    /** In-flight sagas (or those in `status`), the longest overdue first; `stuck` keeps the overdue ones. */
    async listSagas(filter: { stuck: boolean; status?: OrderStatus; limit: number }) {
      const now = new Date();
      const ended = filter.status !== undefined && !cancellable.includes(filter.status);
      const conditions = [
        filter.status ? eq(orders.status, filter.status) : inArray(orders.status, [...cancellable]),
      ];
      if (filter.stuck) {
        conditions.push(inArray(orders.status, [...cancellable]), lt(orders.deadlineAt, now));
      }
      const rows = await db
        .select()
        .from(orders)
        .where(and(...conditions))
        // Ended sagas have no deadline left to mind: the latest to end come first.
        .orderBy(ended ? desc(orders.updatedAt) : asc(orders.deadlineAt))
        .limit(filter.limit);
      return { items: rows.map((row) => toSummary(row, now)) };
    },

    async getSaga(orderId: string): Promise<SagaState> {
      const [row] = await db.select().from(orders).where(eq(orders.id, orderId)).limit(1);
      if (!row) throw notFound('orders.order_not_found', `No order ${orderId}.`);
      const actions = await db
        .select()
        .from(orderOperatorActions)
        .where(eq(orderOperatorActions.orderId, orderId))
        .orderBy(asc(orderOperatorActions.id));
      return {
        ...toSummary(row, new Date()),
        ...(row.cancelReason ? { cancelReason: row.cancelReason } : {}),
        updatedAt: row.updatedAt.toISOString(),
        operatorActions: actions.map((a) => ({
          action: a.action,
          actor: a.actor,
          ...(a.reason ? { reason: a.reason } : {}),
          eventIds: a.eventIds,
          at: a.at.toISOString(),
        })),
      };
    },

    /** Cancels the order as the deadline would, so that stock is released and payment refunded. */
    async compensate(orderId: string, operator: Principal, reason?: string) {
      return deps.orders.cancelByOperator(orderId, (tx) =>
        recordAction(tx, { orderId, action: 'compensate', operator, reason }),
      );
    },

    /**
     * Sends the saga's latest step again: the events of the last transaction in which orders published
     * for this order, with their ids unchanged. They go back to the outbox as unpublished and the relay
     * sends them, so a crash in between still sends them; consumers that handled them drop them by
     * their inbox, and one that never got them handles them now.
     */
    async retryLatestStep(orderId: string, operator: Principal) {
      const republished = await messaging.transact(async (tx) => {
        const [order] = await tx
          .select({ status: orders.status })
          .from(orders)
          .where(eq(orders.id, orderId))
          .for('update');
        if (!order) throw notFound('orders.order_not_found', `No order ${orderId}.`);
        if (finalStatuses.includes(order.status)) {
          throw conflict('orders.saga_final', `The order is ${order.status}: its saga has ended.`);
        }
        const rows = await query<{ id: string; envelope: CloudEvent }>(
          tx,
          sql`update ${outbox} set published_at = null, attempts = 0, last_error = null
              where (envelope->>'correlationid') = ${orderId}
                and created_at = (select max(created_at) from ${outbox}
                                  where (envelope->>'correlationid') = ${orderId})
              returning id, envelope`,
        );
        if (rows.length === 0) {
          throw conflict(
            'orders.nothing_to_retry',
            'The events of this order are no longer kept (published events are kept a day).',
          );
        }
        const eventIds = rows.map((r) => r.id);
        await recordAction(tx, { orderId, action: 'retry', operator }, eventIds);
        return eventIds;
      });
      messaging.relay.poke();
      return { orderId, republished };
    },

    /** Sagas that ended in the last `minutes`, per minute and final state, and how long they took. */
    async figures(minutes: number): Promise<SagaFigures> {
      const since = new Date(Date.now() - minutes * 60_000);
      const perMinute = await query<{ minute: string | Date; status: string; count: number }>(
        db,
        sql`select date_trunc('minute', at) as minute, status, count(*)::int as count
            from ${orderStatusHistory}
            where status in ('COMPLETED', 'CANCELLED') and at >= ${since}::timestamptz
            group by 1, 2`,
      );
      const [latency] = await query<{
        count: number;
        p50: number | null;
        p95: number | null;
        p99: number | null;
      }>(
        db,
        sql`select count(*)::int as count,
              percentile_cont(0.5) within group (order by ms) as p50,
              percentile_cont(0.95) within group (order by ms) as p95,
              percentile_cont(0.99) within group (order by ms) as p99
            from (select extract(epoch from h.at - o.created_at) * 1000 as ms
                  from ${orderStatusHistory} h join ${orders} o on o.id = h.order_id
                  where h.status in ('COMPLETED', 'CANCELLED') and h.at >= ${since}::timestamptz) ended`,
      );
      return {
        minutes,
        ordersPerMinute: fillMinutes(since, minutes, perMinute),
        checkoutLatencyMs: {
          count: Number(latency?.count ?? 0),
          p50: roundOrNull(latency?.p50),
          p95: roundOrNull(latency?.p95),
          p99: roundOrNull(latency?.p99),
        },
      };
    },
  };
}

export type SagaConsole = ReturnType<typeof createSagaConsole>;

const roundOrNull = (value: number | string | null | undefined) =>
  value === null || value === undefined ? null : Math.round(Number(value));

/** One entry per minute of the window, oldest first, zero where nothing ended. */
function fillMinutes(
  since: Date,
  minutes: number,
  rows: { minute: string | Date; status: string; count: number }[],
): SagaFigures['ordersPerMinute'] {
  const byMinute = new Map<string, { COMPLETED: number; CANCELLED: number }>();
  const first = Math.floor(since.getTime() / 60_000) * 60_000;
  for (let i = 0; i <= minutes; i++) {
    byMinute.set(new Date(first + i * 60_000).toISOString(), { COMPLETED: 0, CANCELLED: 0 });
  }
  for (const row of rows) {
    const minute = new Date(row.minute).toISOString();
    const slot = byMinute.get(minute);
    if (slot && (row.status === 'COMPLETED' || row.status === 'CANCELLED'))
      slot[row.status] = Number(row.count);
  }
  return [...byMinute].map(([minute, counts]) => ({ minute, ...counts }));
}
