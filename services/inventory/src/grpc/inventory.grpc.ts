import { inventoryV1, startGrpcServer } from '@bazaar/platform';
import type { StockService } from '../services/stock.service';

/** Current availability for the cart, over gRPC. */
export function startInventoryGrpc(stock: StockService, host: string, port: number) {
  return startGrpcServer({
    host,
    port,
    register: (router) =>
      router.service(inventoryV1.InventoryService, {
        async getAvailability(request) {
          return { items: await stock.listAvailability(request.skus.slice(0, 500)) };
        },
      }),
  });
}
