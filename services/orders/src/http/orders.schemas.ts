import { Address, CancelReason, Money, OrderStatus } from '@bazaar/contracts';
import { z } from 'zod';

export const Order = z.object({
  id: z.uuid(),
  status: OrderStatus,
  cancelReason: CancelReason.optional(),
  lines: z.array(
    z.object({
      sku: z.string(),
      productId: z.uuid(),
      name: z.string(),
      quantity: z.number().int(),
      unitPrice: Money,
      lineTotal: Money,
    }),
  ),
  total: Money,
  shippingAddress: Address,
  history: z.array(z.object({ status: OrderStatus, at: z.string(), reason: CancelReason.optional() })),
  shipment: z.object({ trackingNumber: z.string() }).optional(),
  createdAt: z.string(),
  updatedAt: z.string(),
});

export const OrderPage = z.object({ items: z.array(Order), nextCursor: z.uuid().nullable() });
export const OrderParams = z.object({ id: z.uuid() });
const statuses = OrderStatus.options.join('|');
export const ListOrdersQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.uuid().optional(),
  status: z
    .string()
    .regex(new RegExp(`^(${statuses})(,(${statuses}))*$`), `one or more of ${OrderStatus.options.join(', ')}`)
    .optional()
    .describe('Only orders in these statuses, comma-separated (`PENDING,STOCK_RESERVED,PAID`)'),
  mine: z
    .enum(['true', 'false'])
    .optional()
    .describe("`true`: only the caller's own orders, also for an administrator"),
});
export const Cancelled = z.object({ id: z.uuid(), status: z.literal('CANCELLED') });
