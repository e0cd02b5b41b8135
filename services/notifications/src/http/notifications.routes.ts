import { type HttpServer, requireUser } from '@bazaar/platform';
import { z } from 'zod';
import type { NotificationService } from '../services/notification.service';

const Notification = z.object({
  id: z.uuid(),
  kind: z.enum([
    'WELCOME',
    'ORDER_PLACED',
    'ORDER_PAID',
    'ORDER_SHIPPED',
    'ORDER_DELIVERED',
    'ORDER_CANCELLED',
  ]),
  /** null for an email about the account rather than an order. */
  orderId: z.uuid().nullable(),
  subject: z.string(),
  channel: z.string(),
  status: z.enum(['PENDING', 'SENT', 'FAILED']),
  createdAt: z.string(),
});

export function registerNotificationRoutes(app: HttpServer, notify: NotificationService): void {
  const signedIn = [{ bearerAuth: [] }];
  app.get(
    '/api/v1/notifications',
    {
      schema: {
        tags: ['notifications'],
        summary: 'My notifications, newest first',
        security: signedIn,
        querystring: z.object({
          limit: z.coerce.number().int().min(1).max(100).default(20),
          cursor: z.uuid().optional(),
        }),
        response: { 200: z.object({ items: z.array(Notification), nextCursor: z.uuid().nullable() }) },
      },
    },
    async (request) => notify.list(requireUser(request), request.query.limit, request.query.cursor),
  );

  app.get(
    '/api/v1/notifications/:id',
    {
      schema: {
        tags: ['notifications'],
        summary: 'One notification with its text',
        security: signedIn,
        params: z.object({ id: z.uuid() }),
        response: { 200: Notification.extend({ bodyText: z.string() }) },
      },
    },
    async (request) => notify.get(request.params.id, requireUser(request)),
  );
}
