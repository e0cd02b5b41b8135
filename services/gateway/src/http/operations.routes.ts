import {
  CancelReason,
  CompensateBody,
  Compensated,
  FiguresQuery,
  OperatorAction,
  OrderStatus,
  Retried,
  SagaFigures,
  SagaList,
  type SagaSummary,
} from '@bazaar/contracts';
import { type HttpServer, requireAdmin } from '@bazaar/platform';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { OperationsClient, UpstreamAnswer } from '../services/operations-client';

const tags = ['operations'];
const security = [{ bearerAuth: [] }];

const Health = z.object({
  status: z.enum(['ok', 'degraded']),
  services: z.array(
    z.object({
      name: z.string(),
      status: z.enum(['up', 'down']),
      latencyMs: z.number().int(),
      checks: z.record(z.string(), z.string()).optional(),
      error: z.string().optional(),
    }),
  ),
});

const SagaTimeline = z.object({
  orderId: z.uuid(),
  status: OrderStatus,
  cancelReason: CancelReason.optional(),
  stuck: z.boolean(),
  createdAt: z.string(),
  deadlineAt: z.string(),
  operatorActions: z.array(OperatorAction),
  steps: z.array(
    z.object({
      at: z.string(),
      event: z.string(),
      eventId: z.string(),
      service: z.string(),
      action: z.enum(['published', 'handled']),
      traceId: z.string().optional(),
      pending: z.boolean().optional().describe('In the outbox, not yet on the bus'),
    }),
  ),
  unavailable: z.array(z.string()).describe('Services that did not answer: their steps are missing'),
});

const SagaParams = z.object({ orderId: z.uuid() });
const ListSagasQuery = z.object({
  stuck: z.enum(['true', 'false']).optional(),
  status: OrderStatus.optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
});
/** A service's refusal (problem+json) goes to the operator unchanged, as the proxy does. */
function sendUpstreamProblem(reply: FastifyReply, answer: UpstreamAnswer) {
  return reply.status(answer.status).type(answer.contentType).send(answer.body);
}

const bearer = (request: FastifyRequest) => request.headers.authorization;

/**
 * The operations console's API (admins only): service health, the saga console (list, timeline,
 * compensate, retry) and live figures. The gateway checks the role first; each service checks the
 * operator's token again on its internal route.
 */
export function registerOperationsRoutes(app: HttpServer, client: OperationsClient): void {
  /**
   * Asks orders' saga console with the operator's token and answers with its body when it gives the
   * `expected` status; anything else (its problem+json) goes to the operator unchanged.
   */
  const forwardToOrders = async (
    request: FastifyRequest,
    reply: FastifyReply,
    path: string,
    { expected = 200, method, body }: { expected?: 200 | 202; method?: 'POST'; body?: unknown } = {},
  ) => {
    const answer = await client.call('orders', path, { method, body, authorization: bearer(request) });
    if (answer.status !== expected) return sendUpstreamProblem(reply, answer);
    return reply.status(expected).send(answer.body);
  };

  app.get(
    '/api/v1/admin/health',
    {
      schema: {
        tags,
        security,
        summary: "Every service's readiness as the gateway sees it, with how long each took to answer",
        response: { 200: Health },
      },
    },
    async (request) => {
      requireAdmin(request);
      const gateway = await app.inject({ method: 'GET', url: '/readyz' });
      const services = [
        {
          name: 'gateway',
          status: gateway.statusCode === 200 ? ('up' as const) : ('down' as const),
          latencyMs: 0,
          checks: (gateway.json() as { checks?: Record<string, string> }).checks,
        },
        ...(await client.probeAll()),
      ];
      const status = services.every((s) => s.status === 'up') ? ('ok' as const) : ('degraded' as const);
      return { status, services };
    },
  );

  app.get(
    '/api/v1/admin/sagas',
    {
      schema: {
        tags,
        security,
        summary:
          'Sagas in flight (or in `status`), the longest overdue first; `stuck=true` keeps those past their deadline',
        querystring: ListSagasQuery,
        response: { 200: SagaList },
      },
    },
    async (request, reply) => {
      requireAdmin(request);
      const { stuck, status, limit } = request.query;
      const query = new URLSearchParams({ limit: String(limit), ...(stuck ? { stuck } : {}) });
      if (status) query.set('status', status);
      return forwardToOrders(request, reply, `/internal/sagas?${query}`);
    },
  );

  app.get(
    '/api/v1/admin/sagas/:orderId',
    {
      schema: {
        tags,
        security,
        summary:
          "One order's saga: every event each service published (outbox) and handled (inbox), in time order",
        params: SagaParams,
        response: { 200: SagaTimeline },
      },
    },
    async (request, reply) => {
      requireAdmin(request);
      const { orderId } = request.params;
      const [state, timeline] = await Promise.all([
        client.call('orders', `/internal/sagas/${orderId}`, { authorization: bearer(request) }),
        client.sagaTimeline(orderId, bearer(request)),
      ]);
      if (state.status !== 200) return sendUpstreamProblem(reply, state);
      const saga = state.body as SagaSummary & {
        cancelReason?: CancelReason;
        operatorActions: OperatorAction[];
      };
      return {
        orderId,
        status: saga.status,
        ...(saga.cancelReason ? { cancelReason: saga.cancelReason } : {}),
        stuck: saga.stuck,
        createdAt: saga.createdAt,
        deadlineAt: saga.deadlineAt,
        operatorActions: saga.operatorActions,
        steps: timeline.steps,
        unavailable: timeline.unavailable,
      };
    },
  );

  app.post(
    '/api/v1/admin/sagas/:orderId/compensate',
    {
      schema: {
        tags,
        security,
        summary:
          'Cancel the order as its deadline would (OPERATOR_REQUEST): stock is released and the payment refunded; 409 once shipped or final',
        params: SagaParams,
        body: CompensateBody,
        response: { 202: Compensated },
      },
    },
    async (request, reply) => {
      requireAdmin(request);
      return forwardToOrders(request, reply, `/internal/sagas/${request.params.orderId}/compensate`, {
        expected: 202,
        method: 'POST',
        body: request.body ?? {},
      });
    },
  );

  app.post(
    '/api/v1/admin/sagas/:orderId/retry',
    {
      schema: {
        tags,
        security,
        summary:
          "Send the saga's latest step again (the last events orders published for it, same ids): consumers that had them ignore them; 409 once final",
        params: SagaParams,
        response: { 202: Retried },
      },
    },
    async (request, reply) => {
      requireAdmin(request);
      return forwardToOrders(request, reply, `/internal/sagas/${request.params.orderId}/retry`, {
        expected: 202,
        method: 'POST',
      });
    },
  );

  app.get(
    '/api/v1/admin/figures',
    {
      schema: {
        tags,
        security,
        summary:
          'Orders that ended per minute (COMPLETED, CANCELLED) and checkout latency (order created → final state), over the last `minutes`',
        querystring: FiguresQuery,
        response: { 200: SagaFigures },
      },
    },
    async (request, reply) => {
      requireAdmin(request);
      return forwardToOrders(request, reply, `/internal/figures?minutes=${request.query.minutes}`);
    },
  );
}
