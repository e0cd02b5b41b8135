import { z } from 'zod';
import { Money } from './money';

const Id = z.uuid();
const Timestamp = z.iso.datetime({ offset: true });
const Quantity = z.number().int().min(1);
const Count = z.number().int().nonnegative();

export const Address = z.object({
  name: z.string().min(1).max(100),
  line1: z.string().min(1).max(200),
  line2: z.string().max(200).optional(),
  city: z.string().min(1).max(100),
  postalCode: z.string().min(1).max(20),
  country: z.string().regex(/^[A-Z]{2}$/, 'an ISO 3166 alpha-2 code such as GB'),
});
export type Address = z.infer<typeof Address>;

export const OrderLine = z.object({
  sku: z.string().min(1),
  productId: Id,
  name: z.string().min(1),
  quantity: Quantity,
  unitPrice: Money,
});
export type OrderLine = z.infer<typeof OrderLine>;

export const StockLine = z.object({ sku: z.string().min(1), quantity: Quantity });
export type StockLine = z.infer<typeof StockLine>;

export const OrderStatus = z.enum([
  'PENDING',
  'STOCK_RESERVED',
  'PAID',
  'COMPLETED',
  'DELIVERED',
  'CANCELLED',
]);
export type OrderStatus = z.infer<typeof OrderStatus>;

export const CancelReason = z.enum([
  'OUT_OF_STOCK',
  'PAYMENT_DECLINED',
  'TIMEOUT',
  'CUSTOMER_REQUEST',
  // An operator compensated the saga from the saga console.
  'OPERATOR_REQUEST',
]);
export type CancelReason = z.infer<typeof CancelReason>;

export const UserRegistered = z.object({ userId: Id, email: z.email(), name: z.string() });

export const ProductCreated = z.object({
  productId: Id,
  sku: z.string().min(1),
  name: z.string().min(1),
  category: z.string().min(1),
  price: Money,
});
export const ProductUpdated = ProductCreated.extend({ active: z.boolean() });
export const PriceChanged = z.object({
  productId: Id,
  sku: z.string().min(1),
  oldPrice: Money,
  newPrice: Money,
});

export const StockReserved = z.object({
  orderId: Id,
  reservationId: Id,
  lines: z.array(StockLine).min(1),
  expiresAt: Timestamp,
});
export const StockReservationFailed = z.object({
  orderId: Id,
  reason: z.literal('OUT_OF_STOCK'),
  unavailable: z.array(z.object({ sku: z.string().min(1), requested: Quantity, available: Count })).min(1),
});
export const StockReleased = z.object({
  orderId: Id,
  reservationId: Id,
  lines: z.array(StockLine).min(1),
  reason: z.string().min(1),
});
export const StockChanged = z.object({
  sku: z.string().min(1),
  onHand: Count,
  reserved: Count,
  available: Count,
});

export const CartCheckedOut = z.object({
  orderId: Id,
  cartId: z.string().min(1),
  userId: Id,
  email: z.email(),
  lines: z.array(OrderLine).min(1),
  total: Money,
  shippingAddress: Address,
  paymentMethod: z.string().min(1),
  idempotencyKey: z.string().min(1),
  checkedOutAt: Timestamp,
});

export const OrderCreated = z.object({
  orderId: Id,
  userId: Id,
  email: z.email(),
  lines: z.array(OrderLine).min(1),
  total: Money,
  shippingAddress: Address,
  paymentMethod: z.string().min(1),
  paymentKey: z.string().min(1),
});
export const OrderStatusChanged = z.object({
  orderId: Id,
  userId: Id,
  status: OrderStatus,
  cancelReason: CancelReason.optional(),
  at: Timestamp,
});
export const OrderCancelled = z.object({
  orderId: Id,
  userId: Id,
  reason: CancelReason,
  previousStatus: OrderStatus,
});
export const OrderCompleted = z.object({ orderId: Id, userId: Id, total: Money });

export const PaymentSucceeded = z.object({
  orderId: Id,
  paymentId: Id,
  amount: Money,
  brand: z.string().min(1),
  last4: z.string().regex(/^\d{4}$/),
});
export const PaymentFailed = z.object({
  orderId: Id,
  paymentId: Id,
  reason: z.enum(['DECLINED', 'INSUFFICIENT_FUNDS', 'PROVIDER_ERROR']),
  message: z.string(),
});
export const PaymentRefunded = z.object({ orderId: Id, paymentId: Id, refundId: Id, amount: Money });

export const ShippingCreated = z.object({
  orderId: Id,
  shipmentId: Id,
  trackingNumber: z.string().min(1),
  carrier: z.string().min(1),
});
export const ShipmentDelivered = z.object({
  orderId: Id,
  shipmentId: Id,
  trackingNumber: z.string().min(1),
  deliveredAt: Timestamp,
});

export const ShipmentCancelled = z.object({
  orderId: Id,
  shipmentId: Id,
  trackingNumber: z.string().min(1),
  reason: CancelReason,
});

type Entry = { schema: z.ZodObject; version: number; producer: string; description: string };
const entry = <S extends z.ZodObject>(schema: S, producer: string, description: string) => ({
  schema,
  version: 1,
  producer,
  description,
});

/** Every domain event of the platform: its payload schema, version, producer and meaning. */
export const eventCatalog = {
  UserRegistered: entry(UserRegistered, 'identity', 'A customer account was created.'),
  ProductCreated: entry(ProductCreated, 'catalog', 'A product was added to the catalog.'),
  ProductUpdated: entry(ProductUpdated, 'catalog', 'A product changed (including being deactivated).'),
  PriceChanged: entry(PriceChanged, 'catalog', "A product's price changed."),
  StockReserved: entry(StockReserved, 'inventory', "Every line of an order's stock is held for it."),
  StockReservationFailed: entry(
    StockReservationFailed,
    'inventory',
    'An order could not be reserved; nothing was held.',
  ),
  StockReleased: entry(StockReleased, 'inventory', "An order's held stock went back on the shelf."),
  StockChanged: entry(
    StockChanged,
    'inventory',
    'What can be sold of a SKU changed (stock counted, reserved or released; a shipped reservation changes nothing that can be sold, so it sends none).',
  ),
  CartCheckedOut: entry(
    CartCheckedOut,
    'cart',
    'A cart was checked out at authoritative prices: an order is born.',
  ),
  OrderCreated: entry(OrderCreated, 'orders', 'An order was recorded and its saga starts.'),
  OrderStatusChanged: entry(OrderStatusChanged, 'orders', 'An order moved to a new status.'),
  OrderCancelled: entry(OrderCancelled, 'orders', 'An order was cancelled; its steps must be compensated.'),
  OrderCompleted: entry(OrderCompleted, 'orders', 'An order was paid for and shipped.'),
  PaymentSucceeded: entry(PaymentSucceeded, 'payments', "An order's charge was captured."),
  PaymentFailed: entry(PaymentFailed, 'payments', "An order's charge was declined or could not be made."),
  PaymentRefunded: entry(PaymentRefunded, 'payments', "A cancelled order's charge was refunded."),
  ShippingCreated: entry(ShippingCreated, 'shipping', 'A shipment with a tracking number was created.'),
  ShipmentDelivered: entry(ShipmentDelivered, 'shipping', 'The carrier delivered a shipment.'),
  ShipmentCancelled: entry(
    ShipmentCancelled,
    'shipping',
    'A shipment created for an order that was then cancelled was stopped before delivery: its goods stay.',
  ),
} satisfies Record<string, Entry>;

export type EventType = keyof typeof eventCatalog;
export type EventData<T extends EventType> = z.infer<(typeof eventCatalog)[T]['schema']>;
export const eventTypes = Object.keys(eventCatalog) as EventType[];

export const isEventType = (type: unknown): type is EventType =>
  typeof type === 'string' && Object.hasOwn(eventCatalog, type);

/** `OrderCreated` → `order.created`, `StockReservationFailed` → `stock.reservation.failed`. */
export function routingKeyOf(type: string): string {
  return type.replace(/([a-z0-9])([A-Z])/g, '$1.$2').toLowerCase();
}
