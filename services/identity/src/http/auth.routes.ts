import { type HttpServer, requireUser } from '@bazaar/platform';
import type { AuthService } from '../services/auth.service';
import type { AccessTokenSigner } from '../services/signing-keys';
import { LoginBody, PublicUser, RefreshBody, RegisterBody, Session } from './auth.schemas';

export function registerAuthRoutes(app: HttpServer, auth: AuthService, signer: AccessTokenSigner): void {
  app.post(
    '/api/v1/auth/register',
    {
      schema: {
        tags: ['auth'],
        summary: 'Create a customer account and sign in',
        body: RegisterBody,
        response: { 201: Session },
      },
    },
    async (request, reply) => reply.status(201).send(await auth.register(request.body)),
  );

  app.post(
    '/api/v1/auth/login',
    { schema: { tags: ['auth'], summary: 'Sign in', body: LoginBody, response: { 200: Session } } },
    async (request) => auth.login(request.body, request.ip),
  );

  app.post(
    '/api/v1/auth/refresh',
    {
      schema: {
        tags: ['auth'],
        summary: 'Exchange a refresh token for a new pair (the old one stops working)',
        body: RefreshBody,
        response: { 200: Session },
      },
    },
    async (request) => auth.refresh(request.body.refreshToken),
  );

  app.get(
    '/api/v1/me',
    {
      schema: {
        tags: ['auth'],
        summary: 'The signed-in user',
        security: [{ bearerAuth: [] }],
        response: { 200: PublicUser },
      },
    },
    async (request) => auth.getUser(requireUser(request).userId),
  );

  app.get('/.well-known/jwks.json', { schema: { hide: true } }, async (_request, reply) => {
    reply.header('cache-control', 'public, max-age=300');
    return signer.jwks();
  });
}
