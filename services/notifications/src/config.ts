import { PlatformEnv, serviceDirectory, serviceUrl } from '@bazaar/platform';
import { z } from 'zod';

export const NotificationsConfig = PlatformEnv.extend({
  PORT: z.coerce.number().int().min(0).max(65535).default(serviceDirectory.notifications.port),
  IDENTITY_URL: z.url().default(serviceUrl('identity', {})),
  /** SMTP server for real emails; when unset, emails are written as .eml files under BAZAAR_DATA_DIR/mail. */
  SMTP_URL: z.url().optional(),
  MAIL_FROM: z.string().default('Bazaar <orders@bazaar.local>'),
  /** How often to look for emails left unsent (their process stopped first); new ones go out at once. */
  MAIL_POLL_MS: z.coerce.number().int().positive().default(2000),
  /** How long the sender waits after an email is stored, so that emails stored meanwhile share a batch. */
  MAIL_BATCH_DELAY_MS: z.coerce.number().int().nonnegative().default(50),
});
export type NotificationsConfig = z.infer<typeof NotificationsConfig>;
