/** The public API's shapes, as the gateway answers them (see the README's API table). */

export interface Money {
  /** Integer minor units (cents, pence). */
  amount: number;
  currency: string;
}

export interface User {
  id: string;
  email: string;
  name: string;
  roles: string[];
}

export interface Session {
  user: User;
  accessToken: string;
  refreshToken: string;
}

export interface Product {
  id: string;
  sku: string;
  name: string;
  description: string;
  category: string;
  price: Money;
  available: number;
  imageUrl: string;
}

export interface ProductPage {
  items: Product[];
  nextCursor: string | null;
}

export interface Category {
  slug: string;
  name: string;
}

export interface CartLine {
  sku: string;
  productId: string;
  name: string;
  quantity: number;
  unitPrice: Money;
  lineTotal: Money;
}

export interface Cart {
  id: string;
  items: CartLine[];
  total: Money;
}

export interface Address {
  name: string;
  line1: string;
  line2?: string;
  city: string;
  postalCode: string;
  country: string;
}

export type OrderStatus = 'PENDING' | 'STOCK_RESERVED' | 'PAID' | 'COMPLETED' | 'DELIVERED' | 'CANCELLED';
export type CancelReason =
  | 'OUT_OF_STOCK'
  | 'PAYMENT_DECLINED'
  | 'TIMEOUT'
  | 'CUSTOMER_REQUEST'
  | 'OPERATOR_REQUEST';

export interface Order {
  id: string;
  status: OrderStatus;
  cancelReason?: CancelReason;
  lines: CartLine[];
  total: Money;
  shippingAddress: Address;
  history: { status: OrderStatus; at: string; reason?: CancelReason }[];
  shipment?: { trackingNumber: string };
  createdAt: string;
  updatedAt: string;
}

export interface OrderPage {
  items: Order[];
  nextCursor: string | null;
}

export interface CheckoutAccepted {
  orderId: string;
  status: 'PENDING';
}

export interface Stock {
  sku: string;
  onHand: number;
  reserved: number;
  available: number;
}

/** An order status change pushed over `GET /api/v1/events`. */
export interface OrderStatusEvent {
  orderId: string;
  status: OrderStatus;
  cancelReason?: CancelReason;
  at: string;
}

export type NotificationKind =
  | 'WELCOME'
  | 'ORDER_PLACED'
  | 'ORDER_PAID'
  | 'ORDER_SHIPPED'
  | 'ORDER_DELIVERED'
  | 'ORDER_CANCELLED';

export interface Notification {
  id: string;
  kind: NotificationKind;
  orderId: string | null;
  subject: string;
  channel: string;
  status: 'PENDING' | 'SENT' | 'FAILED';
  createdAt: string;
}

export interface NotificationPage {
  items: Notification[];
  nextCursor: string | null;
}

export interface StockPage {
  items: Stock[];
  nextCursor: string | null;
}

export interface ProductInput {
  sku?: string;
  name: string;
  description: string;
  category: string;
  price: Money;
  imageUrl?: string;
}
