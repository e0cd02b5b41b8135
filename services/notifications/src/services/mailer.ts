import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import nodemailer from 'nodemailer';
import type { EmailContent } from '../templates/order-emails';

export interface Mailer {
  send(to: string, content: EmailContent, fileHint: string): Promise<void>;
}

/** SMTP when configured; otherwise each email becomes an .eml file a developer can open. */
export function createMailer(options: { smtpUrl?: string; from: string; mailDir: string }): Mailer {
  if (options.smtpUrl) {
    const transport = nodemailer.createTransport(options.smtpUrl);
    return {
      async send(to, content) {
        await transport.sendMail({ from: options.from, to, ...content });
      },
    };
  }
  const transport = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
  let folder: Promise<unknown> | undefined;
  return {
    async send(to, content, fileHint) {
      const info = await transport.sendMail({ from: options.from, to, ...content });
      folder ??= mkdir(options.mailDir, { recursive: true }).catch((err) => {
        folder = undefined; // try again next time
        throw err;
      });
      await folder;
      await writeFile(path.join(options.mailDir, `${fileHint}.eml`), info.message as Buffer);
    },
  };
}
