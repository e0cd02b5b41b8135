import {
  createHttpServer,
  createMessaging,
  createTokenVerifier,
  type GrpcServer,
  migrationsBeside,
  registerAuthentication,
  type ServiceDefinition,
  standardReadiness,
} from '@bazaar/platform';
import { IdentityConfig } from './config';
import { outbox } from './db/schema';
import { startIdentityGrpc } from './grpc/identity.grpc';
import { registerAddressRoutes } from './http/address.routes';
import { registerAuthRoutes } from './http/auth.routes';
import { createAddressBook } from './services/address-book';
import { createAuthService } from './services/auth.service';
import { loadSigner } from './services/signing-keys';

export const identityService: ServiceDefinition<IdentityConfig> = {
  name: 'identity',
  config: IdentityConfig,
  migrationsFolder: migrationsBeside(import.meta.url),
  async create({ config, logger, metrics, database, bus, kv }) {
    const messaging = createMessaging({ service: 'identity', database, bus, logger, metrics, outbox });
    const signer = await loadSigner(
      database.db,
      config.IDENTITY_SIGNING_KEY,
      config.ACCESS_TOKEN_TTL_SECONDS,
    );
    const auth = createAuthService({
      db: database.db,
      messaging,
      signer,
      kv,
      refreshTtlDays: config.REFRESH_TOKEN_TTL_DAYS,
      maxLoginFailures: config.LOGIN_MAX_FAILURES,
      loginLockSeconds: config.LOGIN_LOCK_SECONDS,
    });
    if (config.BAZAAR_ADMIN_EMAIL && config.BAZAAR_ADMIN_PASSWORD) {
      await auth.ensureAdmin(config.BAZAAR_ADMIN_EMAIL, config.BAZAAR_ADMIN_PASSWORD);
    }

    const app = await createHttpServer({
      service: 'identity',
      title: 'Bazaar identity',
      description: 'Accounts, sign-in and tokens',
      logger,
      metrics,
      readiness: standardReadiness(database, bus),
    });
    // Identity verifies its own tokens with its own public keys; no HTTP round trip needed.
    registerAuthentication(app, createTokenVerifier({ jwks: signer.jwks() }));
    registerAuthRoutes(app, auth, signer);
    const addressBook = createAddressBook(database.db);
    registerAddressRoutes(app, addressBook);

    let grpc: GrpcServer | undefined;
    return {
      app,
      async start() {
        grpc = await startIdentityGrpc(addressBook, config.HOST, config.GRPC_PORT);
        await messaging.start();
      },
      async stop() {
        await grpc?.close();
        await messaging.stop();
      },
      grpcUrl: () => grpc?.url ?? '',
    };
  },
};
