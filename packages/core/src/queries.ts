/**
 * Every query of both drivers, written once. An operation is a generator that yields Kysely
 * queries and receives their rows: the SQLite driver runs it synchronously inside one
 * better-sqlite3 transaction (no awaits, nothing interleaves), the Postgres driver awaits
 * each query on one pooled connection (writes yielded as `Deferred` are sent together, as one
 * statement). Where the dialects differ (advisory locks, SKIP LOCKED, data-modifying CTEs) an
 * operation branches on `ctx.dialect`.
 */
import { type Compilable, CompiledQuery, type Kysely } from 'kysely';
import { CredentialsKeyError, open, seal } from './crypto.js';
import { newId } from './ids.js';
import type {
  ChannelTable,
  ContactTable,
  ConversationTable,
  Database,
  Dialect,
  FlowSessionTable,
  FlowTable,
  InboundEventState,
  MessageStatus,
  MessageTable,
  ParkedStatusTable,
  TenantTable,
  TimerTable,
} from './schema.js';
import type {
  Changes,
  ChannelRecord,
  ContactLookup,
  InboundEventRow,
  Loaded,
  NewInboundEvent,
  OutboxJob,
  OutboxOutcome,
  PendingCounts,
  StatusChange,
  StatusUpdate,
  TransactResult,
  UnitOfWork,
} from './store.js';

/**
 * A write whose rows the operation does not read, so a driver may hold it back and send it
 * with the next writes (Postgres: one statement, one round trip); it runs before any later
 * query that is not deferred, and before commit. Deferred writes of one group must not touch
 * the same rows (on Postgres they see one snapshot).
 */
export class Deferred {
  constructor(readonly query: Compilable<unknown> | CompiledQuery<unknown>) {}
}

/** One query of an operation. */
export type Step = Compilable<unknown> | CompiledQuery<unknown> | Deferred;
/** An operation: yields queries, receives their rows, returns R. */
export type Op<R> = Generator<Step, R, unknown[]>;

export interface QueryContext {
  db: Kysely<Database>;
  dialect: Dialect;
  /** Parsed encryption key; required to read or write channel credentials. */
  key: Buffer | undefined;
  /** Name of the store factory, for error messages. */
  owner: string;
}

export function compile(step: Step): CompiledQuery<unknown> {
  if (step instanceof Deferred) return compile(step.query);
  return 'compile' in step && typeof step.compile === 'function'
    ? step.compile()
    : (step as CompiledQuery<unknown>);
}

const later = (query: Compilable<unknown> | CompiledQuery<unknown>) => new Deferred(query);

function* rows<T>(query: Compilable<T> | CompiledQuery<T>): Generator<Step, T[], unknown[]> {
  return (yield query) as T[];
}

/**
 * What a multi-row insert does with a row whose `target` columns match an existing row's:
 * skip it (`update` empty) or overwrite the `update` columns with the new row's values.
 */
interface OnConflict {
  target: readonly string[];
  update: readonly string[];
}

/** The SQL of the hot inserts by shape (dialect, table, columns, rows, conflict). */
const insertSql = new Map<string, string>();

/**
 * A multi-row insert as compiled SQL, without Kysely: on the hot path Kysely built a node per
 * value, froze it and visited it again to compile (about 5 % of the server's CPU a reply),
 * and each call produced a new SQL string the statement cache had to hash in full. Here the
 * SQL of a shape is built once and the same string comes back, so only the parameters are
 * new. The SQL is what Kysely builds for the same rows: the columns are those any row
 * defines, in first-seen order, and a row without one gets the column's default (`null` on
 * SQLite, which has no `default` in values); such irregular inserts are not cached.
 */
function insertRows(
  ctx: QueryContext,
  table: keyof Database & string,
  rows: readonly object[],
  conflict?: OnConflict,
): CompiledQuery<unknown> {
  const records = rows as readonly Record<string, unknown>[];
  const columns: string[] = [];
  for (const row of records)
    for (const column in row)
      if (row[column] !== undefined && !columns.includes(column)) columns.push(column);
  const parameters: unknown[] = [];
  let regular = true;
  for (const row of records) {
    for (const column of columns) {
      const value = row[column];
      if (value === undefined) regular = false;
      else parameters.push(value);
    }
  }
  const key = regular
    ? `${ctx.dialect} ${table} ${rows.length} ${columns.join(',')} ${conflict ? `${conflict.target.join(',')}:${conflict.update.join(',')}` : ''}`
    : undefined;
  let sql = key === undefined ? undefined : insertSql.get(key);
  if (sql === undefined) {
    const quote = (name: string) => `"${name}"`;
    const missing = ctx.dialect === 'postgres' ? 'default' : 'null';
    let n = 0;
    const values = records
      .map(
        (row) =>
          `(${columns
            .map((column) =>
              row[column] === undefined ? missing : ctx.dialect === 'postgres' ? `$${++n}` : '?',
            )
            .join(', ')})`,
      )
      .join(', ');
    sql = `insert into ${quote(table)} (${columns.map(quote).join(', ')}) values ${values}`;
    if (conflict) {
      sql += ` on conflict (${conflict.target.map(quote).join(', ')}) do ${
        conflict.update.length === 0
          ? 'nothing'
          : `update set ${conflict.update.map((c) => `${quote(c)} = "excluded".${quote(c)}`).join(', ')}`
      }`;
    }
    if (key !== undefined) {
      if (insertSql.size > 2000) insertSql.clear();
      insertSql.set(key, sql);
    }
  }
  return CompiledQuery.raw(sql, parameters);
}

// Lock namespaces (first key of the two-int advisory lock).
const conversationLockSpace = 1398;
const inboundLockSpace = 1399;
/** A platform message id's statuses: parking one and recording the id do not interleave. */
const statusLockSpace = 1400;
/** Parked statuses nobody claims (e.g. of messages another app sent) are dropped after a day. */
const parkedStatusTtlMs = 24 * 60 * 60 * 1000;

const unique = <T>(values: Iterable<T>): T[] => [...new Set(values)];

// ---------------------------------------------------------------------------------------
// Tenants, channels, flows
// ---------------------------------------------------------------------------------------

export function* insertTenant(ctx: QueryContext, row: TenantTable): Op<void> {
  yield ctx.db.insertInto('tenants').values(row);
}

export function* getTenant(ctx: QueryContext, id: string): Op<TenantTable | undefined> {
  return (yield* rows(ctx.db.selectFrom('tenants').selectAll().where('id', '=', id)))[0];
}

export function* setTenantSystemMessages(
  ctx: QueryContext,
  id: string,
  systemMessages: string | null,
): Op<boolean> {
  const updated = yield* rows(
    ctx.db
      .updateTable('tenants')
      .set({ system_messages: systemMessages })
      .where('id', '=', id)
      .returning('id'),
  );
  return updated.length > 0;
}

function requireKey(ctx: QueryContext): Buffer {
  if (!ctx.key) {
    throw new Error(
      `${ctx.owner}: pass \`encryptionKey\` (32 bytes) to store and read channel credentials; they are encrypted at rest`,
    );
  }
  return ctx.key;
}

function openCredentials(ctx: QueryContext, row: ChannelTable): Record<string, string> {
  const key = requireKey(ctx);
  try {
    return JSON.parse(open(key, row.credentials, row.id)) as Record<string, string>;
  } catch (error) {
    throw new CredentialsKeyError(
      `Channel "${row.id}" (tenant "${row.tenant_id}"): ${error instanceof Error ? error.message : String(error)}. ` +
        "Restore the encryption key it was saved with, or save the channel's credentials again (updateChannel).",
    );
  }
}

function channelRecord(ctx: QueryContext, row: ChannelTable): ChannelRecord {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    platform: row.platform,
    name: row.name,
    settings: JSON.parse(row.settings) as Record<string, unknown>,
    credentials: openCredentials(ctx, row),
    status: row.status,
    statusDetail: row.status_detail,
    subscribed: row.subscribed === 1,
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  };
}

/** A channel id another tenant holds. */
export class ChannelIdTakenError extends Error {
  constructor(id: string) {
    super(`Channel id "${id}" is taken by another tenant: choose another id, or omit it`);
    this.name = 'ChannelIdTakenError';
  }
}

export function* saveChannel(ctx: QueryContext, channel: ChannelRecord): Op<void> {
  const [existing] = yield* rows(
    ctx.db.selectFrom('channels').select('tenant_id').where('id', '=', channel.id),
  );
  if (existing && existing.tenant_id !== channel.tenantId)
    throw new ChannelIdTakenError(channel.id);
  const row: ChannelTable = {
    id: channel.id,
    tenant_id: channel.tenantId,
    platform: channel.platform,
    name: channel.name,
    settings: JSON.stringify(channel.settings),
    credentials: seal(requireKey(ctx), JSON.stringify(channel.credentials), channel.id),
    status: channel.status,
    status_detail: channel.statusDetail,
    subscribed: channel.subscribed ? 1 : 0,
    created_at: channel.createdAt,
    updated_at: channel.updatedAt,
  };
  yield ctx.db
    .insertInto('channels')
    .values(row)
    .onConflict((oc) =>
      oc
        .column('id')
        .doUpdateSet((eb) => ({
          name: eb.ref('excluded.name'),
          settings: eb.ref('excluded.settings'),
          credentials: eb.ref('excluded.credentials'),
          status: eb.ref('excluded.status'),
          status_detail: eb.ref('excluded.status_detail'),
          subscribed: eb.ref('excluded.subscribed'),
          updated_at: eb.ref('excluded.updated_at'),
        }))
        // Never moves a channel to another tenant (a concurrent insert of the same id).
        .where('channels.tenant_id', '=', channel.tenantId),
    );
}

export function* getChannel(ctx: QueryContext, id: string): Op<ChannelRecord | undefined> {
  const [row] = yield* rows(ctx.db.selectFrom('channels').selectAll().where('id', '=', id));
  return row && channelRecord(ctx, row);
}

export function* listChannels(ctx: QueryContext, tenantId: string): Op<ChannelRecord[]> {
  const found = yield* rows(
    ctx.db
      .selectFrom('channels')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .orderBy('created_at'),
  );
  return found.map((row) => channelRecord(ctx, row));
}

export function* saveFlow(ctx: QueryContext, row: FlowTable): Op<void> {
  yield ctx.db
    .insertInto('flows')
    .values(row)
    .onConflict((oc) =>
      oc.columns(['tenant_id', 'flow_id', 'version']).doUpdateSet((eb) => ({
        definition: eb.ref('excluded.definition'),
        published: eb.ref('excluded.published'),
        updated_at: eb.ref('excluded.updated_at'),
      })),
    );
}

export function* publishFlow(
  ctx: QueryContext,
  tenantId: string,
  flowId: string,
  version: number | null,
  at: number,
): Op<void> {
  yield ctx.db
    .updateTable('flows')
    .set({ published: 0, updated_at: at })
    .where('tenant_id', '=', tenantId)
    .where('flow_id', '=', flowId)
    .where('published', '=', 1);
  if (version !== null) {
    const updated = yield* rows(
      ctx.db
        .updateTable('flows')
        .set({ published: 1, updated_at: at })
        .where('tenant_id', '=', tenantId)
        .where('flow_id', '=', flowId)
        .where('version', '=', version)
        .returning('version'),
    );
    if (updated.length === 0)
      throw new Error(`Flow "${flowId}" has no version ${version} to publish`);
  }
}

export function* listFlows(
  ctx: QueryContext,
  tenantId: string,
  published: boolean | undefined,
): Op<FlowTable[]> {
  let query = ctx.db.selectFrom('flows').selectAll().where('tenant_id', '=', tenantId);
  if (published !== undefined) query = query.where('published', '=', published ? 1 : 0);
  return yield* rows(query.orderBy('flow_id').orderBy('version'));
}

export function* deleteFlow(ctx: QueryContext, tenantId: string, flowId: string): Op<number> {
  const deleted = yield* rows(
    ctx.db
      .deleteFrom('flows')
      .where('tenant_id', '=', tenantId)
      .where('flow_id', '=', flowId)
      .returning('version'),
  );
  return deleted.length;
}

// ---------------------------------------------------------------------------------------
// Inbound events
// ---------------------------------------------------------------------------------------

const toBuffer = (bytes: Uint8Array) =>
  Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);

/** Inbound events inserted per statement. */
export const inboundInsertChunk = 500;

export function* appendInboundEvents(ctx: QueryContext, events: NewInboundEvent[]): Op<void> {
  for (let i = 0; i < events.length; i += inboundInsertChunk) {
    const chunk = events.slice(i, i + inboundInsertChunk).map((e) => ({
      channel_id: e.channelId,
      raw_body: toBuffer(e.rawBody),
      received_at: e.receivedAt,
      state: 'pending' as const,
    }));
    yield insertRows(ctx, 'inbound_events', chunk);
  }
}

export function* pendingInboundEvents(ctx: QueryContext, limit: number): Op<InboundEventRow[]> {
  return yield* rows(
    ctx.db
      .selectFrom('inbound_events')
      .selectAll()
      .where('state', '=', 'pending')
      .orderBy('id')
      .limit(limit),
  );
}

export function* recordInboundAttempt(ctx: QueryContext, id: number): Op<number> {
  const [row] = yield* rows(
    ctx.db
      .updateTable('inbound_events')
      .set((eb) => ({ attempts: eb('attempts', '+', 1) }))
      .where('id', '=', id)
      .returning('attempts'),
  );
  return row ? Number(row.attempts) : 0;
}

export function* listInboundEvents(
  ctx: QueryContext,
  state: InboundEventState | undefined,
  limit: number,
): Op<InboundEventRow[]> {
  let query = ctx.db.selectFrom('inbound_events').selectAll();
  if (state) query = query.where('state', '=', state);
  return yield* rows(query.orderBy('id').limit(limit));
}

// ---------------------------------------------------------------------------------------
// Timers
// ---------------------------------------------------------------------------------------

export function* dueTimers(ctx: QueryContext, now: number, limit: number): Op<TimerTable[]> {
  return yield* rows(
    ctx.db
      .selectFrom('timers')
      .selectAll()
      .where('due_at', '<=', now)
      .orderBy('due_at')
      .limit(limit),
  );
}

export function* nextTimerDue(ctx: QueryContext): Op<number | null> {
  const [row] = yield* rows(
    ctx.db.selectFrom('timers').select('due_at').orderBy('due_at').limit(1),
  );
  return row ? Number(row.due_at) : null;
}

// ---------------------------------------------------------------------------------------
// Units of work
// ---------------------------------------------------------------------------------------

function* findContacts(ctx: QueryContext, lookups: ContactLookup[]): Op<ContactTable[]> {
  const channelIds = unique(lookups.map((l) => l.channelId));
  const userIds = unique(lookups.flatMap((l) => (l.userId ? [l.userId] : [])));
  const phones = unique(lookups.flatMap((l) => (l.phone ? [l.phone] : [])));
  if (userIds.length === 0 && phones.length === 0) return [];
  return yield* rows(
    ctx.db
      .selectFrom('contacts')
      .selectAll()
      .where('channel_id', 'in', channelIds)
      .where((eb) =>
        eb.or([
          ...(userIds.length > 0 ? [eb('platform_user_id', 'in', userIds)] : []),
          ...(phones.length > 0 ? [eb('phone', 'in', phones)] : []),
        ]),
      ),
  );
}

export function* transact<T>(
  ctx: QueryContext,
  unit: UnitOfWork,
  apply: (loaded: Loaded) => { changes: Changes; result: T },
): Op<TransactResult<T> | undefined> {
  const { db } = ctx;
  const pg = ctx.dialect === 'postgres';

  let pendingEventIds = new Set<number>();
  if (unit.inboundEventIds && unit.inboundEventIds.length > 0) {
    if (pg) {
      // Inbound events are processed in arrival order by one process at a time. Advisory
      // locks are per database: the key names the schema, so deployments (or test runs) in
      // other schemas of the same database do not take turns with this one.
      const [lock] = yield* rows<{ ok: boolean }>(
        CompiledQuery.raw(
          `select pg_try_advisory_xact_lock(${inboundLockSpace}, hashtext(coalesce(current_schema(), ''))) as ok`,
        ),
      );
      if (!lock?.ok) return undefined;
    }
    const pending = yield* rows(
      db
        .selectFrom('inbound_events')
        .select('id')
        .where('id', 'in', unit.inboundEventIds)
        .where('state', '=', 'pending'),
    );
    pendingEventIds = new Set(pending.map((row) => Number(row.id)));
  }

  let timers: TimerTable[] = [];
  if (unit.timerIds && unit.timerIds.length > 0) {
    let query = db
      .selectFrom('timers')
      .selectAll()
      .where('id', 'in', unit.timerIds)
      .where('due_at', '<=', unit.now ?? Number.MAX_SAFE_INTEGER);
    if (pg) query = query.forUpdate().skipLocked();
    timers = yield* rows(query);
  }

  const contacts =
    unit.contacts && unit.contacts.length > 0 ? yield* findContacts(ctx, unit.contacts) : [];
  const conversationIds = new Set(unit.conversationIds ?? []);
  for (const timer of timers) conversationIds.add(timer.conversation_id);
  if (contacts.length > 0) {
    // (channel_id, contact_id) is the index: name both columns.
    const found = yield* rows(
      db
        .selectFrom('conversations')
        .select('id')
        .where('channel_id', 'in', unique(contacts.map((c) => c.channel_id)))
        .where(
          'contact_id',
          'in',
          contacts.map((c) => c.id),
        ),
    );
    for (const row of found) conversationIds.add(row.id);
  }

  let locked = [...conversationIds].sort();
  if (pg && locked.length > 0) {
    if (unit.lock === 'skip') {
      const got = yield* rows<{ id: string }>(
        CompiledQuery.raw(
          `select id from unnest($1::text[]) as id where pg_try_advisory_xact_lock(${conversationLockSpace}, hashtext(id))`,
          [locked],
        ),
      );
      const gotSet = new Set(got.map((row) => row.id));
      locked = locked.filter((id) => gotSet.has(id));
      timers = timers.filter((timer) => gotSet.has(timer.conversation_id));
    } else {
      yield CompiledQuery.raw(
        `select pg_advisory_xact_lock(${conversationLockSpace}, hashtext(id))::text from unnest($1::text[]) as id`,
        [locked],
      );
    }
  }

  // Read after locking: these rows are current until commit.
  const conversations =
    locked.length > 0
      ? yield* rows(db.selectFrom('conversations').selectAll().where('id', 'in', locked))
      : [];
  const sessions =
    locked.length > 0
      ? yield* rows(
          db.selectFrom('flow_sessions').selectAll().where('conversation_id', 'in', locked),
        )
      : [];

  const messages: MessageTable[] = [];
  if (unit.messageKeys && unit.messageKeys.length > 0) {
    const wanted = new Set(
      unit.messageKeys.map((k) => `${k.channelId}\u0000${k.platformMessageId}`),
    );
    const found = yield* rows(
      db
        .selectFrom('messages')
        .selectAll()
        .where('channel_id', 'in', unique(unit.messageKeys.map((k) => k.channelId)))
        .where(
          'platform_message_id',
          'in',
          unique(unit.messageKeys.map((k) => k.platformMessageId)),
        ),
    );
    for (const row of found)
      if (wanted.has(`${row.channel_id}\u0000${row.platform_message_id}`)) messages.push(row);
  }
  if (unit.messageIds && unit.messageIds.length > 0) {
    messages.push(
      ...(yield* rows(db.selectFrom('messages').selectAll().where('id', 'in', unit.messageIds))),
    );
  }

  const { changes, result } = apply({
    pendingEventIds,
    timers,
    contacts,
    conversations,
    sessions,
    messages,
  });
  const statusChanges = yield* writeChanges(ctx, changes);
  return { result, statusChanges };
}

/** Statuses a message may move to `status` from: forward only, `failed` final. */
const movesFrom: Record<StatusUpdate['status'], MessageStatus[]> = {
  sent: ['pending'],
  delivered: ['pending', 'sent'],
  read: ['pending', 'sent', 'delivered'],
  failed: ['pending', 'sent', 'delivered'],
};

// JSON, not a NUL separator: the key also goes to Postgres text (hashtext), which refuses NUL.
const statusKey = (channelId: string, platformMessageId: string) =>
  JSON.stringify([channelId, platformMessageId]);

/** Postgres: serialises parking a status and recording its message's platform id. */
function* lockStatusKeys(ctx: QueryContext, keys: string[]): Op<void> {
  if (ctx.dialect !== 'postgres' || keys.length === 0) return;
  // In hash order, so two transactions never wait on each other in a cycle.
  yield CompiledQuery.raw(
    `select pg_advisory_xact_lock(${statusLockSpace}, h)::text from
       (select distinct hashtext(k) as h from unnest($1::text[]) as k order by 1) s`,
    [unique(keys)],
  );
}

function* applyStatus(ctx: QueryContext, update: StatusUpdate): Op<StatusChange[]> {
  const updated = yield* rows(
    ctx.db
      .updateTable('messages')
      .set((eb) => ({
        status: update.status,
        error: update.error === null ? eb.ref('error') : eb.val(update.error),
        updated_at: update.at,
      }))
      .where('channel_id', '=', update.channelId)
      .where('platform_message_id', '=', update.platformMessageId)
      .where('direction', '=', 'out')
      .where('status', 'in', movesFrom[update.status])
      .returning(['id', 'tenant_id', 'conversation_id', 'status', 'error']),
  );
  return updated.map(changed);
}

/**
 * Applies delivery statuses, forward only. A status for a platform id no message holds yet
 * (the webhook beat the commit of the send's outcome) is parked and applied when the id is
 * recorded (`completeOutbox`).
 */
function* applyStatusUpdates(ctx: QueryContext, updates: StatusUpdate[]): Op<StatusChange[]> {
  const { db } = ctx;
  const changes: StatusChange[] = [];
  const unmatched: StatusUpdate[] = [];
  for (const update of updates) {
    const updated = yield* applyStatus(ctx, update);
    if (updated.length > 0) changes.push(...updated);
    else unmatched.push(update);
  }
  if (unmatched.length === 0) return changes;
  yield* lockStatusKeys(
    ctx,
    unmatched.map((u) => statusKey(u.channelId, u.platformMessageId)),
  );
  const found = yield* rows(
    db
      .selectFrom('messages')
      .select(['channel_id', 'platform_message_id'])
      .where('channel_id', 'in', unique(unmatched.map((u) => u.channelId)))
      .where('platform_message_id', 'in', unique(unmatched.map((u) => u.platformMessageId)))
      .where('direction', '=', 'out'),
  );
  const known = new Set(
    found.map((row) => statusKey(row.channel_id, row.platform_message_id ?? '')),
  );
  const parked: Omit<ParkedStatusTable, 'id'>[] = [];
  for (const update of unmatched) {
    if (known.has(statusKey(update.channelId, update.platformMessageId))) {
      // Postgres: the id may have been recorded since the first try (now we hold its lock).
      if (ctx.dialect === 'postgres') changes.push(...(yield* applyStatus(ctx, update)));
      continue; // otherwise: not a move forward
    }
    parked.push({
      channel_id: update.channelId,
      platform_message_id: update.platformMessageId,
      status: update.status,
      error: update.error,
      at: update.at,
      created_at: update.at,
    });
  }
  if (parked.length > 0) {
    yield db
      .deleteFrom('parked_statuses')
      .where('created_at', '<', parked[0]!.created_at - parkedStatusTtlMs);
    yield db.insertInto('parked_statuses').values(parked);
  }
  return changes;
}

/** Applies the statuses parked for platform ids just recorded, in arrival order. */
function* applyParkedStatuses(
  ctx: QueryContext,
  recorded: { channelId: string; platformMessageId: string }[],
): Op<StatusChange[]> {
  if (recorded.length === 0) return [];
  const { db } = ctx;
  const wanted = new Set(recorded.map((r) => statusKey(r.channelId, r.platformMessageId)));
  const found = (yield* rows(
    db
      .selectFrom('parked_statuses')
      .selectAll()
      .where('channel_id', 'in', unique(recorded.map((r) => r.channelId)))
      .where('platform_message_id', 'in', unique(recorded.map((r) => r.platformMessageId)))
      .orderBy('id'),
  )).filter((row) => wanted.has(statusKey(row.channel_id, row.platform_message_id)));
  if (found.length === 0) return [];
  const changes: StatusChange[] = [];
  for (const row of found) {
    changes.push(
      ...(yield* applyStatus(ctx, {
        channelId: row.channel_id,
        platformMessageId: row.platform_message_id,
        status: row.status,
        error: row.error,
        at: row.at,
      })),
    );
  }
  yield db.deleteFrom('parked_statuses').where(
    'id',
    'in',
    found.map((row) => Number(row.id)),
  );
  // One message, several statuses: report where it ended.
  const last = new Map(changes.map((c) => [c.messageId, c]));
  return [...last.values()];
}

// The conflict clauses of writeChanges' inserts.
const contactUpsert: OnConflict = {
  target: ['id'],
  update: ['platform_user_id', 'phone', 'name', 'updated_at'],
};
const conversationUpsert: OnConflict = {
  target: ['id'],
  update: [
    'status',
    'organizer_id',
    'chatbot_enabled',
    'last_inbound_at',
    'last_message_at',
    'updated_at',
  ],
};
const messageIgnore: OnConflict = { target: ['channel_id', 'platform_message_id'], update: [] };
const sessionUpsert: OnConflict = {
  target: ['conversation_id'],
  update: ['flow_id', 'flow_version', 'snapshot', 'version', 'state', 'updated_at'],
};

function* writeChanges(ctx: QueryContext, changes: Changes): Op<StatusChange[]> {
  const { db } = ctx;
  // The inserts and upserts below are deferred (on Postgres they reach the server as one
  // statement): each touches its own rows, and nothing reads what they wrote before commit.
  if (changes.contacts?.length) {
    yield later(insertRows(ctx, 'contacts', changes.contacts, contactUpsert));
  }
  if (changes.conversations?.length) {
    yield later(insertRows(ctx, 'conversations', changes.conversations, conversationUpsert));
  }
  if (changes.messages?.length) {
    for (let i = 0; i < changes.messages.length; i += 200) {
      yield later(insertRows(ctx, 'messages', changes.messages.slice(i, i + 200), messageIgnore));
    }
  }
  for (const star of changes.starred ?? []) {
    yield db
      .updateTable('messages')
      .set({ starred: star.starred, updated_at: star.at })
      .where('id', '=', star.id);
  }
  const statusChanges = changes.statusUpdates?.length
    ? yield* applyStatusUpdates(ctx, changes.statusUpdates)
    : [];
  if (changes.sessionDeletes?.length) {
    yield later(
      db.deleteFrom('flow_sessions').where('conversation_id', 'in', changes.sessionDeletes),
    );
  }
  if (changes.sessions?.length) {
    yield later(insertRows(ctx, 'flow_sessions', changes.sessions, sessionUpsert));
  }
  if (changes.timerDeletes?.length) {
    yield later(db.deleteFrom('timers').where('id', 'in', changes.timerDeletes));
  }
  if (changes.timers?.length) {
    yield later(
      db
        .insertInto('timers')
        .values(changes.timers)
        .onConflict((oc) =>
          oc.column('id').doUpdateSet((eb) => ({
            timer_key: eb.ref('excluded.timer_key'),
            session_version: eb.ref('excluded.session_version'),
            due_at: eb.ref('excluded.due_at'),
            created_at: eb.ref('excluded.created_at'),
          })),
        ),
    );
  }
  if (changes.outbox?.length) {
    for (let i = 0; i < changes.outbox.length; i += 500) {
      yield later(insertRows(ctx, 'outbox', changes.outbox.slice(i, i + 500)));
    }
  }
  const results = changes.inboundResults ?? [];
  const processed = results.filter((r) => r.state === 'processed' && r.error === null);
  if (processed.length > 0) {
    yield later(
      db
        .updateTable('inbound_events')
        .set({ state: 'processed', processed_at: processed[0]!.at })
        .where(
          'id',
          'in',
          processed.map((r) => r.id),
        ),
    );
  }
  for (const r of results) {
    if (r.state === 'processed' && r.error === null) continue;
    yield later(
      db
        .updateTable('inbound_events')
        .set({ state: r.state, error: r.error, processed_at: r.at })
        .where('id', '=', r.id),
    );
  }
  return statusChanges;
}

// ---------------------------------------------------------------------------------------
// Outbox
// ---------------------------------------------------------------------------------------

interface ClaimRow {
  seq: number;
  tenant_id: string;
  message_id: string;
  conversation_id: string;
  channel_id: string;
  attempts: number;
  content: string;
  sender: MessageTable['sender'];
  last_inbound_at: number | null;
  platform_user_id: string | null;
  phone: string | null;
  name: string | null;
}

const claimColumns = `c.seq, c.tenant_id, c.message_id, c.conversation_id, c.channel_id, c.attempts, m.content, m.sender,
  v.last_inbound_at, k.platform_user_id, k.phone, k.name`;
const claimJoins = `join messages m on m.id = c.message_id
  join conversations v on v.id = c.conversation_id
  join contacts k on k.id = v.contact_id`;
/**
 * Rows that hold back the later rows of their conversation: every row except a delayed one
 * (`sendMessage` with a later `at`) that is not due yet and was never tried. Replies queue
 * behind a due or retrying row, so they go out in order; a message scheduled for tomorrow
 * holds nothing back until it is due.
 */
const holdsHead = (e: string, now: string) =>
  `(${e}.next_attempt_at <= ${now} or ${e}.last_error is not null or ${e}.claimed_until is not null)`;
// The head row of its conversation only: per-conversation order survives retries and many processes.
const notBehind = (now: string) =>
  `not exists (select 1 from outbox e where e.conversation_id = o.conversation_id and e.seq < o.seq and ${holdsHead('e', now)})`;
const claimable = (p: (n: number) => string) => `o.next_attempt_at <= ${p(1)}
  and (o.claimed_until is null or o.claimed_until < ${p(1)})
  and ${notBehind(p(1))}`;

export function* claimOutbox(
  ctx: QueryContext,
  now: number,
  limit: number,
  leaseMs: number,
): Op<OutboxJob[]> {
  let found: ClaimRow[];
  const token = newId();
  const claimedUntil = now + leaseMs;
  if (ctx.dialect === 'postgres') {
    found = yield* rows<ClaimRow>(
      CompiledQuery.raw(
        `with picked as (
           select o.seq from outbox o where ${claimable((n) => `$${n}`)}
           order by o.seq limit $2 for update skip locked
         ), c as (
           update outbox set claimed_until = $3, attempts = outbox.attempts + 1, claim_token = $4
           from picked where outbox.seq = picked.seq returning outbox.*
         )
         select ${claimColumns} from c ${claimJoins} order by c.seq`,
        [now, limit, claimedUntil, token],
      ),
    );
  } else {
    found = yield* rows<ClaimRow>(
      CompiledQuery.raw(
        `select ${claimColumns} from (
           select o.* from outbox o where ${claimable(() => '?')} order by o.seq limit ?
         ) c ${claimJoins} order by c.seq`,
        [now, now, now, limit],
      ),
    );
    if (found.length > 0) {
      yield ctx.db
        .updateTable('outbox')
        .set((eb) => ({
          claimed_until: claimedUntil,
          attempts: eb('attempts', '+', 1),
          claim_token: token,
        }))
        .where(
          'seq',
          'in',
          found.map((row) => row.seq),
        );
      for (const row of found) row.attempts += 1;
    }
  }
  return found.map((row) => ({
    seq: Number(row.seq),
    tenantId: row.tenant_id,
    messageId: row.message_id,
    conversationId: row.conversation_id,
    channelId: row.channel_id,
    attempts: Number(row.attempts),
    content: row.content,
    sender: row.sender,
    lastInboundAt: row.last_inbound_at === null ? null : Number(row.last_inbound_at),
    contact: { userId: row.platform_user_id, phone: row.phone, name: row.name },
    claimToken: token,
    claimedUntil,
  }));
}

type ChangedRow = Pick<MessageTable, 'id' | 'tenant_id' | 'conversation_id' | 'status' | 'error'>;
const changed = (row: ChangedRow): StatusChange => ({
  messageId: row.id,
  tenantId: row.tenant_id,
  conversationId: row.conversation_id,
  status: row.status,
  error: row.error,
});

export function* completeOutbox(
  ctx: QueryContext,
  outcomes: OutboxOutcome[],
  now: number,
): Op<StatusChange[]> {
  if (ctx.dialect === 'postgres') return yield* completeOutboxPostgres(ctx, outcomes, now);
  const { db } = ctx;
  const changes: StatusChange[] = [];
  // Only outcomes of claims still held count: a claim that outlived its lease may belong to
  // another process now, whose outcome must not be overwritten.
  const held = new Set<number>();
  if (outcomes.length > 0) {
    const owned = (yield* rows(
      db
        .selectFrom('outbox')
        .select(['seq', 'claim_token'])
        .where(
          'seq',
          'in',
          outcomes.map((o) => o.seq),
        ),
    )).filter((row) =>
      outcomes.some((o) => o.seq === Number(row.seq) && o.claimToken === row.claim_token),
    );
    for (const row of owned) held.add(Number(row.seq));
  }
  const mine = outcomes.filter((o) => held.has(o.seq));
  const sent = mine.flatMap((o) => (o.outcome === 'sent' ? [o] : []));
  if (sent.length > 0) {
    yield db.deleteFrom('outbox').where(
      'seq',
      'in',
      sent.map((o) => o.seq),
    );
    for (const o of sent) {
      // Fixed SQL (not built per call): two statements per sent message, prepared once.
      // An echo of our own message may have been recorded before its id was: the sent row wins.
      yield CompiledQuery.raw(
        `delete from messages where sender = 'echo' and channel_id = ? and platform_message_id = ?`,
        [o.channelId, o.platformMessageId],
      );
      const updated = yield* rows<ChangedRow>(
        CompiledQuery.raw(
          `update messages set status = 'sent', updated_at = ?,
             -- an id another message already holds is not recorded twice (it would block the outbox)
             platform_message_id = case when exists (select 1 from messages as x
               where x.channel_id = ? and x.platform_message_id = ?) then null else ? end
           where id = ? and status = 'pending'
           returning id, tenant_id, conversation_id, status, error`,
          [now, o.channelId, o.platformMessageId, o.platformMessageId, o.messageId],
        ),
      );
      changes.push(...updated.map(changed));
    }
    // Statuses that arrived before the id was recorded.
    mergeChanges(changes, yield* applyParkedStatuses(ctx, sent));
  }
  yield* completeUnsent(ctx, mine, now, changes);
  return changes;
}

/** Replaces a message's change with a later one (parked statuses applied after the send). */
function mergeChanges(changes: StatusChange[], later: StatusChange[]) {
  if (later.length === 0) return;
  const byId = new Map(changes.map((c) => [c.messageId, c]));
  for (const change of later) byId.set(change.messageId, change);
  changes.splice(0, changes.length, ...byId.values());
}

/**
 * Postgres: the same as SQLite's in four round trips for a group of sent messages (begin and
 * commit included) rather than eight: the outcome commit is what each send lane waits for.
 */
function* completeOutboxPostgres(
  ctx: QueryContext,
  outcomes: OutboxOutcome[],
  now: number,
): Op<StatusChange[]> {
  const changes: StatusChange[] = [];
  if (outcomes.length === 0) return changes;
  const sentAll = outcomes.flatMap((o) => (o.outcome === 'sent' ? [o] : []));
  // One statement: the status-key locks (in hash order, taken before any row lock: the
  // one-time filter runs first), the claims still held (only those outcomes count: a claim
  // that outlived its lease may be another process's now), and the echoes of held sent
  // messages (an echo recorded before its id was: the sent row wins).
  const owned = yield* rows<{ seq: number }>(
    CompiledQuery.raw(
      `with locks as (
         select count(pg_advisory_xact_lock(${statusLockSpace}, h)::text) as n from
           (select distinct hashtext(k) as h from unnest($3::text[]) as k order by 1) s
       ), owned as (
         select o.seq from outbox o join unnest($1::bigint[], $2::text[]) as t(seq, token)
           on o.seq = t.seq and o.claim_token = t.token
         where (select n from locks) >= 0
         for update of o
       ), echo as (
         delete from messages where sender = 'echo' and (channel_id, platform_message_id) in
           (select v.c, v.p from unnest($4::bigint[], $5::text[], $6::text[]) as v(seq, c, p)
             where v.seq in (select seq from owned))
       )
       select seq from owned`,
      [
        outcomes.map((o) => o.seq),
        outcomes.map((o) => o.claimToken),
        unique(sentAll.map((o) => statusKey(o.channelId, o.platformMessageId))),
        sentAll.map((o) => o.seq),
        sentAll.map((o) => o.channelId),
        sentAll.map((o) => o.platformMessageId),
      ],
    ),
  );
  const held = new Set(owned.map((row) => Number(row.seq)));
  const mine = outcomes.filter((o) => held.has(o.seq));
  const sent = sentAll.filter((o) => held.has(o.seq));
  if (sent.length > 0) {
    // The outbox rows go, the messages become sent, and the parked statuses of their ids
    // are counted (stable: we hold their keys' locks), all in one statement.
    const updated = yield* rows<ChangedRow & { parked: number }>(
      CompiledQuery.raw(
        `with done as (delete from outbox where seq = any($4::bigint[])),
         parked as (select count(*)::int as n from parked_statuses
           where (channel_id, platform_message_id) in (select * from unnest($5::text[], $2::text[])))
         update messages m set status = 'sent', updated_at = $3,
           -- an id another message already holds is not recorded twice (it would block the outbox)
           platform_message_id = case when exists (select 1 from messages x
             where x.channel_id = m.channel_id and x.platform_message_id = v.pid) then null else v.pid end
         from unnest($1::text[], $2::text[]) as v(id, pid)
         where m.id = v.id and m.status = 'pending'
         returning m.id, m.tenant_id, m.conversation_id, m.status, m.error, (select n from parked) as parked`,
        [
          sent.map((o) => o.messageId),
          sent.map((o) => o.platformMessageId),
          now,
          sent.map((o) => o.seq),
          sent.map((o) => o.channelId),
        ],
      ),
    );
    changes.push(...updated.map(changed));
    // Statuses that arrived before the id was recorded (the count is only known when a row
    // came back; look whenever one did not).
    if (updated.length < sent.length || updated.some((row) => Number(row.parked) > 0))
      mergeChanges(changes, yield* applyParkedStatuses(ctx, sent));
  }
  yield* completeUnsent(ctx, mine, now, changes);
  return changes;
}

/** Retries, releases and failures of held claims. */
function* completeUnsent(
  ctx: QueryContext,
  mine: OutboxOutcome[],
  now: number,
  changes: StatusChange[],
): Op<void> {
  const { db } = ctx;
  for (const o of mine) {
    if (o.outcome === 'retry') {
      yield db
        .updateTable('outbox')
        .set((eb) => ({
          next_attempt_at: o.nextAttemptAt,
          claimed_until: null,
          claim_token: null,
          last_error: o.error,
          attempts: o.attemptSpent === false ? eb('attempts', '-', 1) : eb.ref('attempts'),
        }))
        .where('seq', '=', o.seq);
    } else if (o.outcome === 'release') {
      yield db
        .updateTable('outbox')
        .set((eb) => ({ claimed_until: null, claim_token: null, attempts: eb('attempts', '-', 1) }))
        .where('seq', '=', o.seq);
    } else if (o.outcome === 'failed') {
      yield db.deleteFrom('outbox').where('seq', '=', o.seq);
      const updated = yield* rows(
        db
          .updateTable('messages')
          .set({ status: 'failed', error: o.error, updated_at: now })
          .where('id', '=', o.messageId)
          .where('status', '=', 'pending')
          .returning(['id', 'tenant_id', 'conversation_id', 'status', 'error']),
      );
      changes.push(...updated.map(changed));
    }
  }
}

export function* cancelScheduled(
  ctx: QueryContext,
  channelId: string,
  now: number,
  error: string,
): Op<StatusChange[]> {
  const { db } = ctx;
  let query = db
    .selectFrom('outbox')
    .select(['seq', 'message_id'])
    .where('channel_id', '=', channelId)
    .where('next_attempt_at', '>', now)
    .where('attempts', '=', 0)
    .where('claimed_until', 'is', null);
  if (ctx.dialect === 'postgres') query = query.forUpdate().skipLocked();
  const found = yield* rows(query);
  if (found.length === 0) return [];
  const changes: StatusChange[] = [];
  for (let i = 0; i < found.length; i += 500) {
    const chunk = found.slice(i, i + 500);
    yield db.deleteFrom('outbox').where(
      'seq',
      'in',
      chunk.map((row) => row.seq),
    );
    const updated = yield* rows(
      db
        .updateTable('messages')
        .set({ status: 'failed', error, updated_at: now })
        .where(
          'id',
          'in',
          chunk.map((row) => row.message_id),
        )
        .where('status', '=', 'pending')
        .returning(['id', 'tenant_id', 'conversation_id', 'status', 'error']),
    );
    changes.push(...updated.map(changed));
  }
  return changes;
}

export function* nextOutboxAttempt(ctx: QueryContext, now: number): Op<number | null> {
  // Heads of their conversations only: a row queued behind another is not claimable when
  // due, and a claimed row not before its lease runs out.
  const p = ctx.dialect === 'postgres' ? '$1' : '?';
  const [row] = yield* rows<{ next: number | null }>(
    CompiledQuery.raw(
      `select min(case when o.claimed_until is not null and o.claimed_until >= o.next_attempt_at
                       then o.claimed_until + 1 else o.next_attempt_at end) as next
         from outbox o where ${notBehind(p)}`,
      [now],
    ),
  );
  return row?.next === null || row?.next === undefined ? null : Number(row.next);
}

export function* releaseOutboxClaims(ctx: QueryContext): Op<void> {
  yield ctx.db
    .updateTable('outbox')
    .set({ claimed_until: null, claim_token: null })
    .where('claimed_until', 'is not', null);
}

// ---------------------------------------------------------------------------------------
// Reads
// ---------------------------------------------------------------------------------------

export function* getConversation(ctx: QueryContext, id: string): Op<ConversationTable | undefined> {
  return (yield* rows(ctx.db.selectFrom('conversations').selectAll().where('id', '=', id)))[0];
}

export function* findConversation(
  ctx: QueryContext,
  channelId: string,
  contact: { userId?: string; phone?: string },
): Op<ConversationTable | undefined> {
  const [found] = yield* findContacts(ctx, [
    { channelId, userId: contact.userId, phone: contact.phone },
  ]);
  if (!found) return undefined;
  return (yield* rows(
    ctx.db
      .selectFrom('conversations')
      .selectAll()
      .where('channel_id', '=', channelId)
      .where('contact_id', '=', found.id),
  ))[0];
}

export function* listConversations(
  ctx: QueryContext,
  tenantId: string,
  limit: number,
): Op<ConversationTable[]> {
  return yield* rows(
    ctx.db
      .selectFrom('conversations')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .orderBy('last_message_at', 'desc')
      .limit(limit),
  );
}

export function* getContact(ctx: QueryContext, id: string): Op<ContactTable | undefined> {
  return (yield* rows(ctx.db.selectFrom('contacts').selectAll().where('id', '=', id)))[0];
}

export function* getMessage(ctx: QueryContext, id: string): Op<MessageTable | undefined> {
  return (yield* rows(ctx.db.selectFrom('messages').selectAll().where('id', '=', id)))[0];
}

export function* listMessages(ctx: QueryContext, conversationId: string): Op<MessageTable[]> {
  return yield* rows(
    ctx.db
      .selectFrom('messages')
      .selectAll()
      .where('conversation_id', '=', conversationId)
      .orderBy('created_at')
      .orderBy('id'),
  );
}

export function* getSession(
  ctx: QueryContext,
  conversationId: string,
): Op<FlowSessionTable | undefined> {
  return (yield* rows(
    ctx.db.selectFrom('flow_sessions').selectAll().where('conversation_id', '=', conversationId),
  ))[0];
}

export function* listTimers(ctx: QueryContext, conversationId: string): Op<TimerTable[]> {
  return yield* rows(
    ctx.db
      .selectFrom('timers')
      .selectAll()
      .where('conversation_id', '=', conversationId)
      .orderBy('due_at'),
  );
}

export function* countPending(ctx: QueryContext): Op<PendingCounts> {
  const [inbound] = yield* rows(
    ctx.db
      .selectFrom('inbound_events')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('state', '=', 'pending'),
  );
  const [outbox] = yield* rows(
    ctx.db.selectFrom('outbox').select((eb) => eb.fn.countAll<number>().as('n')),
  );
  const [timers] = yield* rows(
    ctx.db.selectFrom('timers').select((eb) => eb.fn.countAll<number>().as('n')),
  );
  return {
    inbound: Number(inbound?.n ?? 0),
    outbox: Number(outbox?.n ?? 0),
    timers: Number(timers?.n ?? 0),
  };
}
