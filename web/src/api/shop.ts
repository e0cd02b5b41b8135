import { api } from './client';
import type {
  Address,
  Category,
  CheckoutAccepted,
  Notification,
  NotificationPage,
  Order,
  OrderPage,
  OrderStatus,
  Product,
  ProductInput,
  ProductPage,
  Stock,
  StockPage,
} from './types';

const id = (value: string) => encodeURIComponent(value);

export const catalogApi = {
  listProducts: (
    query: { q?: string; category?: string; cursor?: string; limit?: number },
    signal?: AbortSignal,
  ) => api.get<ProductPage>('/api/v1/products', query, signal),
  getProduct: (productId: string, signal?: AbortSignal) =>
    api.get<Product>(`/api/v1/products/${id(productId)}`, undefined, signal),
  listCategories: (signal?: AbortSignal) => api.get<Category[]>('/api/v1/categories', undefined, signal),
  createProduct: (product: ProductInput) => api.post<Product>('/api/v1/products', product),
  updateProduct: (productId: string, changes: Partial<ProductInput>) =>
    api.patch<Product>(`/api/v1/products/${id(productId)}`, changes),
  deleteProduct: (productId: string) => api.delete<void>(`/api/v1/products/${id(productId)}`),
};

export const orderApi = {
  checkout: (body: { shippingAddress: Address; paymentMethod: string }, idempotencyKey: string) =>
    api.post<CheckoutAccepted>('/api/v1/checkout', body, idempotencyKey),
  listOrders: (
    query: { cursor?: string; status?: OrderStatus[]; mine?: boolean; limit?: number },
    signal?: AbortSignal,
  ) =>
    api.get<OrderPage>(
      '/api/v1/orders',
      {
        cursor: query.cursor,
        limit: query.limit,
        status: query.status?.join(','),
        mine: query.mine ? 'true' : undefined,
      },
      signal,
    ),
  getOrder: (orderId: string, signal?: AbortSignal) =>
    api.get<Order>(`/api/v1/orders/${id(orderId)}`, undefined, signal),
  cancelOrder: (orderId: string) =>
    api.post<{ id: string; status: 'CANCELLED' }>(`/api/v1/orders/${id(orderId)}/cancel`),
};

export const notificationApi = {
  list: (cursor: string | undefined, signal?: AbortSignal) =>
    api.get<NotificationPage>('/api/v1/notifications', { cursor }, signal),
  get: (notificationId: string) =>
    api.get<Notification & { bodyText: string }>(`/api/v1/notifications/${id(notificationId)}`),
};

export const inventoryApi = {
  listStock: (skus: string[], signal?: AbortSignal) =>
    api.get<StockPage>(
      '/api/v1/inventory',
      { skus: skus.join(','), limit: Math.max(skus.length, 1) },
      signal,
    ),
  setOnHand: (sku: string, onHand: number) => api.put<Stock>(`/api/v1/inventory/${id(sku)}`, { onHand }),
};
