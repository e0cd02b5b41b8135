import type { PGlite } from '@electric-sql/pglite';
import type { DeadLetter } from './event-bus';

/**
 * Where the in-process bus keeps its dead letters. RabbitMQ keeps them in a durable queue; the embedded
 * bus keeps them in the embedded database, so they outlive the process like the orders they belong to.
 */
export interface DeadLetterStore {
  /**
   * Keeps a letter. It replaces the letter `replacing` names (a replayed one that failed again) and any
   * other the queue holds for the same event.
   */
  add(queue: string, letter: DeadLetter, replacing?: string): Promise<void>;
  /** The queue's letters, oldest first (at most `limit`), each with the key that removes it. */
  list(queue: string, limit?: number): Promise<KeptDeadLetter[]>;
  count(queue: string): Promise<number>;
  remove(queue: string, key: string): Promise<void>;
}

export interface KeptDeadLetter extends DeadLetter {
  key: string;
}

/** Dead letters in memory: gone with the process (unit tests, and buses given no database). */
export class MemoryDeadLetters implements DeadLetterStore {
  private readonly byQueue = new Map<string, KeptDeadLetter[]>();
  private lastKey = 0;

  async add(queue: string, letter: DeadLetter, replacing?: string): Promise<void> {
    const kept = (this.byQueue.get(queue) ?? []).filter((l) => l.key !== replacing && !sameEvent(l, letter));
    this.byQueue.set(queue, [...kept, { ...letter, key: String(++this.lastKey) }]);
  }

  async list(queue: string, limit?: number): Promise<KeptDeadLetter[]> {
    return (this.byQueue.get(queue) ?? []).slice(0, limit);
  }

  async count(queue: string): Promise<number> {
    return this.byQueue.get(queue)?.length ?? 0;
  }

  async remove(queue: string, key: string): Promise<void> {
    const kept = this.byQueue.get(queue)?.filter((l) => l.key !== key);
    if (kept) this.byQueue.set(queue, kept);
  }
}

/** A message whose id could not be read is never taken for another one. */
const sameEvent = (a: DeadLetter, b: DeadLetter) => a.id !== 'unknown' && a.id === b.id;

interface Row {
  seq: number | bigint;
  event_id: string;
  type: string;
  reason: string;
  failed_at: string | Date;
  message: unknown;
  attempts: number | null;
}

/**
 * Dead letters in the embedded database, in a schema of the bus's own (no service reads it). Created
 * on open; the table is the bus's storage, as a broker's queue files are, not a service's data.
 */
export class EmbeddedDeadLetters implements DeadLetterStore {
  private constructor(private readonly db: PGlite) {}

  static async open(db: PGlite): Promise<EmbeddedDeadLetters> {
    await db.exec(`
      create schema if not exists embedded_bus;
      create table if not exists embedded_bus.dead_letters (
        seq bigint generated always as identity primary key,
        queue text not null,
        event_id text not null,
        type text not null,
        reason text not null,
        failed_at timestamptz not null,
        message jsonb not null
      );
      create index if not exists dead_letters_queue_idx on embedded_bus.dead_letters (queue, seq);
      alter table embedded_bus.dead_letters add column if not exists attempts integer;
    `);
    return new EmbeddedDeadLetters(db);
  }

  async add(queue: string, letter: DeadLetter, replacing?: string): Promise<void> {
    await this.db.transaction(async (tx) => {
      await tx.query(
        `delete from embedded_bus.dead_letters
         where queue = $1 and (seq = $2 or (event_id = $3 and event_id <> 'unknown'))`,
        [queue, replacing === undefined ? null : Number(replacing), letter.id],
      );
      await tx.query(
        `insert into embedded_bus.dead_letters (queue, event_id, type, reason, failed_at, message, attempts)
         values ($1, $2, $3, $4, $5, $6, $7)`,
        [
          queue,
          letter.id,
          letter.type,
          letter.reason,
          letter.failedAt,
          JSON.stringify(letter.message),
          letter.attempts ?? null,
        ],
      );
    });
  }

  async list(queue: string, limit?: number): Promise<KeptDeadLetter[]> {
    const { rows } = await this.db.query<Row>(
      `select seq, event_id, type, reason, failed_at, message, attempts from embedded_bus.dead_letters
       where queue = $1 order by seq limit $2`,
      [queue, limit ?? null],
    );
    return rows.map(toLetter);
  }

  async count(queue: string): Promise<number> {
    const { rows } = await this.db.query<{ kept: number }>(
      'select count(*)::int as kept from embedded_bus.dead_letters where queue = $1',
      [queue],
    );
    return rows[0]?.kept ?? 0;
  }

  async remove(queue: string, key: string): Promise<void> {
    await this.db.query('delete from embedded_bus.dead_letters where queue = $1 and seq = $2', [
      queue,
      Number(key),
    ]);
  }
}

const toLetter = (row: Row): KeptDeadLetter => ({
  key: String(row.seq),
  id: row.event_id,
  type: row.type,
  reason: row.reason,
  failedAt: new Date(row.failed_at).toISOString(),
  message: row.message,
  ...(row.attempts ? { attempts: row.attempts } : {}),
});
