import { Address, Money } from '@bazaar/contracts';
import { z } from 'zod';
import { MAX_QUANTITY } from '../domain/cart';

export const Cart = z.object({
  id: z.string(),
  items: z.array(
    z.object({
      sku: z.string(),
      productId: z.string(),
      name: z.string(),
      quantity: z.number().int(),
      unitPrice: Money,
      lineTotal: Money,
    }),
  ),
  total: Money,
});

export const CartHeaders = z.object({ 'x-cart-id': z.uuid().optional() });
const Quantity = z.number().int().min(1).max(MAX_QUANTITY);
export const AddItemBody = z.object({ sku: z.string().trim().min(1).max(64), quantity: Quantity });
export const SetQuantityBody = z.object({ quantity: Quantity });
export const SkuParams = z.object({ sku: z.string().min(1).max(64) });

export const CheckoutHeaders = CartHeaders.extend({ 'idempotency-key': z.string().max(255).optional() });
export const CheckoutBody = z
  .object({
    shippingAddress: Address.optional().describe('Where to ship; or send `addressId` instead.'),
    addressId: z.uuid().optional().describe('One of my saved addresses (`/api/v1/me/addresses`).'),
    paymentMethod: z.string().trim().min(1).max(64),
  })
  .refine((b) => (b.shippingAddress === undefined) !== (b.addressId === undefined), {
    message: 'Send either shippingAddress or addressId (one of your saved addresses), not both.',
    path: ['shippingAddress'],
  });
export const CheckoutAccepted = z.object({ orderId: z.uuid(), status: z.literal('PENDING') });
