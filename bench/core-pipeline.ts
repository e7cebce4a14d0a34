/**
 * Pipeline throughput of @chatloom/core: signed webhooks handed to `handleWebhook` (no HTTP),
 * stored with group commit, processed (dedupe, conversation, window, flow advance, outbox)
 * and dispatched to the in-memory test adapter, on SQLite (file, memory) and Postgres.
 *
 *   pnpm bench core   (or: pnpm build && node --import tsx bench/core-pipeline.ts [messages] [concurrency])
 *
 * DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test); each run uses its own schema.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createChatloom, createPostgresStore, createSqliteStore, type Store } from '@chatloom/core';
import { createTestAdapter, textEvent } from '@chatloom/core/testing';

// pg is a dependency of @chatloom/core, not of the workspace root.
interface PgClient {
  connect(): Promise<void>;
  query(sql: string): Promise<unknown>;
  end(): Promise<void>;
}
const pg = createRequire(new URL('../packages/core/package.json', import.meta.url))('pg') as {
  Client: new (options: { connectionString: string }) => PgClient;
};

const messages = Number(process.argv[2] ?? 20_000);
const concurrency = Number(process.argv[3] ?? 16);
const conversations = 1000;
const databaseUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const key = randomBytes(32);
const secret = 'bench-secret';

const flow = {
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
  systemMessages: { sessionTimeout: { minutes: 30, text: { en: 'Are you still there?' } } },
};

async function run(name: string, store: Store) {
  await store.migrate();
  let sent = 0;
  let resolveDone: () => void = () => {};
  const done = new Promise<void>((resolve) => {
    resolveDone = resolve;
  });
  const adapter = createTestAdapter({
    messagesPerSecond: Number.POSITIVE_INFINITY,
    onSend: () => {
      if (++sent === messages) resolveDone();
    },
  });
  const chatloom = createChatloom({
    store,
    adapters: [adapter],
    dispatcher: { concurrency: 32, batchSize: 256 },
  });
  const tenant = await chatloom.createTenant({ name: 'bench' });
  const channel = await chatloom.createChannel({
    tenantId: tenant.id,
    platform: 'test',
    credentials: { appSecret: secret },
  });
  await chatloom.saveFlow(tenant.id, flow, { publish: true });
  const requests = Array.from({ length: messages }, (_, i) =>
    adapter.webhook(
      [
        textEvent({
          id: `wamid.${i}`,
          from: { phone: `1555${String(i % conversations).padStart(7, '0')}` },
          text: `m${i}`,
        }),
      ],
      secret,
    ),
  );
  await chatloom.start();
  const latencies: number[] = [];
  const started = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < requests.length) {
        const request = requests[next++]!;
        const t = performance.now();
        const response = await chatloom.handleWebhook(channel.id, {
          method: 'POST',
          headers: request.headers,
          rawBody: request.rawBody,
        });
        latencies.push(performance.now() - t);
        if (response.status !== 200) throw new Error(`webhook answered ${response.status}`);
      }
    }),
  );
  const acknowledged = performance.now() - started;
  const stuck = setTimeout(() => {
    console.error(`${name}: only ${sent} of ${messages} replies after 120 s`);
    process.exit(1);
  }, 120_000);
  await done;
  clearTimeout(stuck);
  const total = performance.now() - started;
  await chatloom.stop();
  await store.close();
  latencies.sort((a, b) => a - b);
  const p = (q: number) =>
    latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]!.toFixed(2);
  console.log(
    `${name.padEnd(14)} ${messages} messages, ${concurrency} in flight, ${conversations} conversations: ` +
      `stored+acknowledged ${Math.round(messages / (acknowledged / 1000))}/s (ack p50 ${p(0.5)} ms, p99 ${p(0.99)} ms); ` +
      `end to end (processed, dispatched) ${Math.round(messages / (total / 1000))} messages/s`,
  );
}

const dir = mkdtempSync(join(tmpdir(), 'chatloom-bench-'));
try {
  await run(
    'sqlite-file',
    createSqliteStore({ filename: join(dir, 'bench.db'), encryptionKey: key }),
  );
  await run('sqlite-memory', createSqliteStore({ filename: ':memory:', encryptionKey: key }));
  const schema = `chatloom_bench_${process.pid}`;
  try {
    await run(
      'postgres',
      createPostgresStore({ connectionString: databaseUrl, schema, encryptionKey: key }),
    );
  } finally {
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    await client.query(`drop schema if exists "${schema}" cascade`);
    await client.end();
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
