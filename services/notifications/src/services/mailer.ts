import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import nodemailer from 'nodemailer';
import type { EmailContent } from '../templates/order-emails';

export interface OutgoingEmail extends EmailContent {
  /** The notification's id: the same email sent twice carries the same Message-ID. */
  messageId: string;
  /** A file name (without .eml) for a developer's mail folder. */
  fileHint: string;
}

export interface Mailer {
  send(to: string, email: OutgoingEmail): Promise<void>;
  close(): void;
}

/** SMTP when configured; otherwise each email becomes an .eml file a developer can open. */
export function createMailer(options: { smtpUrl?: string; from: string; mailDir: string }): Mailer {
  const message = (to: string, { messageId, fileHint: _, ...content }: OutgoingEmail) => ({
    from: options.from,
    to,
    messageId: `<${messageId}@bazaar.local>`,
    ...content,
  });
  if (options.smtpUrl) {
    // A batch of emails shares a few kept-open connections instead of opening one each, and a server that
    // hangs is given up on within seconds, not nodemailer's minutes, well inside the batch's lease
    // (MAIL_SEND_LEASE_MS). The URL may set any of these otherwise.
    const transport = nodemailer.createTransport({
      url: options.smtpUrl,
      pool: true,
      maxConnections: 5,
      connectionTimeout: 10_000,
      greetingTimeout: 10_000,
      socketTimeout: 30_000,
    });
    return {
      async send(to, email) {
        await transport.sendMail(message(to, email));
      },
      close: () => transport.close(),
    };
  }
  const transport = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
  let folder: Promise<unknown> | undefined;
  return {
    async send(to, email) {
      const info = await transport.sendMail(message(to, email));
      folder ??= mkdir(options.mailDir, { recursive: true }).catch((err) => {
        folder = undefined; // try again next time
        throw err;
      });
      await folder;
      // The same email sent again overwrites its file: a developer sees it once.
      await writeFile(path.join(options.mailDir, `${email.fileHint}.eml`), info.message as Buffer);
    },
    close: () => transport.close(),
  };
}
