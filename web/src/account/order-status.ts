import type { CancelReason, OrderStatus } from '../api/types';

export const statusLabels: Record<OrderStatus, string> = {
  PENDING: 'Placed',
  STOCK_RESERVED: 'Stock reserved',
  PAID: 'Paid',
  COMPLETED: 'Completed',
  DELIVERED: 'Delivered',
  CANCELLED: 'Cancelled',
};

/** What each step means to the shopper, in the order the saga takes them. */
export const timelineSteps: { status: OrderStatus; label: string; detail: string }[] = [
  { status: 'PENDING', label: 'Order placed', detail: 'We have your order.' },
  { status: 'STOCK_RESERVED', label: 'Items reserved', detail: 'Your items are set aside for you.' },
  { status: 'PAID', label: 'Payment received', detail: 'Your card was charged.' },
  { status: 'COMPLETED', label: 'Shipped', detail: 'Your parcel is on its way.' },
  { status: 'DELIVERED', label: 'Delivered', detail: 'Your parcel has arrived.' },
];

export const cancelReasonText: Record<CancelReason, string> = {
  OUT_OF_STOCK: 'Some items were out of stock, so the order could not go ahead. You were not charged.',
  PAYMENT_DECLINED:
    'Your payment was declined by the card issuer. You were not charged and the items went back on the shelf.',
  TIMEOUT: 'The order took too long to go through and was called off. Any payment has been refunded.',
  CUSTOMER_REQUEST: 'You cancelled this order. Any payment has been refunded.',
  OPERATOR_REQUEST: 'Our team cancelled this order. Any payment has been refunded.',
};

export type StatusTone = 'progress' | 'done' | 'cancelled';

export function toneOf(status: OrderStatus): StatusTone {
  if (status === 'CANCELLED') return 'cancelled';
  if (status === 'COMPLETED' || status === 'DELIVERED') return 'done';
  return 'progress';
}

/** Until it ships, a shopper may still cancel; the orders service refuses afterwards (409). */
export const cancellable = (status: OrderStatus) =>
  status === 'PENDING' || status === 'STOCK_RESERVED' || status === 'PAID';

export const isFinal = (status: OrderStatus) => status === 'DELIVERED' || status === 'CANCELLED';
