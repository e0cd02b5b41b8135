import { catalogV1, type Db, startGrpcServer } from '@bazaar/platform';
import { pricesBySku } from '../db/product.repository';

/** Authoritative names and prices for the cart, over gRPC. */
export function startCatalogGrpc(db: Db, host: string, port: number) {
  return startGrpcServer({
    host,
    port,
    register: (router) =>
      router.service(catalogV1.CatalogService, {
        async getProducts(request) {
          const rows = await pricesBySku(db, request.skus.slice(0, 500));
          return {
            products: rows.map((r) => ({
              productId: r.id,
              sku: r.sku,
              name: r.name,
              priceAmount: BigInt(r.price_amount),
              currency: r.currency,
              active: r.active,
            })),
          };
        },
      }),
  });
}
