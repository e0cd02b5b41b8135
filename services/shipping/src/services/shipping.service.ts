import { randomInt } from 'node:crypto';
import { createEvent, type EventData } from '@bazaar/contracts';
import {
  type Db,
  type Emit,
  isAdmin,
  type Logger,
  type Messaging,
  notFound,
  type Principal,
  TransientError,
  type Tx,
} from '@bazaar/platform';
import { and, asc, eq, lt, sql } from 'drizzle-orm';
import { v7 as uuidv7 } from 'uuid';
import { pendingShipments, shipments, trackingEvents } from '../db/schema';

const source = '/bazaar/shipping';
const carrier = 'Bazaar Post';
const alphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';

/** `BZ` and ten characters that cannot be misread (no 0/O, 1/I). */
export function newTrackingNumber(): string {
  let code = 'BZ';
  for (let i = 0; i < 10; i++) code += alphabet[randomInt(alphabet.length)];
  return code;
}

export function createShippingService(deps: {
  db: Db;
  messaging: Messaging;
  logger: Logger;
  deliveryDelayMs: number;
}) {
  const { db, messaging } = deps;

  /**
   * A shipment as its owner (or an admin) sees it, with the address; tracking by number needs no sign-in,
   * so anyone holding the number sees only where the parcel is, not where it goes.
   */
  async function view(row: typeof shipments.$inferSelect, withAddress: boolean) {
    const events = await db
      .select()
      .from(trackingEvents)
      .where(eq(trackingEvents.shipmentId, row.id))
      .orderBy(asc(trackingEvents.at), asc(trackingEvents.id));
    return {
      orderId: row.orderId,
      trackingNumber: row.trackingNumber,
      carrier: row.carrier,
      status: row.status,
      ...(withAddress && row.address ? { address: row.address } : {}),
      ...(row.deliveredAt ? { deliveredAt: row.deliveredAt.toISOString() } : {}),
      events: events.map((e) => ({ status: e.status, description: e.description, at: e.at.toISOString() })),
    };
  }

  return {
    async recordAddress(tx: Tx, order: EventData<'OrderCreated'>) {
      await tx
        .insert(pendingShipments)
        .values({ orderId: order.orderId, userId: order.userId, address: order.shippingAddress })
        .onConflictDoUpdate({ target: pendingShipments.orderId, set: { address: order.shippingAddress } });
    },

    /** Paid orders ship: one shipment per order, however often the payment is announced. */
    async shipPaidOrder(tx: Tx, emit: Emit, orderId: string) {
      const [pending] = await tx.select().from(pendingShipments).where(eq(pendingShipments.orderId, orderId));
      if (pending?.cancelled) return;
      if (!pending?.address) throw new TransientError(`no address for order ${orderId} yet`);
      const id = uuidv7();
      const trackingNumber = newTrackingNumber();
      const created = await tx
        .insert(shipments)
        .values({
          id,
          orderId,
          userId: pending.userId,
          trackingNumber,
          carrier,
          address: pending.address,
          status: 'CREATED',
          deliverAfter: new Date(Date.now() + deps.deliveryDelayMs),
        })
        .onConflictDoNothing({ target: shipments.orderId })
        .returning({ id: shipments.id });
      if (created.length === 0) return;
      await tx
        .insert(trackingEvents)
        .values({ id: uuidv7(), shipmentId: id, status: 'CREATED', description: 'Label created' });
      emit(
        createEvent(
          'ShippingCreated',
          { orderId, shipmentId: id, trackingNumber, carrier },
          { source, correlationId: orderId },
        ),
      );
    },

    /**
     * A cancelled order does not leave the warehouse. If its shipment was already created (the payment was
     * in before the cancellation), the shipment is stopped and ShipmentCancelled tells inventory the goods
     * stay; a shipment already delivered cannot be stopped.
     */
    async cancelForOrder(tx: Tx, emit: Emit, cancelled: EventData<'OrderCancelled'>) {
      const { orderId } = cancelled;
      await tx
        .insert(pendingShipments)
        .values({ orderId, userId: cancelled.userId, cancelled: cancelled.reason })
        .onConflictDoUpdate({ target: pendingShipments.orderId, set: { cancelled: cancelled.reason } });
      const [shipment] = await tx
        .update(shipments)
        .set({ status: 'CANCELLED' })
        .where(and(eq(shipments.orderId, orderId), eq(shipments.status, 'CREATED')))
        .returning({ id: shipments.id, trackingNumber: shipments.trackingNumber });
      if (!shipment) return;
      await tx.insert(trackingEvents).values({
        id: uuidv7(),
        shipmentId: shipment.id,
        status: 'CANCELLED',
        description: 'Order cancelled; not shipped',
      });
      emit(
        createEvent(
          'ShipmentCancelled',
          {
            orderId,
            shipmentId: shipment.id,
            trackingNumber: shipment.trackingNumber,
            reason: cancelled.reason,
          },
          { source, correlationId: orderId },
        ),
      );
    },

    /** The simulated carrier: delivers shipments that are due. SKIP LOCKED lets replicas share the round. */
    async deliverDue(limit = 100): Promise<number> {
      return messaging.transact(async (tx, emit) => {
        const due = await tx
          .select()
          .from(shipments)
          .where(and(eq(shipments.status, 'CREATED'), lt(shipments.deliverAfter, sql`now()`)))
          .orderBy(asc(shipments.deliverAfter)) // longest due first
          .limit(limit)
          .for('update', { skipLocked: true });
        for (const s of due) {
          const deliveredAt = new Date();
          await tx.update(shipments).set({ status: 'DELIVERED', deliveredAt }).where(eq(shipments.id, s.id));
          await tx.insert(trackingEvents).values({
            id: uuidv7(),
            shipmentId: s.id,
            status: 'DELIVERED',
            description: 'Delivered',
            at: deliveredAt,
          });
          emit(
            createEvent(
              'ShipmentDelivered',
              {
                orderId: s.orderId,
                shipmentId: s.id,
                trackingNumber: s.trackingNumber,
                deliveredAt: deliveredAt.toISOString(),
              },
              { source, correlationId: s.orderId },
            ),
          );
        }
        return due.length;
      });
    },

    async track(trackingNumber: string) {
      const [row] = await db.select().from(shipments).where(eq(shipments.trackingNumber, trackingNumber));
      if (!row) throw notFound('shipping.shipment_not_found', `No shipment ${trackingNumber}.`);
      return view(row, false);
    },

    async findForOrder(orderId: string, principal: Principal) {
      const [row] = await db.select().from(shipments).where(eq(shipments.orderId, orderId));
      if (!row || (row.userId !== principal.userId && !isAdmin(principal))) {
        throw notFound('shipping.shipment_not_found', `No shipment for order ${orderId}.`);
      }
      return view(row, true);
    },
  };
}

export type ShippingService = ReturnType<typeof createShippingService>;
