import { PlatformEnv, serviceDirectory, serviceUrl } from '@bazaar/platform';
import { z } from 'zod';

export const OrdersConfig = PlatformEnv.extend({
  PORT: z.coerce.number().int().min(0).max(65535).default(serviceDirectory.orders.port),
  IDENTITY_URL: z.url().default(serviceUrl('identity', {})),
  /** A saga not completed this long after checkout is cancelled with TIMEOUT and compensated. */
  ORDER_DEADLINE_SECONDS: z.coerce.number().int().positive().default(120),
  ORDER_SWEEP_MS: z.coerce.number().int().positive().default(1000),
});
export type OrdersConfig = z.infer<typeof OrdersConfig>;
