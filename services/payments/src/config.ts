import { PlatformEnv, serviceDirectory, serviceUrl } from '@bazaar/platform';
import { z } from 'zod';

export const PaymentsConfig = PlatformEnv.extend({
  PORT: z.coerce.number().int().min(0).max(65535).default(serviceDirectory.payments.port),
  IDENTITY_URL: z.url().default(serviceUrl('identity', {})),
  PROVIDER_TIMEOUT_MS: z.coerce.number().int().positive().default(500),
  PROVIDER_MAX_ATTEMPTS: z.coerce.number().int().positive().default(6),
  PROVIDER_BACKOFF_MS: z.coerce.number().int().positive().default(50),
  /** How long pm_card_slow's first charge takes (longer than the timeout, by design). */
  PROVIDER_SLOW_MS: z.coerce.number().int().positive().default(800),
  /** A charge not settled this long after a worker took it is taken again (the worker died). */
  PAYMENT_LEASE_MS: z.coerce.number().int().positive().default(10_000),
  /** How often to look for charges whose lease ran out; new charges start from their events at once. */
  PAYMENT_POLL_MS: z.coerce.number().int().positive().default(1000),
});
export type PaymentsConfig = z.infer<typeof PaymentsConfig>;
