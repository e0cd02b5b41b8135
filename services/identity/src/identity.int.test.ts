import {
  createGrpcClient,
  identityV1,
  isNotFound,
  type RunningService,
  startService,
} from '@bazaar/platform';
import {
  type EmbeddedTestInfrastructure,
  openEmbeddedTestInfrastructure,
  testEnv,
  testModes,
} from '@bazaar/platform/testing';
import { generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { identityService } from './service';

describe.each(testModes())('identity (%s)', (mode) => {
  let service: RunningService;
  let infra: EmbeddedTestInfrastructure | undefined;

  beforeAll(async () => {
    infra = mode === 'embedded' ? await openEmbeddedTestInfrastructure() : undefined;
    service = await startService(identityService, {
      env: testEnv(mode, {
        BAZAAR_ADMIN_EMAIL: 'admin@bazaar.test',
        BAZAAR_ADMIN_PASSWORD: 'correct-horse-battery-9',
        LOGIN_MAX_FAILURES: '3',
      }),
      shared: infra,
    });
  });
  afterAll(async () => {
    await service?.stop();
    await infra?.close();
  });

  const post = (url: string, payload: unknown, headers: Record<string, string> = {}) =>
    service.app.inject({ method: 'POST', url, payload: payload as object, headers });
  const register = (email: string, password = 'a-good-password-1', name = 'Ana') =>
    post('/api/v1/auth/register', { email, password, name });

  it('registers, answers me, and refuses a taken email', async () => {
    const res = await register('Ana@Example.com');
    expect(res.statusCode).toBe(201);
    const body = res.json();
    expect(body.user).toMatchObject({ email: 'ana@example.com', name: 'Ana', roles: ['customer'] });
    expect(body.user.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7/);

    const me = await service.app.inject({
      url: '/api/v1/me',
      headers: { authorization: `Bearer ${body.accessToken}` },
    });
    expect(me.statusCode).toBe(200);
    expect(me.json()).toEqual(body.user);

    const again = await register('ana@example.com');
    expect(again.statusCode).toBe(409);
    expect(again.headers['content-type']).toContain('application/problem+json');
    expect(again.json()).toMatchObject({ status: 409, code: 'identity.email_taken' });
  });

  it.each([
    [{ email: 'not-an-email', password: 'a-good-password-1', name: 'X' }, 'request.invalid'],
    [{ email: 'x1@example.com', password: 'short', name: 'X' }, 'identity.weak_password'],
    [{ email: 'x2@example.com', name: 'X' }, 'request.invalid'],
    [{ email: 'x3@example.com', password: 12345678901, name: 'X' }, 'request.invalid'],
  ])('refuses bad registration input %j with 400 and stores nothing', async (payload, code) => {
    const res = await post('/api/v1/auth/register', payload);
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ status: 400, code });
    expect(res.json().detail).toBeTruthy();
    const login = await post('/api/v1/auth/login', { email: payload.email, password: 'a-good-password-1' });
    expect(login.statusCode).toBe(login.json().code === 'request.invalid' ? 400 : 401);
  });

  it('refuses an oversized body with 413', async () => {
    const res = await post('/api/v1/auth/register', {
      email: 'big@example.com',
      password: 'a-good-password-1',
      name: 'x'.repeat(200_000),
    });
    expect(res.statusCode).toBe(413);
    expect(res.json().code).toBe('request.too_large');
  });

  it('logs in, and locks an email after repeated failures', async () => {
    await register('bo@example.com');
    const ok = await post('/api/v1/auth/login', { email: 'bo@example.com', password: 'a-good-password-1' });
    expect(ok.statusCode).toBe(200);
    for (let i = 0; i < 3; i++) {
      const bad = await post('/api/v1/auth/login', { email: 'bo@example.com', password: 'wrong-password-1' });
      expect(bad.statusCode).toBe(401);
    }
    const locked = await post('/api/v1/auth/login', {
      email: 'bo@example.com',
      password: 'a-good-password-1',
    });
    expect(locked.statusCode).toBe(429);
    expect(locked.json().code).toBe('identity.login_locked');
  });

  it('rotates refresh tokens and revokes the family when an old one is reused', async () => {
    const first = (await register('cy@example.com')).json();
    const second = await post('/api/v1/auth/refresh', { refreshToken: first.refreshToken });
    expect(second.statusCode).toBe(200);
    const pair = second.json();
    expect(pair.refreshToken).not.toBe(first.refreshToken);

    const reuse = await post('/api/v1/auth/refresh', { refreshToken: first.refreshToken });
    expect(reuse.statusCode).toBe(401);
    expect(reuse.json().code).toBe('identity.refresh_token_reused');
    // The thief's reuse also kills the legitimate newer token of that family.
    const afterRevoke = await post('/api/v1/auth/refresh', { refreshToken: pair.refreshToken });
    expect(afterRevoke.statusCode).toBe(401);
  });

  it('bootstraps the admin and publishes JWKS', async () => {
    const login = await post('/api/v1/auth/login', {
      email: 'admin@bazaar.test',
      password: 'correct-horse-battery-9',
    });
    expect(login.statusCode).toBe(200);
    expect(login.json().user.roles).toContain('admin');
    const jwks = await service.app.inject({ url: '/.well-known/jwks.json' });
    expect(jwks.json().keys[0]).toMatchObject({ kty: 'OKP', crv: 'Ed25519', alg: 'EdDSA' });
    expect(jwks.json().keys[0].d).toBeUndefined();
  });

  it("keeps a customer's addresses, theirs only, up to the limit", async () => {
    const [ana, bob] = await Promise.all([
      register(`book-ana-${Date.now()}@example.com`),
      register(`book-bob-${Date.now()}@example.com`),
    ]);
    const as = (session: typeof ana) => ({ authorization: `Bearer ${session.json().accessToken}` });
    const home = {
      name: 'Ana Ruiz',
      line1: '3 Calle Mayor',
      city: 'Madrid',
      postalCode: '28013',
      country: 'ES',
    };
    const saved = await post('/api/v1/me/addresses', home, as(ana));
    expect(saved.statusCode).toBe(201);
    expect(saved.json()).toMatchObject(home);
    expect(saved.json().id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7/);
    const work = await post(
      '/api/v1/me/addresses',
      { ...home, line1: '1 Gran Vía', line2: 'Floor 4' },
      as(ana),
    );
    expect(work.json().line2).toBe('Floor 4');

    const list = (session: typeof ana) =>
      service.app.inject({ url: '/api/v1/me/addresses', headers: as(session) });
    expect((await list(ana)).json().items.map((a: { line1: string }) => a.line1)).toEqual([
      '3 Calle Mayor',
      '1 Gran Vía',
    ]);
    expect((await list(bob)).json().items).toEqual([]);

    const bad = await post('/api/v1/me/addresses', { ...home, country: 'Spain' }, as(ana));
    expect(bad.statusCode).toBe(400);
    expect(bad.headers['content-type']).toContain('application/problem+json');
    expect(bad.json().detail).toMatch(/country/);

    const remove = (id: string, session: typeof ana) =>
      service.app.inject({ method: 'DELETE', url: `/api/v1/me/addresses/${id}`, headers: as(session) });
    expect((await remove(saved.json().id, bob)).statusCode).toBe(404);
    expect((await remove(saved.json().id, ana)).statusCode).toBe(204);
    expect((await remove(saved.json().id, ana)).statusCode).toBe(404);
    expect((await remove('not-a-uuid', ana)).statusCode).toBe(400);
    expect((await list(ana)).json().items).toHaveLength(1);

    // Twenty-five at once: exactly the limit is kept, the rest are told why.
    const burst = await Promise.all(
      Array.from({ length: 25 }, (_, i) =>
        post('/api/v1/me/addresses', { ...home, line1: `${i} Calle` }, as(bob)),
      ),
    );
    expect(burst.filter((r) => r.statusCode === 201)).toHaveLength(20);
    const refused = burst.filter((r) => r.statusCode === 409);
    expect(refused).toHaveLength(5);
    expect(refused[0]!.json().code).toBe('identity.address_limit');
    expect((await list(bob)).json().items).toHaveLength(20);
    expect((await service.app.inject({ url: '/api/v1/me/addresses' })).statusCode).toBe(401);
  });

  it('hands a saved address over gRPC to its owner only', async () => {
    const [ana, bob] = await Promise.all([
      register(`grpc-ana-${Date.now()}@example.com`),
      register(`grpc-bob-${Date.now()}@example.com`),
    ]);
    const home = {
      name: 'Ana Ruiz',
      line1: '3 Calle Mayor',
      city: 'Madrid',
      postalCode: '28013',
      country: 'ES',
    };
    const saved = (
      await post('/api/v1/me/addresses', home, { authorization: `Bearer ${ana.json().accessToken}` })
    ).json();
    const client = createGrpcClient(identityV1.IdentityService, { baseUrl: service.grpcUrl! });
    const get = (userId: string, addressId: string) =>
      client.getAddress({ userId, addressId }).catch((err: unknown) => err);
    expect(await get(ana.json().user.id, saved.id)).toMatchObject({
      address: { id: saved.id, ...home, line2: '' },
    });
    expect(isNotFound(await get(bob.json().user.id, saved.id))).toBe(true);
    expect(isNotFound(await get(ana.json().user.id, 'not-a-uuid'))).toBe(true);
  });

  it('answers 401 for forged, malformed and expired tokens', async () => {
    const { privateKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
    const forged = await new SignJWT({ roles: ['admin'] })
      .setProtectedHeader({ alg: 'EdDSA' })
      .setSubject('0190a6e0-0000-7000-8000-000000000000')
      .setIssuer('bazaar-identity')
      .setAudience('bazaar')
      .setExpirationTime('5m')
      .sign(privateKey);
    for (const authorization of [`Bearer ${forged}`, 'Bearer not.a.jwt', 'Basic abc']) {
      const res = await service.app.inject({ url: '/api/v1/me', headers: { authorization } });
      expect(res.statusCode).toBe(401);
      expect(res.headers['content-type']).toContain('application/problem+json');
    }
    const anonymous = await service.app.inject({ url: '/api/v1/me' });
    expect(anonymous.statusCode).toBe(401);
  });
});
