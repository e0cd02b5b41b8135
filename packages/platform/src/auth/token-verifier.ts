import type { FastifyInstance, FastifyRequest } from 'fastify';
import {
  createLocalJWKSet,
  createRemoteJWKSet,
  type JSONWebKeySet,
  errors as joseErrors,
  jwtVerify,
} from 'jose';
import { AppError, forbidden, unauthenticated } from '../errors';

export const TOKEN_ISSUER = 'bazaar-identity';
export const TOKEN_AUDIENCE = 'bazaar';

export type Role = 'customer' | 'admin';

export interface Principal {
  userId: string;
  email: string;
  name: string;
  roles: Role[];
}

export interface TokenVerifier {
  verify(token: string): Promise<Principal>;
}

declare module 'fastify' {
  interface FastifyRequest {
    principal?: Principal;
  }
}

/** The verifier every service uses: identity's published keys. */
export const identityTokenVerifier = (identityUrl: string) =>
  createTokenVerifier({ jwksUrl: `${identityUrl}/.well-known/jwks.json` });

/** How many verified tokens a process remembers (a shopper sends the same one with every request). */
const VERIFIED_TOKENS_KEPT = 10_000;

/**
 * Verifies access tokens against identity's JWKS (fetched once, refreshed when an unknown key id shows
 * up). A token that verified is remembered until it expires, so the signature of the token a client
 * sends with every request is checked once, not on every request.
 */
export function createTokenVerifier(source: { jwksUrl: string } | { jwks: JSONWebKeySet }): TokenVerifier {
  const keys =
    'jwksUrl' in source
      ? createRemoteJWKSet(new URL(source.jwksUrl), { timeoutDuration: 2_000, cooldownDuration: 10_000 })
      : createLocalJWKSet(source.jwks);
  const verified = new Map<string, { principal: Principal; expiresAtMs: number }>();
  return {
    async verify(token) {
      const known = verified.get(token);
      if (known) {
        if (known.expiresAtMs > Date.now()) return known.principal;
        verified.delete(token);
      }
      try {
        const { payload } = await jwtVerify(token, keys, {
          issuer: TOKEN_ISSUER,
          audience: TOKEN_AUDIENCE,
          algorithms: ['EdDSA'],
        });
        const principal: Principal = {
          userId: String(payload.sub),
          email: String(payload.email ?? ''),
          name: String(payload.name ?? ''),
          roles: (Array.isArray(payload.roles) ? payload.roles : []) as Role[],
        };
        if (typeof payload.exp === 'number') {
          // The oldest entry makes room (a Map iterates in insertion order).
          if (verified.size >= VERIFIED_TOKENS_KEPT) verified.delete(verified.keys().next().value!);
          verified.set(token, { principal, expiresAtMs: payload.exp * 1000 });
        }
        return principal;
      } catch (err) {
        if (err instanceof joseErrors.JWTExpired)
          throw unauthenticated('auth.token_expired', 'The access token has expired.');
        if (err instanceof joseErrors.JOSEError)
          throw unauthenticated('auth.invalid_token', 'The access token is not valid.');
        throw new AppError('unavailable', 'auth.keys_unavailable', 'Token keys could not be loaded.');
      }
    },
  };
}

/** Reads a bearer token when one is sent; routes decide with requireUser/requireAdmin whether it is needed. */
export function registerAuthentication(app: FastifyInstance, verifier: TokenVerifier): void {
  app.decorateRequest('principal', undefined);
  app.addHook('onRequest', async (request) => {
    const header = request.headers.authorization;
    if (!header) return;
    const [scheme, token] = header.split(' ');
    if (scheme?.toLowerCase() !== 'bearer' || !token) {
      throw unauthenticated('auth.invalid_token', 'Authorization must be "Bearer <token>".');
    }
    request.principal = await verifier.verify(token);
  });
}

export function requireUser(request: FastifyRequest): Principal {
  if (!request.principal) throw unauthenticated('auth.required', 'Sign in to do this.');
  return request.principal;
}

export function requireAdmin(request: FastifyRequest): Principal {
  const principal = requireUser(request);
  if (!principal.roles.includes('admin'))
    throw forbidden('auth.admin_only', 'Only administrators may do this.');
  return principal;
}

export const isAdmin = (p: Principal | undefined) => p?.roles.includes('admin') ?? false;
