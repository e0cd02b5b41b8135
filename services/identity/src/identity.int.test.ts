import { type RunningService, startService } from '@bazaar/platform';
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
