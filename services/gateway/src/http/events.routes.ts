import { type HttpServer, type TokenVerifier, unauthenticated } from '@bazaar/platform';
import { z } from 'zod';
import type { LiveUpdates } from '../services/live-updates';

/** `GET /api/v1/events`: the signed-in shopper's order status changes as Server-Sent Events. */
export function registerEventRoutes(app: HttpServer, live: LiveUpdates, verifier: TokenVerifier): void {
  app.get(
    '/api/v1/events',
    {
      schema: {
        tags: ['events'],
        summary: "Stream of the shopper's order status changes (text/event-stream)",
        description:
          'Each message is `event: order-status` with `data: {orderId, status, cancelReason?, at}`; `event: resync` means changes may have been missed (the gateway lost its broker connection): read the orders again. Browsers pass the access token as `access_token` (EventSource cannot send headers).',
        security: [{ bearerAuth: [] }],
        querystring: z.object({ access_token: z.string().optional() }),
      },
    },
    async (request, reply) => {
      const principal =
        request.principal ??
        (request.query.access_token ? await verifier.verify(request.query.access_token) : undefined);
      if (!principal) throw unauthenticated('auth.required', 'Sign in to follow your orders.');
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, {
        'content-type': 'text/event-stream',
        'cache-control': 'no-cache, no-transform',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
        'x-request-id': String(request.id),
      });
      res.write(': connected\n\n');
      const remove = live.add(principal.userId, res);
      const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), 15_000);
      request.raw.on('close', () => {
        clearInterval(heartbeat);
        remove();
      });
    },
  );
}
