/**
 * What the routes share: the store, core's engine, the server's tables, the live-event hub.
 * `createServerContext` opens the database, runs both migration sets, wires the channel
 * adapters and starts the workers; `close` undoes it in order.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { createInstagramAdapter } from '@chatloom/adapter-instagram';
import { createMessengerAdapter } from '@chatloom/adapter-messenger';
import { createWhatsAppAdapter } from '@chatloom/adapter-whatsapp';
import {
  type ChannelAdapter,
  type Chatloom,
  type ChatloomOptions,
  type Clock,
  createChatloom,
  createPostgresStore,
  createSqliteStore,
  type Logger,
  type Store,
  systemClock,
} from '@chatloom/core';
import type { ServerConfig } from './config.js';
import { type Db, serverMigrations } from './database.js';
import { bridgeCoreEvents, createEventHub, type EventHub } from './events.js';
import { recordNotifications } from './notifications.js';
import { createSimulatorAdapter } from './simulator.js';

export interface ServerContext {
  readonly config: ServerConfig;
  readonly store: Store;
  readonly db: Db;
  readonly chatloom: Chatloom;
  readonly events: EventHub;
  readonly adapters: ReadonlyMap<string, ChannelAdapter>;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Seals a secret with the server key (API tokens shown again on request). */
  seal(plaintext: string, associatedData: string): string;
  open(sealed: string, associatedData: string): string;
  /** Stops the workers (after the work in hand), the live events, and closes the database. */
  close(): Promise<void>;
}

export interface ServerContextOptions {
  /** Adapters for more platforms, or replacements (by `platform`) for the built-in ones. */
  adapters?: ChannelAdapter[];
  clock?: Clock;
  logger?: Logger;
  /** Run the workers in this process (default true). */
  workers?: boolean;
  /** Passed on to `createChatloom` (intervals, batch sizes, dispatcher). */
  chatloom?: Omit<ChatloomOptions, 'store' | 'adapters' | 'clock' | 'logger'>;
}

export const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

function keyBytes(secretKey: string): Buffer {
  return /^[0-9a-fA-F]{64}$/.test(secretKey)
    ? Buffer.from(secretKey, 'hex')
    : Buffer.from(secretKey, 'base64');
}

/** Opens the store for the configuration (without migrating). */
export function openStore(config: ServerConfig): Store {
  if (config.database.kind === 'postgres') {
    return createPostgresStore({
      connectionString: config.database.connectionString,
      encryptionKey: config.secretKey,
      ...(config.database.schema && { schema: config.database.schema }),
    });
  }
  if (config.database.filename !== ':memory:')
    mkdirSync(dirname(config.database.filename), { recursive: true });
  return createSqliteStore({ filename: config.database.filename, encryptionKey: config.secretKey });
}

/** Runs core's migrations and the server's. */
export async function migrate(store: Store): Promise<void> {
  await store.migrate();
  await store.migrateExtra('chatloom_server', serverMigrations);
}

/** The built-in adapters: WhatsApp, Messenger, Instagram (all on GRAPH_API_BASE_URL) and the simulator. */
export function defaultAdapters(config: ServerConfig): ChannelAdapter[] {
  const graphApiBaseUrl = config.graphApiBaseUrl;
  const meta = graphApiBaseUrl === 'https://graph.facebook.com' ? {} : { graphApiBaseUrl };
  return [
    createWhatsAppAdapter(meta),
    createMessengerAdapter(meta),
    // Instagram Login accounts (graph.instagram.com) by default; a channel with
    // settings.host = "facebook" goes through its linked Page instead.
    createInstagramAdapter({ host: 'instagram', ...meta }),
    createSimulatorAdapter(),
  ];
}

export async function createServerContext(
  config: ServerConfig,
  options: ServerContextOptions = {},
): Promise<ServerContext> {
  const logger = options.logger ?? silentLogger;
  const clock = options.clock ?? systemClock;
  const store = openStore(config);
  try {
    await migrate(store);
  } catch (error) {
    await store.close();
    throw error;
  }
  const adapters = new Map<string, ChannelAdapter>();
  for (const adapter of [...defaultAdapters(config), ...(options.adapters ?? [])])
    adapters.set(adapter.platform, adapter);
  const chatloom = createChatloom({
    ...options.chatloom,
    // Core's defaults (8 sends in flight, 64 claimed a round) cap a whole server at 8 sends
    // per platform round trip: about 1,500 replies/s against a local fake, 50/s against
    // Graph's ~150 ms. 32 in flight (so after a crash at most 32 messages go out twice) and
    // 256 a round keep up with ingest; pacing per channel still applies.
    dispatcher: { concurrency: 32, batchSize: 256, ...options.chatloom?.dispatcher },
    store,
    adapters: [...adapters.values()],
    clock,
    logger,
  });
  const db = store.kysely as unknown as Db;
  const events = createEventHub({
    db,
    ...(config.database.kind === 'postgres' && {
      postgres: {
        connectionString: config.database.connectionString,
        ...(config.database.schema && { schema: config.database.schema }),
      },
    }),
    onError: (error) =>
      logger.warn('chatloom: live events', {
        error: error instanceof Error ? error.message : String(error),
      }),
  });
  const key = keyBytes(config.secretKey);
  const unbridge = bridgeCoreEvents(chatloom, events);
  const context: ServerContext = {
    config,
    store,
    db,
    chatloom,
    events,
    adapters,
    clock,
    logger,
    seal(plaintext, associatedData) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      cipher.setAAD(Buffer.from(associatedData));
      const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      return [iv, cipher.getAuthTag(), body].map((b) => b.toString('base64url')).join('.');
    },
    open(sealed, associatedData) {
      const [iv, tag, body] = sealed.split('.');
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv ?? '', 'base64url'));
      decipher.setAAD(Buffer.from(associatedData));
      decipher.setAuthTag(Buffer.from(tag ?? '', 'base64url'));
      return Buffer.concat([
        decipher.update(Buffer.from(body ?? '', 'base64url')),
        decipher.final(),
      ]).toString('utf8');
    },
    async close() {
      await chatloom.stop();
      unbridge();
      unrecord();
      await events.close();
      await store.close();
    },
  };
  const unrecord = recordNotifications(context);
  try {
    await events.start();
    if (options.workers !== false) await chatloom.start();
  } catch (error) {
    await context.close();
    throw error;
  }
  return context;
}

export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };
