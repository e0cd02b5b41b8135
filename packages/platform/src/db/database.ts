import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { type SQL, sql } from 'drizzle-orm';
import { drizzle as drizzleNodePg } from 'drizzle-orm/node-postgres';
import { migrate as migrateNodePg } from 'drizzle-orm/node-postgres/migrator';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import pg from 'pg';
import type { Logger } from '../logger';

// Both drivers expose the same PostgreSQL query builder; services only see this common type.
// biome-ignore lint/suspicious/noExplicitAny: the result kind differs per driver and is never inspected.
export type Db = PgDatabase<PgQueryResultHKT, any>;
export type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];
/** Anything that runs queries: the database or an open transaction. */
export type Executor = Db | Tx;

/**
 * Runs a statement written with Drizzle's `sql` template and returns its rows as PostgreSQL names them.
 * The hot paths (inbox, outbox, the saga's state changes) use it: a template costs a fraction of what the
 * query builder spends assembling a statement, and its fixed text is prepared once per connection.
 * Timestamps come back as text; hot statements return ids and counts.
 */
export async function query<Row extends Record<string, unknown>>(
  executor: Executor,
  statement: SQL,
): Promise<Row[]> {
  // node-postgres answers with a QueryResult and PGlite with Results: both carry `rows`.
  const result = (await executor.execute<Row>(statement)) as unknown as { rows: Row[] };
  return result.rows;
}

export interface Database {
  readonly service: string;
  readonly kind: 'postgres' | 'pglite';
  readonly db: Db;
  ping(): Promise<void>;
  close(): Promise<void>;
}

export interface OpenDatabaseOptions {
  service: string;
  migrationsFolder: string;
  logger: Logger;
  /** A server URL; the service's own database `bazaar_<service>` is created on it if missing. */
  postgresUrl?: string;
  /** The shared embedded database, used when no server URL is given. */
  pglite?: PGlite;
  poolMax?: number;
  /** Prefix of the database name on a server (`bazaar_<namespace><service>`). */
  namespace?: string;
  /** A statement running longer is cancelled by the server (`statement_timeout`); 0 = never. */
  statementTimeoutMs?: number;
  /**
   * A transaction left open and idle this long (its process frozen, its network gone) has its session
   * ended by the server, which frees its row locks (`idle_in_transaction_session_timeout`); 0 = never.
   */
  idleInTransactionTimeoutMs?: number;
}

export async function openDatabase(options: OpenDatabaseOptions): Promise<Database> {
  const { service, logger } = options;
  if (options.postgresUrl) {
    const url = await ensureServiceDatabase(options.postgresUrl, `${options.namespace ?? ''}${service}`);
    const pool = new pg.Pool({
      Client: PreparingClient,
      connectionString: url,
      max: options.poolMax ?? 10,
      idleTimeoutMillis: 30_000,
      connectionTimeoutMillis: 5_000,
      application_name: `bazaar-${service}`,
      // A server that vanished without closing the socket (a network partition) is noticed.
      keepAlive: true,
      statement_timeout: options.statementTimeoutMs ?? 30_000,
      idle_in_transaction_session_timeout: options.idleInTransactionTimeoutMs ?? 60_000,
    });
    // A lost connection (the server restarted, an administrator ended it) is logged by its message only:
    // the error carries the whole client. The pool replaces the connection; nothing else is needed.
    const lost = (state: string) => (err: Error & { code?: string }) =>
      logger.warn({ code: err.code, message: err.message }, `postgres connection lost (${state})`);
    pool.on('error', lost('idle'));
    // A client that is checked out but between queries (a transaction awaiting its handler) reports it as
    // an 'error' event, which would end the process if nobody listened. Its next query fails instead, the
    // transaction rolls back, and the pool drops the client when it comes back.
    const lostInUse = lost('in use');
    pool.on('acquire', (client) => client.on('error', lostInUse));
    pool.on('release', (_err, client) => client.removeListener('error', lostInUse));
    const db = drizzleNodePg({ client: pool }) as unknown as Db;
    // Several replicas may start at once; the advisory lock lets one of them migrate at a time.
    const client = await pool.connect();
    try {
      // Waiting for another replica's migration, or migrating a big table, may take longer than a request.
      await client.query('set statement_timeout = 0');
      await client.query('select pg_advisory_lock(hashtext($1))', [`bazaar-migrate-${service}`]);
      await migrateNodePg(drizzleNodePg({ client }), {
        migrationsFolder: options.migrationsFolder,
        ...migrationsTableOf(service),
      });
    } finally {
      await client.query('select pg_advisory_unlock(hashtext($1))', [`bazaar-migrate-${service}`]);
      await client.query('reset statement_timeout');
      client.release();
    }
    logger.debug({ database: new URL(url).pathname }, 'postgres ready');
    return {
      service,
      kind: 'postgres',
      db,
      ping: async () => {
        await pool.query('select 1');
      },
      close: () => pool.end(),
    };
  }

  if (!options.pglite) throw new Error(`${service}: neither postgresUrl nor an embedded database given`);
  const client = options.pglite;
  const db = drizzlePglite({ client }) as unknown as Db;
  await migratePglite(drizzlePglite({ client }), {
    migrationsFolder: options.migrationsFolder,
    ...migrationsTableOf(service),
  });
  return {
    service,
    kind: 'pglite',
    db,
    ping: async () => {
      await db.execute(sql`select 1`);
    },
    // The embedded database is shared by every service; whoever opened it closes it.
    close: async () => {},
  };
}

/**
 * Names every parameterised statement after its text, so each connection parses and plans a statement
 * once and afterwards only binds and executes it. The application's statements are a fixed set (lists
 * of ids vary only in length), so the number a connection keeps stays small.
 */
class PreparingClient extends pg.Client {
  // biome-ignore lint/suspicious/noExplicitAny: pg's query() has many overloads; this only adds a name.
  override query(config: any, values?: any, callback?: any): any {
    if (config && typeof config === 'object' && typeof config.text === 'string' && !config.name) {
      const hasValues = (config.values?.length ?? 0) > 0 || (Array.isArray(values) && values.length > 0);
      if (hasValues) config.name = statementName(config.text);
    }
    return super.query(config, values, callback);
  }
}

const statementNames = new Map<string, string>();
function statementName(text: string): string {
  let name = statementNames.get(text);
  if (!name) {
    name = `s${statementNames.size}`;
    statementNames.set(text, name);
  }
  return name;
}

// The migration log cannot sit in the service's own schema: its first migration creates that schema.
const migrationsTableOf = (service: string) => ({
  migrationsSchema: 'drizzle',
  migrationsTable: `${service}_migrations`,
});

/** One PGlite database for the whole embedded platform (in memory when no folder is given). */
export async function openEmbeddedDatabase(dataDir?: string): Promise<PGlite> {
  if (dataDir) mkdirSync(dataDir, { recursive: true });
  const client = dataDir ? new PGlite(dataDir) : new PGlite();
  await client.waitReady;
  return client;
}

/** Runs `work` on a short-lived connection to the server's `postgres` database (to create or drop others). */
async function withServerAdmin<T>(serverUrl: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const admin = new URL(serverUrl);
  admin.pathname = '/postgres';
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** Returns the URL of `bazaar_<service>` on the server of `serverUrl`, creating the database if needed. */
export async function ensureServiceDatabase(serverUrl: string, qualifiedName: string): Promise<string> {
  const target = new URL(serverUrl);
  const name = `bazaar_${qualifiedName}`;
  target.pathname = `/${name}`;
  await withServerAdmin(serverUrl, async (client) => {
    const found = await client.query('select 1 from pg_database where datname = $1', [name]);
    if (found.rowCount !== 0) return;
    try {
      await client.query(`create database "${name}"`);
    } catch (err) {
      // Another replica created it between our check and our create.
      if ((err as { code?: string }).code !== '42P04' && (err as { code?: string }).code !== '23505')
        throw err;
    }
  });
  return target.toString();
}

/** Drops every service database of a namespace (`bazaar_<namespace>…`): what a benchmark run leaves. */
export async function dropNamespaceDatabases(serverUrl: string, namespace: string): Promise<void> {
  if (!namespace) throw new Error('refusing to drop the databases of the default namespace');
  await withServerAdmin(serverUrl, async (client) => {
    const { rows } = await client.query<{ datname: string }>(
      'select datname from pg_database where starts_with(datname, $1)',
      [`bazaar_${namespace}`],
    );
    for (const { datname } of rows) await client.query(`drop database if exists "${datname}" with (force)`);
  });
}
