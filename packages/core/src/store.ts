/**
 * The storage port: what core asks of a database. Two drivers implement it over the same
 * Kysely queries (queries.ts): `createSqliteStore` and `createPostgresStore`.
 *
 * Conversation work goes through `transact`, a unit of work in one transaction: the store
 * loads what the unit names (taking per-conversation locks on Postgres), hands it to a
 * synchronous `apply` written once in core, and writes the changes `apply` returns. The
 * domain logic never depends on the database; the drivers never contain domain logic.
 */
import type { Kysely } from 'kysely';
import type { MigrationProvider } from 'kysely/migration';
import type {
  ChannelStatus,
  ContactTable,
  ConversationTable,
  Database,
  Dialect,
  FlowSessionTable,
  FlowTable,
  InboundEventState,
  MessageStatus,
  MessageTable,
  OutboxTable,
  TenantTable,
  TimerTable,
} from './schema.js';

export type {
  ContactTable as ContactRow,
  ConversationTable as ConversationRow,
  FlowSessionTable as SessionRow,
  FlowTable as FlowRow,
  MessageTable as MessageRow,
  TenantTable as TenantRow,
  TimerTable as TimerRow,
};

/** A channel with its credentials decrypted. */
export interface ChannelRecord {
  id: string;
  tenantId: string;
  platform: string;
  name: string;
  settings: Record<string, unknown>;
  credentials: Record<string, string>;
  status: ChannelStatus;
  statusDetail: string | null;
  subscribed: boolean;
  createdAt: number;
  updatedAt: number;
}

export interface NewInboundEvent {
  channelId: string;
  rawBody: Uint8Array;
  receivedAt: number;
}

export interface InboundEventRow {
  id: number;
  channel_id: string;
  raw_body: Uint8Array;
  received_at: number;
  state: InboundEventState;
  error: string | null;
  processed_at: number | null;
  /** Times processing failed on a database error; the event stays pending until a limit. */
  attempts: number;
}

export interface ContactLookup {
  channelId: string;
  userId?: string | undefined;
  phone?: string | undefined;
}

export interface MessageKey {
  channelId: string;
  platformMessageId: string;
}

/** What a unit of work loads, under lock. */
export interface UnitOfWork {
  /** Inbound events to process. Only one inbound unit runs at a time across processes (order). */
  inboundEventIds?: number[];
  /** Due timers to fire; rows gone, not due, or locked by another process are left out. */
  timerIds?: string[];
  /** Firing timers: `now`, for the due check. */
  now?: number;
  contacts?: ContactLookup[];
  conversationIds?: string[];
  /** Messages by platform id (deduplication). */
  messageKeys?: MessageKey[];
  messageIds?: string[];
  /**
   * `wait` (default): wait for each conversation's lock. `skip`: leave out conversations
   * another process holds (timers: they are picked up on the next round).
   */
  lock?: 'wait' | 'skip';
}

export interface Loaded {
  /** Of `inboundEventIds`, those still pending. */
  pendingEventIds: ReadonlySet<number>;
  timers: TimerTable[];
  contacts: ContactTable[];
  /** Conversations named, and those of the loaded contacts; all locked. */
  conversations: ConversationTable[];
  sessions: FlowSessionTable[];
  messages: MessageTable[];
}

/** A delivery status to apply to an outbound message; statuses only move forward. */
export interface StatusUpdate {
  channelId: string;
  platformMessageId: string;
  status: 'sent' | 'delivered' | 'read' | 'failed';
  error: string | null;
  at: number;
}

export type NewOutboxRow = Omit<OutboxTable, 'seq'>;

/** What a unit of work writes. Applied in this order; upserts replace whole rows by id. */
export interface Changes {
  contacts?: ContactTable[];
  conversations?: ConversationTable[];
  /** Inserted; a duplicate (channel, platform message id) is skipped. */
  messages?: MessageTable[];
  starred?: { id: string; starred: number; at: number }[];
  statusUpdates?: StatusUpdate[];
  sessionDeletes?: string[];
  sessions?: FlowSessionTable[];
  timerDeletes?: string[];
  timers?: TimerTable[];
  outbox?: NewOutboxRow[];
  inboundResults?: {
    id: number;
    state: 'processed' | 'failed';
    error: string | null;
    at: number;
  }[];
}

/** A message whose status changed, for the `message.status` event. */
export interface StatusChange {
  messageId: string;
  tenantId: string;
  conversationId: string;
  status: MessageStatus;
  error: string | null;
}

export type TransactResult<T> = { result: T; statusChanges: StatusChange[] };

/** An outbox row claimed for sending, with what the dispatcher needs to send it. */
export interface OutboxJob {
  seq: number;
  tenantId: string;
  messageId: string;
  conversationId: string;
  channelId: string;
  attempts: number;
  /** `ChannelMessage` JSON. */
  content: string;
  sender: MessageTable['sender'];
  lastInboundAt: number | null;
  contact: { userId: string | null; phone: string | null; name: string | null };
  /** The claim: its completion must name it; the row is this claim's until `claimedUntil`. */
  claimToken: string;
  claimedUntil: number;
}

/**
 * What became of a claimed row. Every outcome names the claim it completes (`claimToken`): an
 * outcome whose claim was lost (its lease ran out and another process claimed the row) is
 * ignored, so it never overwrites the other process's outcome.
 */
export type OutboxOutcome = { seq: number; messageId: string; claimToken: string } & (
  | { outcome: 'sent'; channelId: string; platformMessageId: string }
  | {
      outcome: 'retry';
      nextAttemptAt: number;
      error: string;
      /** false: the claim did not count as an attempt. */
      attemptSpent?: boolean;
    }
  | { outcome: 'failed'; error: string }
  /** Not sent: the claim is given back, no attempt spent (e.g. too little of the lease left). */
  | { outcome: 'release' }
);

export interface PendingCounts {
  inbound: number;
  outbox: number;
  timers: number;
}

/** The storage port. */
export interface Store {
  readonly dialect: Dialect;
  /**
   * One process owns the database (SQLite): at `start()`, claims a crashed run left on
   * outbox rows are released at once instead of waiting for their lease to run out.
   */
  readonly singleProcess: boolean;
  /** Runs the migrations not yet applied. */
  migrate(): Promise<void>;
  close(): Promise<void>;
  /**
   * The Kysely instance on this store's database, for embedders that keep tables of their own
   * beside core's (the reference server does) or run read-only queries on core's. Write to
   * core's tables only through `createChatloom`'s methods. On SQLite never open a Kysely
   * transaction here: an async transaction on the one connection would take in core's writes.
   */
  readonly kysely: Kysely<Database>;
  /**
   * Runs another set of migrations on this database, tracked in tables of its own
   * (`<name>_migration`, `<name>_migration_lock`), in the store's schema.
   */
  migrateExtra(name: string, provider: MigrationProvider): Promise<void>;

  /** Updates a tenant's system messages (JSON of `SystemMessages`, or null to clear). */
  setTenantSystemMessages(id: string, systemMessages: string | null): Promise<boolean>;
  /**
   * Cancels a channel's messages waiting in the outbox for a later time (delayed messages that
   * no send has been tried for yet): their outbox rows go, the messages become `failed`.
   */
  cancelScheduled(channelId: string, now: number, error: string): Promise<StatusChange[]>;

  insertTenant(row: TenantTable): Promise<void>;
  getTenant(id: string): Promise<TenantTable | undefined>;
  /** Inserts or replaces a channel; credentials are encrypted before they are written. */
  saveChannel(channel: ChannelRecord): Promise<void>;
  getChannel(id: string): Promise<ChannelRecord | undefined>;
  listChannels(tenantId: string): Promise<ChannelRecord[]>;
  saveFlow(row: FlowTable): Promise<void>;
  /** Publishes one version of a flow (unpublishing the others), or unpublishes all with `null`. */
  publishFlow(tenantId: string, flowId: string, version: number | null, at: number): Promise<void>;
  listFlows(tenantId: string, options?: { published?: boolean }): Promise<FlowTable[]>;
  /** Deletes every version of a flow; returns how many. */
  deleteFlow(tenantId: string, flowId: string): Promise<number>;

  /** Stores raw webhook bodies in one transaction (group commit). */
  appendInboundEvents(events: NewInboundEvent[]): Promise<void>;
  pendingInboundEvents(limit: number): Promise<InboundEventRow[]>;
  /**
   * Counts a failed attempt at a pending inbound event (a database error: it stays pending and
   * is retried); returns the attempts so far.
   */
  recordInboundAttempt(id: number): Promise<number>;
  dueTimers(now: number, limit: number): Promise<TimerTable[]>;
  /** When the next timer is due, or null. */
  nextTimerDue(): Promise<number | null>;
  /**
   * Runs a unit of work in one transaction. Resolves undefined when the unit processes
   * inbound events and another process is processing inbound events right now.
   */
  transact<T>(
    unit: UnitOfWork,
    apply: (loaded: Loaded) => { changes: Changes; result: T },
  ): Promise<TransactResult<T> | undefined>;

  /**
   * Claims up to `limit` due outbox rows for `leaseMs`: the oldest row of each conversation
   * only, none claimed by another live process.
   */
  claimOutbox(now: number, limit: number, leaseMs: number): Promise<OutboxJob[]>;
  completeOutbox(outcomes: OutboxOutcome[], now: number): Promise<StatusChange[]>;
  /**
   * When the next outbox row becomes claimable (due, unclaimed or its lease over, and the
   * head of its conversation), or null when none waits. May be in the past.
   */
  nextOutboxAttempt(now: number): Promise<number | null>;
  releaseOutboxClaims(): Promise<void>;

  getConversation(id: string): Promise<ConversationTable | undefined>;
  findConversation(
    channelId: string,
    contact: { userId?: string; phone?: string },
  ): Promise<ConversationTable | undefined>;
  listConversations(tenantId: string, limit?: number): Promise<ConversationTable[]>;
  getContact(id: string): Promise<ContactTable | undefined>;
  getMessage(id: string): Promise<MessageTable | undefined>;
  listMessages(conversationId: string): Promise<MessageTable[]>;
  getSession(conversationId: string): Promise<FlowSessionTable | undefined>;
  listTimers(conversationId: string): Promise<TimerTable[]>;
  listInboundEvents(options?: {
    state?: InboundEventState;
    limit?: number;
  }): Promise<InboundEventRow[]>;
  countPending(): Promise<PendingCounts>;
}
