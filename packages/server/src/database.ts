/**
 * The server's own tables (users, memberships, roles, sessions, API tokens, quick replies,
 * media, notifications) on core's database, in a migration set of their own
 * (`chatloom_server_migration`). Portable like core's: epoch ms in bigint, flags as 0/1,
 * JSON as text, ids as text.
 *
 * The server reads core's tables directly (lists, search, paging, figures) but writes them
 * only through `createChatloom`'s methods. On SQLite it never opens a Kysely transaction
 * (core shares the connection): each write here is one statement, ordered so that a failure
 * between two leaves nothing inconsistent.
 */
import type { Database as CoreDatabase } from '@chatloom/core';
import { type Kysely, sql } from 'kysely';
import type { Migration, MigrationProvider } from 'kysely/migration';

export interface UserTable {
  id: string;
  /** Lower-cased. */
  email: string;
  name: string;
  password_hash: string;
  created_at: number;
  updated_at: number;
}

export interface MembershipTable {
  user_id: string;
  tenant_id: string;
  role_id: string;
  created_at: number;
  /** Set while an admin has deactivated the user in this tenant: no sign-in, no tokens here. */
  deactivated_at: number | null;
}

export interface RoleTable {
  id: string;
  tenant_id: string;
  name: string;
  /** JSON array of permissions. */
  permissions: string;
  created_at: number;
  updated_at: number;
}

export interface SessionTable {
  /** SHA-256 (hex) of the cookie's token: a stolen database does not give sessions away. */
  id: string;
  user_id: string;
  /** The tenant picked after login (null until a user with several picks one). */
  tenant_id: string | null;
  created_at: number;
  expires_at: number;
}

export interface ApiTokenTable {
  id: string;
  tenant_id: string;
  /** The user the token acts as (its permissions are that user's in the tenant). */
  user_id: string;
  /** A channel's External API Token: limited to that channel. */
  channel_id: string | null;
  name: string;
  /** SHA-256 (hex) of the token: how requests are matched to it. */
  token_hash: string;
  /** The token sealed with the server key, for users allowed to show it again. */
  token_sealed: string;
  /** Masked form, e.g. `clt_Ab3d…x9Zq`. */
  hint: string;
  created_at: number;
  last_used_at: number | null;
  revoked_at: number | null;
}

export interface QuickReplyTable {
  id: string;
  tenant_id: string;
  shortcut: string;
  content: string;
  created_at: number;
  updated_at: number;
}

export interface QuickReplyChannelTable {
  quick_reply_id: string;
  channel_id: string;
}

export interface MediaTable {
  id: string;
  tenant_id: string;
  kind: 'image' | 'video' | 'document' | 'audio';
  url: string;
  name: string;
  filename: string | null;
  caption: string | null;
  created_at: number;
}

export interface NotificationTable {
  id: string;
  tenant_id: string;
  kind: 'template.status' | 'broadcast.completed' | 'message.failed';
  title: string;
  body: string;
  /** JSON. */
  data: string;
  created_at: number;
  read_at: number | null;
}

export interface ServerTables {
  users: UserTable;
  memberships: MembershipTable;
  roles: RoleTable;
  sessions: SessionTable;
  api_tokens: ApiTokenTable;
  quick_replies: QuickReplyTable;
  quick_reply_channels: QuickReplyChannelTable;
  media: MediaTable;
  notifications: NotificationTable;
}

/** Core's tables (read-only here) and the server's. */
export type ServerDatabase = CoreDatabase & ServerTables;
export type Db = Kysely<ServerDatabase>;

// biome-ignore lint/suspicious/noExplicitAny: migrations run before and across schema versions
type AnyDb = Kysely<any>;

const initial: Migration = {
  async up(db: AnyDb) {
    await db.schema
      .createTable('users')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('email', 'text', (c) => c.notNull().unique())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('password_hash', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('roles')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('tenant_id', 'text', (c) => c.notNull())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('permissions', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('roles_tenant_name')
      .on('roles')
      .columns(['tenant_id', 'name'])
      .unique()
      .execute();
    await db.schema
      .createTable('memberships')
      .addColumn('user_id', 'text', (c) => c.notNull())
      .addColumn('tenant_id', 'text', (c) => c.notNull())
      .addColumn('role_id', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('memberships_pk', ['user_id', 'tenant_id'])
      .execute();
    await db.schema
      .createIndex('memberships_tenant')
      .on('memberships')
      .column('tenant_id')
      .execute();
    await db.schema
      .createTable('sessions')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('user_id', 'text', (c) => c.notNull())
      .addColumn('tenant_id', 'text')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('expires_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('sessions_user').on('sessions').column('user_id').execute();
    await db.schema
      .createTable('api_tokens')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('tenant_id', 'text', (c) => c.notNull())
      .addColumn('user_id', 'text', (c) => c.notNull())
      .addColumn('channel_id', 'text')
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('token_hash', 'text', (c) => c.notNull().unique())
      .addColumn('token_sealed', 'text', (c) => c.notNull())
      .addColumn('hint', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('last_used_at', 'bigint')
      .addColumn('revoked_at', 'bigint')
      .execute();
    await db.schema.createIndex('api_tokens_tenant').on('api_tokens').column('tenant_id').execute();
    await db.schema
      .createTable('quick_replies')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('tenant_id', 'text', (c) => c.notNull())
      .addColumn('shortcut', 'text', (c) => c.notNull())
      .addColumn('content', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('quick_replies_tenant_shortcut')
      .on('quick_replies')
      .columns(['tenant_id', 'shortcut'])
      .unique()
      .execute();
    await db.schema
      .createTable('quick_reply_channels')
      .addColumn('quick_reply_id', 'text', (c) => c.notNull())
      .addColumn('channel_id', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('quick_reply_channels_pk', ['quick_reply_id', 'channel_id'])
      .execute();
    await db.schema
      .createTable('media')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('tenant_id', 'text', (c) => c.notNull())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('url', 'text', (c) => c.notNull())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('filename', 'text')
      .addColumn('caption', 'text')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('media_tenant').on('media').column('tenant_id').execute();
    await db.schema
      .createTable('notifications')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('tenant_id', 'text', (c) => c.notNull())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('title', 'text', (c) => c.notNull())
      .addColumn('body', 'text', (c) => c.notNull())
      .addColumn('data', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('read_at', 'bigint')
      .execute();
    await db.schema
      .createIndex('notifications_tenant_created')
      .on('notifications')
      .columns(['tenant_id', 'created_at'])
      .execute();
    // Inbox reads the server makes on core's tables.
    await db.schema
      .createIndex('messages_starred')
      .on('messages')
      .columns(['tenant_id', 'starred', 'created_at'])
      .execute();
    await db.schema
      .createIndex('messages_tenant_created')
      .on('messages')
      .columns(['tenant_id', 'created_at'])
      .execute();
  },
};

const membershipDeactivation: Migration = {
  async up(db: AnyDb) {
    await db.schema.alterTable('memberships').addColumn('deactivated_at', 'bigint').execute();
  },
};

export const serverMigrations: MigrationProvider = {
  async getMigrations() {
    return {
      '2026_11_20_0001_server': initial,
      '2026_11_21_0001_membership_deactivation': membershipDeactivation,
    };
  },
};

/** `count(*)` as a number on both dialects. */
export const countAll = sql<number>`count(*)`;
