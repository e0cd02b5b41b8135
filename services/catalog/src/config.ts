import { PlatformEnv, serviceDirectory, serviceUrl } from '@bazaar/platform';
import { z } from 'zod';

export const CatalogConfig = PlatformEnv.extend({
  PORT: z.coerce.number().int().min(0).max(65535).default(serviceDirectory.catalog.port),
  GRPC_PORT: z.coerce.number().int().min(0).max(65535).default(serviceDirectory.catalog.grpcPort),
  IDENTITY_URL: z.url().default(serviceUrl('identity', {})),
  BAZAAR_SEED_DEMO: z.enum(['0', '1']).default('0'),
  CATALOG_CACHE_TTL_SECONDS: z.coerce.number().int().positive().default(60),
  /** How soon cached pages show new stock figures; changes within it share one refresh (0: at once). */
  CATALOG_STOCK_REFRESH_MS: z.coerce.number().int().min(0).default(1_000),
  /** How long shared caches (the gateway, a CDN) may keep public catalog pages; 0 turns that off. */
  CATALOG_PUBLIC_MAX_AGE_SECONDS: z.coerce.number().int().min(0).default(2),
});
export type CatalogConfig = z.infer<typeof CatalogConfig>;
