/**
 * `createPostgresStore`: a pg pool, safe for many processes on one database.
 *
 * Kysely builds the queries and runs the migrations; operations run on one pooled
 * connection, each query awaited, in a transaction where they write. Per-conversation work
 * is serialised with transaction-scoped advisory locks; outbox rows and timers are claimed
 * with `FOR UPDATE SKIP LOCKED`; inbound events are processed by one process at a time so
 * that each conversation's messages are handled in arrival order.
 */
import { type CompiledQuery, Kysely, PostgresDialect } from 'kysely';
import { type MigrationProvider, Migrator } from 'kysely/migration';
import pg from 'pg';
import { type EncryptionKey, parseKey } from './crypto.js';
import { compile, Deferred, type Op, type QueryContext } from './queries.js';
import { type Database, migrations } from './schema.js';
import type { Store } from './store.js';
import { buildStore, type Durability } from './store-base.js';

export interface PostgresStoreOptions {
  connectionString: string;
  /** A schema to work in (created by `migrate()` if missing); default: the server's search_path. */
  schema?: string;
  /** Encrypts channel credentials at rest (AES-256-GCM): 32 bytes, hex or base64. */
  encryptionKey?: EncryptionKey;
  /** Pool size (default 10). */
  maxConnections?: number;
}

/** Bind parameters per statement: Postgres takes at most 65,535. */
const maxParameters = 30_000;

/**
 * Several writes as one statement: each a data-modifying CTE (all run, whether read or
 * not), their `$n` placeholders renumbered. Kysely's SQL carries values only as
 * placeholders, so a `$` followed by digits is always one.
 */
function combine(queries: CompiledQuery<unknown>[]): [string, unknown[]] {
  if (queries.length === 1) return [queries[0]!.sql, [...queries[0]!.parameters]];
  const parameters: unknown[] = [];
  const parts = queries.map((query, i) => {
    const offset = parameters.length;
    parameters.push(...query.parameters);
    const sql =
      offset === 0
        ? query.sql
        : query.sql.replace(/\$(\d+)/g, (_, n: string) => `$${Number(n) + offset}`);
    return `w${i} as (${sql})`;
  });
  return [`with ${parts.join(', ')} select 1`, parameters];
}

const int8 = 20;
const numeric = 1700;

export function createPostgresStore(options: PostgresStoreOptions): Store {
  if (options.schema !== undefined && !/^[A-Za-z_][A-Za-z0-9_]*$/.test(options.schema)) {
    throw new Error(`createPostgresStore: schema "${options.schema}" must be a plain identifier`);
  }
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    max: options.maxConnections ?? 10,
    ...(options.schema && { options: `-c search_path=${options.schema}` }),
    types: {
      // Times are epoch milliseconds in bigint columns: well inside Number's exact range.
      getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
        oid === int8 || oid === numeric
          ? (value: string) => Number(value)
          : pg.types.getTypeParser(oid, format ?? 'text')) as typeof pg.types.getTypeParser,
    },
  });
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  const ctx: QueryContext = {
    db,
    dialect: 'postgres',
    key: options.encryptionKey === undefined ? undefined : parseKey(options.encryptionKey),
    owner: 'createPostgresStore',
  };

  async function execute<R>(client: pg.PoolClient, op: Op<R>): Promise<R> {
    // Deferred writes wait here and go out together, before the next other query and before
    // the operation returns: a unit of work's six or so writes cost one round trip, not six.
    let held: CompiledQuery<unknown>[] = [];
    let heldParameters = 0;
    const flush = async () => {
      if (held.length === 0) return;
      const [sql, parameters] = combine(held);
      held = [];
      heldParameters = 0;
      await client.query(sql, parameters);
    };
    let next = op.next();
    while (!next.done) {
      const query = compile(next.value);
      if (next.value instanceof Deferred) {
        if (heldParameters + query.parameters.length > maxParameters) await flush();
        held.push(query);
        heldParameters += query.parameters.length;
        next = op.next([]);
        continue;
      }
      await flush();
      const result = await client.query(query.sql, query.parameters as unknown[]);
      next = op.next(result.rows ?? []);
    }
    await flush();
    return next.value;
  }

  async function createSchema() {
    if (!options.schema) return;
    const client = await pool.connect();
    try {
      await client.query(`create schema if not exists "${options.schema}"`);
    } finally {
      client.release();
    }
  }

  let closed = false;
  return buildStore(
    ctx,
    {
      async run<R>(op: Op<R>, transaction: boolean, durability?: Durability): Promise<R> {
        const client = await pool.connect();
        let broken: unknown;
        try {
          if (!transaction) return await execute(client, op);
          // Relaxed: the commit does not wait for the WAL flush (one round trip, both statements).
          await client.query(
            durability === 'relaxed' ? 'begin; set local synchronous_commit = off' : 'begin',
          );
          try {
            const result = await execute(client, op);
            await client.query('commit');
            return result;
          } catch (error) {
            await client.query('rollback').catch((rollbackError: unknown) => {
              broken = rollbackError;
            });
            throw error;
          }
        } finally {
          client.release(broken instanceof Error ? broken : undefined);
        }
      },
    },
    {
      dialect: 'postgres',
      singleProcess: false,
      kysely: db,
      async migrate() {
        await createSchema();
        const { error } = await new Migrator({
          db,
          provider: migrations('postgres'),
          // Without it Kysely may find another schema's migration tables and skip creating its own.
          ...(options.schema && { migrationTableSchema: options.schema }),
        }).migrateToLatest();
        if (error) throw error;
      },
      async migrateExtra(name: string, provider: MigrationProvider) {
        await createSchema();
        const { error } = await new Migrator({
          db,
          provider,
          migrationTableName: `${name}_migration`,
          migrationLockTableName: `${name}_migration_lock`,
          ...(options.schema && { migrationTableSchema: options.schema }),
        }).migrateToLatest();
        if (error) throw error;
      },
      async close() {
        if (closed) return;
        closed = true;
        await db.destroy();
      },
    },
  );
}
