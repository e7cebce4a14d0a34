/** What embedders such as the reference server use: tenant system messages, delayed messages, extra migrations. */
import { type FlowDefinition, FlowValidationError } from '@chatloom/flow-engine';
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import type { Store } from '../src/index.js';
import { textEvent } from '../src/testing.js';
import { harness, minute, storeKinds } from './helpers.js';

describe.each(storeKinds)('embedder support on $name', (kind) => {
  let store: Store;
  let cleanup: () => Promise<void>;
  beforeEach(async () => {
    ({ store, cleanup } = await kind.create());
  });
  afterEach(async () => {
    await cleanup();
  });

  test('tenant system messages apply to flows without their own, and clear', async () => {
    const flow: FlowDefinition = {
      format: 'chatloom.flow/v1',
      id: 'menu',
      version: 1,
      name: 'Menu',
      languages: ['en'],
      defaultLanguage: 'en',
      triggers: [{ language: 'en', match: 'exact', keyword: 'hi' }],
      startStep: 'pick',
      steps: [
        {
          id: 'pick',
          message: { type: 'text', text: { en: 'Pick one' } },
          options: {
            type: 'buttons',
            buttons: [{ id: 'a', label: { en: 'A' }, action: { type: 'end' } }],
          },
        },
      ],
    };
    const h = await harness(store, { flow });
    await expect(
      h.chatloom.setSystemMessages(h.tenantId, {
        invalid: {
          text: { en: 'Four actions' },
          actions: [1, 2, 3, 4].map((n) => ({ label: { en: `A${n}` }, action: { type: 'end' } })),
        },
      }),
    ).rejects.toBeInstanceOf(FlowValidationError);
    const tenant = await h.chatloom.setSystemMessages(h.tenantId, {
      invalid: { text: { en: 'Please pick a button' } },
    });
    expect(tenant.systemMessages?.invalid?.text.en).toBe('Please pick a button');
    const from = { phone: '1555' };
    await h.post([textEvent({ id: 'm1', from, text: 'hi', timestamp: h.clock.now() })]);
    await h.post([textEvent({ id: 'm2', from, text: 'what?', timestamp: h.clock.now() })]);
    await h.chatloom.drain();
    const last = h.adapter.sent.at(-1)?.message;
    expect(last?.kind === 'text' ? last.text : last?.kind).toBe('Please pick a button');
    const cleared = await h.chatloom.setSystemMessages(h.tenantId, null);
    expect(cleared.systemMessages).toBeNull();
  });

  test('a channel delayed messages are cancelled; due ones are not', async () => {
    const h = await harness(store, { flow: null });
    const from = { phone: '1556' };
    await h.post([textEvent({ id: 'm1', from, text: 'hi', timestamp: h.clock.now() })]);
    await h.chatloom.drain();
    const conversation = await h.chatloom.findConversation(h.channelId, from);
    const later = await h.chatloom.sendMessage(
      conversation!.id,
      { kind: 'text', text: 'later' },
      { at: h.clock.now() + 10 * minute },
    );
    const statuses: string[] = [];
    h.chatloom.on('message.status', (change) => statuses.push(change.status));
    expect(await h.chatloom.cancelScheduledMessages(h.channelId)).toBe(1);
    expect(statuses).toEqual(['failed']);
    const messages = await h.chatloom.listMessages(conversation!.id);
    expect(messages.find((m) => m.id === later.id)?.error).toBe('Scheduled message deleted');
    h.clock.advance(11 * minute);
    await h.chatloom.drain();
    expect(h.adapter.sent).toHaveLength(0);
  });

  test('a deleted flow is gone with every version', async () => {
    const h = await harness(store);
    expect(await h.chatloom.deleteFlow(h.tenantId, 'echo')).toBe(1);
    expect(await store.listFlows(h.tenantId)).toEqual([]);
    await h.post([
      textEvent({ id: 'm1', from: { phone: '1' }, text: 'hi', timestamp: h.clock.now() }),
    ]);
    await h.chatloom.drain();
    expect(h.adapter.sent).toHaveLength(0);
  });

  test('extra migrations run in tables of their own', async () => {
    const provider = {
      async getMigrations() {
        return {
          '0001': {
            async up(db) {
              await db.schema
                .createTable('embedder_things')
                .addColumn('id', 'text', (c) => c.primaryKey())
                .execute();
            },
          },
        };
      },
    } satisfies Parameters<Store['migrateExtra']>[1];
    await store.migrateExtra('embedder', provider);
    await store.migrateExtra('embedder', provider); // nothing left to run
    const result = await sql<{ n: number }>`select count(*) as n from embedder_things`.execute(
      store.kysely,
    );
    expect(Number(result.rows[0]?.n)).toBe(0);
  });
});
