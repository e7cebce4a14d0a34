/**
 * The storage contract: one suite, every driver (SQLite memory and file, real Postgres in a
 * schema of its own). CHATLOOM_TEST_STORES=postgres (comma-separated) narrows it.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import {
  type ChannelRecord,
  CredentialsKeyError,
  createPostgresStore,
  createSqliteStore,
  type Store,
} from '../src/index.js';
import type { ConversationRow, MessageRow } from '../src/store.js';
import { databaseUrl, storeKinds } from './helpers.js';

const now = 1_700_000_000_000;

function channel(id: string): ChannelRecord {
  return {
    id,
    tenantId: 't1',
    platform: 'test',
    name: 'Main number',
    settings: { phoneNumberId: '1234' },
    credentials: { appSecret: 'very-secret-value', accessToken: 'EAAG-token' },
    status: 'pending',
    statusDetail: null,
    subscribed: false,
    createdAt: now,
    updatedAt: now,
  };
}

const conversation = (id: string, contactId: string): ConversationRow => ({
  id,
  tenant_id: 't1',
  channel_id: 'c1',
  contact_id: contactId,
  status: 'bot',
  organizer_id: null,
  chatbot_enabled: 1,
  last_inbound_at: now,
  last_message_at: now,
  created_at: now,
  updated_at: now,
});

const message = (
  id: string,
  conversationId: string,
  patch: Partial<MessageRow> = {},
): MessageRow => ({
  id,
  tenant_id: 't1',
  channel_id: 'c1',
  conversation_id: conversationId,
  direction: 'out',
  sender: 'bot',
  agent_id: null,
  type: 'text',
  content: JSON.stringify({ kind: 'text', text: id }),
  status: 'pending',
  error: null,
  starred: 0,
  platform_message_id: null,
  created_at: now,
  updated_at: now,
  ...patch,
});

describe.each(storeKinds)('store contract on $name', (kind) => {
  let store: Store;
  let cleanup: () => Promise<void>;
  beforeEach(async () => {
    ({ store, cleanup } = await kind.create());
    await store.insertTenant({ id: 't1', name: 'Tenant', created_at: now });
    await store.transact({}, () => ({
      changes: {
        contacts: ['k1', 'k2'].map((id, i) => ({
          id,
          tenant_id: 't1',
          channel_id: 'c1',
          platform_user_id: null,
          phone: `1555000${i}`,
          name: null,
          created_at: now,
          updated_at: now,
        })),
        conversations: [conversation('v1', 'k1'), conversation('v2', 'k2')],
      },
      result: null,
    }));
  });
  afterEach(async () => {
    await cleanup();
  });

  test('migrate() is idempotent', async () => {
    await store.migrate();
    await store.migrate();
    expect(await store.getTenant('t1')).toMatchObject({ name: 'Tenant' });
  });

  test('channel credentials are encrypted at rest and open only with the key', async () => {
    await store.saveChannel(channel('c1'));
    expect(await store.getChannel('c1')).toEqual(channel('c1'));
    const [stored] = await store.listChannels('t1');
    expect(stored?.credentials.appSecret).toBe('very-secret-value');
    // What the database holds never contains the secret.
    const events = await store.transact({ conversationIds: ['v1'] }, (loaded) => ({
      changes: {},
      result: loaded.conversations.length,
    }));
    expect(events?.result).toBe(1);
    // The raw column, read past the store's decryption (both SQLite kinds; Postgres below too).
    const raw = await store.kysely
      .selectFrom('channels')
      .select(['credentials', 'settings'])
      .where('id', '=', 'c1')
      .executeTakeFirstOrThrow();
    expect(raw.credentials).toMatch(/^v1\.[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(raw.credentials).not.toContain('very-secret');
    expect(raw.credentials).not.toContain('EAAG-token');
    expect(
      Buffer.from(raw.credentials.split('.')[3]!, 'base64url').toString('latin1'),
    ).not.toContain('very-secret');
    expect(JSON.parse(raw.settings)).toEqual({ phoneNumberId: '1234' }); // settings are not secret
    if (kind.name === 'postgres') {
      const { default: pg } = await import('pg');
      const client = new pg.Client({ connectionString: databaseUrl });
      await client.connect();
      const schemas = await client.query<{ schema: string }>(
        "select table_schema as schema from information_schema.tables where table_name = 'channels' and table_schema like 'chatloom_test_%'",
      );
      let found = false;
      for (const { schema } of schemas.rows) {
        const raw = await client.query<{ credentials: string }>(
          `select credentials from "${schema}".channels where id = 'c1'`,
        );
        for (const row of raw.rows) {
          found = true;
          expect(row.credentials).toMatch(/^v1\./);
          expect(row.credentials).not.toContain('very-secret');
        }
      }
      await client.end();
      expect(found).toBe(true);
    }
  });

  test('inbound events are kept in arrival order until processed', async () => {
    await store.appendInboundEvents(
      ['a', 'b', 'c'].map((body, i) => ({
        channelId: 'c1',
        rawBody: Buffer.from(body),
        receivedAt: now + i,
      })),
    );
    const pending = await store.pendingInboundEvents(10);
    expect(pending.map((e) => Buffer.from(e.raw_body).toString())).toEqual(['a', 'b', 'c']);
    const [first, second] = pending;
    const result = await store.transact({ inboundEventIds: [first!.id, second!.id] }, (loaded) => ({
      changes: {
        inboundResults: [
          { id: first!.id, state: 'processed', error: null, at: now },
          { id: second!.id, state: 'failed', error: 'The body is not JSON', at: now },
        ],
      },
      result: [...loaded.pendingEventIds],
    }));
    expect(result?.result).toEqual([first!.id, second!.id]);
    expect((await store.pendingInboundEvents(10)).map((e) => e.id)).toEqual([pending[2]!.id]);
    expect(await store.listInboundEvents({ state: 'failed' })).toMatchObject([
      { error: 'The body is not JSON' },
    ]);
    // A second run over the same ids sees them done.
    const again = await store.transact({ inboundEventIds: [first!.id] }, (loaded) => ({
      changes: {},
      result: loaded.pendingEventIds.size,
    }));
    expect(again?.result).toBe(0);
  });

  test('a platform message id is recorded once per channel', async () => {
    const inbound = (id: string, channelId = 'c1') =>
      message(id, 'v1', {
        direction: 'in',
        sender: 'contact',
        status: 'received',
        platform_message_id: 'wamid.X',
        channel_id: channelId,
      });
    await store.transact({}, () => ({ changes: { messages: [inbound('m1')] }, result: null }));
    await store.transact({}, () => ({ changes: { messages: [inbound('m2')] }, result: null }));
    await store.transact({}, () => ({
      changes: { messages: [inbound('m3', 'c2')] },
      result: null,
    }));
    expect((await store.listMessages('v1')).map((m) => m.id)).toEqual(['m1', 'm3']);
    const loaded = await store.transact(
      { messageKeys: [{ channelId: 'c1', platformMessageId: 'wamid.X' }] },
      (l) => ({
        changes: {},
        result: l.messages.map((m) => m.id),
      }),
    );
    expect(loaded?.result).toEqual(['m1']);
  });

  test('statuses move forward only; failed is final', async () => {
    await store.transact({}, () => ({
      changes: {
        messages: [
          message('m1', 'v1', { status: 'sent', platform_message_id: 'p1' }),
          message('m2', 'v1', { status: 'sent', platform_message_id: 'p2' }),
        ],
      },
      result: null,
    }));
    const update = (id: string, status: 'sent' | 'delivered' | 'read' | 'failed') =>
      store.transact({}, () => ({
        changes: {
          statusUpdates: [
            {
              channelId: 'c1',
              platformMessageId: id,
              status,
              error: status === 'failed' ? 'boom' : null,
              at: now,
            },
          ],
        },
        result: null,
      }));
    await update('p1', 'read');
    await update('p1', 'delivered');
    await update('p1', 'failed');
    await update('p2', 'failed');
    await update('p2', 'read');
    expect((await store.getMessage('m1'))?.status).toBe('read');
    expect(await store.getMessage('m2')).toMatchObject({ status: 'failed', error: 'boom' });
  });

  test('the outbox hands out the oldest row of each conversation, once, until completed', async () => {
    const rows = [
      ['o1', 'v1'],
      ['o2', 'v1'],
      ['o3', 'v2'],
    ] as const;
    await store.transact({}, () => ({
      changes: {
        messages: rows.map(([id, v]) => message(id, v)),
        outbox: rows.map(([id, v]) => ({
          tenant_id: 't1',
          message_id: id,
          conversation_id: v,
          channel_id: 'c1',
          next_attempt_at: now,
          attempts: 0,
          claimed_until: null,
          last_error: null,
        })),
      },
      result: null,
    }));
    const claimed = await store.claimOutbox(now, 10, 60_000);
    expect(claimed.map((j) => [j.messageId, j.attempts, j.contact.phone])).toEqual([
      ['o1', 1, '15550000'],
      ['o3', 1, '15550001'],
    ]);
    expect(await store.claimOutbox(now + 1, 10, 60_000)).toEqual([]); // leased
    const [o1, o3] = claimed;
    await store.completeOutbox(
      [
        {
          seq: o1!.seq,
          messageId: 'o1',
          claimToken: o1!.claimToken,
          outcome: 'sent',
          channelId: 'c1',
          platformMessageId: 'p-o1',
        },
        {
          seq: o3!.seq,
          messageId: 'o3',
          claimToken: o3!.claimToken,
          outcome: 'retry',
          nextAttemptAt: now + 5000,
          error: 'HTTP 500',
        },
      ],
      now,
    );
    expect(await store.getMessage('o1')).toMatchObject({
      status: 'sent',
      platform_message_id: 'p-o1',
    });
    expect((await store.claimOutbox(now + 1, 10, 60_000)).map((j) => j.messageId)).toEqual(['o2']);
    expect(await store.nextOutboxAttempt(now + 1)).toBe(now + 5000); // o2 claimed, o3 retries
    const retried = await store.claimOutbox(now + 5000, 10, 60_000);
    expect(retried.map((j) => [j.messageId, j.attempts])).toEqual([['o3', 2]]);
    await store.completeOutbox(
      [
        {
          seq: retried[0]!.seq,
          messageId: 'o3',
          claimToken: retried[0]!.claimToken,
          outcome: 'failed',
          error: 'permanent',
        },
      ],
      now,
    );
    expect(await store.getMessage('o3')).toMatchObject({ status: 'failed', error: 'permanent' });
    // A crashed process's claims are released on start (single-process stores).
    await store.releaseOutboxClaims();
    expect((await store.claimOutbox(now + 2, 10, 60_000)).map((j) => j.messageId)).toEqual(['o2']);
    expect(await store.countPending()).toEqual({ inbound: 0, outbox: 1, timers: 0 });
  });

  test('timers: due ones are listed, loaded and deleted once', async () => {
    const timer = (id: string, due: number) => ({
      id,
      tenant_id: 't1',
      conversation_id: 'v1',
      kind: 'session-timeout',
      timer_key: 't1',
      session_version: 1,
      due_at: due,
      created_at: now,
    });
    await store.transact({}, () => ({
      changes: { timers: [timer('a', now + 10), timer('b', now + 20)] },
      result: null,
    }));
    expect(await store.nextTimerDue()).toBe(now + 10);
    expect((await store.dueTimers(now + 15, 10)).map((t) => t.id)).toEqual(['a']);
    const fired = await store.transact(
      { timerIds: ['a', 'b'], now: now + 15, lock: 'skip' },
      (loaded) => ({
        changes: { timerDeletes: loaded.timers.map((t) => t.id) },
        result: loaded.timers.map((t) => t.id),
      }),
    );
    expect(fired?.result).toEqual(['a']);
    expect((await store.listTimers('v1')).map((t) => t.id)).toEqual(['b']);
  });

  test('flows: one published version per flow', async () => {
    for (const version of [1, 2]) {
      await store.saveFlow({
        tenant_id: 't1',
        flow_id: 'f',
        version,
        definition: '{}',
        published: 0,
        created_at: now,
        updated_at: now,
      });
    }
    await store.publishFlow('t1', 'f', 1, now);
    await store.publishFlow('t1', 'f', 2, now);
    expect((await store.listFlows('t1', { published: true })).map((f) => f.version)).toEqual([2]);
    await expect(store.publishFlow('t1', 'f', 9, now)).rejects.toThrow(
      'Flow "f" has no version 9 to publish',
    );
    await store.publishFlow('t1', 'f', null, now);
    expect(await store.listFlows('t1', { published: true })).toEqual([]);
    expect(await store.listFlows('t1')).toHaveLength(2);
  });
});

test('credentials need the key: none refuses to store them, another does not open them', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'chatloom-key-'));
  try {
    const keyless = createSqliteStore({ filename: ':memory:' });
    await keyless.migrate();
    await expect(keyless.saveChannel(channel('c1'))).rejects.toThrow(/pass `encryptionKey`/);
    await keyless.close();
    const filename = join(dir, 'k.db');
    const first = createSqliteStore({ filename, encryptionKey: randomBytes(32) });
    await first.migrate();
    await first.saveChannel(channel('c1'));
    await first.close();
    const second = createSqliteStore({ filename, encryptionKey: randomBytes(32) });
    await expect(second.getChannel('c1')).rejects.toThrow(CredentialsKeyError);
    await second.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a key of the wrong size is refused', () => {
  expect(() =>
    createPostgresStore({ connectionString: databaseUrl, encryptionKey: 'short' }),
  ).toThrow(CredentialsKeyError);
  expect(() => createSqliteStore({ filename: ':memory:', encryptionKey: randomBytes(16) })).toThrow(
    'The encryption key must be 32 bytes',
  );
});
