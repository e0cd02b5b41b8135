import { Money } from '@bazaar/contracts';
import { type HttpServer, requireAdmin, requireUser } from '@bazaar/platform';
import { z } from 'zod';
import type { PaymentService } from '../services/payment.service';

const Payment = z.object({
  orderId: z.uuid(),
  status: z.enum(['PENDING', 'PROCESSING', 'SUCCEEDED', 'FAILED', 'VOIDED', 'REFUNDED']),
  amount: Money,
  brand: z.string().optional(),
  last4: z.string().optional(),
  failureReason: z.string().optional(),
  attempts: z.number().int(),
  refunded: z.boolean(),
});

const Summary = z.object({
  charges: z.number().int(),
  chargedAmount: z.number().int(),
  refunds: z.number().int(),
  refundedAmount: z.number().int(),
  ordersChargedTwice: z.number().int(),
});

export function registerPaymentRoutes(app: HttpServer, payments: PaymentService): void {
  app.get(
    '/api/v1/payments',
    {
      schema: {
        tags: ['payments'],
        summary: "An order's payment",
        security: [{ bearerAuth: [] }],
        querystring: z.object({ orderId: z.uuid() }),
        response: { 200: Payment },
      },
    },
    async (request) => payments.getForOrder(request.query.orderId, requireUser(request)),
  );

  app.get(
    '/api/v1/payments/summary',
    {
      schema: {
        tags: ['payments'],
        summary: 'Totals that must add up: captures, refunds, orders charged twice (admin)',
        security: [{ bearerAuth: [] }],
        response: { 200: Summary },
      },
    },
    async (request) => {
      requireAdmin(request);
      return payments.summary();
    },
  );
}
