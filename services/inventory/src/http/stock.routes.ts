import { type HttpServer, invalid, requireAdmin } from '@bazaar/platform';
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
const ListStockQuery = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(64).optional().describe('The last SKU of the previous page'),
  skus: z.string().max(4000).optional().describe('Only these SKUs, comma-separated (at most 200)'),
});
const StockPage = z.object({ items: z.array(StockLevel), nextCursor: z.string().nullable() });

export function registerStockRoutes(app: HttpServer, stock: StockService): void {
  app.get(
    '/api/v1/inventory',
    {
      schema: {
        tags: ['inventory'],
        summary: 'Stock levels in SKU order, a page at a time, or of the given SKUs (admin)',
        security: [{ bearerAuth: [] }],
        querystring: ListStockQuery,
        response: { 200: StockPage },
      },
    },
    async (request) => {
      requireAdmin(request);
      const { limit, cursor, skus } = request.query;
      const only = skus
        ?.split(',')
        .map((sku) => sku.trim())
        .filter(Boolean);
      if (only && only.length > 200)
        throw invalid('inventory.too_many_skus', 'Ask for at most 200 SKUs at once.');
      return stock.listStock({ limit, after: cursor, skus: only });
    },
  );

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
