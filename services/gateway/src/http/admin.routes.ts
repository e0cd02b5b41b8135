import { consumingServices, type EventBus, type HttpServer, notFound, requireAdmin } from '@bazaar/platform';
import { z } from 'zod';

const ServiceParams = z.object({ service: z.string() });
const ListQuery = z.object({ limit: z.coerce.number().int().min(1).max(1000).default(100) });

const DeadLetters = z.object({
  service: z.string(),
  /** More are kept than the page shows (replay sends them all). */
  more: z.boolean(),
  items: z.array(
    z.object({
      id: z.string(),
      type: z.string(),
      reason: z.string(),
      failedAt: z.string(),
      message: z.unknown(),
      attempts: z.number().int().optional().describe('Deliveries tried before it was dead-lettered'),
      headers: z.record(z.string(), z.string()).optional().describe("The broker's message headers"),
    }),
  ),
});

const Replayed = z.object({ service: z.string(), replayed: z.number().int() });

/** The service's queue is named after it. */
function consumingService(name: string): string {
  if (!(consumingServices as readonly string[]).includes(name)) {
    throw notFound(
      'dead_letters.unknown_service',
      `"${name}" consumes no events; the services that do are ${consumingServices.join(', ')}.`,
    );
  }
  return name;
}

/**
 * The operator's view of the per-service dead-letter queues (admins only), the same in both modes: the
 * gateway reads them through its own bus connection, RabbitMQ's queues or the embedded bus's store.
 */
export function registerAdminRoutes(app: HttpServer, bus: EventBus): void {
  const tags = ['operations'];
  const security = [{ bearerAuth: [] }];
  app.get(
    '/api/v1/admin/dead-letters/:service',
    {
      schema: {
        tags,
        security,
        summary:
          "A service's dead letters, oldest first: the events it could not handle, and why (admin); `limit` (1–1000, default 100) per answer",
        params: ServiceParams,
        querystring: ListQuery,
        response: { 200: DeadLetters },
      },
    },
    async (request) => {
      requireAdmin(request);
      const service = consumingService(request.params.service);
      const { limit } = request.query;
      const letters = await bus.listDeadLetters(service, limit + 1);
      return { service, more: letters.length > limit, items: letters.slice(0, limit) };
    },
  );

  app.post(
    '/api/v1/admin/dead-letters/:service/replay',
    {
      schema: {
        tags,
        security,
        summary:
          "Send a service's dead letters back to it (admin); its inbox drops any it had applied, and one that fails again is dead-lettered again",
        params: ServiceParams,
        response: { 200: Replayed },
      },
    },
    async (request) => {
      requireAdmin(request);
      const service = consumingService(request.params.service);
      return { service, replayed: await bus.replayDeadLetters(service) };
    },
  );
}
