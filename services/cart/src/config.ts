import { grpcUrl, PlatformEnv, serviceDirectory, serviceUrl } from '@bazaar/platform';
import { z } from 'zod';

export const CartConfig = PlatformEnv.extend({
  PORT: z.coerce.number().int().min(0).max(65535).default(serviceDirectory.cart.port),
  IDENTITY_URL: z.url().default(serviceUrl('identity', {})),
  IDENTITY_GRPC_URL: z.url().default(grpcUrl('identity', {})),
  CATALOG_GRPC_URL: z.url().default(grpcUrl('catalog', {})),
  INVENTORY_GRPC_URL: z.url().default(grpcUrl('inventory', {})),
  GRPC_TIMEOUT_MS: z.coerce.number().int().positive().default(2_500),
  /** How long an add to a cart reuses the catalog's answer about a product (0: ask every time). */
  PRODUCT_CACHE_MS: z.coerce.number().int().min(0).default(5_000),
});
export type CartConfig = z.infer<typeof CartConfig>;
