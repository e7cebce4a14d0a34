/** The pipeline, end to end through the test adapter, on every database. */
import { windowClosedMessage, windowRules } from '@chatloom/flow-engine';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import {
  type ChatloomEvents,
  createChatloom,
  type Store,
  WindowClosedError,
} from '../src/index.js';
import { createTestAdapter, messageEvent, signTestBody, textEvent } from '../src/testing.js';
import { echoFlow, type Harness, harness, hour, minute, storeKinds } from './helpers.js';

const quiet = { debug() {}, info() {}, warn() {}, error() {} };
const texts = (h: Harness) =>
  h.adapter.sent.map((s) => (s.message.kind === 'text' ? s.message.text : s.message.kind));

describe.each(storeKinds)('pipeline on $name', (kind) => {
  let store: Store;
  let cleanup: () => Promise<void>;
  beforeEach(async () => {
    ({ store, cleanup } = await kind.create());
  });
  afterEach(async () => {
    await cleanup();
  });

  const alice = { phone: '15550001', name: 'Alice' };

  test('a webhook replayed 10 times is recorded once and answered once', async () => {
    const h = await harness(store);
    const event = textEvent({
      id: 'wamid.1',
      from: alice,
      text: 'hello',
      timestamp: h.clock.now(),
    });
    // Five one after the other, five at the same moment (they share a group commit).
    for (let i = 0; i < 5; i++) expect(await h.post([event])).toBe(200);
    expect(await Promise.all(Array.from({ length: 5 }, () => h.post([event])))).toEqual([
      200, 200, 200, 200, 200,
    ]);
    await h.chatloom.drain();
    // And again after it was processed.
    expect(await h.post([event])).toBe(200);
    await h.chatloom.drain();

    const conversation = await h.chatloom.findConversation(h.channelId, { phone: alice.phone });
    const messages = await h.chatloom.listMessages(conversation!.id);
    expect(messages.filter((m) => m.direction === 'in')).toHaveLength(1);
    expect(messages.filter((m) => m.direction === 'out')).toHaveLength(1);
    expect(texts(h)).toEqual(['You said: ']);
    expect((await store.listInboundEvents()).every((e) => e.state === 'processed')).toBe(true);
  });

  test('messages of one conversation arriving concurrently are processed in order', async () => {
    const h = await harness(store);
    await h.post([
      textEvent({ id: 'start', from: alice, text: 'start', timestamp: h.clock.now() }),
    ]);
    await h.chatloom.drain();
    const count = 20;
    const statuses = await Promise.all(
      Array.from({ length: count }, (_, i) =>
        h.post([textEvent({ id: `m${i}`, from: alice, text: `n${i}`, timestamp: h.clock.now() })]),
      ),
    );
    expect(statuses.every((s) => s === 200)).toBe(true);
    await h.chatloom.drain();
    const stored = await store.listInboundEvents();
    const arrival = stored
      .slice(1)
      .map((e) => JSON.parse(Buffer.from(e.raw_body).toString()).events[0].content.text);
    const conversation = await h.chatloom.findConversation(h.channelId, { phone: alice.phone });
    const inbound = (await h.chatloom.listMessages(conversation!.id))
      .filter((m) => m.direction === 'in')
      .slice(1);
    expect(inbound.map((m) => (m.content.kind === 'text' ? m.content.text : ''))).toEqual(arrival);
    // Each reply echoes the message it answers: replies went out in the same order.
    expect(texts(h).slice(1)).toEqual(arrival.map((t: string) => `You said: ${t}`));
  });

  test('a session timeout fires once; a timer reset by a message never fires', async () => {
    const h = await harness(store, { flow: echoFlow(5) });
    await h.post([textEvent({ id: 'a', from: alice, text: 'hi', timestamp: h.clock.now() })]);
    await h.chatloom.drain();
    h.clock.advance(4 * minute);
    await h.post([
      textEvent({ id: 'b', from: alice, text: 'still here', timestamp: h.clock.now() }),
    ]);
    await h.chatloom.drain();
    // The first timer would have been due now; it was replaced, so nothing fires.
    h.clock.advance(2 * minute);
    expect((await h.chatloom.drain()).timers).toBe(0);
    expect(texts(h)).toEqual(['You said: ', 'You said: still here']);
    // The second is due 5 minutes after "still here".
    h.clock.advance(3 * minute + 1);
    const first = await h.chatloom.drain();
    const second = await h.chatloom.drain();
    expect(first.timers).toBe(1);
    expect(second.timers).toBe(0);
    expect(texts(h)).toEqual(['You said: ', 'You said: still here', 'Are you still there?']);
    const conversation = await h.chatloom.findConversation(h.channelId, { phone: alice.phone });
    expect(await store.listTimers(conversation!.id)).toEqual([]);
    // The session ended with the timeout; the next message starts the flow again.
    expect(await store.getSession(conversation!.id)).toBeUndefined();
  });

  test('a timer armed for an older session version is dropped', async () => {
    const h = await harness(store, { flow: echoFlow(5) });
    await h.post([textEvent({ id: 'a', from: alice, text: 'hi', timestamp: h.clock.now() })]);
    await h.chatloom.drain();
    const conversation = await h.chatloom.findConversation(h.channelId, { phone: alice.phone });
    const [timer] = await store.listTimers(conversation!.id);
    expect(timer?.session_version).toBe(1);
    // Forge a stale row: due now, armed for version 0.
    await store.transact({ conversationIds: [conversation!.id] }, () => ({
      changes: { timers: [{ ...timer!, session_version: 0, due_at: h.clock.now() }] },
      result: null,
    }));
    const drained = await h.chatloom.drain();
    expect(drained.timers).toBe(1);
    expect(texts(h)).toEqual(['You said: ']);
    expect(await store.listTimers(conversation!.id)).toEqual([]);
  });

  test('outside the window a free-form message fails with the exact error; a template goes out', async () => {
    const h = await harness(store);
    await h.post([textEvent({ id: 'a', from: alice, text: 'hi', timestamp: h.clock.now() })]);
    await h.chatloom.processInbound(); // the reply is queued inside the window...
    h.clock.advance(25 * hour); // ...and due to be sent after it closed
    await h.chatloom.drain();
    const conversation = await h.chatloom.findConversation(h.channelId, { phone: alice.phone });
    const [, reply] = await h.chatloom.listMessages(conversation!.id);
    expect(reply).toMatchObject({ direction: 'out', status: 'failed', error: windowClosedMessage });
    expect(h.adapter.sent).toEqual([]);

    await expect(
      h.chatloom.sendMessage(
        conversation!.id,
        { kind: 'text', text: 'Hello?' },
        { agentId: 'ana' },
      ),
    ).rejects.toThrow(new WindowClosedError(windowClosedMessage));
    const template = await h.chatloom.sendTemplate(conversation!.id, {
      name: 'follow_up',
      language: 'en_US',
      parameters: ['Alice'],
    });
    await h.chatloom.drain();
    expect(h.adapter.sent.map((s) => s.message)).toEqual([
      { kind: 'template', name: 'follow_up', language: 'en_US', parameters: ['Alice'] },
    ]);
    expect((await store.getMessage(template.id))?.status).toBe('sent');
  });

  test('an agent inside the human-agent window sends with the HUMAN_AGENT tag', async () => {
    const h = await harness(store, { adapter: { window: windowRules.messenger }, flow: null });
    await h.post([
      textEvent({ id: 'a', from: { userId: 'psid-1' }, text: 'hi', timestamp: h.clock.now() }),
    ]);
    await h.chatloom.drain();
    const conversation = await h.chatloom.findConversation(h.channelId, { userId: 'psid-1' });
    h.clock.advance(2 * 24 * hour);
    await h.chatloom.sendMessage(
      conversation!.id,
      { kind: 'text', text: 'Sorry for the wait' },
      { agentId: 'ana' },
    );
    await h.chatloom.drain();
    expect(h.adapter.sent).toMatchObject([
      { message: { kind: 'text', text: 'Sorry for the wait' }, tag: 'HUMAN_AGENT' },
    ]);
  });

  test('no bot reply when the chatbot is disabled or an agent has control', async () => {
    const h = await harness(store);
    await h.post([textEvent({ id: 'a', from: alice, text: 'hi', timestamp: h.clock.now() })]);
    await h.chatloom.drain();
    const conversation = (await h.chatloom.findConversation(h.channelId, { phone: alice.phone }))!;

    await h.chatloom.setChatbotEnabled(conversation.id, false);
    await h.post([textEvent({ id: 'b', from: alice, text: 'anyone?', timestamp: h.clock.now() })]);
    await h.chatloom.drain();
    expect(texts(h)).toEqual(['You said: ']);

    await h.chatloom.setChatbotEnabled(conversation.id, true);
    const controlled = await h.chatloom.takeControl(conversation.id, 'ana');
    expect(controlled).toMatchObject({ status: 'agent', organizerId: 'ana' });
    await h.post([textEvent({ id: 'c', from: alice, text: 'hello?', timestamp: h.clock.now() })]);
    await h.chatloom.drain();
    expect(texts(h)).toEqual(['You said: ']);

    await h.chatloom.sendMessage(
      conversation.id,
      { kind: 'text', text: 'Ana here' },
      { agentId: 'ana' },
    );
    await h.chatloom.transfer(conversation.id, { agentId: 'bo' });
    await h.post([textEvent({ id: 'd', from: alice, text: 'ok', timestamp: h.clock.now() })]);
    await h.chatloom.drain();
    expect(texts(h)).toEqual(['You said: ', 'Ana here']);

    // Back to the bot: the flow starts again.
    await h.chatloom.transfer(conversation.id, { bot: true });
    await h.post([textEvent({ id: 'e', from: alice, text: 'bot?', timestamp: h.clock.now() })]);
    await h.chatloom.drain();
    expect(texts(h)).toEqual(['You said: ', 'Ana here', 'You said: ']);
    const messages = await h.chatloom.listMessages(conversation.id);
    expect(messages.filter((m) => m.direction === 'in')).toHaveLength(5);
  });

  test('echoes and standby messages are recorded and never answered', async () => {
    const h = await harness(store);
    await h.post([
      messageEvent({
        id: 'echo-1',
        from: alice,
        content: { kind: 'text', text: 'sent from the phone app' },
        source: 'echo',
        timestamp: h.clock.now(),
      }),
      messageEvent({
        id: 'standby-1',
        from: alice,
        content: { kind: 'text', text: 'hi' },
        source: 'standby',
        timestamp: h.clock.now(),
      }),
    ]);
    await h.chatloom.drain();
    expect(h.adapter.sent).toEqual([]);
    const conversation = await h.chatloom.findConversation(h.channelId, { phone: alice.phone });
    const messages = await h.chatloom.listMessages(conversation!.id);
    expect(messages.map((m) => [m.direction, m.sender])).toEqual([
      ['out', 'echo'],
      ['in', 'contact'],
    ]);
  });

  test('a bad signature is a 401 and stores nothing; an unparseable body is kept with its error and answered 200', async () => {
    const h = await harness(store);
    const { rawBody } = h.adapter.webhook(
      [textEvent({ id: 'x', from: alice, text: 'hi' })],
      h.secret,
    );
    for (const signature of [
      undefined,
      'sha1=abc',
      `sha256=${'0'.repeat(64)}`,
      'sha256=XYZ',
      `SHA256=${'a'.repeat(64)}`,
    ]) {
      const headers: Record<string, string> = signature
        ? { 'x-chatloom-signature': signature }
        : {};
      expect(
        (await h.chatloom.handleWebhook(h.channelId, { method: 'POST', headers, rawBody })).status,
      ).toBe(401);
    }
    expect(await store.listInboundEvents()).toEqual([]);

    const broken = Buffer.from('{"events": [ not json');
    const response = await h.chatloom.handleWebhook(h.channelId, {
      method: 'POST',
      headers: { 'X-Chatloom-Signature': signTestBody(broken, h.secret) },
      rawBody: broken,
    });
    expect(response.status).toBe(200);
    await h.chatloom.drain();
    const [event] = await store.listInboundEvents();
    expect(event).toMatchObject({ state: 'failed' });
    expect(event?.error).toMatch(/^The body is not JSON/);
    expect(Buffer.from(event!.raw_body).toString()).toBe(broken.toString());

    // One bad event in a batch does not lose the others.
    await h.post([
      { type: 'nonsense' } as never,
      textEvent({ id: 'ok', from: alice, text: 'hi', timestamp: h.clock.now() }),
    ]);
    await h.chatloom.drain();
    expect(texts(h)).toEqual(['You said: ']);
    const events = await store.listInboundEvents();
    expect(events[1]).toMatchObject({ state: 'processed', error: 'unknown event type "nonsense"' });

    expect(
      (
        await h.chatloom.handleWebhook(h.channelId, {
          method: 'POST',
          headers: {},
          rawBody: Buffer.alloc(3 * 1024 * 1024 + 1),
        })
      ).status,
    ).toBe(413);
    expect(
      (await h.chatloom.handleWebhook('nope', { method: 'POST', headers: {}, rawBody: broken }))
        .status,
    ).toBe(404);
    expect(
      (await h.chatloom.handleWebhook(h.channelId, { method: 'PUT', headers: {} })).status,
    ).toBe(405);
  });

  test('the GET handshake answers the challenge only with the verify token', async () => {
    const h = await harness(store);
    const query = {
      'hub.mode': 'subscribe',
      'hub.verify_token': 'verify-me',
      'hub.challenge': '1158201444',
    };
    expect(
      await h.chatloom.handleWebhook(h.channelId, { method: 'GET', query, headers: {} }),
    ).toMatchObject({ status: 200, body: '1158201444' });
    const wrong = { ...query, 'hub.verify_token': 'nope' };
    expect(
      (await h.chatloom.handleWebhook(h.channelId, { method: 'GET', query: wrong, headers: {} }))
        .status,
    ).toBe(403);
  });

  test('delivery statuses only move forward; failed is final', async () => {
    const h = await harness(store);
    const seen: ChatloomEvents['message.status'][] = [];
    h.chatloom.on('message.status', (change) => seen.push(change));
    await h.post([textEvent({ id: 'a', from: alice, text: 'hi', timestamp: h.clock.now() })]);
    await h.chatloom.drain();
    const [sent] = h.adapter.sent;
    const status = (s: 'sent' | 'delivered' | 'read' | 'failed') => ({
      type: 'status' as const,
      platformMessageId: sent!.platformMessageId,
      status: s,
      timestamp: h.clock.now(),
      ...(s === 'failed' && { error: { code: '131047', message: 'Re-engagement message' } }),
    });
    await h.post([status('read')]);
    await h.post([status('delivered')]);
    await h.post([status('failed')]);
    await h.chatloom.drain();
    const conversation = await h.chatloom.findConversation(h.channelId, { phone: alice.phone });
    const reply = (await h.chatloom.listMessages(conversation!.id)).find(
      (m) => m.direction === 'out',
    );
    expect(reply?.status).toBe('read');
    expect(seen.map((c) => c.status)).toEqual(['sent', 'read']);

    // A second reply: delivered, then failed (final), then read is ignored.
    await h.post([textEvent({ id: 'b', from: alice, text: 'again', timestamp: h.clock.now() })]);
    await h.chatloom.drain();
    const second = h.adapter.sent[1]!;
    const update = (s: 'delivered' | 'failed' | 'read') => ({
      ...status(s),
      platformMessageId: second.platformMessageId,
    });
    await h.post([update('delivered'), update('failed'), update('read')]);
    await h.chatloom.drain();
    const row = (await h.chatloom.listMessages(conversation!.id)).find(
      (m) => m.platformMessageId === second.platformMessageId,
    );
    expect(row).toMatchObject({ status: 'failed', error: '131047: Re-engagement message' });
  });

  test('retryable and rate-limited sends are retried; permanent and window-closed ones fail', async () => {
    const h = await harness(store, { dispatcher: { baseBackoffMs: 1000, random: () => 0.5 } });
    h.adapter.failNext('retryable', { times: 2 });
    await h.post([textEvent({ id: 'a', from: alice, text: 'hi', timestamp: h.clock.now() })]);
    await h.chatloom.drain();
    expect(h.adapter.sent).toHaveLength(0);
    h.clock.advance(750); // first backoff: 1000 ms with equal jitter at 0.5 → 750 ms
    await h.chatloom.drain();
    expect(h.adapter.sent).toHaveLength(0);
    h.clock.advance(1500); // second: 2000 ms → 1500 ms
    await h.chatloom.drain();
    expect(texts(h)).toEqual(['You said: ']);

    h.adapter.failNext('rate-limited', { retryAfterMs: 30_000 });
    await h.post([textEvent({ id: 'b', from: alice, text: 'b', timestamp: h.clock.now() })]);
    await h.chatloom.drain();
    h.clock.advance(29_000);
    await h.chatloom.drain();
    expect(texts(h)).toHaveLength(1);
    h.clock.advance(1000);
    await h.chatloom.drain();
    expect(texts(h)).toEqual(['You said: ', 'You said: b']);

    h.adapter.failNext('permanent', { message: '(#131026) Message undeliverable' });
    h.adapter.failNext('window-closed', { message: '(#131047) Re-engagement message' });
    await h.post([textEvent({ id: 'c', from: alice, text: 'c', timestamp: h.clock.now() })]);
    await h.chatloom.drain();
    await h.post([textEvent({ id: 'd', from: alice, text: 'd', timestamp: h.clock.now() })]);
    await h.chatloom.drain();
    const conversation = await h.chatloom.findConversation(h.channelId, { phone: alice.phone });
    const failed = (await h.chatloom.listMessages(conversation!.id)).filter(
      (m) => m.status === 'failed',
    );
    expect(failed.map((m) => m.error)).toEqual([
      '(#131026) Message undeliverable',
      windowClosedMessage,
    ]);
    expect((await store.countPending()).outbox).toBe(0);
  });

  test('a retried message holds back the later messages of its conversation only', async () => {
    const h = await harness(store, { dispatcher: { random: () => 0 } });
    h.adapter.failNext('retryable');
    await h.post([textEvent({ id: 'a1', from: alice, text: 'one', timestamp: h.clock.now() })]);
    await h.chatloom.processInbound();
    await h.post([textEvent({ id: 'a2', from: alice, text: 'two', timestamp: h.clock.now() })]);
    await h.post([
      textEvent({ id: 'b1', from: { phone: '15550002' }, text: 'other', timestamp: h.clock.now() }),
    ]);
    await h.chatloom.drain();
    // Alice's first reply failed and waits; her second must wait behind it; Bob's goes out.
    expect(h.adapter.sent.map((s) => s.to.phone)).toEqual(['15550002']);
    h.clock.advance(1000);
    await h.chatloom.drain();
    expect(
      h.adapter.sent.map((s) => [s.to.phone, s.message.kind === 'text' && s.message.text]),
    ).toEqual([
      ['15550002', 'You said: '],
      ['15550001', 'You said: '],
      ['15550001', 'You said: two'],
    ]);
  });

  test('events stored before a crash are processed by the next start()', async () => {
    const h = await harness(store);
    await h.post([textEvent({ id: 'a', from: alice, text: 'hi', timestamp: Date.now() })]);
    // "Crash": this instance never processes. A new one on the same database starts.
    const adapter = createTestAdapter();
    const next = createChatloom({ store, adapters: [adapter], logger: quiet });
    const replied = new Promise<void>((resolve) =>
      next.on('message.status', (c) => c.status === 'sent' && resolve()),
    );
    await next.start();
    await replied;
    await next.stop();
    expect(adapter.sent.map((s) => s.message)).toEqual([{ kind: 'text', text: 'You said: ' }]);
  });

  test('live events: received, created, conversation updated; starring', async () => {
    const h = await harness(store);
    const seen: string[] = [];
    h.chatloom.on('message.received', (e) =>
      seen.push(`received:${e.message.content.kind}:${e.conversation.lastInboundAt !== null}`),
    );
    h.chatloom.on('message.created', (e) => seen.push(`created:${e.message.sender}`));
    const off = h.chatloom.on('conversation.updated', () => seen.push('conversation'));
    await h.post([
      messageEvent({
        id: 'a',
        from: alice,
        content: { kind: 'choice', id: 'x:y', title: 'Hi' },
        timestamp: h.clock.now(),
      }),
    ]);
    await h.chatloom.drain();
    off();
    expect(seen).toEqual(['received:choice:true', 'created:bot', 'conversation']);
    const conversation = await h.chatloom.findConversation(h.channelId, { phone: alice.phone });
    const [first] = await h.chatloom.listMessages(conversation!.id);
    expect((await h.chatloom.star(first!.id)).starred).toBe(true);
    expect((await store.getMessage(first!.id))?.starred).toBe(1);
    expect((await h.chatloom.star(first!.id, false)).starred).toBe(false);
    const contact = await h.chatloom.getContact(conversation!.contactId);
    expect(contact).toMatchObject({ phone: alice.phone, name: 'Alice', userId: null });
  });

  test('flows are answered even when their cache entry expires during the unit of work', async () => {
    // A cache of 0 ms expires before the transaction's queries return.
    const h = await harness(store, { cacheTtlMs: 0 });
    await h.post([textEvent({ id: 'a', from: alice, text: 'hi', timestamp: h.clock.now() })]);
    await h.chatloom.drain();
    await h.post([textEvent({ id: 'b', from: alice, text: 'two', timestamp: h.clock.now() })]);
    await h.chatloom.drain();
    h.clock.advance(5 * minute);
    await h.chatloom.drain();
    expect(texts(h)).toEqual(['You said: ', 'You said: two', 'Are you still there?']);
  });

  test('a contact known by phone keeps its conversation when its user id appears', async () => {
    const h = await harness(store, { flow: null });
    await h.post([
      textEvent({ id: 'a', from: { phone: '15550009' }, text: 'hi', timestamp: h.clock.now() }),
    ]);
    await h.post([
      textEvent({
        id: 'b',
        from: { phone: '15550009', userId: 'US.1349' },
        text: 'hi',
        timestamp: h.clock.now(),
      }),
    ]);
    await h.post([
      textEvent({ id: 'c', from: { userId: 'US.1349' }, text: 'hi', timestamp: h.clock.now() }),
    ]);
    await h.chatloom.drain();
    const byPhone = await h.chatloom.findConversation(h.channelId, { phone: '15550009' });
    const byUser = await h.chatloom.findConversation(h.channelId, { userId: 'US.1349' });
    expect(byUser?.id).toBe(byPhone?.id);
    expect(await h.chatloom.listMessages(byUser!.id)).toHaveLength(3);
  });
});
