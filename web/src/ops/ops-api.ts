import { api } from '../api/client';
import type { CancelReason, Money, OrderStatus } from '../api/types';

export interface ServiceHealth {
  name: string;
  status: 'up' | 'down';
  latencyMs: number;
  checks?: Record<string, string>;
  error?: string;
}

export interface PlatformHealth {
  status: 'ok' | 'degraded';
  services: ServiceHealth[];
}

export interface SagaSummary {
  orderId: string;
  userId: string;
  status: OrderStatus;
  total: Money;
  createdAt: string;
  deadlineAt: string;
  stuck: boolean;
}

export interface SagaStep {
  at: string;
  event: string;
  eventId: string;
  service: string;
  action: 'published' | 'handled';
  traceId?: string;
  pending?: boolean;
}

export interface OperatorAction {
  action: 'compensate' | 'retry';
  actor: string;
  reason?: string;
  eventIds: string[];
  at: string;
}

export interface SagaTimeline {
  orderId: string;
  status: OrderStatus;
  cancelReason?: CancelReason;
  stuck: boolean;
  createdAt: string;
  deadlineAt: string;
  operatorActions: OperatorAction[];
  steps: SagaStep[];
  unavailable: string[];
}

export interface DeadLetter {
  id: string;
  type: string;
  reason: string;
  failedAt: string;
  message: unknown;
  attempts?: number;
  headers?: Record<string, string>;
}

export interface DeadLetterPage {
  service: string;
  more: boolean;
  items: DeadLetter[];
}

export interface Figures {
  minutes: number;
  ordersPerMinute: { minute: string; COMPLETED: number; CANCELLED: number }[];
  checkoutLatencyMs: { count: number; p50: number | null; p95: number | null; p99: number | null };
}

/** The services with an event queue (and so a dead-letter queue), as the gateway names them. */
export const consumingServices = [
  'cart',
  'catalog',
  'inventory',
  'notifications',
  'orders',
  'payments',
  'shipping',
] as const;

/** The operations API of the gateway (admins only). */
export const opsApi = {
  health: (signal?: AbortSignal) => api.get<PlatformHealth>('/api/v1/admin/health', undefined, signal),
  listSagas: (filter: { stuck?: boolean; status?: OrderStatus; limit?: number }, signal?: AbortSignal) =>
    api.get<{ items: SagaSummary[] }>(
      '/api/v1/admin/sagas',
      { stuck: filter.stuck ? 'true' : undefined, status: filter.status, limit: filter.limit },
      signal,
    ),
  saga: (orderId: string, signal?: AbortSignal) =>
    api.get<SagaTimeline>(`/api/v1/admin/sagas/${encodeURIComponent(orderId)}`, undefined, signal),
  compensate: (orderId: string, reason?: string) =>
    api.post<{ orderId: string; status: 'CANCELLED'; previousStatus: OrderStatus }>(
      `/api/v1/admin/sagas/${encodeURIComponent(orderId)}/compensate`,
      reason ? { reason } : {},
    ),
  retry: (orderId: string) =>
    api.post<{ orderId: string; republished: string[] }>(
      `/api/v1/admin/sagas/${encodeURIComponent(orderId)}/retry`,
    ),
  deadLetters: (service: string, signal?: AbortSignal) =>
    api.get<DeadLetterPage>(`/api/v1/admin/dead-letters/${service}`, { limit: 100 }, signal),
  replayDeadLetters: (service: string) =>
    api.post<{ service: string; replayed: number }>(`/api/v1/admin/dead-letters/${service}/replay`),
  figures: (minutes: number, signal?: AbortSignal) =>
    api.get<Figures>('/api/v1/admin/figures', { minutes }, signal),
};
