import { type CloudEvent, createEvent, type StockLine } from '@bazaar/contracts';
import { conflict, type Db, type Emit, type Messaging, notFound, query, type Tx } from '@bazaar/platform';
import { and, asc, eq, gt, inArray, lt, sql } from 'drizzle-orm';
import { v7 as uuidv7 } from 'uuid';
import { reservationLines, reservations, stockItems } from '../db/schema';
import { aggregateLines, findShortfalls } from '../domain/allocation';

const source = '/bazaar/inventory';

export interface StockLevel {
  sku: string;
  onHand: number;
  reserved: number;
  available: number;
}

type StockRow = typeof stockItems.$inferSelect;
const toLevel = (r: Pick<StockRow, 'sku' | 'onHand' | 'reserved'>): StockLevel => ({
  sku: r.sku,
  onHand: r.onHand,
  reserved: r.reserved,
  available: r.onHand - r.reserved,
});
const stockChanged = (r: StockRow, correlationId: string) =>
  createEvent('StockChanged', toLevel(r), { source, correlationId });

export type ReservationOutcome = 'reserved' | 'out_of_stock' | 'already_decided';

export function createStockService(deps: { db: Db; messaging: Messaging; reservationTtlSeconds: number }) {
  const { db, messaging } = deps;

  /** Moves stock for the lines under row locks taken in SKU order; returns the changed rows. */
  async function adjust(tx: Tx, lines: readonly StockLine[], change: { onHand: number; reserved: number }) {
    const changed: StockRow[] = [];
    for (const line of aggregateLines(lines)) {
      const [row] = await tx
        .update(stockItems)
        .set({
          onHand: sql`${stockItems.onHand} + ${change.onHand * line.quantity}`,
          reserved: sql`${stockItems.reserved} + ${change.reserved * line.quantity}`,
          updatedAt: sql`now()`,
        })
        .where(eq(stockItems.sku, line.sku))
        .returning();
      if (row) changed.push(row);
    }
    return changed;
  }

  /**
   * Moves an order's reservation from `from` to `status` and returns it with its lines; undefined when it
   * is not in `from` (never reserved, or already moved on: a repeat changes nothing).
   */
  async function moveReservation(
    tx: Tx,
    orderId: string,
    from: 'HELD' | 'COMMITTED',
    status: 'COMMITTED' | 'RELEASED' | 'EXPIRED' | 'RETURNED',
  ) {
    const [reservation] = await tx
      .update(reservations)
      .set({ status, updatedAt: sql`now()` })
      .where(and(eq(reservations.orderId, orderId), eq(reservations.status, from)))
      .returning({ id: reservations.id });
    if (!reservation) return undefined;
    const lines = await tx
      .select({ sku: reservationLines.sku, quantity: reservationLines.quantity })
      .from(reservationLines)
      .where(eq(reservationLines.reservationId, reservation.id))
      .orderBy(asc(reservationLines.sku));
    return { ...reservation, lines };
  }

  async function release(
    tx: Tx,
    emit: Emit,
    orderId: string,
    reason: string,
    status: 'RELEASED' | 'EXPIRED',
  ) {
    const reservation = await moveReservation(tx, orderId, 'HELD', status);
    if (!reservation) return false;
    const changed = await adjust(tx, reservation.lines, { onHand: 0, reserved: -1 });
    emit(
      createEvent(
        'StockReleased',
        { orderId, reservationId: reservation.id, lines: reservation.lines, reason },
        { source, correlationId: orderId },
      ),
      ...changed.map((r) => stockChanged(r, orderId)),
    );
    return true;
  }

  return {
    async getStock(sku: string): Promise<StockLevel> {
      const [row] = await db.select().from(stockItems).where(eq(stockItems.sku, sku)).limit(1);
      if (!row) throw notFound('inventory.sku_not_found', `No stock is kept for ${sku}.`);
      return toLevel(row);
    },

    /** A page of stock levels in SKU order (for the admin), or those of the given SKUs. */
    async listStock(page: { limit: number; after?: string; skus?: string[] }) {
      const filters = [];
      if (page.skus) filters.push(inArray(stockItems.sku, page.skus));
      if (page.after) filters.push(gt(stockItems.sku, page.after));
      const rows = await db
        .select()
        .from(stockItems)
        .where(and(...filters))
        .orderBy(asc(stockItems.sku))
        .limit(page.limit + 1);
      const items = rows.slice(0, page.limit).map(toLevel);
      return { items, nextCursor: rows.length > page.limit ? items[items.length - 1]!.sku : null };
    },

    async listAvailability(skus: string[]): Promise<StockLevel[]> {
      if (skus.length === 0) return [];
      // Asked on every add to a cart: one fixed statement, nothing to assemble per call.
      const rows = await query<{ sku: string; on_hand: number; reserved: number }>(
        db,
        sql`select sku, on_hand, reserved from ${stockItems} where sku = any(${sql.param(skus)}::text[])`,
      );
      const bySku = new Map(
        rows.map((r) => [r.sku, toLevel({ sku: r.sku, onHand: r.on_hand, reserved: r.reserved })]),
      );
      return skus.map((sku) => bySku.get(sku) ?? { sku, onHand: 0, reserved: 0, available: 0 });
    },

    /** Sets the counted stock of a SKU; it cannot drop below what is promised to orders. */
    async setOnHand(sku: string, onHand: number): Promise<StockLevel> {
      return messaging.transact(async (tx, emit) => {
        await tx.insert(stockItems).values({ sku, onHand: 0 }).onConflictDoNothing();
        const [current] = await tx.select().from(stockItems).where(eq(stockItems.sku, sku)).for('update');
        if (onHand < current!.reserved) {
          throw conflict(
            'inventory.below_reserved',
            `${sku} has ${current!.reserved} units reserved for orders; on hand cannot be ${onHand}.`,
            { reserved: current!.reserved },
          );
        }
        const [row] = await tx
          .update(stockItems)
          .set({ onHand, updatedAt: sql`now()` })
          .where(eq(stockItems.sku, sku))
          .returning();
        emit(stockChanged(row!, sku));
        return toLevel(row!);
      });
    },

    /**
     * Reserves every line of an order or none. The SKU rows are locked in a fixed order before anything
     * is checked, so concurrent orders for the same stock queue up instead of overselling or deadlocking;
     * the decision is recorded per order, so a repeated request changes nothing.
     */
    async reserveForOrder(
      tx: Tx,
      emit: Emit,
      orderId: string,
      lines: readonly StockLine[],
    ): Promise<ReservationOutcome> {
      const [decided] = await tx
        .select({ id: reservations.id })
        .from(reservations)
        .where(eq(reservations.orderId, orderId));
      if (decided) return 'already_decided';
      const wanted = aggregateLines(lines);
      const rows = await tx
        .select()
        .from(stockItems)
        .where(
          inArray(
            stockItems.sku,
            wanted.map((l) => l.sku),
          ),
        )
        .orderBy(asc(stockItems.sku))
        .for('update');
      const shortfalls = findShortfalls(wanted, new Map(rows.map((r) => [r.sku, r.onHand - r.reserved])));
      const reservationId = uuidv7();
      const expiresAt = new Date(Date.now() + deps.reservationTtlSeconds * 1000);
      if (shortfalls.length > 0) {
        await tx.insert(reservations).values({ id: reservationId, orderId, status: 'REJECTED', expiresAt });
        emit(
          createEvent(
            'StockReservationFailed',
            { orderId, reason: 'OUT_OF_STOCK', unavailable: shortfalls },
            { source, correlationId: orderId },
          ),
        );
        return 'out_of_stock';
      }
      const changed = await adjust(tx, wanted, { onHand: 0, reserved: 1 });
      // The reservation and its lines in one statement.
      await query(
        tx,
        sql`with held as (
              insert into ${reservations} (id, order_id, status, expires_at)
              values (${reservationId}, ${orderId}, 'HELD', ${expiresAt}) returning id)
            insert into ${reservationLines} (reservation_id, sku, quantity)
            select held.id, l.* from held,
              unnest(${sql.param(wanted.map((l) => l.sku))}::text[], ${sql.param(wanted.map((l) => l.quantity))}::int[]) as l`,
      );
      const events: CloudEvent[] = [
        createEvent(
          'StockReserved',
          { orderId, reservationId, lines: wanted, expiresAt: expiresAt.toISOString() },
          { source, correlationId: orderId },
        ),
        ...changed.map((r) => stockChanged(r, orderId)),
      ];
      emit(...events);
      return 'reserved';
    },

    /** Compensation for a cancelled order: its held stock goes back on the shelf. */
    releaseForOrder(tx: Tx, emit: Emit, orderId: string, reason: string) {
      return release(tx, emit, orderId, reason, 'RELEASED');
    },

    /**
     * The goods left the warehouse: held units become sold units. What can be sold stays the same (on
     * hand and reserved both drop), so no StockChanged: its readers follow availability.
     */
    async commitForOrder(tx: Tx, orderId: string): Promise<boolean> {
      const reservation = await moveReservation(tx, orderId, 'HELD', 'COMMITTED');
      if (!reservation) return false;
      await adjust(tx, reservation.lines, { onHand: -1, reserved: -1 });
      return true;
    },

    /** A shipment of a cancelled order was stopped before delivery: its units are back on the shelf. */
    async returnForOrder(tx: Tx, emit: Emit, orderId: string): Promise<boolean> {
      const reservation = await moveReservation(tx, orderId, 'COMMITTED', 'RETURNED');
      if (!reservation) return false;
      const changed = await adjust(tx, reservation.lines, { onHand: 1, reserved: 0 });
      emit(...changed.map((r) => stockChanged(r, orderId)));
      return true;
    },

    /** Releases reservations past their expiry; SKIP LOCKED lets several replicas sweep side by side. */
    async expireReservations(limit = 100): Promise<number> {
      return messaging.transact(async (tx, emit) => {
        const due = await tx
          .select({ orderId: reservations.orderId })
          .from(reservations)
          .where(and(eq(reservations.status, 'HELD'), lt(reservations.expiresAt, sql`now()`)))
          .limit(limit)
          .for('update', { skipLocked: true });
        for (const { orderId } of due) await release(tx, emit, orderId, 'EXPIRED', 'EXPIRED');
        return due.length;
      });
    },

    async seedDemoStock(items: readonly { sku: string; stock: number }[]): Promise<boolean> {
      const [existing] = await db.select({ sku: stockItems.sku }).from(stockItems).limit(1);
      if (existing) return false;
      await messaging.transact(async (tx, emit) => {
        const rows = await tx
          .insert(stockItems)
          .values(items.map((i) => ({ sku: i.sku, onHand: i.stock })))
          .onConflictDoNothing()
          .returning();
        emit(...rows.map((r) => stockChanged(r, r.sku)));
      });
      return true;
    },
  };
}

export type StockService = ReturnType<typeof createStockService>;
