import { Address } from '@bazaar/contracts';
import { type HttpServer, requireUser } from '@bazaar/platform';
import { z } from 'zod';
import type { ShippingService } from '../services/shipping.service';

const Shipment = z.object({
  orderId: z.uuid(),
  trackingNumber: z.string(),
  carrier: z.string(),
  status: z.enum(['CREATED', 'DELIVERED', 'CANCELLED']),
  address: Address.optional().describe("Where it goes; only for the order's owner or an admin"),
  deliveredAt: z.string().optional(),
  events: z.array(z.object({ status: z.string(), description: z.string(), at: z.string() })),
});

export function registerShipmentRoutes(app: HttpServer, shipping: ShippingService): void {
  app.get(
    '/api/v1/shipments/:trackingNumber',
    {
      schema: {
        tags: ['shipping'],
        summary: 'Track a shipment',
        params: z.object({
          trackingNumber: z.string().regex(/^BZ[A-Z0-9]{10}$/, 'a tracking number like BZ7KQ2M9XR4T'),
        }),
        response: { 200: Shipment },
      },
    },
    async (request) => shipping.track(request.params.trackingNumber),
  );

  app.get(
    '/api/v1/shipments',
    {
      schema: {
        tags: ['shipping'],
        summary: "An order's shipment",
        security: [{ bearerAuth: [] }],
        querystring: z.object({ orderId: z.uuid() }),
        response: { 200: Shipment },
      },
    },
    async (request) => shipping.findForOrder(request.query.orderId, requireUser(request)),
  );
}
