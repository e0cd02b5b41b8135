import type { CancelReason, OrderStatus } from '@bazaar/contracts';

/**
 * The order lifecycle, the whole of it. Each fact the saga learns moves an order from exactly one
 * status to the next; cancellation is possible until the goods have shipped.
 */
export const transitions = {
  stockReserved: { from: 'PENDING', to: 'STOCK_RESERVED' },
  paid: { from: 'STOCK_RESERVED', to: 'PAID' },
  shipped: { from: 'PAID', to: 'COMPLETED' },
  delivered: { from: 'COMPLETED', to: 'DELIVERED' },
} as const satisfies Record<string, { from: OrderStatus; to: OrderStatus }>;

export type Fact = keyof typeof transitions;

export const cancellable: readonly OrderStatus[] = ['PENDING', 'STOCK_RESERVED', 'PAID'];
export const finalStatuses: readonly OrderStatus[] = ['DELIVERED', 'CANCELLED'];

/** The order in which statuses are reached, to tell a late fact from an early one. */
export const progress: readonly OrderStatus[] = [
  'PENDING',
  'STOCK_RESERVED',
  'PAID',
  'COMPLETED',
  'DELIVERED',
];

export type { CancelReason, OrderStatus };
