import { createHash } from 'node:crypto';
import { type Db, TOKEN_AUDIENCE, TOKEN_ISSUER } from '@bazaar/platform';
import { asc } from 'drizzle-orm';
import { exportJWK, generateKeyPair, importJWK, type JWK, SignJWT } from 'jose';
import { signingKeys } from '../db/schema';

export interface TokenClaims {
  sub: string;
  email: string;
  name: string;
  roles: string[];
}

export interface AccessTokenSigner {
  sign(claims: TokenClaims): Promise<string>;
  jwks(): { keys: JWK[] };
}

/**
 * Loads the signing key: from IDENTITY_SIGNING_KEY when set, otherwise the oldest key in the database,
 * generating one on first start so that tokens survive restarts and every replica signs alike.
 */
export async function loadSigner(db: Db, configuredKey: string | undefined, ttlSeconds: number) {
  let privateJwk: JWK;
  if (configuredKey) {
    privateJwk = JSON.parse(configuredKey) as JWK;
  } else {
    const [existing] = await db.select().from(signingKeys).orderBy(asc(signingKeys.createdAt)).limit(1);
    if (existing) {
      privateJwk = existing.privateJwk as JWK;
    } else {
      const { privateKey, publicKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
      const pub = await exportJWK(publicKey);
      privateJwk = await exportJWK(privateKey);
      const kid = thumbprint(pub);
      await db.insert(signingKeys).values({ kid, privateJwk, publicJwk: pub }).onConflictDoNothing();
      // Two replicas starting together each made a key; both settle on the oldest.
      const [winner] = await db.select().from(signingKeys).orderBy(asc(signingKeys.createdAt)).limit(1);
      privateJwk = winner!.privateJwk as JWK;
    }
  }
  const { d: _private, ...publicJwk } = privateJwk;
  const kid = thumbprint(publicJwk);
  const key = await importJWK({ ...privateJwk, alg: 'EdDSA' }, 'EdDSA');
  const signer: AccessTokenSigner = {
    sign: (claims) =>
      new SignJWT({ email: claims.email, name: claims.name, roles: claims.roles })
        .setProtectedHeader({ alg: 'EdDSA', kid })
        .setSubject(claims.sub)
        .setIssuer(TOKEN_ISSUER)
        .setAudience(TOKEN_AUDIENCE)
        .setIssuedAt()
        .setExpirationTime(`${ttlSeconds}s`)
        .sign(key),
    jwks: () => ({ keys: [{ ...publicJwk, kid, alg: 'EdDSA', use: 'sig' }] }),
  };
  return signer;
}

function thumbprint(jwk: JWK): string {
  return createHash('sha256').update(`${jwk.crv}:${jwk.x}`).digest('base64url').slice(0, 16);
}
