import { OperatorAction, OrderStatus, SagaSummary } from '@bazaar/contracts';
import { z } from 'zod';

// The answers the gateway passes on are in @bazaar/contracts (saga-console.ts); these are orders' own.

export const SagaParams = z.object({ orderId: z.uuid() });

export const ListSagasQuery = z.object({
  stuck: z
    .enum(['true', 'false'])
    .default('false')
    .transform((v) => v === 'true'),
  status: OrderStatus.optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
});

export const SagaState = SagaSummary.extend({
  cancelReason: z.string().optional(),
  updatedAt: z.string(),
  operatorActions: z.array(OperatorAction),
});
