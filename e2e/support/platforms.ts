import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { testEnv, testModes } from '@bazaar/platform/testing';
import { type Platform, startPlatform } from '../../launcher/platform';

export const ADMIN = { email: 'admin@bazaar.test', password: 'correct-horse-battery-9' };

/** The environment of an end-to-end platform: fast simulated carrier, quiet logs, a test admin. */
export function e2eEnv(mode: 'embedded' | 'server', extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = testEnv(mode, {
    BAZAAR_ADMIN_EMAIL: ADMIN.email,
    BAZAAR_ADMIN_PASSWORD: ADMIN.password,
    BAZAAR_DATA_DIR: mkdtempSync(path.join(tmpdir(), 'bazaar-e2e-')),
    BAZAAR_SEED_DEMO: '0',
    SHIPPING_DELIVERY_DELAY_MS: '300',
    RATE_LIMIT_MAX: '100000',
    AUTH_RATE_LIMIT_MAX: '100000',
    PG_POOL_MAX: '5',
    ...extra,
  });
  return env;
}

export async function startE2ePlatform(mode: 'embedded' | 'server', extra: Record<string, string> = {}) {
  const env = e2eEnv(mode, extra);
  return startPlatform({ env, ports: 'random' }) as Promise<Platform>;
}

export { testModes };
