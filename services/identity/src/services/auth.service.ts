import { createHash, randomBytes } from 'node:crypto';
import { createEvent } from '@bazaar/contracts';
import {
  AppError,
  conflict,
  type Db,
  type KeyValueStore,
  type Messaging,
  notFound,
  unauthenticated,
} from '@bazaar/platform';
import { hash, verify } from '@node-rs/argon2';
import { and, eq, isNull } from 'drizzle-orm';
import { v7 as uuidv7 } from 'uuid';
import { refreshTokens, users } from '../db/schema';
import { assertStrongPassword } from '../domain/password-policy';
import type { AccessTokenSigner } from './signing-keys';

export interface PublicUser {
  id: string;
  email: string;
  name: string;
  roles: string[];
}

export interface Session {
  user: PublicUser;
  accessToken: string;
  refreshToken: string;
}

export interface AuthDeps {
  db: Db;
  messaging: Messaging;
  signer: AccessTokenSigner;
  kv: KeyValueStore;
  refreshTtlDays: number;
  maxLoginFailures: number;
  loginLockSeconds: number;
}

type UserRow = typeof users.$inferSelect;

const toPublicUser = (u: UserRow): PublicUser => ({ id: u.id, email: u.email, name: u.name, roles: u.roles });
const hashToken = (token: string) => createHash('sha256').update(token).digest('base64url');
const normaliseEmail = (email: string) => email.trim().toLowerCase();

// Verifying against a real hash when the user does not exist keeps the answer time the same, so
// response times do not tell which emails have accounts.
const decoyHash = hash('decoy-password-for-timing', { algorithm: 2 });

export function createAuthService(deps: AuthDeps) {
  const { db, messaging, signer, kv } = deps;

  async function issueSession(
    user: UserRow,
    familyId: string,
    tx: Pick<Db, 'insert'> = db,
  ): Promise<Session> {
    const refreshToken = randomBytes(32).toString('base64url');
    await tx.insert(refreshTokens).values({
      id: uuidv7(),
      userId: user.id,
      familyId,
      tokenHash: hashToken(refreshToken),
      expiresAt: new Date(Date.now() + deps.refreshTtlDays * 86_400_000),
    });
    const accessToken = await signer.sign({
      sub: user.id,
      email: user.email,
      name: user.name,
      roles: user.roles,
    });
    return { user: toPublicUser(user), accessToken, refreshToken };
  }

  async function createUser(input: { email: string; password: string; name: string; roles?: string[] }) {
    const email = normaliseEmail(input.email);
    assertStrongPassword(input.password, email);
    const passwordHash = await hash(input.password, { algorithm: 2 });
    try {
      return await messaging.transact(async (tx, emit) => {
        const [user] = await tx
          .insert(users)
          .values({
            id: uuidv7(),
            email,
            name: input.name.trim(),
            passwordHash,
            roles: input.roles ?? ['customer'],
          })
          .returning();
        emit(
          createEvent(
            'UserRegistered',
            { userId: user!.id, email, name: user!.name },
            { source: '/bazaar/identity', correlationId: user!.id },
          ),
        );
        return user!;
      });
    } catch (err) {
      if (isUniqueViolation(err))
        throw conflict('identity.email_taken', 'An account with this email already exists.');
      throw err;
    }
  }

  return {
    async register(input: { email: string; password: string; name: string }): Promise<Session> {
      const user = await createUser(input);
      return issueSession(user, uuidv7());
    },

    async login(input: { email: string; password: string }, ip: string): Promise<Session> {
      const email = normaliseEmail(input.email);
      const lockKey = `identity:login-failures:${email}:${ip}`;
      const failures = Number((await kv.get(lockKey)) ?? 0);
      if (failures >= deps.maxLoginFailures) {
        throw new AppError(
          'too_many_requests',
          'identity.login_locked',
          'Too many failed sign-ins; try again later.',
          {
            retryAfterSeconds: deps.loginLockSeconds,
          },
        );
      }
      const [user] = await db.select().from(users).where(eq(users.email, email)).limit(1);
      const ok = await verify(user?.passwordHash ?? (await decoyHash), input.password);
      if (!user || !ok) {
        await kv.increment(lockKey, deps.loginLockSeconds);
        throw unauthenticated('identity.invalid_credentials', 'The email or password is wrong.');
      }
      await kv.del(lockKey);
      return issueSession(user, uuidv7());
    },

    /**
     * Rotates a refresh token. The old token is claimed with a conditional update, so two concurrent
     * refreshes cannot both succeed; presenting a token that was already used revokes its whole family,
     * because only a thief or a replay would do that.
     */
    async refresh(token: string): Promise<Session> {
      const tokenHash = hashToken(token);
      const [row] = await db
        .select()
        .from(refreshTokens)
        .where(eq(refreshTokens.tokenHash, tokenHash))
        .limit(1);
      if (!row) throw unauthenticated('identity.invalid_refresh_token', 'The refresh token is not valid.');
      const invalidate = async () => {
        await db
          .update(refreshTokens)
          .set({ revokedAt: new Date() })
          .where(and(eq(refreshTokens.familyId, row.familyId), isNull(refreshTokens.revokedAt)));
        return unauthenticated(
          'identity.refresh_token_reused',
          'The refresh token was already used; sign in again.',
        );
      };
      if (row.revokedAt || row.usedAt) throw await invalidate();
      if (row.expiresAt.getTime() <= Date.now())
        throw unauthenticated(
          'identity.refresh_token_expired',
          'The refresh token has expired; sign in again.',
        );
      return db.transaction(async (tx) => {
        const claimed = await tx
          .update(refreshTokens)
          .set({ usedAt: new Date() })
          .where(
            and(eq(refreshTokens.id, row.id), isNull(refreshTokens.usedAt), isNull(refreshTokens.revokedAt)),
          )
          .returning({ id: refreshTokens.id });
        if (claimed.length === 0) throw await invalidate();
        const [user] = await tx.select().from(users).where(eq(users.id, row.userId)).limit(1);
        if (!user) throw unauthenticated('identity.invalid_refresh_token', 'The refresh token is not valid.');
        return issueSession(user, row.familyId, tx);
      });
    },

    async getUser(id: string): Promise<PublicUser> {
      const [user] = await db.select().from(users).where(eq(users.id, id)).limit(1);
      if (!user) throw notFound('identity.user_not_found', 'The user no longer exists.');
      return toPublicUser(user);
    },

    /** Creates the configured administrator, or makes the existing account an administrator. */
    async ensureAdmin(email: string, password: string, name = 'Administrator'): Promise<void> {
      const [existing] = await db
        .select()
        .from(users)
        .where(eq(users.email, normaliseEmail(email)))
        .limit(1);
      if (!existing) {
        try {
          await createUser({ email, password, name, roles: ['admin', 'customer'] });
        } catch (err) {
          if (!(err instanceof AppError && err.code === 'identity.email_taken')) throw err;
        }
        return;
      }
      if (!existing.roles.includes('admin')) {
        await db
          .update(users)
          .set({ roles: [...new Set([...existing.roles, 'admin'])] })
          .where(eq(users.id, existing.id));
      }
    },
  };
}

export type AuthService = ReturnType<typeof createAuthService>;

function isUniqueViolation(err: unknown): boolean {
  const e = err as { code?: string; cause?: { code?: string } };
  return e?.code === '23505' || e?.cause?.code === '23505';
}
