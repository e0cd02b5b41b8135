import { PlatformEnv, serviceDirectory } from '@bazaar/platform';
import { z } from 'zod';

export const IdentityConfig = PlatformEnv.extend({
  PORT: z.coerce.number().int().min(0).max(65535).default(serviceDirectory.identity.port),
  BAZAAR_ADMIN_EMAIL: z.email().optional(),
  BAZAAR_ADMIN_PASSWORD: z.string().min(8).optional(),
  /** A private Ed25519 JWK (JSON). When unset, a key is generated once and kept in the database. */
  IDENTITY_SIGNING_KEY: z.string().optional(),
  ACCESS_TOKEN_TTL_SECONDS: z.coerce.number().int().positive().default(900),
  REFRESH_TOKEN_TTL_DAYS: z.coerce.number().int().positive().default(30),
  LOGIN_MAX_FAILURES: z.coerce.number().int().positive().default(5),
  LOGIN_LOCK_SECONDS: z.coerce.number().int().positive().default(900),
});
export type IdentityConfig = z.infer<typeof IdentityConfig>;
