/** Shared test setup: the databases every suite runs on, a clock moved by hand, a flow. */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FlowDefinition } from '@chatloom/flow-engine';
import pg from 'pg';
import {
  type Chatloom,
  createChatloom,
  createPostgresStore,
  createSqliteStore,
  type Store,
} from '../src/index.js';
import { createTestAdapter, type TestAdapter, type TestAdapterOptions } from '../src/testing.js';

export const databaseUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const encryptionKey = randomBytes(32);

export interface StoreKind {
  name: 'sqlite-memory' | 'sqlite-file' | 'postgres';
  create(): Promise<{ store: Store; cleanup(): Promise<void> }>;
}

/** A Postgres schema of its own for this test run; dropped by `drop`. */
export async function postgresSchema(): Promise<{ schema: string; drop(): Promise<void> }> {
  const schema = `chatloom_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  return {
    schema,
    async drop() {
      const client = new pg.Client({ connectionString: databaseUrl });
      await client.connect();
      try {
        await client.query(`drop schema if exists "${schema}" cascade`);
      } finally {
        await client.end();
      }
    },
  };
}

const all: StoreKind[] = [
  {
    name: 'sqlite-memory',
    async create() {
      const store = createSqliteStore({ filename: ':memory:', encryptionKey });
      await store.migrate();
      return { store, cleanup: () => store.close() };
    },
  },
  {
    name: 'sqlite-file',
    async create() {
      const dir = mkdtempSync(join(tmpdir(), 'chatloom-'));
      const store = createSqliteStore({
        filename: join(dir, 'test.db'),
        encryptionKey,
        synchronous: 'normal',
      });
      await store.migrate();
      return {
        store,
        async cleanup() {
          await store.close();
          rmSync(dir, { recursive: true, force: true });
        },
      };
    },
  },
  {
    name: 'postgres',
    async create() {
      const { schema, drop } = await postgresSchema();
      const store = createPostgresStore({ connectionString: databaseUrl, schema, encryptionKey });
      await store.migrate();
      return {
        store,
        async cleanup() {
          await store.close();
          await drop();
        },
      };
    },
  },
];

/** The databases to run on: all, or those named in CHATLOOM_TEST_STORES (comma-separated). */
export const storeKinds: StoreKind[] = process.env.CHATLOOM_TEST_STORES
  ? all.filter((kind) => process.env.CHATLOOM_TEST_STORES!.split(',').includes(kind.name))
  : all;

export class ManualClock {
  constructor(public time = Date.UTC(2026, 10, 1, 9, 0, 0)) {}
  now = () => this.time;
  advance(ms: number) {
    this.time += ms;
  }
}

export const minute = 60_000;
export const hour = 60 * minute;

/** Answers every message: the first starts the flow, each later one is echoed back. */
export const echoFlow = (timeoutMinutes = 5): FlowDefinition => ({
  format: 'chatloom.flow/v1',
  id: 'echo',
  version: 1,
  name: 'Echo',
  languages: ['en'],
  defaultLanguage: 'en',
  triggers: [{ language: 'en', match: 'regex', keyword: '.' }],
  startStep: 'ask',
  steps: [
    {
      id: 'ask',
      message: { type: 'text', text: { en: 'You said: {{last}}' } },
      options: { type: 'none', saveAs: 'last', next: { type: 'goto', step: 'ask' } },
      terminal: true,
    },
  ],
  systemMessages: {
    sessionTimeout: { minutes: timeoutMinutes, text: { en: 'Are you still there?' } },
  },
});

export interface Harness {
  chatloom: Chatloom;
  adapter: TestAdapter;
  clock: ManualClock;
  tenantId: string;
  channelId: string;
  secret: string;
  /** Posts a signed webhook; returns the status. */
  post(events: Parameters<TestAdapter['webhook']>[0]): Promise<number>;
}

export async function harness(
  store: Store,
  options: {
    adapter?: TestAdapterOptions;
    flow?: FlowDefinition | null;
    dispatcher?: Parameters<typeof createChatloom>[0]['dispatcher'];
    cacheTtlMs?: number;
  } = {},
): Promise<Harness> {
  const clock = new ManualClock();
  const adapter = createTestAdapter(options.adapter);
  const chatloom = createChatloom({
    store,
    adapters: [adapter],
    clock,
    logger: { debug() {}, info() {}, warn() {}, error() {} },
    dispatcher: { baseBackoffMs: 1000, maxBackoffMs: 60_000, ...options.dispatcher },
    ...(options.cacheTtlMs !== undefined && { cacheTtlMs: options.cacheTtlMs }),
  });
  const tenant = await chatloom.createTenant({ name: 'Luigi' });
  const secret = 'test-app-secret';
  const channel = await chatloom.createChannel({
    tenantId: tenant.id,
    platform: adapter.platform,
    credentials: { appSecret: secret, verifyToken: 'verify-me' },
  });
  if (options.flow !== null)
    await chatloom.saveFlow(tenant.id, options.flow ?? echoFlow(), { publish: true });
  return {
    chatloom,
    adapter,
    clock,
    tenantId: tenant.id,
    channelId: channel.id,
    secret,
    async post(events) {
      const { rawBody, headers } = adapter.webhook(events, secret);
      const response = await chatloom.handleWebhook(channel.id, {
        method: 'POST',
        headers,
        rawBody,
      });
      return response.status;
    },
  };
}
