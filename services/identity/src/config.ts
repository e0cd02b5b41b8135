import { PlatformEnv, serviceDirectory } from '@bazaar/platform';
import { z } from 'zod';
import { assertStrongPassword } from './domain/password-policy';

export const IdentityConfig = PlatformEnv.extend({
  PORT: z.coerce.number().int().min(0).max(65535).default(serviceDirectory.identity.port),
  GRPC_PORT: z.coerce.number().int().min(0).max(65535).default(serviceDirectory.identity.grpcPort),
  BAZAAR_ADMIN_EMAIL: z.email().optional(),
  BAZAAR_ADMIN_PASSWORD: z.string().optional(),
  /** A private Ed25519 JWK (JSON). When unset, a key is generated once and kept in the database. */
  IDENTITY_SIGNING_KEY: z.string().optional(),
  ACCESS_TOKEN_TTL_SECONDS: z.coerce.number().int().positive().default(900),
  REFRESH_TOKEN_TTL_DAYS: z.coerce.number().int().positive().default(30),
  LOGIN_MAX_FAILURES: z.coerce.number().int().positive().default(5),
  LOGIN_LOCK_SECONDS: z.coerce.number().int().positive().default(900),
}).superRefine((env, ctx) => {
  // The admin's password meets the same rule as everyone's, and a weak one is named at start-up.
  if (!env.BAZAAR_ADMIN_PASSWORD) return;
  try {
    assertStrongPassword(env.BAZAAR_ADMIN_PASSWORD, env.BAZAAR_ADMIN_EMAIL ?? '');
  } catch (err) {
    ctx.addIssue({ code: 'custom', path: ['BAZAAR_ADMIN_PASSWORD'], message: (err as Error).message });
  }
});
export type IdentityConfig = z.infer<typeof IdentityConfig>;
