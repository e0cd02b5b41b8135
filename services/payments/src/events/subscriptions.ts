import { on } from '@bazaar/platform';
import type { PaymentService } from '../services/payment.service';

/** Everything payments listens to. */
export const paymentSubscriptions = (payments: PaymentService) => [
  on('OrderCreated', (event, tx) => payments.recordIntent(tx, event.data)),
  on('StockReserved', (event, tx) => payments.requestCharge(tx, event.data.orderId)),
  on('OrderCancelled', (event, tx, emit) => payments.cancelForOrder(tx, emit, event.data)),
];
