export * from './adapter.js';
export {
  type Chatloom,
  type ChatloomOptions,
  createChatloom,
  type DrainResult,
  type WebhookRequest,
  type WebhookResponse,
} from './chatloom.js';
export { CredentialsKeyError, type EncryptionKey } from './crypto.js';
export { type DispatcherOptions, TokenBucket } from './dispatcher.js';
export { newId } from './ids.js';
export {
  type ChatloomEventName,
  type ChatloomEvents,
  type Clock,
  type Contact,
  type Conversation,
  type ConversationStatus,
  consoleLogger,
  type Logger,
  type Message,
  type MessageDirection,
  type MessageSender,
  type MessageStatus,
  NotFoundError,
  systemClock,
  type Tenant,
  toContact,
  toConversation,
  toMessage,
  WindowClosedError,
} from './model.js';
export { createPostgresStore, type PostgresStoreOptions } from './postgres.js';
export { ChannelIdTakenError } from './queries.js';
export type {
  ChannelStatus,
  ChannelTable,
  ContactTable,
  ConversationTable,
  Database,
  Dialect,
  FlowTable,
  MessageTable,
  OutboxTable,
  TenantTable,
} from './schema.js';
export { createSqliteStore, type SqliteStoreOptions } from './sqlite.js';
export type {
  ChannelRecord,
  InboundEventRow,
  OutboxJob,
  OutboxOutcome,
  PendingCounts,
  StatusChange,
  Store,
} from './store.js';
