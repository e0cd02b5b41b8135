import type { CloudEvent } from '@bazaar/contracts';
import { routingKeyOf } from '@bazaar/contracts';
import { and, asc, gt, inArray, isNotNull, isNull, lt, sql } from 'drizzle-orm';
import type { Counter, Gauge } from 'prom-client';
import { type Db, type Executor, query } from '../db/database';
import type { OutboxTable } from '../db/messaging-tables';
import type { Logger } from '../logger';
import { describeError, type EventBus } from './event-bus';

/**
 * Writes events to the outbox; call it inside the transaction that changes the state they describe.
 * Any number of events is one statement of the same text (the columns go as arrays).
 */
export async function appendToOutbox(tx: Executor, table: OutboxTable, events: readonly CloudEvent[]) {
  if (events.length === 0) return;
  await query(
    tx,
    sql`insert into ${table} (id, type, routing_key, envelope)
        select * from unnest(${sql.param(events.map((e) => e.id))}::uuid[],
          ${sql.param(events.map((e) => e.type))}::text[],
          ${sql.param(events.map((e) => routingKeyOf(e.type)))}::text[],
          ${sql.param(events)}::jsonb[])`,
  );
}

export interface OutboxRelayOptions {
  db: Db;
  table: OutboxTable;
  bus: EventBus;
  logger: Logger;
  batchSize?: number;
  pollIntervalMs?: number;
  /**
   * The polling pass leaves rows younger than this to `publishCommitted`, which is publishing them
   * already (0: every unpublished row is the pass's).
   */
  graceMs?: number;
  metrics?: { published: Counter; failures: Counter; lag: Gauge };
}

/**
 * Publishes outbox rows. Events a transaction of this process has just committed are published at once
 * (`publishCommitted`) and marked published together, in one statement per flush, so the usual path
 * costs no query of its own. The polling pass is the safety net: it publishes whatever is still
 * unpublished after the grace period (the process died before publishing, the broker was down), in
 * batches claimed with FOR UPDATE SKIP LOCKED, so any number of relays can run side by side without
 * publishing a row twice at the same time. A row whose publish fails stays unpublished and is tried
 * again on the next pass. Delivery stays at least once: consumers drop a repeat through their inbox.
 */
export class OutboxRelay {
  private running = false;
  private wake?: () => void;
  private loop?: Promise<void>;
  private pendingPoke = false;
  private lastCleanup = 0;
  /** Set when a direct publish failed: the next pass takes young rows too. */
  private sweepAll = false;
  private readonly committed: CloudEvent[] = [];
  private publishing?: Promise<void>;

  constructor(private readonly options: OutboxRelayOptions) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /** Tells the relay new rows are waiting, so it need not wait for the next poll. */
  poke(): void {
    this.pendingPoke = true;
    this.wake?.();
  }

  /**
   * Publishes events whose outbox rows were just committed, then marks those rows published. One batch
   * is on its way at a time and the next takes everything committed meanwhile, so under load many events
   * share one round of broker confirms and one UPDATE. Whatever fails here is left to the polling pass,
   * which is poked to look at once.
   */
  publishCommitted(events: readonly CloudEvent[]): void {
    if (events.length === 0) return;
    this.committed.push(...events);
    this.publishing ??= this.publishBatches().finally(() => {
      this.publishing = undefined;
    });
  }

  private async publishBatches(): Promise<void> {
    const { db, bus, logger, metrics } = this.options;
    while (this.committed.length > 0) {
      const batch = this.committed.splice(0, this.options.batchSize ?? 200);
      const results = await Promise.allSettled(batch.map((event) => bus.publish(event)));
      const published = batch.filter((_, i) => results[i]?.status === 'fulfilled').map((e) => e.id);
      metrics?.published.inc(published.length);
      if (published.length < batch.length) {
        metrics?.failures.inc(batch.length - published.length);
        this.sweepAll = true;
        this.poke();
      }
      if (published.length === 0) continue;
      try {
        await this.markPublished(db, published);
      } catch (err) {
        // The events are out; left unmarked, the polling pass publishes them once more after the grace
        // period, which consumers absorb.
        logger.warn(
          { err: describeError(err), rows: published.length },
          'could not mark outbox rows published',
        );
      }
    }
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
    await this.publishing;
  }

  private async markPublished(executor: Executor, ids: string[]): Promise<void> {
    const { table } = this.options;
    await query(
      executor,
      sql`update ${table} set published_at = now() where id = any(${sql.param(ids)}::uuid[])`,
    );
  }

  /** Publishes one batch; returns how many rows were published. */
  async drainOnce(): Promise<number> {
    const { db, table, bus, batchSize = 200, graceMs = 0 } = this.options;
    const all = this.sweepAll || graceMs === 0;
    this.sweepAll = false;
    return db.transaction(async (tx) => {
      const rows = await tx
        .select({ id: table.id, envelope: table.envelope })
        .from(table)
        .where(
          all
            ? isNull(table.publishedAt)
            : and(
                isNull(table.publishedAt),
                lt(table.createdAt, sql`now() - make_interval(secs => ${graceMs / 1000})`),
              ),
        )
        .orderBy(asc(table.createdAt))
        .limit(batchSize)
        .for('update', { skipLocked: true });
      if (rows.length === 0) return 0;
      const results = await Promise.allSettled(rows.map((r) => bus.publish(r.envelope)));
      const published = rows.filter((_, i) => results[i]?.status === 'fulfilled').map((r) => r.id);
      const failed = rows.filter((_, i) => results[i]?.status === 'rejected').map((r) => r.id);
      if (published.length > 0) {
        await this.markPublished(tx, published);
      }
      if (failed.length > 0) {
        const first = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
        await tx
          .update(table)
          .set({ attempts: sql`${table.attempts} + 1`, lastError: describeError(first.reason).slice(0, 500) })
          .where(inArray(table.id, failed));
        this.options.metrics?.failures.inc(failed.length);
      }
      this.options.metrics?.published.inc(published.length);
      return failed.length > 0 ? -published.length - 1 : published.length;
    });
  }

  /**
   * The events this outbox published in the last `windowMs`, oldest first: what an embedded platform
   * hands its in-memory bus again when it starts (see `InProcessBus.redeliverRecent`).
   */
  async recentlyPublished(windowMs: number): Promise<CloudEvent[]> {
    const { db, table } = this.options;
    const rows = await db
      .select({ envelope: table.envelope })
      .from(table)
      .where(
        and(
          isNotNull(table.publishedAt),
          gt(table.publishedAt, sql`now() - make_interval(secs => ${windowMs / 1000})`),
        ),
      )
      .orderBy(asc(table.createdAt));
    return rows.map((r) => r.envelope);
  }

  /** Rows not yet published, and the age of the oldest in seconds. */
  async lag(): Promise<{ pending: number; oldestSeconds: number }> {
    const { db, table } = this.options;
    const [row] = await db
      .select({
        pending: sql<number>`count(*)::int`,
        oldest: sql<number>`coalesce(extract(epoch from now() - min(${table.createdAt})), 0)::float8`,
      })
      .from(table)
      .where(isNull(table.publishedAt));
    return { pending: Number(row?.pending ?? 0), oldestSeconds: Number(row?.oldest ?? 0) };
  }

  private async run(): Promise<void> {
    const { logger, pollIntervalMs = 250 } = this.options;
    let backoffMs = 0;
    while (this.running) {
      this.pendingPoke = false;
      let outcome = 0;
      try {
        outcome = await this.drainOnce();
        backoffMs = outcome < 0 ? Math.min(Math.max(backoffMs * 2, 200), 5_000) : 0;
        await this.cleanUp();
      } catch (err) {
        backoffMs = Math.min(Math.max(backoffMs * 2, 200), 5_000);
        if (this.running) logger.warn({ err: describeError(err) }, 'outbox relay pass failed');
      }
      if (!this.running) break;
      // A full batch means more may be waiting: go again at once unless publishing is failing.
      if (outcome >= (this.options.batchSize ?? 200) && backoffMs === 0) continue;
      if (this.pendingPoke && backoffMs === 0) continue;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, backoffMs || pollIntervalMs);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = undefined;
    }
  }

  /** Published rows are kept a day for inspection, then removed. */
  private async cleanUp(): Promise<void> {
    if (Date.now() - this.lastCleanup < 60_000) return;
    this.lastCleanup = Date.now();
    const { db, table } = this.options;
    await db
      .delete(table)
      .where(and(isNotNull(table.publishedAt), lt(table.publishedAt, sql`now() - interval '1 day'`)));
  }
}
