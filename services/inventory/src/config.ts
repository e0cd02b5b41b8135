import { PlatformEnv, serviceDirectory, serviceUrl } from '@bazaar/platform';
import { z } from 'zod';

export const InventoryConfig = PlatformEnv.extend({
  PORT: z.coerce.number().int().min(0).max(65535).default(serviceDirectory.inventory.port),
  GRPC_PORT: z.coerce.number().int().min(0).max(65535).default(serviceDirectory.inventory.grpcPort),
  IDENTITY_URL: z.url().default(serviceUrl('identity', {})),
  BAZAAR_SEED_DEMO: z.enum(['0', '1']).default('0'),
  /** Longer than the order deadline, so a live saga never loses its stock to expiry. */
  RESERVATION_TTL_SECONDS: z.coerce.number().int().positive().default(900),
  RESERVATION_SWEEP_MS: z.coerce.number().int().positive().default(1000),
});
export type InventoryConfig = z.infer<typeof InventoryConfig>;
