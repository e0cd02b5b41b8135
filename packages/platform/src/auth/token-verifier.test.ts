import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createTokenVerifier, TOKEN_AUDIENCE, TOKEN_ISSUER } from './token-verifier';

async function keys() {
  const { privateKey, publicKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
  const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'EdDSA' };
  const sign = (claims: Record<string, unknown>, expiresAt: number) =>
    new SignJWT(claims)
      .setProtectedHeader({ alg: 'EdDSA', kid: 'k1' })
      .setIssuer(TOKEN_ISSUER)
      .setAudience(TOKEN_AUDIENCE)
      .setSubject('user-1')
      .setIssuedAt()
      .setExpirationTime(expiresAt)
      .sign(privateKey);
  return { jwks: { keys: [jwk] }, sign };
}

describe('token verifier', () => {
  afterEach(() => vi.useRealTimers());

  it('remembers a verified token until it expires, then refuses it', async () => {
    const { jwks, sign } = await keys();
    const verifier = createTokenVerifier({ jwks });
    const expiresAt = Math.floor(Date.now() / 1000) + 60;
    const token = await sign({ email: 'a@example.com', name: 'A', roles: ['customer'] }, expiresAt);

    const first = await verifier.verify(token);
    expect(first).toEqual({ userId: 'user-1', email: 'a@example.com', name: 'A', roles: ['customer'] });
    expect(await verifier.verify(token)).toBe(first);

    vi.useFakeTimers({ now: (expiresAt + 1) * 1000 });
    await expect(verifier.verify(token)).rejects.toMatchObject({ code: 'auth.token_expired' });
  });

  it('refuses a token whose signature was tampered with, even after the real one verified', async () => {
    const { jwks, sign } = await keys();
    const verifier = createTokenVerifier({ jwks });
    const token = await sign({ roles: ['customer'] }, Math.floor(Date.now() / 1000) + 60);
    await verifier.verify(token);
    const [header, , signature] = token.split('.');
    const forgedPayload = Buffer.from(
      JSON.stringify({
        sub: 'user-1',
        roles: ['admin'],
        iss: TOKEN_ISSUER,
        aud: TOKEN_AUDIENCE,
        exp: Math.floor(Date.now() / 1000) + 60,
      }),
    ).toString('base64url');
    await expect(verifier.verify(`${header}.${forgedPayload}.${signature}`)).rejects.toMatchObject({
      code: 'auth.invalid_token',
    });
  });
});
