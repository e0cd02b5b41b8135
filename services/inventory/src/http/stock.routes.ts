import { type HttpServer, requireAdmin } from '@bazaar/platform';
import { z } from 'zod';
import type { StockService } from '../services/stock.service';

const StockLevel = z.object({
  sku: z.string(),
  onHand: z.number().int(),
  reserved: z.number().int(),
  available: z.number().int(),
});
const SkuParams = z.object({ sku: z.string().trim().min(1).max(64) });
const SetStockBody = z.object({ onHand: z.number().int().min(0).max(10_000_000) });

export function registerStockRoutes(app: HttpServer, stock: StockService): void {
  app.get(
    '/api/v1/inventory/:sku',
    {
      schema: {
        tags: ['inventory'],
        summary: "A SKU's stock",
        params: SkuParams,
        response: { 200: StockLevel },
      },
    },
    async (request) => stock.getStock(request.params.sku),
  );

  app.put(
    '/api/v1/inventory/:sku',
    {
      schema: {
        tags: ['inventory'],
        summary: 'Set the counted stock of a SKU (admin)',
        security: [{ bearerAuth: [] }],
        params: SkuParams,
        body: SetStockBody,
        response: { 200: StockLevel },
      },
    },
    async (request) => {
      requireAdmin(request);
      return stock.setOnHand(request.params.sku, request.body.onHand);
    },
  );
}
