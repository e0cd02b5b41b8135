import { z } from 'zod';
import { OrderStatus } from './events';
import { Money } from './money';

// The saga console's answers: the orders service gives them on its internal routes, and the gateway
// passes them on to the operator unchanged, so both validate them against these.

export const SagaSummary = z.object({
  orderId: z.uuid(),
  userId: z.string(),
  status: OrderStatus,
  total: Money,
  createdAt: z.string(),
  deadlineAt: z.string(),
  stuck: z.boolean().describe('Not final and past its deadline'),
});
export type SagaSummary = z.infer<typeof SagaSummary>;

export const SagaList = z.object({ items: z.array(SagaSummary) });

export const OperatorAction = z.object({
  action: z.enum(['compensate', 'retry']),
  actor: z.string(),
  reason: z.string().optional(),
  eventIds: z.array(z.string()),
  at: z.string(),
});
export type OperatorAction = z.infer<typeof OperatorAction>;

// Fastify hands a POST without a body over as null.
export const CompensateBody = z.object({ reason: z.string().trim().min(1).max(500).optional() }).nullish();

export const Compensated = z.object({
  orderId: z.uuid(),
  status: z.literal('CANCELLED'),
  previousStatus: OrderStatus,
});

export const Retried = z.object({ orderId: z.uuid(), republished: z.array(z.uuid()) });

export const FiguresQuery = z.object({ minutes: z.coerce.number().int().min(1).max(1440).default(60) });

export const SagaFigures = z.object({
  minutes: z.number().int(),
  ordersPerMinute: z.array(
    z.object({ minute: z.string(), COMPLETED: z.number().int(), CANCELLED: z.number().int() }),
  ),
  checkoutLatencyMs: z.object({
    count: z.number().int(),
    p50: z.number().nullable(),
    p95: z.number().nullable(),
    p99: z.number().nullable(),
  }),
});
export type SagaFigures = z.infer<typeof SagaFigures>;
