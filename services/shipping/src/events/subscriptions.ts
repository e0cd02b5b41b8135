import { on } from '@bazaar/platform';
import type { ShippingService } from '../services/shipping.service';

/** Everything shipping listens to. */
export const shippingSubscriptions = (shipping: ShippingService) => [
  on('OrderCreated', (event, tx) => shipping.recordAddress(tx, event.data)),
  on('PaymentSucceeded', (event, tx, emit) => shipping.shipPaidOrder(tx, emit, event.data.orderId)),
  on('OrderCancelled', (event, tx, emit) => shipping.cancelForOrder(tx, emit, event.data)),
];
