/**
 * `createSqliteStore`: better-sqlite3 in WAL mode, one connection, for one process.
 *
 * Kysely builds every query (and runs the migrations); the hot path executes the compiled
 * SQL synchronously through cached better-sqlite3 statements inside one `BEGIN IMMEDIATE`
 * transaction per operation. A synchronous transaction cannot interleave with other work on
 * the connection (an async one could let a webhook's insert slip into it), and it skips the
 * per-query promise and connection-mutex overhead of Kysely's async SQLite driver.
 */
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { type MigrationProvider, Migrator } from 'kysely/migration';
import { type EncryptionKey, parseKey } from './crypto.js';
import { compile, type Op, type QueryContext } from './queries.js';
import { type Database, migrations } from './schema.js';
import type { Store } from './store.js';
import { buildStore, type Durability } from './store-base.js';

export interface SqliteStoreOptions {
  /** A file path, or `:memory:` (tests; gone when the store closes). */
  filename: string;
  /** Encrypts channel credentials at rest (AES-256-GCM): 32 bytes, hex or base64. */
  encryptionKey?: EncryptionKey;
  /**
   * `full` (default): every commit is fsynced, so an acknowledged webhook survives power
   * loss. `normal`: survives a process crash, not an OS crash; faster.
   */
  synchronous?: 'full' | 'normal';
}

type Statement = BetterSqlite3.Statement<unknown[], unknown>;

export function createSqliteStore(options: SqliteStoreOptions): Store {
  const database = new BetterSqlite3(options.filename);
  if (options.filename !== ':memory:' && options.filename !== '')
    database.pragma('journal_mode = WAL');
  database.pragma(`synchronous = ${options.synchronous === 'normal' ? 'NORMAL' : 'FULL'}`);
  database.pragma('busy_timeout = 5000');

  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database }) });
  const ctx: QueryContext = {
    db,
    dialect: 'sqlite',
    key: options.encryptionKey === undefined ? undefined : parseKey(options.encryptionKey),
    owner: 'createSqliteStore',
  };

  const statements = new Map<string, Statement>();
  const prepare = (sql: string): Statement => {
    let statement = statements.get(sql);
    if (!statement) {
      if (statements.size > 2000) statements.clear();
      statement = database.prepare(sql);
      statements.set(sql, statement);
    }
    return statement;
  };

  function execute<R>(op: Op<R>): R {
    let next = op.next();
    while (!next.done) {
      const query = compile(next.value);
      const statement = prepare(query.sql);
      let result: unknown[];
      if (statement.reader) {
        result = statement.all(...query.parameters);
      } else {
        statement.run(...query.parameters);
        result = [];
      }
      next = op.next(result);
    }
    return next.value;
  }

  const inTransaction = database.transaction(<R>(op: Op<R>): R => execute(op));
  // A relaxed commit skips the fsync (synchronous=NORMAL for that transaction only): in WAL
  // mode the next FULL commit's fsync covers the frames written before it.
  const full = options.synchronous !== 'normal';
  const relax = database.prepare('PRAGMA synchronous = NORMAL');
  const restore = database.prepare('PRAGMA synchronous = FULL');
  let closed = false;

  return buildStore(
    ctx,
    {
      async run<R>(op: Op<R>, transaction: boolean, durability?: Durability): Promise<R> {
        if (closed) throw new Error('createSqliteStore: the store is closed');
        if (!transaction) return execute(op);
        if (!full || durability !== 'relaxed') return inTransaction.immediate(op) as R;
        relax.run();
        try {
          return inTransaction.immediate(op) as R;
        } finally {
          restore.run();
        }
      },
    },
    {
      dialect: 'sqlite',
      singleProcess: true,
      kysely: db,
      async migrateExtra(name: string, provider: MigrationProvider) {
        const { error } = await new Migrator({
          db,
          provider,
          migrationTableName: `${name}_migration`,
          migrationLockTableName: `${name}_migration_lock`,
        }).migrateToLatest();
        if (error) throw error;
      },
      async migrate() {
        const { error } = await new Migrator({
          db,
          provider: migrations('sqlite'),
        }).migrateToLatest();
        if (error) throw error;
      },
      async close() {
        if (closed) return;
        closed = true;
        database.close();
      },
    },
  );
}
