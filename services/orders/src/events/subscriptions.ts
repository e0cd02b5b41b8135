import { on } from '@bazaar/platform';
import type { OrderService } from '../services/order.service';

/** Everything orders listens to: the whole saga, step by step. */
export const orderSubscriptions = (orders: OrderService) => [
  on('CartCheckedOut', (event, tx, emit) => orders.createFromCheckout(tx, emit, event.data)),
  on('StockReserved', (event, tx, emit) => orders.recordFact(tx, emit, event.data.orderId, 'stockReserved')),
  on('StockReservationFailed', (event, tx, emit) =>
    orders.recordFailure(tx, emit, event.data.orderId, 'OUT_OF_STOCK'),
  ),
  on('PaymentSucceeded', (event, tx, emit) => orders.recordFact(tx, emit, event.data.orderId, 'paid')),
  on('PaymentFailed', (event, tx, emit) =>
    orders.recordFailure(tx, emit, event.data.orderId, 'PAYMENT_DECLINED'),
  ),
  on('ShippingCreated', (event, tx, emit) =>
    orders.recordFact(tx, emit, event.data.orderId, 'shipped', { trackingNumber: event.data.trackingNumber }),
  ),
  on('ShipmentDelivered', (event, tx, emit) => orders.recordFact(tx, emit, event.data.orderId, 'delivered')),
];
