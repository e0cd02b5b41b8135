import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { openServiceTestbed, type ServiceTestbed, type TestUser } from '@bazaar/identity/testing';
import type { RunningService } from '@bazaar/platform';
import { eventually, testModes } from '@bazaar/platform/testing';
import pg from 'pg';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { notificationsService } from './service';

describe.each(testModes())('notifications (%s)', (mode) => {
  let bed: ServiceTestbed;
  let service: RunningService;
  let shopper: TestUser;
  let other: TestUser;
  const dataDir = mkdtempSync(path.join(tmpdir(), 'bazaar-mail-'));

  beforeAll(async () => {
    bed = await openServiceTestbed(mode, {
      name: 'notifications',
      env: { BAZAAR_DATA_DIR: dataDir, MAIL_POLL_MS: '100' },
    });
    service = await bed.start(notificationsService);
    [shopper, other] = await Promise.all([bed.identity.customer(), bed.identity.customer()]);
  });
  afterAll(() => bed?.close());

  const send: ServiceTestbed['send'] = (type, data, times) => bed.send(type, data, times);
  const list = async (user: TestUser) =>
    (await service.app.inject({ url: '/api/v1/notifications?limit=100', headers: user.headers })).json()
      .items as {
      id: string;
      kind: string;
      orderId: string;
      status: string;
    }[];

  it('emails every customer-facing step once, as .eml files', async () => {
    const orderId = randomUUID();
    await send('OrderCreated', { orderId, userId: shopper.id, email: shopper.email }, 2);
    await send('PaymentSucceeded', { orderId }, 2);
    await send('ShippingCreated', { orderId, trackingNumber: 'BZ7KQ2M9XR4T' }, 2);
    await send('ShipmentDelivered', { orderId }, 2);
    const mine = await eventually(
      async () => {
        const items = (await list(shopper)).filter((n) => n.orderId === orderId);
        return items.length === 4 && items.every((n) => n.status === 'SENT') && items;
      },
      { what: 'four sent emails' },
    );
    expect(mine.map((n) => n.kind).sort()).toEqual([
      'ORDER_DELIVERED',
      'ORDER_PAID',
      'ORDER_PLACED',
      'ORDER_SHIPPED',
    ]);
    const files = readdirSync(path.join(dataDir, 'mail')).filter((f) => f.includes(orderId));
    expect(files).toHaveLength(4);
    const shipped = readFileSync(
      path.join(dataDir, 'mail', files.find((f) => f.includes('ORDER_SHIPPED'))!),
      'utf8',
    );
    expect(shipped).toContain(`To: ${shopper.email}`);
    // Both parts carry what the event said: the HTML part too (quoted-printable, soft breaks joined).
    const htmlPart = (eml: string) =>
      eml.slice(eml.indexOf('Content-Type: text/html')).replace(/=\r?\n/g, '');
    expect(shipped).toContain('BZ7KQ2M9XR4T');
    expect(htmlPart(shipped)).toContain('BZ7KQ2M9XR4T');
    const placed = readFileSync(
      path.join(dataDir, 'mail', files.find((f) => f.includes('ORDER_PLACED'))!),
      'utf8',
    );
    expect(htmlPart(placed)).toMatch(/Total: /);
    const detail = await service.app.inject({
      url: `/api/v1/notifications/${mine[0]!.id}`,
      headers: shopper.headers,
    });
    expect(detail.json().bodyText).toContain(orderId);
  });

  it('greets a new account once, however often its event arrives', async () => {
    // Signing up through identity (the testbed's customers did) is greeted like this one.
    const welcome = await eventually(async () => (await list(other)).find((n) => n.kind === 'WELCOME'), {
      what: "the other customer's welcome",
    });
    expect(welcome.orderId).toBeNull();
    await send('UserRegistered', { userId: shopper.id, email: shopper.email, name: 'Ada' }, 2);
    const welcomes = async () => (await list(shopper)).filter((n) => n.kind === 'WELCOME');
    await eventually(async () => (await welcomes()).filter((n) => n.status === 'SENT').length >= 2, {
      what: "the shopper's welcome from sign-up and the one sent here",
    });
    // One per event: sign-up's, and the one delivered twice here.
    await new Promise((r) => setTimeout(r, 300));
    expect(await welcomes()).toHaveLength(2);
    const files = readdirSync(path.join(dataDir, 'mail')).filter((f) => f.includes(`WELCOME-${shopper.id}`));
    expect(files.length).toBeGreaterThan(0);
    const eml = readFileSync(path.join(dataDir, 'mail', files[0]!), 'utf8');
    expect(eml).toContain('Subject: Welcome to Bazaar');
    expect(eml).toContain(`To: ${shopper.email}`);
  });

  it('waits for the order before telling about a cancellation that overtook it', async () => {
    const orderId = randomUUID();
    await send('OrderCancelled', { orderId, userId: shopper.id, reason: 'OUT_OF_STOCK' });
    await new Promise((r) => setTimeout(r, 150));
    await send('OrderCreated', { orderId, userId: shopper.id, email: shopper.email });
    await eventually(async () => (await list(shopper)).filter((n) => n.orderId === orderId).length === 2, {
      what: 'placed and cancelled',
    });
  });

  it('shows notifications to their owner only', async () => {
    const items = (await list(shopper)).filter((n) => n.orderId);
    expect(items.length).toBeGreaterThan(0);
    // The other customer has their own welcome email, nothing of the shopper's.
    expect((await list(other)).map((n) => n.kind)).toEqual(['WELCOME']);
    const res = await service.app.inject({
      url: `/api/v1/notifications/${items[0]!.id}`,
      headers: other.headers,
    });
    expect(res.statusCode).toBe(404);
    expect((await service.app.inject({ url: '/api/v1/notifications' })).statusCode).toBe(401);
  });
});

/**
 * A real SMTP server that turns away the first sends of some emails with a temporary failure, and leaves
 * the emails that mention an order of `held` unanswered until it is told to release them.
 */
async function startSmtpServer(refusals: (to: string, attempt: number) => boolean, held = new Set<string>()) {
  const tries = new Map<string, number>(); // Message-ID → sends tried
  const accepted: { to: string; messageId: string; raw: string }[] = [];
  let holding: (() => void)[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, done) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        const to = (session.envelope.rcptTo[0]?.address ?? '').toLowerCase();
        const messageId = /^Message-ID: (.*)$/im.exec(raw)?.[1]?.trim() ?? '';
        const attempt = (tries.get(messageId) ?? 0) + 1;
        tries.set(messageId, attempt);
        if ([...held].some((orderId) => raw.includes(orderId))) {
          holding.push(() => {
            accepted.push({ to, messageId, raw });
            done();
          });
          return;
        }
        if (refusals(to, attempt)) {
          done(Object.assign(new Error('Mailbox busy, try again later'), { responseCode: 451 }));
          return;
        }
        accepted.push({ to, messageId, raw });
        done();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as { port: number };
  return {
    url: `smtp://127.0.0.1:${port}`,
    /** How many times the email with this notification id was tried. */
    tries: (notificationId: string) => tries.get(`<${notificationId}@bazaar.local>`) ?? 0,
    accepted: (notificationId: string) =>
      accepted.filter((m) => m.messageId === `<${notificationId}@bazaar.local>`),
    /** How many emails it is holding unanswered. */
    holding: () => holding.length,
    /** Takes the held emails. */
    release: () => {
      for (const take of holding) take();
      holding = [];
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe.each(testModes())('notifications over SMTP (%s)', (mode) => {
  let bed: ServiceTestbed;
  let service: RunningService;
  let patient: TestUser; // their mail system refuses twice, then takes the email
  let unreachable: TestUser; // theirs refuses every time
  let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
  const slowOrders = new Set<string>(); // the server takes emails about these only when the test says so

  beforeAll(async () => {
    smtp = await startSmtpServer(
      (to, attempt) => to === unreachable.email.toLowerCase() || attempt <= 2,
      slowOrders,
    );
    bed = await openServiceTestbed(mode, {
      name: 'notifications',
      env: { SMTP_URL: smtp.url, MAIL_POLL_MS: '50', MAIL_RETRY_MS: '100', MAIL_MAX_ATTEMPTS: '3' },
    });
    service = await bed.start(notificationsService);
    [patient, unreachable] = await Promise.all([bed.identity.customer(), bed.identity.customer()]);
  });
  afterAll(async () => {
    await bed?.close();
    await smtp?.close();
  });

  const emailsOf = async (user: TestUser, orderId: string) =>
    (
      (await service.app.inject({ url: '/api/v1/notifications', headers: user.headers })).json().items as {
        id: string;
        orderId: string;
        status: string;
      }[]
    ).filter((n) => n.orderId === orderId);

  /** Waits for the user's email about the order to reach `status`. */
  const emailIn = (user: TestUser, orderId: string, status: string) =>
    eventually(async () => (await emailsOf(user, orderId)).find((n) => n.status === status), {
      what: `an email about ${orderId} ${status}`,
    });

  it('tries a refused email again later and sends it once, with the same Message-ID each time', async () => {
    const orderId = randomUUID();
    await bed.send('OrderCreated', { orderId, userId: patient.id, email: patient.email });
    const email = await emailIn(patient, orderId, 'SENT');
    // Each try carried the notification's id; the server refused two and took the third.
    expect(smtp.tries(email.id)).toBe(3);
    expect(smtp.accepted(email.id)).toHaveLength(1);
    expect(smtp.accepted(email.id)[0]!.to).toBe(patient.email.toLowerCase());
    expect(smtp.accepted(email.id)[0]!.raw).toContain(orderId);
  });

  it('gives up after MAIL_MAX_ATTEMPTS and marks the email FAILED', async () => {
    const orderId = randomUUID();
    await bed.send('OrderCreated', { orderId, userId: unreachable.id, email: unreachable.email });
    const email = await emailIn(unreachable, orderId, 'FAILED');
    // Well past the next retry it would have had: nothing more is tried.
    await new Promise((r) => setTimeout(r, 500));
    expect(smtp.tries(email.id)).toBe(3);
    expect(smtp.accepted(email.id)).toHaveLength(0);
  });

  it('sends outside any transaction: a mail server slow to answer holds up no database work', async () => {
    const orderId = randomUUID();
    slowOrders.add(orderId);
    await bed.send('OrderCreated', { orderId, userId: patient.id, email: patient.email });
    await eventually(async () => smtp.holding() > 0 || undefined, { what: 'the email to be on its way' });
    // The database answers at once meanwhile (one embedded PGlite would wait behind an open transaction),
    // and on a server no session of the service sits in a transaction.
    const listed = await Promise.race([
      emailsOf(patient, orderId),
      new Promise<never>((_, reject) =>
        setTimeout(() => reject(new Error('the database waited for the mail server')), 5000),
      ),
    ]);
    expect(listed.map((n) => n.status)).toEqual(['PENDING']);
    if (mode === 'server')
      expect(await sessionsInTransaction(`bazaar_${bed.env.BAZAAR_NAMESPACE}notifications`)).toBe(0);
    // Later passes of the sender (every 50 ms) leave the claimed email alone.
    await new Promise((r) => setTimeout(r, 300));
    expect(smtp.tries(listed[0]!.id)).toBe(1);
    smtp.release();
    await emailIn(patient, orderId, 'SENT');
    expect(smtp.accepted(listed[0]!.id)).toHaveLength(1);
  });
});

/** Sessions of a database on the test's PostgreSQL server that are inside a transaction. */
async function sessionsInTransaction(database: string) {
  const client = new pg.Client({ connectionString: process.env.POSTGRES_URL });
  await client.connect();
  try {
    const { rows } = await client.query<{ n: number }>(
      `select count(*)::int as n from pg_stat_activity where datname = $1 and state like 'idle in transaction%'`,
      [database],
    );
    return rows[0]!.n;
  } finally {
    await client.end();
  }
}
