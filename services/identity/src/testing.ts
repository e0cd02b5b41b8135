/** For other services' integration tests: a running identity service and signed-in users. */
import { randomUUID } from 'node:crypto';
import { type RunningService, type SharedInfrastructure, startService } from '@bazaar/platform';
import { type TestMode, testEnv } from '@bazaar/platform/testing';
import { identityService } from './service';

export const TEST_ADMIN = { email: 'admin@bazaar.test', password: 'correct-horse-battery-9' };

export interface TestUser {
  id: string;
  email: string;
  token: string;
  headers: { authorization: string };
}

export async function startTestIdentity(mode: TestMode, shared?: SharedInfrastructure, namespace?: string) {
  const env = testEnv(mode, {
    BAZAAR_ADMIN_EMAIL: TEST_ADMIN.email,
    BAZAAR_ADMIN_PASSWORD: TEST_ADMIN.password,
    ...(namespace ? { BAZAAR_NAMESPACE: namespace } : {}),
  });
  const service: RunningService = await startService(identityService, { env, shared });
  const session = async (url: string, payload: object): Promise<TestUser> => {
    const res = await service.app.inject({ method: 'POST', url, payload });
    if (res.statusCode >= 300) throw new Error(`${url} → ${res.statusCode} ${res.body}`);
    const body = res.json();
    return {
      id: body.user.id,
      email: body.user.email,
      token: body.accessToken,
      headers: { authorization: `Bearer ${body.accessToken}` },
    };
  };
  return {
    service,
    url: service.url,
    jwksUrl: `${service.url}/.well-known/jwks.json`,
    customer: (name = 'Test Shopper') =>
      session('/api/v1/auth/register', {
        email: `${randomUUID()}@example.com`,
        password: 'a-good-password-1',
        name,
      }),
    admin: () => session('/api/v1/auth/login', TEST_ADMIN),
    stop: () => service.stop(),
  };
}
