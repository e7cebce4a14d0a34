/** Shared test setup: servers on SQLite and Postgres, users, tokens, signed webhooks. */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FlowDefinition } from '@chatloom/flow-engine';
import type { FakeGraphApi } from '@chatloom/testkit';
import pg from 'pg';
import { createUser } from '../src/auth.js';
import type { ServerConfig } from '../src/config.js';
import { type BuildServerOptions, buildServer, type ChatloomServer } from '../src/index.js';

export const databaseUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export interface StoreKind {
  name: 'sqlite' | 'postgres';
  /** A fresh database: the config and how to remove it. */
  create(): Promise<{ config: ServerConfig; cleanup(): Promise<void> }>;
}

export function baseConfig(overrides: Partial<ServerConfig> = {}): ServerConfig {
  return {
    database: { kind: 'sqlite', filename: ':memory:' },
    port: 0,
    host: '127.0.0.1',
    secretKey: randomBytes(32).toString('hex'),
    graphApiBaseUrl: 'http://127.0.0.1:9',
    logLevel: 'silent',
    dataDir: tmpdir(),
    loginRateLimit: 1000,
    trustProxy: false,
    ...overrides,
  };
}

export async function postgresSchema(): Promise<{ schema: string; drop(): Promise<void> }> {
  const schema = `chatloom_srv_${process.pid}_${randomBytes(4).toString('hex')}`;
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
    name: 'sqlite',
    async create() {
      const dir = mkdtempSync(join(tmpdir(), 'chatloom-server-'));
      return {
        config: baseConfig({
          database: { kind: 'sqlite', filename: join(dir, 'test.db') },
          dataDir: dir,
        }),
        async cleanup() {
          rmSync(dir, { recursive: true, force: true });
        },
      };
    },
  },
  {
    name: 'postgres',
    async create() {
      const { schema, drop } = await postgresSchema();
      return {
        config: baseConfig({
          database: { kind: 'postgres', connectionString: databaseUrl, schema },
        }),
        cleanup: drop,
      };
    },
  },
];

/** The databases to run on: both, or those named in CHATLOOM_TEST_STORES (comma-separated). */
export const storeKinds: StoreKind[] = process.env.CHATLOOM_TEST_STORES
  ? all.filter((kind) => process.env.CHATLOOM_TEST_STORES!.split(',').includes(kind.name))
  : all;

export interface TestServer {
  server: ChatloomServer;
  config: ServerConfig;
  close(): Promise<void>;
}

export async function startServer(
  kind: StoreKind,
  options: BuildServerOptions & { config?: Partial<ServerConfig> } = {},
): Promise<TestServer> {
  const { config: base, cleanup } = await kind.create();
  const config = { ...base, ...options.config };
  const server = await buildServer(config, {
    chatloom: { processing: { pollIntervalMs: 20 }, dispatcher: { pollIntervalMs: 20 } },
    ...options,
  });
  return {
    server,
    config,
    async close() {
      await server.close();
      await cleanup();
    },
  };
}

/** Waits until `check` returns a truthy value (or throws after `timeoutMs`). */
export async function eventually<T>(
  check: () => Promise<T> | T,
  timeoutMs = 5000,
): Promise<Exclude<T, false | null | undefined | 0 | ''>> {
  const until = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value) return value as Exclude<T, false | null | undefined | 0 | ''>;
    } catch (error) {
      last = error;
    }
    if (Date.now() > until)
      throw new Error(`eventually: timed out${last instanceof Error ? `: ${last.message}` : ''}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export interface Actor {
  userId: string;
  email: string;
  password: string;
  token: string;
  tenantId: string;
  headers: { authorization: string };
}

/** A tenant (or an existing one) and a user with `roleId` in it, with an API token. */
export async function actorWithRole(
  server: ChatloomServer,
  roleId: string,
  options: { tenantId?: string; email?: string } = {},
): Promise<Actor> {
  const { context } = server;
  const tenantId =
    options.tenantId ??
    (await context.chatloom.createTenant({ name: `Tenant ${randomBytes(3).toString('hex')}` })).id;
  const email = options.email ?? `${roleId}-${randomBytes(4).toString('hex')}@example.com`;
  const password = 'correct horse battery staple';
  const { id } = await createUser(context, { email, name: roleId, password, tenantId, roleId });
  const { issueApiToken } = await import('../src/routes-account.js');
  const { token } = await issueApiToken(context, { tenantId, userId: id, name: 'test' });
  return {
    userId: id,
    email,
    password,
    token,
    tenantId,
    headers: { authorization: `Bearer ${token}` },
  };
}

/** Answers every message: the first starts the flow, each later one is echoed back. */
export const echoFlow = (id = 'echo'): FlowDefinition => ({
  format: 'chatloom.flow/v1',
  id,
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
});

/**
 * A WhatsApp channel on the fake Graph API's first phone number, with the fake delivering its
 * webhooks to this server (which must be listening). Returns the channel's id.
 */
export async function whatsappChannelOnFake(
  t: TestServer,
  admin: Actor,
  fake: FakeGraphApi,
  credentials: { accessToken: string; appSecret: string },
): Promise<string> {
  const phone = fake.whatsapp.phoneNumbers[0]!;
  const response = await t.server.inject({
    method: 'POST',
    url: '/api/v1/channels',
    headers: admin.headers,
    payload: {
      platform: 'whatsapp',
      name: 'Main number',
      settings: { phoneNumberId: phone.id, wabaId: phone.wabaId },
      credentials,
    },
  });
  if (response.statusCode !== 201)
    throw new Error(`WhatsApp channel: ${response.statusCode} ${response.body}`);
  const id = (response.json() as { id: string }).id;
  const { port } = t.server.server.address() as AddressInfo;
  fake.setWebhookUrl(`http://127.0.0.1:${port}/webhooks/whatsapp/${id}`, { channel: 'whatsapp' });
  return id;
}
