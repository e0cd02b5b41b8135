import type { EventData, EventType } from './events';

const orderId = '0190b5c8-4c2a-7a10-8000-000000000001';
const userId = '0190b5c8-4c2a-7a10-8000-000000000002';
const productId = '0190b5c8-4c2a-7a10-8000-000000000003';
const otherId = '0190b5c8-4c2a-7a10-8000-000000000004';
const eur = (amount: number) => ({ amount, currency: 'EUR' });
const line = { sku: 'KIT-MUG-01', productId, name: 'Stoneware mug', quantity: 2, unitPrice: eur(1250) };
const address = {
  name: 'Ada Lovelace',
  line1: '12 Analytical Row',
  city: 'London',
  postalCode: 'N1 9GU',
  country: 'GB',
};
const at = '2026-01-01T12:00:00.000Z';

const samples: { [T in EventType]: EventData<T> } = {
  UserRegistered: { userId, email: 'ada@example.com', name: 'Ada' },
  ProductCreated: {
    productId,
    sku: 'KIT-MUG-01',
    name: 'Stoneware mug',
    category: 'kitchen',
    price: eur(1250),
  },
  ProductUpdated: {
    productId,
    sku: 'KIT-MUG-01',
    name: 'Stoneware mug',
    category: 'kitchen',
    price: eur(1250),
    active: true,
  },
  PriceChanged: { productId, sku: 'KIT-MUG-01', oldPrice: eur(1250), newPrice: eur(1100) },
  StockReserved: {
    orderId,
    reservationId: otherId,
    lines: [{ sku: 'KIT-MUG-01', quantity: 2 }],
    expiresAt: at,
  },
  StockReservationFailed: {
    orderId,
    reason: 'OUT_OF_STOCK',
    unavailable: [{ sku: 'KIT-MUG-01', requested: 2, available: 1 }],
  },
  StockReleased: {
    orderId,
    reservationId: otherId,
    lines: [{ sku: 'KIT-MUG-01', quantity: 2 }],
    reason: 'CANCELLED',
  },
  StockChanged: { sku: 'KIT-MUG-01', onHand: 10, reserved: 2, available: 8 },
  CartCheckedOut: {
    orderId,
    cartId: userId,
    userId,
    email: 'ada@example.com',
    lines: [line],
    total: eur(2500),
    shippingAddress: address,
    paymentMethod: 'pm_card_visa',
    idempotencyKey: 'checkout-key-1',
    checkedOutAt: at,
  },
  OrderCreated: {
    orderId,
    userId,
    email: 'ada@example.com',
    lines: [line],
    total: eur(2500),
    shippingAddress: address,
    paymentMethod: 'pm_card_visa',
    paymentKey: 'checkout-key-1',
  },
  OrderStatusChanged: { orderId, userId, status: 'PENDING', at },
  OrderCancelled: { orderId, userId, reason: 'PAYMENT_DECLINED', previousStatus: 'STOCK_RESERVED' },
  OrderCompleted: { orderId, userId, total: eur(2500) },
  PaymentSucceeded: { orderId, paymentId: otherId, amount: eur(2500), brand: 'visa', last4: '4242' },
  PaymentFailed: { orderId, paymentId: otherId, reason: 'DECLINED', message: 'Your card was declined.' },
  PaymentRefunded: { orderId, paymentId: otherId, refundId: productId, amount: eur(2500) },
  ShippingCreated: { orderId, shipmentId: otherId, trackingNumber: 'BZ0123456789', carrier: 'Bazaar Post' },
  ShipmentDelivered: { orderId, shipmentId: otherId, trackingNumber: 'BZ0123456789', deliveredAt: at },
  ShipmentCancelled: {
    orderId,
    shipmentId: otherId,
    trackingNumber: 'BZ0123456789',
    reason: 'CUSTOMER_REQUEST',
  },
};

/** A valid payload of each event type, for tests; a fresh copy every call. */
export function sampleEventData<T extends EventType>(type: T): EventData<T> {
  return structuredClone(samples[type]) as EventData<T>;
}
