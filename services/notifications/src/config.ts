import { PlatformEnv, serviceDirectory, serviceUrl } from '@bazaar/platform';
import { z } from 'zod';

export const NotificationsConfig = PlatformEnv.extend({
  PORT: z.coerce.number().int().min(0).max(65535).default(serviceDirectory.notifications.port),
  IDENTITY_URL: z.url().default(serviceUrl('identity', {})),
  /** SMTP server for real emails; when unset, emails are written as .eml files under BAZAAR_DATA_DIR/mail. */
  SMTP_URL: z.url().optional(),
  MAIL_FROM: z.string().default('Bazaar <orders@bazaar.local>'),
  /** How often to look for emails left unsent (their process stopped first) or due another try. */
  MAIL_POLL_MS: z.coerce.number().int().positive().default(2000),
  /** How long the sender waits after an email is stored, so that emails stored meanwhile share a batch. */
  MAIL_BATCH_DELAY_MS: z.coerce.number().int().nonnegative().default(50),
  /** Sends an email gets before it is marked FAILED. */
  MAIL_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(50).default(8),
  /** The wait after an email's first failed send; it doubles after each further one (at most an hour). */
  MAIL_RETRY_MS: z.coerce.number().int().positive().default(10_000),
  /**
   * How long a batch being sent is left to its sender before another pass may claim its emails again (the
   * sender stopped). Longer than a batch can take: a hung SMTP server is given up on within 50 s an email.
   */
  MAIL_SEND_LEASE_MS: z.coerce.number().int().min(1000).default(300_000),
});
export type NotificationsConfig = z.infer<typeof NotificationsConfig>;
