import { on } from '@bazaar/platform';
import type { StockService } from '../services/stock.service';

/** Everything inventory listens to: an order's birth, its cancellation, its shipment and a stopped one. */
export const inventorySubscriptions = (stock: StockService) => [
  on('OrderCreated', async (event, tx, emit) => {
    const lines = event.data.lines.map((l) => ({ sku: l.sku, quantity: l.quantity }));
    await stock.reserveForOrder(tx, emit, event.data.orderId, lines);
  }),
  on('OrderCancelled', async (event, tx, emit) => {
    await stock.releaseForOrder(tx, emit, event.data.orderId, event.data.reason);
  }),
  on('ShippingCreated', async (event, tx) => {
    await stock.commitForOrder(tx, event.data.orderId);
  }),
  on('ShipmentCancelled', async (event, tx, emit) => {
    await stock.returnForOrder(tx, emit, event.data.orderId);
  }),
];
