import { PlatformEnv, serviceDirectory, serviceUrl } from '@bazaar/platform';
import { z } from 'zod';

export const ShippingConfig = PlatformEnv.extend({
  PORT: z.coerce.number().int().min(0).max(65535).default(serviceDirectory.shipping.port),
  IDENTITY_URL: z.url().default(serviceUrl('identity', {})),
  /** How long the simulated carrier takes to deliver. */
  SHIPPING_DELIVERY_DELAY_MS: z.coerce.number().int().nonnegative().default(5_000),
  /** How often the carrier looks for shipments due for delivery. */
  SHIPPING_SWEEP_MS: z.coerce.number().int().positive().default(1000),
});
export type ShippingConfig = z.infer<typeof ShippingConfig>;
