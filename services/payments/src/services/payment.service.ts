import { createEvent, type EventData } from '@bazaar/contracts';
import {
  currentTraceparent,
  type Db,
  type Emit,
  type Executor,
  isAdmin,
  type Logger,
  type Messaging,
  notFound,
  ORDER_ATTRIBUTE,
  type Principal,
  SERVICE_ATTRIBUTE,
  type Tx,
  withSpanAfter,
} from '@bazaar/platform';
import { and, asc, count, eq, inArray, isNull, lt, or, sql, sum } from 'drizzle-orm';
import type { Counter } from 'prom-client';
import { v7 as uuidv7 } from 'uuid';
import {
  paymentAttempts,
  paymentIntents,
  payments,
  providerCharges,
  refunds,
  reservedOrders,
} from '../db/schema';
import {
  type ChargeResult,
  ProviderTransientError,
  type SimulatedProvider,
} from '../provider/simulated-provider';
import { backoffMs } from '../provider/test-cards';

const source = '/bazaar/payments';
type Intent = typeof paymentIntents.$inferSelect;

export interface PaymentSettings {
  providerTimeoutMs: number;
  maxAttempts: number;
  backoffBaseMs: number;
  leaseMs: number;
}

/** One call to the provider, as the attempt log keeps it. */
interface Attempt {
  attemptNo: number;
  outcome: string;
  error?: string;
  durationMs: number;
}

/** What the charging ends with: the provider's answer (or the error that ended the retries) and its call. */
type Settlement = (ChargeResult | { outcome: 'error'; message: string }) & { attempt: Attempt };

class ProviderTimeoutError extends Error {
  constructor(ms: number) {
    super(`the provider did not answer within ${ms} ms`);
    this.name = 'ProviderTimeoutError';
  }
}

/**
 * Leases up to `limit` intents that are due for charging (new ones, or ones whose worker's lease ran out),
 * oldest order first, so that under load a charge is never passed over for newer ones again and again.
 * Claim and lease are one statement: the rows are locked (SKIP LOCKED) and leased as they are taken.
 */
export function claimDueIntents(db: Executor, limit: number, leaseMs: number): Promise<Intent[]> {
  return db
    .update(paymentIntents)
    .set({ leaseUntil: new Date(Date.now() + leaseMs) })
    .where(
      inArray(
        paymentIntents.orderId,
        db
          .select({ orderId: paymentIntents.orderId })
          .from(paymentIntents)
          .where(
            and(
              eq(paymentIntents.status, 'PROCESSING'),
              or(isNull(paymentIntents.leaseUntil), lt(paymentIntents.leaseUntil, sql`now()`)),
            ),
          )
          .orderBy(asc(paymentIntents.orderId))
          .limit(limit)
          .for('update', { skipLocked: true }),
      ),
    )
    .returning();
}

export function createPaymentService(deps: {
  db: Db;
  messaging: Messaging;
  provider: SimulatedProvider;
  logger: Logger;
  settings: PaymentSettings;
  metrics: { attempts: Counter<'outcome'> };
  /** Called when a charge is settled and room frees up. */
  onSettled?: () => void;
}) {
  const { db, messaging, provider, logger, settings, metrics } = deps;
  const inFlight = new Set<Promise<void>>();
  const maxInFlight = 64;
  /**
   * The trace each charge continues: the worker charges outside the handler that made the intent due,
   * so the handler leaves its span's traceparent here (the StockReserved one when both events did).
   * Kept in memory: a charge taken over by another process after a crash starts a trace of its own.
   */
  const chargeTraces = new Map<string, string>();
  function rememberChargeTrace(orderId: string, cause: 'reserved' | 'created') {
    const traceparent = currentTraceparent();
    if (!traceparent || (cause === 'created' && chargeTraces.has(orderId))) return;
    if (chargeTraces.size >= 10_000) chargeTraces.delete(chargeTraces.keys().next().value!);
    chargeTraces.set(orderId, traceparent);
  }

  /** OrderCreated and StockReserved for one order arrive side by side; they take turns per order. */
  async function serialiseOrder(tx: Tx, orderId: string) {
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${orderId}))`);
  }

  async function lockIntent(tx: Tx, orderId: string): Promise<Intent | undefined> {
    const [row] = await tx
      .select()
      .from(paymentIntents)
      .where(eq(paymentIntents.orderId, orderId))
      .for('update');
    return row;
  }

  async function refund(tx: Tx, emit: Emit, intent: Intent) {
    const [payment] = await tx.select().from(payments).where(eq(payments.orderId, intent.orderId));
    if (!payment || payment.status === 'REFUNDED') return;
    const refundId = uuidv7();
    await tx.insert(refunds).values({
      id: refundId,
      paymentId: payment.id,
      orderId: intent.orderId,
      amount: payment.amount,
      currency: payment.currency,
    });
    await tx.update(payments).set({ status: 'REFUNDED' }).where(eq(payments.id, payment.id));
    await tx
      .update(paymentIntents)
      .set({ status: 'REFUNDED', updatedAt: sql`now()` })
      .where(eq(paymentIntents.orderId, intent.orderId));
    emit(
      createEvent(
        'PaymentRefunded',
        {
          orderId: intent.orderId,
          paymentId: payment.id,
          refundId,
          amount: { amount: payment.amount, currency: payment.currency },
        },
        { source, correlationId: intent.orderId },
      ),
    );
  }

  /**
   * Calls the provider with a deadline, retrying transient failures with the same idempotency key. The
   * attempts that will be retried are recorded at once; the last one goes with the settlement.
   */
  async function chargeWithRetries(intent: Intent): Promise<Settlement> {
    for (let attemptNo = 1; ; attemptNo++) {
      const started = Date.now();
      let timer: NodeJS.Timeout | undefined;
      try {
        const result = await Promise.race([
          provider.charge({
            idempotencyKey: intent.idempotencyKey,
            orderId: intent.orderId,
            amount: intent.amount,
            currency: intent.currency,
            paymentMethod: intent.paymentMethod,
          }),
          new Promise<never>((_, reject) => {
            timer = setTimeout(
              () => reject(new ProviderTimeoutError(settings.providerTimeoutMs)),
              settings.providerTimeoutMs,
            );
          }),
        ]);
        return {
          ...result,
          attempt: { attemptNo, outcome: result.outcome, durationMs: Date.now() - started },
        };
      } catch (err) {
        const transient = err instanceof ProviderTransientError || err instanceof ProviderTimeoutError;
        const attempt: Attempt = {
          attemptNo,
          outcome: transient ? 'transient' : 'error',
          error: (err as Error).message,
          durationMs: Date.now() - started,
        };
        if (!transient || attemptNo >= settings.maxAttempts)
          return { outcome: 'error', message: (err as Error).message, attempt };
        await recordAttempt(db, intent.orderId, attempt);
        await new Promise((r) => setTimeout(r, backoffMs(attemptNo, settings.backoffBaseMs)));
      } finally {
        clearTimeout(timer);
      }
    }
  }

  async function recordAttempt(executor: Executor, orderId: string, attempt: Attempt) {
    metrics.attempts.inc({ outcome: attempt.outcome });
    await executor.insert(paymentAttempts).values({ id: uuidv7(), orderId, ...attempt });
  }

  /** Records what the provider said, unless the order was cancelled meanwhile (then: give it back). */
  async function settle(intent: Intent, result: Settlement) {
    await messaging.transact(async (tx, emit) => {
      await recordAttempt(tx, intent.orderId, result.attempt);
      const correlation = { source, correlationId: intent.orderId };
      if (result.outcome === 'succeeded') {
        // Only an intent still being charged is settled (a void or a settled one stays as it is).
        const [current] = await tx
          .update(paymentIntents)
          .set({
            status: 'SUCCEEDED',
            brand: result.brand,
            last4: result.last4,
            leaseUntil: null,
            updatedAt: sql`now()`,
          })
          .where(and(eq(paymentIntents.orderId, intent.orderId), eq(paymentIntents.status, 'PROCESSING')))
          .returning();
        if (!current) return;
        await tx
          .insert(payments)
          .values({
            id: intent.paymentId,
            orderId: intent.orderId,
            providerChargeId: result.chargeId,
            amount: intent.amount,
            currency: intent.currency,
            brand: result.brand,
            last4: result.last4,
            status: 'CAPTURED',
          })
          .onConflictDoNothing();
        if (current.cancelRequested) {
          // The order was cancelled while the charge was in flight: refund, and do not let it ship.
          await refund(tx, emit, current);
          return;
        }
        emit(
          createEvent(
            'PaymentSucceeded',
            {
              orderId: intent.orderId,
              paymentId: intent.paymentId,
              amount: { amount: intent.amount, currency: intent.currency },
              brand: result.brand,
              last4: result.last4,
            },
            correlation,
          ),
        );
        return;
      }
      const reason = result.outcome === 'declined' ? result.reason : 'PROVIDER_ERROR';
      const failed = await tx
        .update(paymentIntents)
        .set({
          status: 'FAILED',
          failureReason: reason,
          last4: result.outcome === 'declined' ? result.last4 : null,
          leaseUntil: null,
          updatedAt: sql`now()`,
        })
        .where(and(eq(paymentIntents.orderId, intent.orderId), eq(paymentIntents.status, 'PROCESSING')))
        .returning({ orderId: paymentIntents.orderId });
      if (failed.length === 0) return;
      emit(
        createEvent(
          'PaymentFailed',
          { orderId: intent.orderId, paymentId: intent.paymentId, reason, message: result.message },
          correlation,
        ),
      );
    });
  }

  return {
    async recordIntent(tx: Tx, order: EventData<'OrderCreated'>) {
      await serialiseOrder(tx, order.orderId);
      rememberChargeTrace(order.orderId, 'created');
      // A cancellation that overtook the order left a VOIDED intent: it must stay void.
      await tx
        .insert(paymentIntents)
        .values({
          orderId: order.orderId,
          userId: order.userId,
          paymentId: uuidv7(),
          amount: order.total.amount,
          currency: order.total.currency,
          paymentMethod: order.paymentMethod,
          idempotencyKey: order.paymentKey,
          // The stock news came first: the charge can go ahead at once.
          status: sql`case when exists (select 1 from ${reservedOrders}
            where ${reservedOrders.orderId} = ${order.orderId}) then 'PROCESSING' else 'PENDING' end`,
        })
        .onConflictDoNothing();
    },

    /** Stock is held: the charge may go ahead. The worker makes it, outside any transaction. */
    async requestCharge(tx: Tx, orderId: string) {
      await serialiseOrder(tx, orderId);
      rememberChargeTrace(orderId, 'reserved');
      await tx.insert(reservedOrders).values({ orderId }).onConflictDoNothing();
      // No intent yet: recording the reservation is enough, OrderCreated will start the charge.
      await tx
        .update(paymentIntents)
        .set({ status: 'PROCESSING', updatedAt: sql`now()` })
        .where(and(eq(paymentIntents.orderId, orderId), eq(paymentIntents.status, 'PENDING')));
    },

    async cancelForOrder(tx: Tx, emit: Emit, cancelled: EventData<'OrderCancelled'>) {
      const intent = await lockIntent(tx, cancelled.orderId);
      if (!intent) {
        await tx
          .insert(paymentIntents)
          .values({
            orderId: cancelled.orderId,
            userId: cancelled.userId,
            paymentId: uuidv7(),
            amount: 0,
            currency: 'EUR',
            paymentMethod: 'none',
            idempotencyKey: `void-${cancelled.orderId}`,
            status: 'VOIDED',
          })
          .onConflictDoNothing();
        return;
      }
      switch (intent.status) {
        case 'PENDING':
          await tx
            .update(paymentIntents)
            .set({ status: 'VOIDED', updatedAt: sql`now()` })
            .where(eq(paymentIntents.orderId, intent.orderId));
          return;
        case 'PROCESSING':
          await tx
            .update(paymentIntents)
            .set({ cancelRequested: true, updatedAt: sql`now()` })
            .where(eq(paymentIntents.orderId, intent.orderId));
          return;
        case 'SUCCEEDED':
          await refund(tx, emit, intent);
          return;
        default:
          return;
      }
    },

    /**
     * One pass of the charging worker: lease intents that are due (new ones, or ones whose worker died)
     * and start charging them; a slow charge never holds up the next ones. Says whether more may be due
     * at once (it took as many as it had room for).
     */
    async processCharges(): Promise<{ claimed: number; more: boolean }> {
      const limit = maxInFlight - inFlight.size;
      if (limit <= 0) return { claimed: 0, more: false };
      const claimed = await claimDueIntents(db, limit, settings.leaseMs);
      for (const intent of claimed) {
        const traceparent = chargeTraces.get(intent.orderId);
        chargeTraces.delete(intent.orderId);
        const charging = withSpanAfter(
          traceparent,
          'charge',
          { [SERVICE_ATTRIBUTE]: 'payments', [ORDER_ATTRIBUTE]: intent.orderId },
          async () => {
            try {
              await settle(intent, await chargeWithRetries(intent));
            } catch (err) {
              // The lease runs out and the charge is tried again, with the same key.
              logger.warn({ err, orderId: intent.orderId }, 'charge could not be settled');
            }
          },
        );
        inFlight.add(charging);
        void charging.finally(() => {
          const wasFull = inFlight.size >= maxInFlight;
          inFlight.delete(charging);
          // Room matters only to a worker that stopped taking charges for the lack of it.
          if (wasFull) deps.onSettled?.();
        });
      }
      return { claimed: claimed.length, more: claimed.length === limit };
    },

    /** Waits for charges under way (shutdown). */
    async drain() {
      await Promise.all([...inFlight]);
    },

    async getForOrder(orderId: string, principal: Principal) {
      const [intent] = await db.select().from(paymentIntents).where(eq(paymentIntents.orderId, orderId));
      if (!intent || (intent.userId !== principal.userId && !isAdmin(principal))) {
        throw notFound('payments.payment_not_found', `No payment for order ${orderId}.`);
      }
      const [{ n }] = (await db
        .select({ n: count() })
        .from(paymentAttempts)
        .where(eq(paymentAttempts.orderId, orderId))) as [{ n: number }];
      return {
        orderId,
        status: intent.status,
        amount: { amount: intent.amount, currency: intent.currency },
        ...(intent.brand ? { brand: intent.brand } : {}),
        ...(intent.last4 ? { last4: intent.last4 } : {}),
        ...(intent.failureReason ? { failureReason: intent.failureReason } : {}),
        attempts: Number(n),
        refunded: intent.status === 'REFUNDED',
      };
    },

    /** Figures that must add up: every capture, every refund, and orders the provider charged twice. */
    async summary() {
      const [captured] = await db.select({ n: count(), total: sum(payments.amount) }).from(payments);
      const [refunded] = await db.select({ n: count(), total: sum(refunds.amount) }).from(refunds);
      const twice = await db
        .select({ orderId: providerCharges.orderId })
        .from(providerCharges)
        .where(eq(providerCharges.outcome, 'succeeded'))
        .groupBy(providerCharges.orderId)
        .having(sql`count(*) > 1`);
      return {
        charges: Number(captured?.n ?? 0),
        chargedAmount: Number(captured?.total ?? 0),
        refunds: Number(refunded?.n ?? 0),
        refundedAmount: Number(refunded?.total ?? 0),
        ordersChargedTwice: twice.length,
      };
    },
  };
}

export type PaymentService = ReturnType<typeof createPaymentService>;
