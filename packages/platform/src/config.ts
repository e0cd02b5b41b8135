import { z } from 'zod';

export class ConfigError extends Error {
  constructor(service: string, issues: string[]) {
    super(`Invalid configuration for ${service}:\n${issues.map((i) => `  - ${i}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

const optionalUrl = (protocols: string[]) =>
  z
    .string()
    .trim()
    .transform((v) => (v === '' ? undefined : v))
    .pipe(z.url({ protocol: new RegExp(`^(${protocols.join('|')})$`) }).optional())
    .optional();

/** Settings every service reads; each service extends it with its own. */
export const PlatformEnv = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  POSTGRES_URL: optionalUrl(['postgres', 'postgresql']),
  RABBITMQ_URL: optionalUrl(['amqp', 'amqps']),
  REDIS_URL: optionalUrl(['redis', 'rediss']),
  BAZAAR_DATA_DIR: z.string().default('.data'),
  /** Prefixes database, queue, exchange and key names so several platforms (or test runs) share servers. */
  BAZAAR_NAMESPACE: z
    .string()
    .regex(/^[a-z0-9_]*$/, 'lower-case letters, digits and underscores only')
    .default(''),
  BAZAAR_QUEUE_EXPIRES_MS: z.coerce.number().int().positive().optional(),
  HOST: z.string().default('127.0.0.1'),
  /** Chaos switch for tests: every event is published twice. */
  BAZAAR_DUPLICATE_DELIVERY: z.enum(['0', '1']).default('0'),
  PG_POOL_MAX: z.coerce.number().int().positive().default(10),
  /** The server cancels a statement running longer (0 = never). */
  PG_STATEMENT_TIMEOUT_MS: z.coerce.number().int().nonnegative().default(30_000),
  /** The server ends a session whose transaction stayed open and idle this long, freeing its locks (0 = never). */
  PG_IDLE_IN_TRANSACTION_TIMEOUT_MS: z.coerce.number().int().nonnegative().default(60_000),
  /**
   * A service process that has not started by then exits (code 1), naming the step it was waiting on, so
   * whatever runs it (Kubernetes, Compose, the launcher) starts it again instead of leaving it hanging.
   */
  STARTUP_TIMEOUT_MS: z.coerce.number().int().positive().default(120_000),
});
export type PlatformEnv = z.infer<typeof PlatformEnv>;

/**
 * The only way services read process.env: parse once at start-up and fail with a message naming every
 * bad variable, rather than failing later on the first request that needs one.
 */
export function loadConfig<S extends z.ZodType>(
  service: string,
  schema: S,
  env: NodeJS.ProcessEnv = process.env,
): z.infer<S> {
  const result = schema.safeParse(env);
  if (!result.success) {
    throw new ConfigError(
      service,
      result.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`),
    );
  }
  return result.data;
}
