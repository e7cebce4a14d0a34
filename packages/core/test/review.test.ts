/**
 * Regressions of the core review (M1–M9, m1, m2, m4): each test failed before its fix.
 * On every database unless the test says otherwise.
 */
import { windowClosedMessage } from '@chatloom/flow-engine';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { Cache } from '../src/chatloom.js';
import {
  ChannelIdTakenError,
  type ChatloomEvents,
  createChatloom,
  type Store,
} from '../src/index.js';
import { createTestAdapter, messageEvent, textEvent } from '../src/testing.js';
import { echoFlow, type Harness, harness, hour, minute, storeKinds } from './helpers.js';

const quiet = { debug() {}, info() {}, warn() {}, error() {} };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const texts = (h: Harness) =>
  h.adapter.sent.map((s) => (s.message.kind === 'text' ? s.message.text : s.message.kind));

describe.each(storeKinds)('review fixes on $name', (kind) => {
  let store: Store;
  let cleanup: () => Promise<void>;
  beforeEach(async () => {
    ({ store, cleanup } = await kind.create());
  });
  afterEach(async () => {
    await cleanup();
  });

  const alice = { phone: '15550001', name: 'Alice' };
  const bob = { phone: '15550002', name: 'Bob' };

  test('M1: a message scheduled for later holds back no reply; replies keep their order', async () => {
    const h = await harness(store, { flow: echoFlow(24 * 60) });
    await h.post([textEvent({ id: 'm1', from: alice, text: 'hi', timestamp: h.clock.now() })]);
    await h.chatloom.drain();
    const conversation = await h.chatloom.findConversation(h.channelId, alice);
    await h.chatloom.sendMessage(
      conversation!.id,
      { kind: 'text', text: 'Reminder' },
      { agentId: 'ana', at: h.clock.now() + 20 * hour },
    );
    // Two replies queue behind the scheduled row; the first is retried once.
    h.adapter.failNext('retryable');
    await h.post([textEvent({ id: 'm2', from: alice, text: 'a', timestamp: h.clock.now() })]);
    await h.post([textEvent({ id: 'm3', from: alice, text: 'b', timestamp: h.clock.now() })]);
    await h.chatloom.drain();
    expect(texts(h)).toEqual(['You said: ']); // 'a' waits for its retry, 'b' waits for 'a'
    h.clock.advance(minute);
    await h.chatloom.drain();
    expect(texts(h)).toEqual(['You said: ', 'You said: a', 'You said: b']);
    h.clock.advance(20 * hour);
    await h.chatloom.drain();
    expect(texts(h)).toEqual(['You said: ', 'You said: a', 'You said: b', 'Reminder']);
  });

  test('M3: a database error leaves an inbound event pending; it is processed later', async () => {
    const h = await harness(store);
    let failures = 2;
    const transact = store.transact.bind(store);
    store.transact = ((unit, apply) => {
      if (unit.inboundEventIds && failures-- > 0)
        return Promise.reject(new Error('Connection terminated unexpectedly'));
      return transact(unit, apply);
    }) as Store['transact'];
    await h.post([textEvent({ id: 'm1', from: alice, text: 'hi', timestamp: h.clock.now() })]);
    await h.post([textEvent({ id: 'm2', from: bob, text: 'yo', timestamp: h.clock.now() })]);
    await h.chatloom.drain();
    const [first] = await store.listInboundEvents();
    expect(first).toMatchObject({ state: 'pending', attempts: 1 });
    await h.chatloom.drain();
    expect((await store.listInboundEvents()).map((e) => [e.state, e.error])).toEqual([
      ['processed', null],
      ['processed', null],
    ]);
    expect(h.adapter.sent).toHaveLength(2);
  });

  test('M3: an event the database refuses every time is set aside after maxAttempts', async () => {
    const adapter = createTestAdapter();
    const chatloom = createChatloom({
      store,
      adapters: [adapter],
      logger: quiet,
      processing: { maxAttempts: 3 },
    });
    const tenant = await chatloom.createTenant({ name: 'T' });
    const channel = await chatloom.createChannel({
      tenantId: tenant.id,
      platform: 'test',
      credentials: { appSecret: 's' },
    });
    const transact = store.transact.bind(store);
    store.transact = ((unit, apply) =>
      unit.inboundEventIds && unit.contacts?.length
        ? Promise.reject(new Error('value too long'))
        : transact(unit, apply)) as Store['transact'];
    const { rawBody, headers } = adapter.webhook(
      [textEvent({ id: 'x', from: alice, text: 'hi' })],
      's',
    );
    await chatloom.handleWebhook(channel.id, { method: 'POST', headers, rawBody });
    for (let i = 0; i < 3; i++) await chatloom.drain();
    const [event] = await store.listInboundEvents();
    expect(event?.state).toBe('failed');
    expect(event?.error).toMatch(/^Gave up after 3 attempts.*value too long/);
  });

  test('M2: a completion whose claim was lost changes nothing; the new claim completes', async () => {
    const h = await harness(store);
    await h.post([textEvent({ id: 'm1', from: alice, text: 'hi', timestamp: h.clock.now() })]);
    await h.chatloom.processInbound();
    const now = h.clock.now();
    const [first] = await store.claimOutbox(now, 10, 1000);
    // The lease runs out; another process claims the row.
    const [second] = await store.claimOutbox(now + 1001, 10, 1000);
    expect(second?.seq).toBe(first?.seq);
    expect(second?.claimToken).not.toBe(first?.claimToken);
    const stale = await store.completeOutbox(
      [
        {
          seq: first!.seq,
          messageId: first!.messageId,
          claimToken: first!.claimToken,
          outcome: 'failed',
          error: 'late',
        },
      ],
      now + 1002,
    );
    expect(stale).toEqual([]);
    expect((await store.getMessage(first!.messageId))?.status).toBe('pending');
    await store.completeOutbox(
      [
        {
          seq: second!.seq,
          messageId: second!.messageId,
          claimToken: second!.claimToken,
          outcome: 'sent',
          channelId: h.channelId,
          platformMessageId: 'p-1',
        },
      ],
      now + 1003,
    );
    expect(await store.getMessage(first!.messageId)).toMatchObject({
      status: 'sent',
      platform_message_id: 'p-1',
    });
    expect((await store.countPending()).outbox).toBe(0);
  });

  test('M2: a round claims only what the pace sends within half the lease', async () => {
    const limits: number[] = [];
    const claim = store.claimOutbox.bind(store);
    store.claimOutbox = (now, limit, leaseMs) => {
      limits.push(limit);
      return claim(now, limit, leaseMs);
    };
    const h = await harness(store, { dispatcher: { messagesPerSecond: 2, leaseMs: 2000 } });
    for (let i = 0; i < 4; i++)
      await h.post([
        textEvent({
          id: `m${i}`,
          from: { phone: `1555${i}` },
          text: 'x',
          timestamp: h.clock.now(),
        }),
      ]);
    await h.chatloom.processInbound();
    expect(await h.chatloom.dispatch()).toBe(2);
    expect(limits).toEqual([2]);
  });

  test('M4: stop(); start() keeps the engine running and sends nothing twice', async () => {
    const h = await harness(store, { dispatcher: { pollIntervalMs: 20 } });
    const send = h.adapter.send.bind(h.adapter);
    h.adapter.send = async (message, context) => {
      await sleep(150);
      return send(message, context);
    };
    await h.post([textEvent({ id: 'm1', from: alice, text: 'hi', timestamp: h.clock.now() })]);
    await h.chatloom.processInbound();
    await h.chatloom.start();
    await sleep(50); // the send is in flight
    const stopping = h.chatloom.stop();
    await new Promise((resolve) => setImmediate(resolve));
    await h.chatloom.start();
    await h.post([textEvent({ id: 'm2', from: alice, text: 'again', timestamp: h.clock.now() })]);
    const deadline = Date.now() + 5000;
    while (h.adapter.sent.length < 2 && Date.now() < deadline) await sleep(20);
    await sleep(200);
    await stopping;
    await h.chatloom.stop();
    expect(texts(h)).toEqual(['You said: ', 'You said: again']);
  });

  test('M4: two concurrent start() calls make one set of workers', async () => {
    const h = await harness(store);
    let releases = 0;
    const release = store.releaseOutboxClaims.bind(store);
    store.releaseOutboxClaims = () => {
      releases++;
      return release();
    };
    let inFlight = 0;
    let most = 0;
    const pending = store.pendingInboundEvents.bind(store);
    store.pendingInboundEvents = async (limit) => {
      inFlight++;
      most = Math.max(most, inFlight);
      await sleep(30);
      inFlight--;
      return pending(limit);
    };
    await Promise.all([h.chatloom.start(), h.chatloom.start()]);
    await h.post([textEvent({ id: 'm1', from: alice, text: 'hi', timestamp: h.clock.now() })]);
    await sleep(200);
    await h.chatloom.stop();
    expect(most).toBe(1);
    expect(releases).toBe(store.singleProcess ? 1 : 0);
  });

  test('M5: the dispatcher does not spin while the head row waits out its backoff', async () => {
    let claims = 0;
    const claim = store.claimOutbox.bind(store);
    store.claimOutbox = (...args) => {
      claims++;
      return claim(...args);
    };
    const h = await harness(store, {
      dispatcher: { baseBackoffMs: 30_000, pollIntervalMs: 200 },
    });
    h.adapter.failNext('retryable');
    await h.post([textEvent({ id: 'm1', from: alice, text: 'one', timestamp: h.clock.now() })]);
    await h.chatloom.processInbound();
    await h.post([textEvent({ id: 'm2', from: alice, text: 'two', timestamp: h.clock.now() })]);
    await h.chatloom.processInbound();
    await h.chatloom.start();
    await sleep(100);
    claims = 0;
    await sleep(600);
    await h.chatloom.stop();
    expect(claims).toBeLessThanOrEqual(5); // one per poll interval, not thousands
  });

  test('M6: a status that arrives before the send outcome is recorded is applied then', async () => {
    const h = await harness(store);
    const seen: ChatloomEvents['message.status'][] = [];
    h.chatloom.on('message.status', (change) => seen.push(change));
    const complete = store.completeOutbox.bind(store);
    store.completeOutbox = async (outcomes, now) => {
      const sent = h.adapter.sent.at(-1)!;
      await h.post([
        {
          type: 'status',
          platformMessageId: sent.platformMessageId,
          status: 'delivered',
          timestamp: h.clock.now(),
        },
      ]);
      await h.chatloom.processInbound();
      return complete(outcomes, now);
    };
    await h.post([textEvent({ id: 'm1', from: alice, text: 'hi', timestamp: h.clock.now() })]);
    await h.chatloom.drain();
    const conversation = await h.chatloom.findConversation(h.channelId, alice);
    const reply = (await h.chatloom.listMessages(conversation!.id)).find(
      (m) => m.direction === 'out',
    );
    expect(reply?.status).toBe('delivered');
    expect(seen.map((c) => c.status)).toEqual(['delivered']);
    // Applied once: a later 'sent' status does not move it back.
    store.completeOutbox = complete;
    await h.post([
      {
        type: 'status',
        platformMessageId: reply!.platformMessageId!,
        status: 'sent',
        timestamp: h.clock.now(),
      },
    ]);
    await h.chatloom.drain();
    expect((await h.chatloom.listMessages(conversation!.id)).at(-1)?.status).toBe('delivered');
  });

  test('an echo of our reply recorded before the send outcome gives way to the reply', async () => {
    const h = await harness(store);
    const complete = store.completeOutbox.bind(store);
    store.completeOutbox = async (outcomes, now) => {
      // The platform echoes our own message before its outcome is committed.
      const sent = h.adapter.sent.at(-1)!;
      await h.post([
        messageEvent({
          id: sent.platformMessageId,
          from: alice,
          content: { kind: 'text', text: 'You said: hi' },
          source: 'echo',
          timestamp: h.clock.now(),
        }),
      ]);
      await h.chatloom.processInbound();
      return complete(outcomes, now);
    };
    await h.post([textEvent({ id: 'm1', from: alice, text: 'hi', timestamp: h.clock.now() })]);
    await h.chatloom.drain();
    store.completeOutbox = complete;
    const conversation = await h.chatloom.findConversation(h.channelId, alice);
    const messages = await h.chatloom.listMessages(conversation!.id);
    expect(messages.map((m) => [m.direction, m.sender, m.status])).toEqual([
      ['in', 'contact', 'received'],
      ['out', 'bot', 'sent'],
    ]);
    expect(messages[1]!.platformMessageId).toBe(h.adapter.sent[0]!.platformMessageId);
    expect(await store.countPending()).toEqual({
      inbound: 0,
      outbox: 0,
      timers: expect.any(Number),
    });
  });

  test('m1: the window is checked again after the rate-limit wait', async () => {
    const h = await harness(store, { dispatcher: { messagesPerSecond: 1 } });
    await h.post([textEvent({ id: 'a', from: alice, text: 'a', timestamp: h.clock.now() })]);
    await h.post([textEvent({ id: 'b', from: bob, text: 'b', timestamp: h.clock.now() })]);
    await h.chatloom.processInbound();
    const dispatching = h.chatloom.dispatch(); // the second send waits ~1 s for a token
    await sleep(200);
    h.clock.advance(25 * hour);
    await dispatching;
    expect(h.adapter.sent).toHaveLength(1);
    const conversation = await h.chatloom.findConversation(h.channelId, bob);
    const reply = (await h.chatloom.listMessages(conversation!.id)).find(
      (m) => m.direction === 'out',
    );
    expect(reply).toMatchObject({ status: 'failed', error: windowClosedMessage });
  });

  test('m4: a channel id of another tenant is refused', async () => {
    const h = await harness(store);
    const other = await h.chatloom.createTenant({ name: 'Mallory' });
    await expect(
      h.chatloom.createChannel({
        id: h.channelId,
        tenantId: other.id,
        platform: 'test',
        credentials: { appSecret: 'mallory' },
      }),
    ).rejects.toThrow(ChannelIdTakenError);
    const channel = await h.chatloom.getChannel(h.channelId);
    expect(channel).toMatchObject({ tenantId: h.tenantId, credentials: { appSecret: h.secret } });
  });

  test('m2: a channel whose credentials do not open fails alone, naming the channel and the fix', async () => {
    const adapter = createTestAdapter();
    const chatloom = createChatloom({ store, adapters: [adapter], logger: quiet, cacheTtlMs: 0 });
    const channels = [];
    for (const name of ['Broken', 'Fine']) {
      const tenant = await chatloom.createTenant({ name });
      channels.push(
        await chatloom.createChannel({
          tenantId: tenant.id,
          platform: 'test',
          credentials: { appSecret: 's' },
        }),
      );
      await chatloom.saveFlow(tenant.id, echoFlow(), { publish: true });
    }
    const [broken, fine] = channels;
    const post = async (channelId: string, id: string) => {
      const { rawBody, headers } = adapter.webhook(
        [textEvent({ id, from: alice, text: id, timestamp: Date.now() })],
        's',
      );
      return (await chatloom.handleWebhook(channelId, { method: 'POST', headers, rawBody })).status;
    };
    // One reply waits in the broken channel's outbox, one event in its inbound queue.
    expect(await post(broken!.id, 'b1')).toBe(200);
    await chatloom.processInbound();
    expect(await post(broken!.id, 'b2')).toBe(200);
    expect(await post(fine!.id, 'f1')).toBe(200);
    await store.kysely
      .updateTable('channels')
      .set({ credentials: 'v1.AAAA.AAAA.AAAA' })
      .where('id', '=', broken!.id)
      .execute();
    await chatloom.drain();
    const events = await store.listInboundEvents();
    const b2 = events.find((e) => e.channel_id === broken!.id && e.state !== 'processed');
    expect(b2?.state).toBe('failed');
    expect(b2?.error).toContain(`Channel "${broken!.id}"`);
    expect(b2?.error).toMatch(/updateChannel/);
    expect(events.find((e) => e.channel_id === fine!.id)?.state).toBe('processed');
    expect(adapter.sent.map((s) => s.channelId)).toEqual([fine!.id]);
    const conversation = await chatloom.findConversation(broken!.id, alice);
    const reply = (await chatloom.listMessages(conversation!.id)).find(
      (m) => m.direction === 'out',
    );
    expect(reply?.status).toBe('failed');
    expect(reply?.error).toContain(`Channel "${broken!.id}"`);
    expect(await store.countPending()).toMatchObject({ inbound: 0, outbox: 0 });
  });

  test('two tenants: each gets its own flow, conversations and messages', async () => {
    const adapter = createTestAdapter();
    const chatloom = createChatloom({ store, adapters: [adapter], logger: quiet });
    const flow = (text: string) => ({
      format: 'chatloom.flow/v1',
      id: 'welcome',
      version: 1,
      name: 'W',
      languages: ['en'],
      defaultLanguage: 'en',
      triggers: [{ language: 'en', match: 'exact', keyword: 'hi' }],
      startStep: 's',
      steps: [
        {
          id: 's',
          message: { type: 'text', text: { en: text } },
          options: { type: 'none', next: { type: 'end' } },
        },
      ],
    });
    const setup = [];
    for (const name of ['A', 'B']) {
      const tenant = await chatloom.createTenant({ name });
      await chatloom.saveFlow(tenant.id, flow(`Welcome to ${name}`), { publish: true });
      const channel = await chatloom.createChannel({
        tenantId: tenant.id,
        platform: 'test',
        credentials: { appSecret: `secret-${name}` },
      });
      setup.push({ tenant, channel, secret: `secret-${name}` });
    }
    for (const { channel, secret } of setup) {
      // The same customer writes to both businesses.
      const { rawBody, headers } = adapter.webhook(
        [textEvent({ id: 'same-id', from: alice, text: 'hi', timestamp: Date.now() })],
        secret,
      );
      expect(
        (await chatloom.handleWebhook(channel.id, { method: 'POST', headers, rawBody })).status,
      ).toBe(200);
    }
    // A's secret does not sign for B's channel.
    const forged = adapter.webhook([textEvent({ id: 'f', from: bob, text: 'hi' })], 'secret-A');
    expect(
      (
        await chatloom.handleWebhook(setup[1]!.channel.id, {
          method: 'POST',
          headers: forged.headers,
          rawBody: forged.rawBody,
        })
      ).status,
    ).toBe(401);
    await chatloom.drain();
    for (const [i, { tenant, channel }] of setup.entries()) {
      const name = i === 0 ? 'A' : 'B';
      const conversations = await chatloom.listConversations(tenant.id);
      expect(conversations.map((c) => c.channelId)).toEqual([channel.id]);
      const messages = await chatloom.listMessages(conversations[0]!.id);
      expect(messages.every((m) => m.tenantId === tenant.id)).toBe(true);
      expect(messages.map((m) => (m.content.kind === 'text' ? m.content.text : ''))).toEqual([
        'hi',
        `Welcome to ${name}`,
      ]);
      expect(adapter.sent.filter((s) => s.channelId === channel.id).map((s) => s.message)).toEqual([
        { kind: 'text', text: `Welcome to ${name}` },
      ]);
    }
  });
});

test('M9: the channel cache keeps no misses and holds at most its bound', async () => {
  const misses = new Cache<string | undefined>(60_000, async () => undefined);
  for (let i = 0; i < 1000; i++) await misses.get(`x${i}`);
  expect(misses.size).toBe(0);
  const hits = new Cache<string>(60_000, async (key) => key, 100);
  for (let i = 0; i < 1000; i++) await hits.get(`x${i}`);
  expect(hits.size).toBe(100);
  expect(await hits.get('x999')).toBe('x999');
});
